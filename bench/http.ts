// `npm run bench -- http [--json FILE] [--repeats N] [--duration S] [--conns N]`: Node's own
// http server under keep-alive GETs of a 1 KiB body, on the kernel's loopback and on our
// stack, side by side in one run:
//   kernel.http_rps   server (http.createServer, listen on 127.0.0.1) in one worker thread,
//                     the load generator (node:net sockets) in another
//   netch.http_rps    the same server code fed by our net adapter on one host, the same load
//                     generator over our sockets on another, the two hosts in two worker
//                     threads on a shared memory link (MTU 1500, checksum offload as on lo)
// The server and load generator are the demo's (src/cli/http-load.ts, http-run.ts): 64
// connections, one request in flight each, every response's status and body length checked.
// Each figure is the median of --repeats runs (default 5) of --duration seconds (default 3)
// after a 0.5 s warm-up; the two stacks alternate so both see the same machine conditions.
// Latency percentiles and retransmissions of the median run are printed below the table.
// The target (netch >= 1.2x the kernel; aim 1.5x) is reported, not asserted.

import { runHttp, type HttpRunResult } from '../src/cli/http-run.js';
import { HTTP_BODY_LEN } from '../src/cli/http-load.js';
import type { HttpStackKind } from '../src/cli/http-worker.js';
import { median, parseBenchArgs, report, type BenchResult } from './_report.js';

const args = parseBenchArgs();
function opt(name: string, def: number): number {
  const rest = args.rest;
  const i = rest.indexOf(name);
  const raw = i >= 0 ? rest[i + 1] : rest.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  const v = raw === undefined ? def : Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`http bench: ${name} ${raw} must be a positive number`);
  return v;
}
const REPEATS = Math.round(opt('--repeats', 5));
const DURATION_MS = opt('--duration', 3) * 1000;
const CONNS = Math.round(opt('--conns', 64));
const WARMUP_MS = 500;

async function once(kind: HttpStackKind): Promise<HttpRunResult> {
  const r = await runHttp({ kind, conns: CONNS, durationMs: DURATION_MS, warmupMs: WARMUP_MS, bodyLen: HTTP_BODY_LEN });
  if (r.load.failed > 0 || r.load.requests === 0) {
    throw new Error(`http bench: ${kind}: ${r.load.requests} requests, ${r.load.failed} failed (${r.load.firstError})`);
  }
  process.stderr.write(`http bench: ${kind.padEnd(6)} ${Math.round(r.load.rps)} requests/s, p99 ${r.load.latency.p99.toFixed(2)} ms, ${r.retransSegs ?? 'n/a'} retransmitted\n`);
  return r;
}

function medianRun(runs: HttpRunResult[]): HttpRunResult {
  const m = median(runs.map((r) => r.load.rps));
  return runs.reduce((best, r) => (Math.abs(r.load.rps - m) < Math.abs(best.load.rps - m) ? r : best));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  process.stderr.write(`http bench: ${REPEATS} runs per stack of ${DURATION_MS / 1000} s, ${CONNS} connections, ${HTTP_BODY_LEN}-byte body\n`);
  const kernel: HttpRunResult[] = [];
  const netch: HttpRunResult[] = [];
  for (let i = 0; i < REPEATS; i++) {
    // Alternate the order too, so neither stack always runs on a warmer machine.
    if (i % 2 === 0) {
      kernel.push(await once('kernel'));
      netch.push(await once('netch'));
    } else {
      netch.push(await once('netch'));
      kernel.push(await once('kernel'));
    }
  }
  const k = median(kernel.map((r) => r.load.rps));
  const n = median(netch.map((r) => r.load.rps));
  const results: BenchResult[] = [
    { name: 'kernel.http_rps', value: k, unit: 'requests/s' },
    { name: 'netch.http_rps', value: n, unit: 'requests/s' },
  ];
  const ratio = n / k;
  report('http', results, [{ label: 'netch.http_rps / kernel.http_rps', value: ratio, target: '>= 1.2x (aim 1.5x)', met: ratio >= 1.2 }], args);
  for (const [name, runs] of [['kernel', kernel], ['netch', netch]] as const) {
    const m = medianRun(runs);
    const l = m.load.latency;
    console.log(
      `${name}: median run ${Math.round(m.load.rps)} requests/s, latency p50 ${l.p50.toFixed(2)} / p90 ${l.p90.toFixed(2)} / p99 ${l.p99.toFixed(2)} / max ${l.max.toFixed(2)} ms, ` +
        `${m.retransSegs ?? 'n/a'} retransmitted${name === 'kernel' ? ' (system-wide)' : ''}; all runs: ${runs.map((r) => Math.round(r.load.rps)).join(', ')}`,
    );
  }
  console.log(`${REPEATS} runs per stack, ${DURATION_MS / 1000} s each after ${WARMUP_MS / 1000} s warm-up, ${CONNS} keep-alive connections, ${HTTP_BODY_LEN}-byte body; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
