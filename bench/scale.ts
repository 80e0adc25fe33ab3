// `npm run bench -- scale [--json FILE] [--n 10000,50000,100000] [--no-linux]`: how many
// connections one host holds and what each costs, ours and Linux's in the same run.
//
// Ours (bench/_scale-world.ts): two of our hosts on a memory link driven by a Sim; the
// client host has a few addresses so that N connections never run out of ports. For each N:
// open N connections (the server accepts each), a request on each (one response each),
// hold them idle (5 s of virtual time: delayed ACKs fire, rings are given back), a second
// request on each, close them from the client (N entries in TIME-WAIT on the client, the
// server's sockets gone), then let TIME-WAIT expire (61 s) and check that no state is left.
//   scale.N.bytes_per_idle_conn   (heap + external growth, after a GC) / 2N: one endpoint
//                                 of an idle ESTABLISHED connection (this process holds both
//                                 ends: client and server sockets), what one host pays
//   scale.N.bytes_per_idle_pair   the same / N: both ends
//   scale.N.bytes_per_timewait    growth / N with the N connections in TIME-WAIT (the
//                                 server's side closed and freed)
//   scale.N.accept_per_s          connections opened and accepted per second of wall time
//                                 (both hosts in this one thread)
//   scale.N.p99_ms_second_request the second requests go in waves of 1000; each one's wall
//                                 time from its send to its response; the 99th percentile
//   scale.N.second_answered       connections whose second request was answered
//   scale.max_conns               the largest N whose every second request was answered
// Linux (bench/_scale-linux.ts), same run: N idle connections between two network
// namespaces over a veth pair (a Python client and server, one request each), memory from
// /proc/slabinfo (the TCP, sock_inode_cache, filp, dentry, eventpoll and skbuff caches)
// and /proc/net/sockstat's TCP mem, per socket; then TIME-WAIT (tw_sock_TCP per entry).
//   linux.N.bytes_per_idle_conn, linux.N.bytes_per_timewait, linux.N.accept_per_s
// Run node with --expose-gc (scripts/run-bench.mjs does). Targets (issue #23):
// bytes_per_idle_conn <= 2048, bytes_per_timewait <= 256, 100 000 connections with every
// second request answered. Reported, not asserted.

import { parseBenchArgs, report, type BenchRatio, type BenchResult } from './_report.js';
import { ScaleWorld } from './_scale-world.js';
import { linuxScale, linuxSkipReason } from './_scale-linux.js';

const args = parseBenchArgs();
const rest = args.rest;
function opt(name: string): string | undefined {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}
const sizes = (opt('--n') ?? '10000,50000,100000').split(',').map((x) => Number(x));
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 1_000_000)) throw new RangeError('--n: a comma-separated list of connection counts (1..1000000)');
const withLinux = !rest.includes('--no-linux');

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('scale: run node with --expose-gc (npm run bench -- scale does)');

/** Heap used plus memory outside the heap (ArrayBuffers), after full collections. */
function memNow(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Return the `p` quantile of `xs[0..n)`. */
function quantile(xs: Float64Array, p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

interface OurFigures {
  idle: number;
  pair: number;
  tw: number;
  acceptPerS: number;
  p99: number;
  answered2: number;
  leftover: number;
}

function ours(n: number): OurFigures {
  const w = new ScaleWorld(n);
  // Warm up the code paths on a few connections, then let them leave TIME-WAIT.
  const warm = Math.min(2000, n);
  w.open(0, warm);
  w.request(0, warm);
  w.close(0, warm);
  w.idle(61_000);
  w.answered.fill(0);
  const base = memNow();
  const t0 = performance.now();
  if (!w.open(0, n)) throw new Error(`scale: opening ${n} connections failed (accepted ${w.accepted})`);
  const acceptPerS = n / ((performance.now() - t0) / 1000);
  w.request(0, n);
  w.idle(5000);
  const idleBytes = memNow() - base;
  w.latency.fill(0);
  w.request(0, n);
  const answered2 = w.countAnswered(0, n, 2);
  const p99 = quantile(w.latency.subarray(0, n), 0.99);
  w.idle(1000);
  const closedBefore = w.serverClosed;
  w.close(0, n);
  w.sim.runUntil(() => w.serverClosed - closedBefore >= n && w.ts.connectionCount === 0, { maxTime: 10_000 });
  w.idle(1000);
  const twEntries = w.tc.timeWaitCount;
  const twBytes = memNow() - base;
  w.idle(61_000);
  const leftover = w.tc.connectionCount + w.ts.connectionCount + w.tc.timers.size + w.ts.timers.size;
  if (twEntries !== n) console.error(`scale: ${twEntries} of ${n} connections in TIME-WAIT`);
  return { idle: idleBytes / (2 * n), pair: idleBytes / n, tw: twBytes / n, acceptPerS, p99, answered2, leftover };
}

const results: BenchResult[] = [];
const ratios: BenchRatio[] = [];
let maxConns = 0;
const skip = withLinux ? linuxSkipReason() : 'turned off (--no-linux)';
if (skip !== null) console.error(`scale: Linux side skipped: ${skip}`);
for (const n of sizes) {
  const f = ours(n);
  const p = `scale.${n}`;
  results.push(
    { name: `${p}.bytes_per_idle_conn`, value: f.idle, unit: 'bytes' },
    { name: `${p}.bytes_per_idle_pair`, value: f.pair, unit: 'bytes' },
    { name: `${p}.bytes_per_timewait`, value: f.tw, unit: 'bytes' },
    { name: `${p}.accept_per_s`, value: f.acceptPerS, unit: 'conn/s' },
    { name: `${p}.p99_ms_second_request`, value: f.p99, unit: 'ms' },
    { name: `${p}.second_answered`, value: f.answered2, unit: 'conns' },
    { name: `${p}.state_left_after_expiry`, value: f.leftover, unit: 'entries' },
  );
  if (f.answered2 === n && n > maxConns) maxConns = n;
  if (skip === null) {
    const l = await linuxScale(n);
    results.push(
      { name: `linux.${n}.bytes_per_idle_conn`, value: l.idle, unit: 'bytes' },
      { name: `linux.${n}.bytes_per_timewait`, value: l.tw, unit: 'bytes' },
      { name: `linux.${n}.tw_sock_bytes_per_timewait`, value: l.twSock, unit: 'bytes' },
      { name: `linux.${n}.accept_per_s`, value: l.acceptPerS, unit: 'conn/s' },
      { name: `linux.${n}.second_answered`, value: l.answered2, unit: 'conns' },
    );
    ratios.push({ label: `ours / Linux bytes per idle connection, N=${n}`, value: f.idle / l.idle, target: '<= 1', met: f.idle <= l.idle });
  }
  ratios.push({ label: `bytes per idle connection / 2048, N=${n}`, value: f.idle / 2048, target: '<= 1', met: f.idle <= 2048 });
  ratios.push({ label: `bytes per TIME-WAIT / 256, N=${n}`, value: f.tw / 256, target: '<= 1', met: f.tw <= 256 });
}
results.push({ name: 'scale.max_conns', value: maxConns, unit: 'conns' });
report('scale', results, ratios, args);
