// `npm run bench -- tcp [--json FILE] [--bytes N] [--quick] [--repeats N] [--limit S]
//   [--conns N] [--heap-segments N] [--tap-bytes N] [--no-tap] [--only netapi,bulk1,bulk2,conns,heap,tap]`:
// TCP throughput and connection rate of our stack, side by side with the kernel's, in one run:
//   netapi.{kernel,netch}.*         the headline: one workload written against Node's `net`
//                                   API, run unchanged on both stacks, server and client in
//                                   worker threads of their own on both sides, rounds
//                                   interleaved, CPU of both threads (bench/_netapi.ts)
// The raw engine, under names that say so and never set against the kernel (our
// TcpSocket's send/recv in tight poll loops, no event loop, no Node stream layer; the
// kernel's figures for the same work are the netapi rows above):
//   raw.netch.bulk_gbps_1thread[_mtuN]  two of our hosts on a memory link, both in this
//                                   thread, driven by a tight poll loop
//   raw.netch.bulk_gbps_2threads[_mtuN] the two hosts in two worker threads, on a shared
//                                   memory link (createSharedMemoryLink/openMemoryLink)
//   raw.netch.conn_per_s            connect, 1-byte request, 1-byte reply, close (the client
//                                   closes first), 64 connections in flight, TcpLayer.socket()
//   raw.netch.heap_growth_bytes_per_mpkt  heap growth after gc over a million segments
//                                   (data and ACKs of both hosts) of a steady bulk transfer
//   raw.netch.alloc_bytes_per_segment  bytes allocated per segment over the same window,
//                                   garbage included (V8's sampling heap profiler, an estimate)
//   tap.bulk_gbps_to_linux / _from_linux  our host on a TAP device against a Python socket
//                                   in a network namespace (root, /dev/net/tun, the addon);
//                                   `_plain` (a TAP without offload) and `_offload` (openTap's
//                                   offload: IFF_VNET_HDR, GSO super-frames in, TSO
//                                   super-segments out) run alternately; the unsuffixed
//                                   figure is the better of the two
// The bulk runs go at MTU 1500 (Ethernet's) and 65522 (the largest memory-link frame; Linux's
// lo has 65536): `_mtu1500` / `_mtu64k` suffixes; the unsuffixed figure is the better of the
// two. The memory links declare checksum offload, as Linux's lo does (CHECKSUM_PARTIAL), so
// a TCP that honours `host.ip.checksumOffload` and `checksumUnnecessary` skips its checksums
// there as the kernel does on loopback. Every netch and TAP run checks each received byte against the sent pattern (see
// _tcp-worker.ts), so a broken stack fails instead of posting a figure. Each figure is the
// median of `--repeats` runs (default 3; --quick: 1 run, 256 MiB) after a short warm-up;
// every run is bounded in bytes and in time (--limit S, default 60 s per run). Targets are
// reported, not asserted.

import { spawn, type ChildProcess } from 'node:child_process';
import { Session } from 'node:inspector';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { memoryLinkPair, createSharedMemoryLink, MEMORY_LINK_MTU_MAX } from '../src/link/memory.js';
import { Loop } from '../src/runtime/loop.js';
import { TcpErr } from '../src/transport/tcp/errors.js';
import type { TcpOptionsInput } from '../src/transport/tcp/config.js';
import type { TcpSocket } from '../src/transport/tcp/socket.js';
import { TcpState } from '../src/transport/tcp/state.js';
import { Bench, HOST_ADDR, HOST_MAC, KERNEL_ADDR, benchSkipReason, toolSkipReason } from '../test/interop/bench.js';
import {
  ADDR_A, ADDR_B, BULK_PORT, CHUNK, CTL_WORDS, MAC_A, MAC_B, PATTERN_PERIOD,
  PatternSink, PatternSource, makePattern, tcpHost, type BulkJob, type BulkReport,
} from './_tcp-worker.js';
import { median, nextMessage, parseBenchArgs, report, type BenchRatio, type BenchResult } from './_report.js';
import { runNetApi } from './_netapi.js';
import { parseIpv4 } from '../src/wire/ipv4.js';

const args = parseBenchArgs();
const rest = args.rest;
function opt(name: string): string | undefined {
  const i = rest.indexOf(name);
  if (i >= 0) return rest[i + 1];
  const eq = rest.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}
const quick = rest.includes('--quick');
const GiB = 1 << 30;
const MiB = 1 << 20;
const BYTES = Number(opt('--bytes') ?? (quick ? 256 * MiB : 2 * GiB));
const REPEATS = Number(opt('--repeats') ?? (quick ? 1 : 3));
const LIMIT_MS = Number(opt('--limit') ?? 60) * 1000;
const TAP_BYTES = Number(opt('--tap-bytes') ?? Math.min(BYTES, 512 * MiB));
const CONN_COUNT = Number(opt('--conns') ?? (quick ? 5000 : 20_000));
const HEAP_SEGMENTS = Number(opt('--heap-segments') ?? 1_000_000);
const IN_FLIGHT = 64;
const MTUS = [1500, MEMORY_LINK_MTU_MAX] as const;
for (const [k, v] of Object.entries({ BYTES, REPEATS, LIMIT_MS, TAP_BYTES, CONN_COUNT, HEAP_SEGMENTS })) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`tcp bench: ${k} ${v} must be a positive integer`);
}

/** Buffers of bulk connections: room for a window-scaled window once TCP has one (today's stops at 65535). */
const BULK_TCP: TcpOptionsInput = { sendBufSize: 4 * MiB, recvBufSize: 4 * MiB };
/** Connection-rate sockets carry one byte each way: small buffers keep 20 000 TIME-WAIT sockets small. */
const CONN_TCP: TcpOptionsInput = { sendBufSize: 4096, recvBufSize: 4096 };

const pattern = makePattern();

function gbps(bytes: number, ms: number): number {
  return (bytes * 8) / (ms * 1e6);
}

/** Frames per link end: enough for the receive buffer's worth of segments in flight. */
function framesFor(mtu: number): number {
  return Math.min(4096, Math.max(64, Math.ceil((2 * (BULK_TCP.recvBufSize ?? 65536)) / (mtu - 40))));
}

// ---- netch in one thread ----

/** Two hosts on a memory link in this thread. */
function pair(mtu: number, tcp: TcpOptionsInput, frames: number) {
  const [la, lb] = memoryLinkPair({ mtu, frames, checksumOffload: true });
  const a = tcpHost('a', la, MAC_A, ADDR_A, tcp);
  const b = tcpHost('b', lb, MAC_B, ADDR_B, tcp);
  return { a, b, close: (): void => (a.host.close(), b.host.close(), la.close(), lb.close()) };
}

const IP_B = ((198 << 24) | (51 << 16) | (100 << 8) | 2) >>> 0;

interface OneThreadBulk {
  /** Bytes that arrived (all checked); less than asked when the time limit ended the run. */
  got: number;
  gbps: number;
  segs: number;
  retrans: number;
  mss: number;
  heapGrowthPerMpkt: number;
  /** Bytes allocated per segment over the heap window (sampled; collected objects included). */
  allocPerSeg: number;
}

/**
 * Send `bytes` from host a to host b through our TCP in this thread: poll both hosts and
 * pump both sockets in a tight loop (no event loop between). With `heapSegments`, also
 * measure the heap growth (after gc) over that many segments once a quarter of them passed.
 */
function netchBulk1(bytes: number, mtu: number, heapSegments = 0): OneThreadBulk {
  const p = pair(mtu, BULK_TCP, framesFor(mtu));
  try {
    const l = p.b.tcp.socket();
    l.bind(0, BULK_PORT);
    l.listen(4);
    const t0 = performance.now();
    const end = t0 + LIMIT_MS;
    let now = t0;
    const c = p.a.tcp.socket();
    c.connect(IP_B, BULK_PORT, now);
    const src = new PatternSource(c, bytes, pattern);
    let sink: PatternSink | null = null;
    const segs = (): number => p.a.tcp.counters.Tcp.OutSegs + p.b.tcp.counters.Tcp.OutSegs;
    const gc = heapSegments > 0 ? gcFunction() : null;
    let heapPhase = heapSegments > 0 ? 0 : 2;
    let heapStart = 0;
    let heapSegs = 0;
    let heapGrowth = 0;
    let allocPerSeg = Number.NaN;
    const sampler = heapSegments > 0 ? new AllocationSampler() : null;
    while (now < end) {
      p.a.host.poll(now);
      p.b.host.poll(now);
      src.step(now);
      if (sink === null) {
        const s = l.accept();
        if (s !== null) sink = new PatternSink(s, pattern);
      }
      if (sink !== null) {
        sink.step(now);
        if (sink.error !== '' || sink.received >= bytes) break;
      }
      if (src.error !== '') break;
      if (heapPhase === 0 && segs() >= heapSegments / 4) {
        gc!();
        heapStart = process.memoryUsage().heapUsed;
        heapSegs = segs();
        heapPhase = 1;
        sampler!.start();
      } else if (heapPhase === 1 && segs() - heapSegs >= heapSegments) {
        allocPerSeg = sampler!.stop() / (segs() - heapSegs);
        gc!();
        heapGrowth = ((process.memoryUsage().heapUsed - heapStart) * 1e6) / (segs() - heapSegs);
        heapPhase = 2;
        if (heapSegments > 0) break; // the heap run ends here, not at `bytes`
      }
      now = performance.now();
    }
    const got = sink?.received ?? 0;
    if (sink?.error || src.error || (got === 0 && heapSegments === 0)) {
      throw new Error(`netch 1-thread bulk (mtu ${mtu}): ${sink?.error || src.error || `received ${got} of ${bytes} in ${LIMIT_MS} ms (${c.stateName()})`}`);
    }
    if (heapPhase !== 2) throw new Error(`netch heap: ${segs() - heapSegs} of ${heapSegments} segments in ${LIMIT_MS} ms; use a longer --limit`);
    // On the time limit the figure is what arrived (every byte checked) over the limit.
    return {
      got,
      gbps: gbps(got, now - t0),
      segs: segs(),
      retrans: p.a.tcp.counters.Tcp.RetransSegs,
      mss: c.sendMss,
      heapGrowthPerMpkt: heapGrowth,
      allocPerSeg,
    };
  } finally {
    p.close();
  }
}

/**
 * Bytes this thread allocates between `start` and `stop`, garbage included: V8's sampling
 * heap profiler (through the inspector, whose calls answer synchronously on this thread)
 * with the objects later collected by minor and major GCs kept in the profile; its sizes
 * are scaled estimates of everything allocated, not only what a sample hit. Heap growth
 * after gc shows what stays; this shows the per-packet garbage the scavenger collects.
 */
class AllocationSampler {
  private readonly session = new Session();
  start(): void {
    this.session.connect();
    this.post('HeapProfiler.enable', {});
    this.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  }
  /** Stop and return the bytes allocated since `start`. */
  stop(): number {
    const r = this.post('HeapProfiler.stopSampling', {}) as { profile: { head: SampleNode } };
    this.session.disconnect();
    const sum = (n: SampleNode): number => n.selfSize + n.children.reduce((a, c) => a + sum(c), 0);
    return sum(r.profile.head);
  }
  private post(method: string, params: object): unknown {
    let result: unknown = null;
    let error: Error | null = null;
    this.session.post(method, params, (err, r) => {
      error = err;
      result = r;
    });
    if (error !== null) throw error;
    return result;
  }
}

interface SampleNode {
  selfSize: number;
  children: SampleNode[];
}

/** Return the V8 gc function (exposed through a flag set at run time when node lacks --expose-gc). */
function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Connection rate between two of our hosts in this thread: `count` connections, 64 in
 * flight, each a 1-byte request and a 1-byte reply; the client closes first (and keeps
 * TIME-WAIT, 60 s: the run stays below the 28 232 ephemeral ports). Return per second.
 */
function netchConns(count: number): number {
  const p = pair(1500, CONN_TCP, 512);
  try {
    const l = p.b.tcp.socket();
    l.bind(0, 80);
    l.listen(4096);
    const byte = new Uint8Array(1);
    const buf = new Uint8Array(16);
    let started = 0;
    let completed = 0;
    let failed = '';
    const t0 = performance.now();
    const end = t0 + LIMIT_MS;
    let now = t0;
    // Readiness callbacks run after the layer's processing, so each connection costs work
    // only when something happened to it.
    const open = (): void => {
      if (started >= count) return;
      started++;
      const s = p.a.tcp.socket();
      let asked = false;
      s.onReadiness = () => {
        if (!asked) {
          if (s.state === TcpState.Established) {
            s.send(byte, 0, 1, now);
            asked = true;
          } else if (s.state === TcpState.Closed) {
            failed = `connection failed (error ${s.takeError()})`;
          }
          return;
        }
        const n = s.recv(buf, 0, buf.length, now);
        if (n === 1) {
          s.close(now);
          completed++;
          open();
        } else if (n !== -TcpErr.WouldBlock) {
          failed = `recv: ${n}`;
        }
      };
      const r = s.connect(IP_B, 80, now);
      if (r !== -TcpErr.InProgress) failed = `connect: error ${-r}`;
    };
    const serve = (s: TcpSocket): void => {
      let replied = false;
      s.onReadiness = () => {
        const n = s.recv(buf, 0, buf.length, now);
        if (n > 0 && !replied) {
          s.send(byte, 0, 1, now);
          replied = true;
        } else if (n === 0 || (n < 0 && n !== -TcpErr.WouldBlock)) {
          s.close(now);
        }
      };
    };
    l.onReadiness = () => {
      for (let s = l.accept(); s !== null; s = l.accept()) serve(s);
    };
    for (let i = 0; i < IN_FLIGHT; i++) open();
    while (completed < count && failed === '' && now < end) {
      p.a.host.poll(now);
      p.b.host.poll(now);
      now = performance.now();
    }
    if (failed !== '' || completed < count) throw new Error(`netch conns: ${completed} of ${count} completed: ${failed || 'time limit'}`);
    return (count * 1000) / (now - t0);
  } finally {
    p.close();
  }
}

// ---- netch in two threads ----

const workerUrl = new URL('./_tcp-worker.js', import.meta.url);

/** Start a worker and wait until it is up (its module loaded). */
function startWorker(): Worker {
  const w = new Worker(workerUrl);
  w.unref();
  return w;
}

function runJob(w: Worker, job: BulkJob): Promise<BulkReport> {
  const r = nextMessage<BulkReport>(w);
  w.postMessage(job);
  return r;
}

/** Send `bytes` between two hosts in two worker threads over a shared memory link; return Gbit/s. */
async function netchBulk2(workers: [Worker, Worker], bytes: number, mtu: number): Promise<{ gbps: number; mss: number; retrans: number; got: number }> {
  const [specA, specB] = createSharedMemoryLink({ mtu, frames: framesFor(mtu), checksumOffload: true });
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  const common = { cmd: 'bulk' as const, ctl, bytes, limitMs: LIMIT_MS, tcp: BULK_TCP };
  const [server, client] = await Promise.all([
    runJob(workers[1], { ...common, role: 'server', spec: specB }),
    runJob(workers[0], { ...common, role: 'client', spec: specA }),
  ]);
  if (server.error !== '' || client.error !== '' || (server.bytes !== bytes && !server.timedOut)) {
    throw new Error(`netch 2-thread bulk (mtu ${mtu}): server: ${server.error || `${server.bytes} bytes`}; client: ${client.error || `${client.bytes} bytes`}`);
  }
  // On the time limit the figure is what arrived (every byte checked) over the limit.
  return { gbps: gbps(server.bytes, server.t1 - client.t0), mss: client.sendMss, retrans: client.retransSegs, got: server.bytes };
}

// ---- against Linux over TAP ----

/**
 * Python sink in the namespace: accept one connection, take `want` bytes, and check them all
 * with a running CRC-32 (zlib, C speed) against the CRC of the pattern stream computed before
 * "ready"; print "bytes seconds" or "error ...". (Comparing each chunk with a slice of the
 * pattern in Python cost more CPU than our sender on this 2-core machine.)
 */
const SINK_PY = `
import socket, sys, time, zlib
P = ${PATTERN_PERIOD}; C = ${CHUNK}
pat = bytes(((x * 2654435761) & 0xffffffff) >> 24 for x in range(P)); pmv = memoryview(pat + pat[:C])
want = int(sys.argv[3]); expect = 0; o = 0
while o < want:
    n = min(C, want - o); expect = zlib.crc32(pmv[o % P:o % P + n], expect); o += n
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2]))); l.listen(1); l.settimeout(float(sys.argv[4]))
print("ready", flush=True)
s, _ = l.accept(); s.settimeout(float(sys.argv[4]))
got = 0; crc = 0; buf = bytearray(4 * C); mv = memoryview(buf); t0 = time.monotonic()
while got < want:
    n = s.recv_into(buf, min(len(buf), want - got))
    if n == 0: break
    crc = zlib.crc32(mv[:n], crc); got += n
t1 = time.monotonic()
if got == want and crc != expect:
    print("error corrupt data: CRC-32 %08x, the pattern's %08x" % (crc, expect), flush=True); sys.exit(0)
s.recv(1) if got == want else None
print(got, t1 - t0, flush=True)
`;

/** Python source in the namespace: connect, send N bytes of the pattern, close. */
const SOURCE_PY = `
import socket, sys
P = ${PATTERN_PERIOD}; C = ${CHUNK}
pat = bytes(((x * 2654435761) & 0xffffffff) >> 24 for x in range(P)); pat = memoryview(pat + pat[:C])
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[4]))
want = int(sys.argv[3]); sent = 0
while sent < want:
    o = sent % P; n = min(C, want - sent)
    s.sendall(pat[o:o + n]); sent += n
s.shutdown(socket.SHUT_WR)
s.recv(1)
print("sent", sent, flush=True)
`;

interface TapSide {
  bench: Bench;
  loop: Loop;
  tcp: ReturnType<typeof tcpHost>['tcp'];
  host: ReturnType<typeof tcpHost>['host'];
}

function pythonIn(bench: Bench, script: string, argv: (string | number)[], onLine: (l: string) => void): { child: ChildProcess; exit: Promise<string> } {
  const child = spawn('ip', ['netns', 'exec', bench.ns, 'python3', '-c', script, ...argv.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS + 10_000);
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of d.toString().split('\n')) if (l.trim() !== '') onLine(l.trim());
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<string>((resolve, reject) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python in ${bench.ns} exited ${code}: ${err.trim()}`));
    }),
  );
  return { child, exit };
}

/** Our host sends `bytes` to the Python sink on Linux; return Gbit/s as the sink timed it (first to last byte). */
async function tapToLinux(side: TapSide, bytes: number, port: number): Promise<number> {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const py = pythonIn(side.bench, SINK_PY, [KERNEL_ADDR, port, bytes, LIMIT_MS / 1000], (l) => l === 'ready' && ready());
  await Promise.race([isReady, py.exit]);
  const s = side.tcp.socket();
  const clock = side.loop.clock;
  s.connect(parseIpv4(KERNEL_ADDR), port, clock.now());
  const src = new PatternSource(s, bytes, pattern);
  s.onReadiness = () => src.step(clock.now(), 1 << 20);
  const out = (await py.exit).trim().split('\n').pop()!;
  s.onReadiness = null;
  s.close(clock.now());
  if (out.startsWith('error') || src.error !== '') throw new Error(`tap to Linux: ${out} ${src.error}`);
  const [got, secs] = out.split(/\s+/).map(Number);
  if (got !== bytes) throw new Error(`tap to Linux: the sink got ${got} of ${bytes}`);
  return gbps(bytes, secs! * 1000);
}

/** The Python source on Linux sends `bytes` to our host; return Gbit/s from accept to the last byte. */
async function tapFromLinux(side: TapSide, bytes: number, port: number): Promise<number> {
  const l = side.tcp.socket();
  l.bind(0, port);
  l.listen(4);
  const clock = side.loop.clock;
  let sink: PatternSink | null = null;
  let t0 = 0;
  let t1 = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  l.onReadiness = () => {
    const c = l.accept();
    if (c === null || sink !== null) return;
    t0 = performance.now();
    const k = new PatternSink(c, pattern);
    sink = k;
    c.onReadiness = () => {
      k.step(clock.now(), 1 << 20);
      if (k.error !== '' || k.received >= bytes || k.eof) {
        if (t1 === 0) t1 = performance.now();
        finish();
      }
    };
  };
  const py = pythonIn(side.bench, SOURCE_PY, [HOST_ADDR, port, bytes, LIMIT_MS / 1000], () => {});
  await Promise.race([done, py.exit.then(() => new Promise((r) => setTimeout(r, 2000)))]);
  const k = sink as PatternSink | null;
  if (k !== null) {
    k.s.onReadiness = null;
    k.s.close(clock.now());
  }
  l.close(clock.now());
  await py.exit.catch(() => {});
  if (k === null || k.error !== '' || k.received !== bytes) throw new Error(`tap from Linux: ${k === null ? 'no connection' : k.error || `received ${k.received} of ${bytes}`}`);
  return gbps(bytes, t1 - t0);
}

/** The TAP figures of one mode: medians and every run (Gbit/s). */
interface TapModeFigures {
  to: number;
  from: number;
  toRuns: number[];
  fromRuns: number[];
}

/** Open a bench (a namespace and a TAP, with offload or not) with our host on it. */
async function tapSide(offload: boolean): Promise<TapSide> {
  const bench = await Bench.create({ offload });
  try {
    const { host, tcp } = tcpHost('netch', bench.tap, HOST_MAC, HOST_ADDR, BULK_TCP);
    const loop = new Loop();
    loop.add(host).start();
    return { bench, loop, tcp, host };
  } catch (err) {
    await bench.close();
    throw err;
  }
}

/**
 * Run the TAP figures, plain TAP and TAP with offload (IFF_VNET_HDR: GSO super-frames
 * received, TSO super-segments sent), alternating run by run so both see the same machine;
 * return them, or a reason they could not be measured.
 */
async function tapFigures(): Promise<{ plain: TapModeFigures; offload: TapModeFigures } | string> {
  if (rest.includes('--no-tap')) return 'skipped (--no-tap)';
  const why = benchSkipReason() ?? toolSkipReason('python3');
  if (why !== null) return `skipped: ${why}`;
  const sides: TapSide[] = [];
  try {
    sides.push(await tapSide(false));
    sides.push(await tapSide(true));
    const runs = sides.map(() => ({ to: [] as number[], from: [] as number[] }));
    for (const side of sides) {
      await tapToLinux(side, Math.min(TAP_BYTES, 16 * MiB), 7000);
      await tapFromLinux(side, Math.min(TAP_BYTES, 16 * MiB), 7001);
    }
    for (let i = 0; i < REPEATS; i++) {
      for (let k = 0; k < sides.length; k++) runs[k]!.to.push(await tapToLinux(sides[k]!, TAP_BYTES, 7100 + i));
      for (let k = 0; k < sides.length; k++) runs[k]!.from.push(await tapFromLinux(sides[k]!, TAP_BYTES, 7200 + i));
    }
    const fig = (k: number): TapModeFigures => ({ to: median(runs[k]!.to), from: median(runs[k]!.from), toRuns: runs[k]!.to, fromRuns: runs[k]!.from });
    return { plain: fig(0), offload: fig(1) };
  } finally {
    for (const side of sides) {
      side.loop.stop();
      side.host.close();
      await side.bench.close();
    }
  }
}

// ---- main ----

/** The groups of figures `--only a,b` may pick. */
const GROUPS = ['netapi', 'bulk', 'bulk1', 'bulk2', 'conns', 'heap', 'tap'] as const;

async function main(): Promise<void> {
  const t0 = performance.now();
  const only = (opt('--only') ?? GROUPS.join(',')).split(',');
  for (const g of only) if (!(GROUPS as readonly string[]).includes(g)) throw new RangeError(`tcp bench: --only ${g}: groups are ${GROUPS.join(', ')}`);
  const want = (g: (typeof GROUPS)[number]): boolean => only.includes(g) || (g !== 'bulk' && g.startsWith('bulk') && only.includes('bulk'));
  const results: BenchResult[] = [];
  const notes: string[] = [];
  const push = (name: string, value: number, unit: string): void => void results.push({ name, value, unit });
  const progress = (s: string): void => void process.stderr.write(`tcp bench: ${s}\n`);
  const ratio = (label: string, value: number, target: string, met: boolean): BenchRatio => ({ label, value, target, met });
  const ratios: BenchRatio[] = [];
  const warm = Math.min(BYTES, 64 * MiB);

  if (want('netapi')) {
    // The headline: one workload through Node's net API on both stacks (bench/_netapi.ts).
    const n = await runNetApi({ bulkBytes: BYTES, conns: CONN_COUNT, inFlight: IN_FLIGHT, repeats: Math.max(REPEATS, quick ? 1 : 5), limitMs: LIMIT_MS }, progress);
    results.push(...n.results);
    ratios.push(...n.ratios);
  }

  if (want('bulk1')) {
    const one: Record<number, number> = {};
    for (const mtu of MTUS) {
      progress(`netch 1-thread bulk, mtu ${mtu}`);
      netchBulk1(warm, mtu);
      const xs: OneThreadBulk[] = [];
      for (let i = 0; i < REPEATS; i++) xs.push(netchBulk1(BYTES, mtu));
      one[mtu] = median(xs.map((x) => x.gbps));
      const m = xs[0]!;
      const cut = xs.filter((x) => x.got < BYTES).length;
      notes.push(`1 thread, mtu ${mtu}: mss ${m.mss}, ${m.segs} segments, ${m.retrans} retransmitted (first run)${cut > 0 ? `; ${cut} run(s) hit the ${LIMIT_MS / 1000} s limit (rate over the bytes that arrived)` : ''}`);
    }
    const best = Math.max(...MTUS.map((m) => one[m]!));
    push('raw.netch.bulk_gbps_1thread', best, 'Gbit/s');
    for (const mtu of MTUS) push(`raw.netch.bulk_gbps_1thread_mtu${mtu === 1500 ? '1500' : '64k'}`, one[mtu]!, 'Gbit/s');
  }

  if (want('bulk2')) {
    const workers: [Worker, Worker] = [startWorker(), startWorker()];
    const two: Record<number, number> = {};
    try {
      for (const mtu of MTUS) {
        progress(`netch 2-thread bulk, mtu ${mtu}`);
        await netchBulk2(workers, warm, mtu);
        const xs: { gbps: number; mss: number; retrans: number; got: number }[] = [];
        for (let i = 0; i < REPEATS; i++) xs.push(await netchBulk2(workers, BYTES, mtu));
        two[mtu] = median(xs.map((x) => x.gbps));
        const cut = xs.filter((x) => x.got < BYTES).length;
        notes.push(`2 threads, mtu ${mtu}: mss ${xs[0]!.mss}, ${xs[0]!.retrans} retransmitted (first run)${cut > 0 ? `; ${cut} run(s) hit the ${LIMIT_MS / 1000} s limit (rate over the bytes that arrived)` : ''}`);
      }
    } finally {
      for (const w of workers) w.postMessage({ cmd: 'exit' });
    }
    const best = Math.max(...MTUS.map((m) => two[m]!));
    push('raw.netch.bulk_gbps_2threads', best, 'Gbit/s');
    for (const mtu of MTUS) push(`raw.netch.bulk_gbps_2threads_mtu${mtu === 1500 ? '1500' : '64k'}`, two[mtu]!, 'Gbit/s');
  }

  if (want('conns')) {
    progress(`raw connection rate (${CONN_COUNT} connections, ${IN_FLIGHT} in flight)`);
    netchConns(Math.min(CONN_COUNT, 2000));
    const nc: number[] = [];
    for (let i = 0; i < REPEATS; i++) nc.push(netchConns(CONN_COUNT));
    push('raw.netch.conn_per_s', median(nc), 'connections/s');
  }

  let heap = Number.NaN;
  let alloc = Number.NaN;
  if (want('heap')) {
    progress(`heap growth over ${HEAP_SEGMENTS} segments`);
    // The transfer stops once the segments are counted (bounded by --limit), not at a byte count.
    const h = netchBulk1(2 ** 50, 1500, HEAP_SEGMENTS);
    heap = h.heapGrowthPerMpkt;
    push('raw.netch.heap_growth_bytes_per_mpkt', heap, 'bytes per 10^6 segments');
    alloc = h.allocPerSeg;
    push('raw.netch.alloc_bytes_per_segment', alloc, 'bytes (sampled)');
  }

  if (want('tap')) {
    progress('TAP against Linux');
    const tap = await tapFigures();
    if (typeof tap === 'string') {
      notes.push(`tap: ${tap}`);
    } else {
      const to = Math.max(tap.plain.to, tap.offload.to);
      const from = Math.max(tap.plain.from, tap.offload.from);
      push('tap.bulk_gbps_to_linux', to, 'Gbit/s');
      push('tap.bulk_gbps_from_linux', from, 'Gbit/s');
      push('tap.bulk_gbps_to_linux_plain', tap.plain.to, 'Gbit/s');
      push('tap.bulk_gbps_to_linux_offload', tap.offload.to, 'Gbit/s');
      push('tap.bulk_gbps_from_linux_plain', tap.plain.from, 'Gbit/s');
      push('tap.bulk_gbps_from_linux_offload', tap.offload.from, 'Gbit/s');
      ratios.push(ratio('tap.bulk_gbps_to_linux / 3 Gbit/s', to / 3, '>= 1x', to >= 3));
      ratios.push(ratio('tap.bulk_gbps_from_linux / 3 Gbit/s', from / 3, '>= 1x', from >= 3));
      const runs = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
      notes.push(
        `tap runs (Gbit/s): to Linux plain [${runs(tap.plain.toRuns)}] offload [${runs(tap.offload.toRuns)}]; ` +
          `from Linux plain [${runs(tap.plain.fromRuns)}] offload [${runs(tap.offload.fromRuns)}]`,
      );
    }
  }

  report('tcp', results, ratios, args);
  // V8 moves a few KiB of feedback and code per run even in a loop that allocates nothing;
  // one allocation kept per segment would show as tens of MB.
  if (!Number.isNaN(heap)) console.log(`heap growth target ~0 (|growth| < 1 MiB per 10^6 segments, i.e. < 1 byte per segment): ${Math.abs(heap) < MiB ? 'met' : 'not met'}`);
  // STYLE.md: hot paths allocate nothing per packet. Values above 2^31 (our 198.51.100.x
  // addresses, half the sequence numbers) are not small integers to V8 and get boxed when
  // they cross a call that is not inlined; that is most of what remains (docs/tcp.md).
  if (!Number.isNaN(alloc)) console.log(`allocation per segment target 0: ${alloc < 1 ? 'met' : `not met (${alloc.toFixed(0)} bytes, garbage the scavenger collects)`}`);
  for (const n of notes) console.log(n);
  console.log(
    `bulk: ${BYTES} bytes per run, ${REPEATS} runs each (medians), 64 KiB writes, socket buffers ${BULK_TCP.sendBufSize} B; ` +
      `TAP ${TAP_BYTES} bytes per run, MTU 1500; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

