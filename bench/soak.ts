// `npm run bench -- soak [--minutes M] [--sample-s S] [--json FILE]`: a mixed load on two of
// our hosts for M minutes of wall time (default 10), heap (after a GC) and RSS sampled every
// S seconds (default 60), and the slope of both after the first minute:
//   - idle: 2 000 connections opened at the start and held, a request on each every 10 s
//     of virtual time;
//   - short: 50 new connections per 100 ms of virtual time, one request and response each,
//     closed by the client (their TIME-WAIT fills and expires: 2 MSL of virtual time);
//   - bulk: 2 connections the client writes to without pause, the server reads and drops;
//   - loss: the link loses 1 % of frames each way and delays each by 1 ms (our fault injector).
// The Sim's virtual clock runs as fast as the machine allows (a minute of wall time is many
// of virtual time). Figures: soak.heap_mb_minute_K, soak.rss_mb_minute_K,
// soak.heap_slope_pct_per_10min, soak.rss_slope_pct_per_10min (least squares over the
// samples after the first minute, as a share of their mean), and the work done. Target
// (issue #23): both slopes under 1 % per 10 minutes. Run node with --expose-gc.

import { Host } from '../src/iface/host.js';
import { faultInjector } from '../src/link/fault-injector.js';
import { memoryLinkPair } from '../src/link/memory.js';
import { Sim } from '../src/runtime/sim.js';
import { TcpErr } from '../src/transport/tcp/errors.js';
import { TcpLayer } from '../src/transport/tcp/layer.js';
import type { TcpSocket } from '../src/transport/tcp/socket.js';
import { TcpState } from '../src/transport/tcp/state.js';
import { parseIpv4 } from '../src/wire/ipv4.js';
import { parseBenchArgs, report, type BenchRatio, type BenchResult } from './_report.js';

const args = parseBenchArgs();
function opt(name: string, dflt: number): number {
  const i = args.rest.indexOf(name);
  const v = i >= 0 ? Number(args.rest[i + 1]) : dflt;
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number`);
  return v;
}
const minutes = opt('--minutes', 10);
const sampleS = opt('--sample-s', 60);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('soak: run node with --expose-gc (npm run bench -- soak does)');

const SERVER = parseIpv4('198.51.100.1');
const IDLE = 2000;
const SHORT_PER_TICK = 50;
const BULK = 2;
const REQ = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: soak\r\n\r\n');
const CHUNK = new Uint8Array(65536);

const [la, lb] = memoryLinkPair({ frames: 4096 });
const a = new Host({ name: 'client' });
const b = new Host({ name: 'server' });
a.addInterface(faultInjector(la, { seed: 1, tx: { loss: 0.01, delay: 1 } }), { mac: 0x020000000001, address: '198.51.100.11/24' });
b.addInterface(faultInjector(lb, { seed: 2, tx: { loss: 0.01, delay: 1 } }), { mac: 0x020000000002, address: '198.51.100.1/24' });
const sim = new Sim().add(a, b);
const ta = new TcpLayer(a);
const tb = new TcpLayer(b);
const buf = new Uint8Array(65536);
let shortDone = 0;
let requests = 0;
let bulkBytes = 0;
/** The server's ends of the bulk connections. */
const bulkRx: TcpSocket[] = [];

// The server: echo what a request-response connection sends, drop what a bulk one sends
// (port 9), close after the client's FIN.
for (const port of [80, 9]) {
  const l = tb.socket();
  l.bind(0, port);
  l.listen(4096);
  const onConn = (s: TcpSocket): void => {
    if (port === 9 && !bulkRx.includes(s)) bulkRx.push(s);
    const now = sim.now();
    for (;;) {
      const n = s.recv(buf, 0, buf.length, now);
      if (n > 0) {
        if (port === 80) s.send(buf, 0, n, now);
        else bulkBytes += n;
        continue;
      }
      if (n !== -TcpErr.WouldBlock) {
        s.onReadiness = null;
        s.close(now);
      }
      return;
    }
  };
  l.onReadiness = () => {
    for (let s = l.accept(); s !== null; s = l.accept()) {
      s.onReadiness = onConn;
      onConn(s); // data (or the FIN) may have come with the handshake's last ACK
    }
  };
}

/** A client reading responses; a short one closes after its first. */
const onShort = (s: TcpSocket): void => {
  if (s.state === TcpState.SynSent) return;
  if (s.state === TcpState.Established && s.unacked === 0 && s.readable === 0 && !sentOn.has(s)) {
    sentOn.add(s);
    s.send(REQ, 0, REQ.length, sim.now());
    return;
  }
  const n = s.recv(buf, 0, buf.length, sim.now());
  if (n === -TcpErr.WouldBlock) return;
  // The response (or an error): done.
  sentOn.delete(s);
  s.onReadiness = null;
  s.close(sim.now());
  if (n > 0) shortDone++;
};
const sentOn = new Set<TcpSocket>();
const onIdle = (s: TcpSocket): void => {
  while (s.recv(buf, 0, buf.length, sim.now()) > 0) requests++;
};
const onBulk = (s: TcpSocket): void => {
  while (s.send(CHUNK, 0, CHUNK.length, sim.now()) > 0);
};

const idle: TcpSocket[] = [];
for (let i = 0; i < IDLE; i++) {
  const s = ta.socket();
  s.onReadiness = onIdle;
  s.connect(SERVER, 80, sim.now());
  idle.push(s);
  if (i % 256 === 255) sim.runFor(10);
}
const bulk: TcpSocket[] = [];
for (let i = 0; i < BULK; i++) {
  const s = ta.socket();
  bulk.push(s);
  s.onReadiness = onBulk;
  s.connect(SERVER, 9, sim.now());
}
sim.runFor(1000);

function sample(): { heap: number; js: number; ext: number; rss: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: (m.heapUsed + m.external) / 2 ** 20, js: m.heapUsed / 2 ** 20, ext: m.external / 2 ** 20, rss: m.rss / 2 ** 20 };
}

/** Return the count of sockets per state of a layer, as `ESTABLISHED:2002 ...`. */
function states(t: TcpLayer): string {
  const m = new Map<string, number>();
  t.forEachSocket((s) => m.set(s.stateName(), (m.get(s.stateName()) ?? 0) + 1));
  return [...m].map(([k, v]) => `${k}:${v}`).join(' ');
}

/** Least-squares slope of ys over xs, per unit of x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((p, x) => p + x, 0) / n;
  const my = ys.reduce((p, y) => p + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const t0 = performance.now();
const end = t0 + minutes * 60_000;
let nextSample = t0 + sampleS * 1000;
let nextIdleReq = sim.now() + 10_000;
const times: number[] = [];
const heaps: number[] = [];
const rsss: number[] = [];
const results: BenchResult[] = [];
let k = 0;
while (performance.now() < end) {
  for (let i = 0; i < SHORT_PER_TICK; i++) {
    const s = ta.socket();
    s.onReadiness = onShort;
    if (s.connect(SERVER, 80, sim.now()) !== -TcpErr.InProgress) s.close(sim.now());
  }
  sim.runFor(100);
  if (sim.now() >= nextIdleReq) {
    nextIdleReq = sim.now() + 10_000;
    for (const s of idle) if (s.state === TcpState.Established) s.send(REQ, 0, REQ.length, sim.now());
  }
  if (performance.now() >= nextSample) {
    nextSample += sampleS * 1000;
    const m = sample();
    k++;
    const atMin = (performance.now() - t0) / 60_000;
    times.push(atMin);
    heaps.push(m.heap);
    rsss.push(m.rss);
    console.log(`soak: ${atMin.toFixed(1)} min: heap+external ${m.heap.toFixed(1)} MiB (heap ${m.js.toFixed(1)}, external ${m.ext.toFixed(1)}), rss ${m.rss.toFixed(1)} MiB; short ${shortDone}, idle requests ${requests}, bulk ${(bulkBytes / 2 ** 20).toFixed(0)} MiB, virtual ${(sim.now() / 1000).toFixed(0)} s, TIME-WAIT ${ta.timeWaitCount}, connections ${ta.connectionCount} (server ${tb.connectionCount}; bulk send rings ${bulk.map((s) => (s.sendBuf.allocated / 2 ** 20).toFixed(1)).join('+')} MiB, receive rings ${bulkRx.map((s) => (s.recvBuf.allocated / 2 ** 20).toFixed(1)).join('+')} MiB; client states ${states(ta)}; server states ${states(tb)})`);
    results.push({ name: `soak.heap_mb_sample_${k}`, value: m.heap, unit: 'MiB' }, { name: `soak.rss_mb_sample_${k}`, value: m.rss, unit: 'MiB' });
  }
}
// Slopes over the samples after the first minute, as % of their mean per 10 minutes.
const after = times.map((t, i) => [t, i] as const).filter(([t]) => t > 1).map(([, i]) => i);
const pct = (ys: number[]): number => {
  const xs = after.map((i) => times[i]!);
  const sel = after.map((i) => ys[i]!);
  if (sel.length < 2) return Number.NaN;
  const mean = sel.reduce((p, y) => p + y, 0) / sel.length;
  return (slope(xs, sel) * 10 * 100) / mean;
};
const heapSlope = pct(heaps);
const rssSlope = pct(rsss);
results.push(
  { name: 'soak.minutes', value: minutes, unit: 'min' },
  { name: 'soak.heap_slope_pct_per_10min', value: heapSlope, unit: '%' },
  { name: 'soak.rss_slope_pct_per_10min', value: rssSlope, unit: '%' },
  { name: 'soak.short_connections', value: shortDone, unit: 'conns' },
  { name: 'soak.idle_requests', value: requests, unit: 'requests' },
  { name: 'soak.bulk_mib', value: bulkBytes / 2 ** 20, unit: 'MiB' },
  { name: 'soak.virtual_s', value: sim.now() / 1000, unit: 's' },
);
const ratios: BenchRatio[] = [
  { label: 'heap slope % per 10 min', value: Math.abs(heapSlope), target: '< 1', met: Math.abs(heapSlope) < 1 },
  { label: 'rss slope % per 10 min', value: Math.abs(rssSlope), target: '< 1', met: Math.abs(rssSlope) < 1 },
];
report('soak', results, ratios, args);
process.exit(0);
