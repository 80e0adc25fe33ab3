// `netch demo` (the default demo): Node's own `http` module serving over our TCP/IP stack.
// Two hosts, alpha 192.0.2.1 and beta 192.0.2.2, each in its own worker thread, joined by a
// shared memory link; beta runs `http.createServer` on our sockets (src/adapters), alpha a
// load generator (keep-alive GETs of a 1 KiB body over a fixed number of connections,
// every response checked). Then the same server and load generator run over the kernel's
// loopback (node:net) for comparison. It prints requests per second, latency percentiles,
// throughput and retransmissions of both. `--loss`, `--delay` and `--pcap` change our
// link (the kernel's run is left as it is).

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HTTP_BODY_LEN } from './http-load.js';
import { runHttp, type HttpRunResult } from './http-run.js';
import { HTTP_CLIENT_ADDR, HTTP_PORT, HTTP_SERVER_ADDR, type HttpStackKind } from './http-worker.js';

const USAGE = `usage: netch demo [--duration S] [--conns N] [--loss P] [--delay MS] [--pcap FILE] [--json FILE] [--no-kernel]
       netch demo basics [--pcap FILE]    ARP, ping and UDP echo between two hosts
       netch demo backlog [--json FILE]   a connection storm (see its --help)

Node's http server on our TCP/IP stack: beta (${HTTP_SERVER_ADDR}) serves a ${HTTP_BODY_LEN}-byte body
with http.createServer, alpha (${HTTP_CLIENT_ADDR}) sends keep-alive GETs over N connections;
the two hosts run in two worker threads on a shared memory link. Then the same server and
load generator run over the kernel's loopback, for comparison.

options:
  --duration S     seconds of load per stack, after a short warm-up (default 5)
  --conns N        connections, one request in flight each (default 32)
  --loss P         drop each frame on our link with probability P, each direction (0..0.5)
  --delay MS       delay each frame on our link by MS milliseconds, each direction
  --pcap FILE      capture alpha's frames to FILE (libpcap; the first 100000 frames)
  --json FILE      also write the figures as JSON
  --no-kernel      skip the kernel loopback run
  -h, --help       show this help
`;

interface DemoOptions {
  durationMs: number;
  warmupMs: number;
  conns: number;
  loss: number;
  delayMs: number;
  pcap: string | null;
  json: string | null;
  kernel: boolean;
}

function parse(argv: string[]): DemoOptions | string {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '5' },
        conns: { type: 'string', default: '32' },
        loss: { type: 'string', default: '0' },
        delay: { type: 'string', default: '0' },
        pcap: { type: 'string' },
        json: { type: 'string' },
        'no-kernel': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return (err as Error).message;
  }
  if (v.help) return 'help';
  const duration = Number(v.duration);
  const conns = Number(v.conns);
  const loss = Number(v.loss);
  const delay = Number(v.delay);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 600) return '--duration must be in (0, 600] seconds';
  if (!Number.isInteger(conns) || conns < 1 || conns > 10_000) return '--conns must be an integer in 1..10000';
  if (!Number.isFinite(loss) || loss < 0 || loss > 0.5) return '--loss must be a probability in 0..0.5';
  if (!Number.isFinite(delay) || delay < 0 || delay > 10_000) return '--delay must be in 0..10000 ms';
  return {
    durationMs: duration * 1000,
    // A short warm-up lets the JIT settle before the figures count; shorter for short runs.
    warmupMs: Math.min(500, duration * 200),
    conns,
    loss,
    delayMs: delay,
    pcap: v.pcap ?? null,
    json: v.json ?? null,
    kernel: !v['no-kernel'],
  };
}

/** A progress line on stderr: a redrawn bar on a terminal, a plain line per phase otherwise. */
class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private drawn = false;

  start(label: string, totalMs: number): void {
    if (!this.tty) process.stderr.write(`netch demo: ${label}: ${(totalMs / 1000).toFixed(1)} s of load...\n`);
  }

  update(label: string, totalMs: number, elapsedMs: number, completed: number, failed: number): void {
    if (!this.tty) return;
    const width = 24;
    const frac = Math.min(1, elapsedMs / totalMs);
    const full = Math.round(frac * width);
    const bar = '#'.repeat(full) + '.'.repeat(width - full);
    const rate = elapsedMs > 0 ? Math.round((completed * 1000) / elapsedMs) : 0;
    const line = `${label.split(' ')[0]!.padEnd(6)} [${bar}] ${(elapsedMs / 1000).toFixed(1)}/${(totalMs / 1000).toFixed(1)} s  ${completed} responses (${rate}/s)${failed > 0 ? `, ${failed} failed` : ''}`;
    process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 120) - 1)}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function count(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Return the comparison table. */
function table(runs: HttpRunResult[]): string {
  const head = runs.map((r) => (r.kind === 'netch' ? 'netch (memory link)' : 'kernel (loopback)'));
  const rows: [string, ...string[]][] = [
    ['requests/s', ...runs.map((r) => count(r.load.rps))],
    ['latency p50', ...runs.map((r) => `${ms(r.load.latency.p50)} ms`)],
    ['latency p90', ...runs.map((r) => `${ms(r.load.latency.p90)} ms`)],
    ['latency p99', ...runs.map((r) => `${ms(r.load.latency.p99)} ms`)],
    ['latency max', ...runs.map((r) => `${ms(r.load.latency.max)} ms`)],
    ['throughput', ...runs.map((r) => `${((r.load.bytesPerSec * 8) / 1e6).toFixed(1)} Mbit/s`)],
    ['responses checked', ...runs.map((r) => count(r.load.completed))],
    ['failed requests', ...runs.map((r) => count(r.load.failed))],
    ['connections', ...runs.map((r) => count(r.load.connections))],
    ['TCP segments sent', ...runs.map((r) => (r.outSegs === null ? 'n/a' : count(r.outSegs)))],
    ['retransmissions', ...runs.map((r) => (r.retransSegs === null ? 'n/a' : count(r.retransSegs)))],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const ws = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i + 1]!.length)));
  const lines = [`${''.padEnd(w0)}  ${head.map((h, i) => h.padStart(ws[i]!)).join('  ')}`];
  for (const r of rows) lines.push(`${r[0].padEnd(w0)}  ${r.slice(1).map((c, i) => c.padStart(ws[i]!)).join('  ')}`);
  return lines.join('\n');
}

function jsonOf(r: HttpRunResult): Record<string, unknown> {
  return {
    rps: r.load.rps,
    requests: r.load.requests,
    completed: r.load.completed,
    failed: r.load.failed,
    unfinished: r.load.unfinished,
    latency_ms: r.load.latency,
    throughput_bytes_per_s: r.load.bytesPerSec,
    connections: r.load.connections,
    server_connections: r.serverConnections,
    tcp_out_segs: r.outSegs,
    retrans_segs: r.retransSegs,
    lost_frames: r.lostFrames,
    pcap_frames: r.pcapFrames,
    first_error: r.load.firstError,
  };
}

/** Run the HTTP demo; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (o === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof o === 'string') {
    process.stderr.write(`netch demo: ${o}\n${USAGE}`);
    return 2;
  }
  const faults = [o.loss > 0 ? `loss ${+(o.loss * 100).toFixed(3)}%` : '', o.delayMs > 0 ? `delay ${o.delayMs} ms` : ''].filter((s) => s !== '').join(', ');
  const out = (s: string): void => void process.stdout.write(s + '\n');
  out(`netch demo: Node's http server on our TCP/IP stack, and on the kernel's loopback for comparison`);
  out(`  server  beta ${HTTP_SERVER_ADDR}:${HTTP_PORT}, http.createServer fed by our net adapter (worker thread 1)`);
  out(`  client  alpha ${HTTP_CLIENT_ADDR}, ${o.conns} keep-alive connections, GET / -> ${HTTP_BODY_LEN}-byte body, every response checked (worker thread 2)`);
  out(`  link    shared memory link, MTU 1500${faults ? `, ${faults} each direction` : ''}${o.pcap ? `, capture ${o.pcap}` : ''}`);
  out(`  load    ${o.durationMs / 1000} s per stack after a ${o.warmupMs / 1000} s warm-up\n`);

  const progress = new Progress();
  const kinds: HttpStackKind[] = o.kernel ? ['netch', 'kernel'] : ['netch'];
  const runs: HttpRunResult[] = [];
  const total = o.warmupMs + o.durationMs;
  for (const kind of kinds) {
    const label = kind === 'netch' ? 'netch memory link' : 'kernel loopback';
    progress.start(label, total);
    try {
      runs.push(
        await runHttp({
          kind, conns: o.conns, durationMs: o.durationMs, warmupMs: o.warmupMs,
          scenario: kind === 'netch' ? { loss: o.loss, delayMs: o.delayMs, pcap: o.pcap } : {},
          onProgress: (done, failed, elapsed) => progress.update(label, total, elapsed, done, failed),
        }),
      );
    } finally {
      progress.done();
    }
  }

  out(table(runs));
  const [netch, kernel] = runs as [HttpRunResult, HttpRunResult | undefined];
  if (kernel !== undefined) out(`\nnetch / kernel: ${(netch.load.rps / kernel.load.rps).toFixed(2)}x the requests per second`);
  if (netch.lostFrames > 0) out(`fault injector dropped ${count(netch.lostFrames)} frames on our link`);
  if (kernel !== undefined) out(`(kernel segments and retransmissions are the system-wide counters of /proc/net/snmp over the run)`);
  if (o.pcap !== null) out(`capture: ${count(netch.pcapFrames)} frames written to ${o.pcap}`);
  for (const r of runs) if (r.load.firstError !== '') out(`${r.kind}: first failure: ${r.load.firstError}`);
  if (o.json !== null) {
    const doc = {
      demo: 'http',
      options: { duration_s: o.durationMs / 1000, warmup_s: o.warmupMs / 1000, conns: o.conns, loss: o.loss, delay_ms: o.delayMs, pcap: o.pcap, body_bytes: HTTP_BODY_LEN },
      netch: jsonOf(netch),
      kernel: kernel === undefined ? null : jsonOf(kernel),
    };
    writeFileSync(o.json, JSON.stringify(doc, null, 2) + '\n');
    out(`wrote ${o.json}`);
  }
  const ok = runs.every((r) => r.load.failed === 0 && r.load.requests > 0);
  return ok ? 0 : 1;
}
