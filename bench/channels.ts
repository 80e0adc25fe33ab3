// `npm run bench -- channels [--json FILE] [--procs N] [--flows N] [--bytes N] [--rr-ms MS]
//   [--rr-warmup-ms MS] [--rr-flows N] [--mtu N] [--repeats N] [--filter-rules N] [--client-procs N]
//   [--sndbuf BYTES] [--rcvbuf BYTES] [--warmup N]
//   [--only KINDS] [--quick] [--verbose]`: Van Jacobson's experiment on this
// machine. The same workload, many concurrent TCP flows into --procs N server processes
// (default 2), bulk (clients send, servers check every byte) and request/response (64-byte
// echo), through
//   kernel.*  the kernel's TCP over loopback, via Node net: `net` servers in N worker threads
//             (ports P..P+N-1; Node 20 has no reusePort), clients in one more: the same
//             number of server threads as our channel mode has processes
//   netch1.*  our stack in one-thread mode: one Host + TcpLayer serves every flow, one thread
//   netchN.*  channel mode: a driver thread steering frames into N process threads, each
//             with its own TcpLayer on the shared address; also with zero copy to the
//             application (netchN.zc_*: the server reads views of the frames), and with
//             --filter-rules N (default 10) non-matching rules in the driver's INPUT chain,
//             which every data segment walks to the end (netchN_filter.*: bulk rounds with
//             and without them alternate on the same threads; 0 skips it)
// Our clients are one host in one worker thread on the other end of a shared memory link
// (MTU --mtu, default 65522, the largest memory-link frame, as near as it gets to lo's
// 65536; checksum offload as on lo), or with --client-procs M a channel-mode host of M
// processes sharing the flows out (for runs with many server processes, which one client
// thread cannot load; scripts/channels-scaling.mjs runs the scaling table). --only takes a
// comma list of kernel, netch1, netchN, zc, filter (default all).
// Rounds: every kind starts its server and client threads once and warms them (--warmup
// rounds, not counted: JIT, buffers); then the measured rounds interleave the kinds (round i
// runs kernel, netch1 and netchN once each, the order rotating), so all see the same machine;
// figures are medians of --repeats rounds (default 3; --quick: 1, smaller transfers);
// --verbose prints every round. Figures: Gbit/s, requests/s, CPU seconds per GiB moved (the
// kind's own threads over the round, each from its own CPU time, /proc/thread-self/schedstat:
// servers, driver and client; the kernel's TCP work is its threads' system time; V8's helper
// threads and the other kinds' sleeping threads are not counted), the same split by thread
// role for our stack (*.server_cpu_s_per_gib: the server's stack threads, driver included;
// *.client_cpu_s_per_gib), and
// the driver's descriptor handoff cost (ns per frame classified and pushed, timed per
// burst). Targets are reported, not asserted. Channel mode's, restated for a machine whose
// load generator shares the cores (one-thread mode already keeps both busy): netchN's CPU
// per GiB <= 1.15 x netch1's (the driver hop's price), and below the kernel's at the same
// MTU; its throughput against netch1 is printed for reference (>= 1.6 wants the client on
// cores of its own: --client-procs on a many-core machine).

import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createSharedMemoryLink, MEMORY_LINK_MTU_MAX } from '../src/link/memory.js';
import { ChannelHost, StackThread, type AppRef } from '../src/runtime/channel-mode/index.js';
import { median, nextMessage, parseBenchArgs, report, type BenchRatio, type BenchResult } from './_report.js';

const args = parseBenchArgs();
const rest = args.rest;
function opt(name: string): string | undefined {
  const i = rest.indexOf(name);
  if (i >= 0) return rest[i + 1];
  return rest.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
const quick = rest.includes('--quick');
const VERBOSE = rest.includes('--verbose');
const MiB = 1 << 20;
const GiB = 1 << 30;
const PROCS = Number(opt('--procs') ?? 2);
const FLOWS = Number(opt('--flows') ?? 16);
const BYTES = Number(opt('--bytes') ?? (quick ? 256 * MiB : GiB));
const RR_MS = Number(opt('--rr-ms') ?? (quick ? 1000 : 3000));
const RR_FLOWS = Number(opt('--rr-flows') ?? 64);
// Requests in the first RR_WARMUP_MS of a round are not counted (the flows' handshakes and
// first requests; the warm-up rounds before have compiled the code).
const RR_WARMUP_MS = Number(opt('--rr-warmup-ms') ?? (quick ? 200 : 500));
const MTU = Number(opt('--mtu') ?? MEMORY_LINK_MTU_MAX);
const REPEATS = Number(opt('--repeats') ?? (quick ? 1 : 3));
// Warm-up rounds before the measured ones, on the same threads. V8 was still compiling in
// the second and third rounds of warm threads (--trace-opt, 2026-12-04: about 180, 45 and
// 30 more optimized functions across the four isolates, on its helper threads, which
// process.cpuUsage counts; on Node 24 its helper threads took 0.78, 0.43, 0.18, then
// 0.07-0.13 CPU s/GiB in successive channel-mode rounds), so one warm-up round left the
// measured rounds paying for JIT work.
const WARMUP = Number(opt('--warmup') ?? (quick ? 1 : 3));
const FILTER_RULES = Number(opt('--filter-rules') ?? 10);
const CLIENT_PROCS = Number(opt('--client-procs') ?? 0);
const KINDS = ['kernel', 'netch1', 'netchN', 'zc', 'filter'] as const;
const ONLY = new Set((opt('--only') ?? KINDS.join(',')).split(','));
for (const k of ONLY) if (!(KINDS as readonly string[]).includes(k)) throw new RangeError(`channels bench: --only ${k}: the kinds are ${KINDS.join(', ')}`);
if (!Number.isInteger(CLIENT_PROCS) || CLIENT_PROCS < 0) throw new RangeError(`channels bench: --client-procs ${CLIENT_PROCS} must be a non-negative integer`);
for (const [k, v] of Object.entries({ PROCS, FLOWS, BYTES, RR_MS, RR_FLOWS, MTU, REPEATS, WARMUP })) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`channels bench: ${k} ${v} must be a positive integer`);
}
if (!Number.isInteger(RR_WARMUP_MS) || RR_WARMUP_MS < 0 || !Number.isInteger(FILTER_RULES) || FILTER_RULES < 0) {
  throw new RangeError(`channels bench: --rr-warmup-ms ${RR_WARMUP_MS} and --filter-rules ${FILTER_RULES} must be non-negative integers`);
}
const LIMIT_MS = 120_000;
const PORT = 5001;
const SERVER = '198.51.100.2';
const CLIENT = '198.51.100.1';
const APP = new URL('./_channels-app.js', import.meta.url).href;
// Our stack's socket buffers: its defaults (both auto-tuned, as Linux's tcp_wmem/tcp_rmem:
// send from 64 KiB up to 4 MiB, receive from 64 KiB up to 6 MiB), as the kernel runs with
// its own. `--sndbuf`/`--rcvbuf` fix them (SO_SNDBUF/SO_RCVBUF). Until 2026-12-04 the bench
// fixed both at 2 MiB: 16 flows' full 2 MiB send rings are 32 MiB of queued bytes, this
// machine's whole L3, and every byte was cold when TCP copied it into a frame (docs/channels.md).
const SNDBUF = opt('--sndbuf');
const RCVBUF = opt('--rcvbuf');
const TCP: { sendBufSize?: number; recvBufSize?: number } = {};
if (SNDBUF !== undefined) TCP.sendBufSize = Number(SNDBUF);
if (RCVBUF !== undefined) TCP.recvBufSize = Number(RCVBUF);
for (const [k, v] of Object.entries(TCP)) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`channels bench: --${k === 'sendBufSize' ? 'sndbuf' : 'rcvbuf'} ${v} must be a positive integer (bytes)`);
}
const bytesPerFlow = Math.floor(BYTES / FLOWS);
const total = bytesPerFlow * FLOWS;

interface Run {
  gbps: number;
  cpuPerGiB: number;
  rrPerS: number;
  handoffNs: number;
  /** CPU seconds per GiB by thread role (our stack only; NaN where threads do not say). */
  clientCpuPerGiB: number;
  serverCpuPerGiB: number;
  driverCpuPerGiB: number;
}

/** CPU ms of each thread of a host: [driver or NaN, sum of stack threads]. */
async function hostCpuMs(h: StackThread | ChannelHost): Promise<[number, number]> {
  if (h instanceof StackThread) return [NaN, (await h.stats()).loop.cpuMs];
  const [d, ps] = await Promise.all([h.driverStats(), h.procStats()]);
  return [d.loop.cpuMs, ps.reduce((a, p) => a + (p?.loop.cpuMs ?? NaN), 0)];
}

const NO_ROLES = { clientCpuPerGiB: NaN, serverCpuPerGiB: NaN, driverCpuPerGiB: NaN };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- our stack: one-thread mode or channel mode ----

/** What `netch` runs: the kind of load, zero copy for the bulk server, and the INPUT rules of each round (filter cost). */
interface NetchSetup {
  kind: 'bulk' | 'rr';
  zeroCopy?: boolean;
  /** Rules in the driver's INPUT chain during measured round i (channel mode only; default none). */
  rulesFor?: (round: number) => number;
  /** Measured rounds (default REPEATS). */
  rounds?: number;
}

/** A kind's warm threads, ready to run measured rounds one at a time. */
interface Session {
  /** Run measured round `i` on the warm threads; return its figures. */
  round(i: number): Promise<Run>;
  /** Check the servers saw no error, and stop every thread. */
  close(): Promise<void>;
}

/**
 * Start a server host (one thread, or channel mode with `procs` processes) and a client
 * host once and run the WARMUP warm-up rounds on them (JIT, buffers; not counted); return
 * the session whose rounds are the measured ones, so kinds can take turns round by round.
 */
async function netchSession(procs: number, setup: NetchSetup): Promise<Session> {
  const { kind } = setup;
  const frames = Math.max(1024, Math.max(procs, CLIENT_PROCS) * 256 + 512);
  const [c, s] = createSharedMemoryLink({ mtu: MTU, frames, checksumOffload: true });
  const serverApp: AppRef = { module: APP, factory: kind === 'bulk' ? 'bulkServer' : 'echoServer', options: { port: PORT, zeroCopy: setup.zeroCopy === true } };
  const clientApp: AppRef = kind === 'bulk'
    ? { module: APP, factory: 'bulkClient', options: { address: SERVER, ports: [PORT], flows: FLOWS, bytesPerFlow } }
    : { module: APP, factory: 'rrClient', options: { address: SERVER, ports: [PORT], flows: RR_FLOWS, reqSize: 64, requests: 0, durationMs: RR_MS, warmupMs: RR_WARMUP_MS } };
  const server = procs === 0
    ? StackThread.start({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, name: 'server', app: serverApp, tcp: TCP })
    : ChannelHost.start({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, procs, app: serverApp, tcp: TCP, rxQuota: 1024 });
  const label = `netch ${procs} ${kind}`;
  const flows = kind === 'bulk' ? FLOWS : RR_FLOWS;
  let rules = 0;
  let client: StackThread | ChannelHost | null = null;
  const close = async (): Promise<void> => {
    await client?.close();
    await server.close();
  };
  try {
    // The client's app connects as it starts: its SYNs must find the listeners (channel
    // mode registers them from each process; a SYN before that is answered with a RST).
    await server.ready();
    client = CLIENT_PROCS === 0
      ? StackThread.start({ link: c, mac: 0x020000000201, address: `${CLIENT}/24`, name: 'client', app: clientApp, tcp: TCP })
      : ChannelHost.start({ link: c, mac: 0x020000000201, address: `${CLIENT}/24`, procs: CLIENT_PROCS, app: clientApp, tcp: TCP, rxQuota: 1024 });
    // The client opened its flows when it started: that is the first warm-up round.
    await roundDone(client, flows, label);
    for (let w = 1; w < WARMUP; w++) {
      await againRound(client, label);
      await roundDone(client, flows, label);
    }
  } catch (e) {
    await close();
    throw e;
  }
  const cl = client;
  return {
    async round(i: number): Promise<Run> {
      const want = setup.rulesFor?.(i) ?? 0;
      if (want !== rules && server instanceof ChannelHost) {
        // Rules the clients' segments walk to the last compare and never match (as bench/filter.ts).
        await server.filter('flush', 'INPUT');
        for (let k = 0; k < want; k++) await server.filter('append', 'INPUT', { src: `${CLIENT}/24`, proto: 'tcp', dport: 1000 + k, verdict: 'DROP' });
        rules = want;
      }
      const [server0, client0, bytes0, driver0] = await Promise.all([hostCpuMs(server), hostCpuMs(cl), serverBytes(server), driverCounts(server)]);
      const t0 = performance.now();
      await againRound(cl, label);
      const st = await roundDone(cl, flows, label);
      const ms = performance.now() - t0;
      const [server1, client1, bytes1, driver1] = await Promise.all([hostCpuMs(server), hostCpuMs(cl), serverBytes(server), driverCounts(server)]);
      const handoffNs = (driver1.ns - driver0.ns) / Math.max(1, driver1.frames - driver0.frames);
      if (rules > 0) {
        const [input] = await (server as ChannelHost).filter('list', 'INPUT');
        if (input!.packets < driver1.frames - driver0.frames) throw new Error(`${label}: the INPUT rules were not walked`);
      }
      const sum = (x: [number, number], y: [number, number]): number => (Number.isNaN(x[0]) ? 0 : x[0] - y[0]) + x[1] - y[1];
      // The threads of this kind only (server's, driver's, client's), not the process: the
      // other kinds' threads sleep meanwhile and V8's helpers are nobody's.
      const cpu = (sum(server1, server0) + sum(client1, client0)) / 1000;
      if (VERBOSE) console.error(`${label} round ${i}: ${kind === 'bulk' ? ((total * 8) / (ms * 1e6)).toFixed(2) + ' Gbit/s' : st.rrPerS.toFixed(0) + ' req/s'} cpu ${(cpu / (total / GiB)).toFixed(2)} s/GiB`);
      if (kind === 'rr') return { gbps: NaN, cpuPerGiB: NaN, rrPerS: st.rrPerS, handoffNs, ...NO_ROLES };
      if (bytes1 - bytes0 !== total) throw new Error(`${label}: ${bytes1 - bytes0} of ${total} bytes arrived`);
      const gib = total / GiB;
      return {
        gbps: (total * 8) / (ms * 1e6),
        cpuPerGiB: cpu / gib,
        rrPerS: NaN,
        handoffNs,
        clientCpuPerGiB: sum(client1, client0) / 1000 / gib,
        serverCpuPerGiB: sum(server1, server0) / 1000 / gib,
        driverCpuPerGiB: (server1[0] - server0[0]) / 1000 / gib,
      };
    },
    async close(): Promise<void> {
      try {
        const ss = server instanceof ChannelHost ? await server.procStats() : [await server.stats()];
        const errs = ss.reduce((a, x) => a + Number(x?.app['errors'] ?? 1), 0);
        if (errs > 0) throw new Error(`${label}: ${ss.map((x) => (x === null ? 'a server process is gone' : x.app['firstError'])).join(' ')}`);
      } finally {
        await close();
      }
    },
  };
}

/** One kind's rounds on its own: a session, `rounds` measured rounds, closed. */
async function netch(procs: number, setup: NetchSetup): Promise<Run[]> {
  const session = await netchSession(procs, setup);
  const runs: Run[] = [];
  try {
    for (let i = 0; i < (setup.rounds ?? REPEATS); i++) runs.push(await session.round(i));
  } finally {
    await session.close();
  }
  return runs;
}

/** Wait until the client's current round has all `flows` done; return its counters. Throws on errors or after LIMIT_MS. */
async function roundDone(client: StackThread | ChannelHost, flows: number, label: string): Promise<ClientStats> {
  const t0 = performance.now();
  let st = await clientStats(client);
  while (st.done < flows && st.errors === 0 && performance.now() - t0 < LIMIT_MS) {
    await sleep(10);
    st = await clientStats(client);
  }
  if (st.errors > 0) throw new Error(`${label}: ${st.firstError}`);
  if (st.done < flows) throw new Error(`${label}: ${st.done} of ${flows} flows done after ${LIMIT_MS} ms`);
  return st;
}

/** Start another round of the client's flows (StackApp.control `again`). */
async function againRound(client: StackThread | ChannelHost, label: string): Promise<void> {
  const answers = client instanceof ChannelHost ? await client.appControl({ op: 'again' }) : [await client.appControl({ op: 'again' })];
  for (const a of answers) if (a === null || a['error'] !== undefined) throw new Error(`${label}: again: ${a === null ? 'no answer' : a['error']}`);
}

/** Bytes the server app has checked, over all its processes. */
async function serverBytes(server: StackThread | ChannelHost): Promise<number> {
  const ss = server instanceof ChannelHost ? await server.procStats() : [await server.stats()];
  return ss.reduce((a, x) => a + Number(x?.app['bytes'] ?? 0), 0);
}

/** The driver's handoff counters (zeros in one-thread mode). */
async function driverCounts(server: StackThread | ChannelHost): Promise<{ ns: number; frames: number }> {
  if (!(server instanceof ChannelHost)) return { ns: NaN, frames: 0 };
  const d = await server.driverStats();
  return { ns: d.driver.fastNs, frames: d.driver.fastFrames };
}

interface ClientStats {
  done: number;
  errors: number;
  firstError: string;
  rrPerS: number;
}

/** The client app's counters, summed over its processes in channel mode (each timed its own span). */
async function clientStats(client: StackThread | ChannelHost): Promise<ClientStats> {
  const all = client instanceof ChannelHost ? await client.procStats() : [await client.stats()];
  const r = { done: 0, errors: 0, firstError: '', rrPerS: 0 };
  for (const x of all) {
    if (x === null) {
      r.errors++;
      r.firstError ||= 'a client process is gone';
      continue;
    }
    r.done += Number(x.app['done']);
    r.errors += Number(x.app['errors']);
    r.firstError ||= String(x.app['firstError'] ?? '');
    const span = Number(x.app['spanMs']);
    if (span > 0) r.rrPerS += (Number(x.app['requests']) * 1000) / span;
  }
  return r;
}

// ---- the kernel: Node net in worker threads ----

const KERNEL = new URL('./_channels-kernel.js', import.meta.url);

/**
 * The kernel's session, as netch's: Node `net` servers in as many worker threads as our
 * server has processes (ports P..P+N-1: Node 20 has no reusePort), the client in one more,
 * all started once, WARMUP warm-up rounds; then measured rounds on demand.
 */
async function kernelSession(kind: 'bulk' | 'rr'): Promise<Session> {
  const base = 20000 + Math.floor(Math.random() * 20000);
  const ports = Array.from({ length: PROCS }, (_, i) => base + i);
  const servers = ports.map((port) => new Worker(KERNEL, { workerData: { role: 'server', port, kind: kind === 'bulk' ? 'bulk' : 'echo' } }));
  const client = new Worker(KERNEL, { workerData: { role: 'client', ports, kind, flows: kind === 'bulk' ? FLOWS : RR_FLOWS, bytesPerFlow, reqSize: 64, durationMs: RR_MS, warmupMs: RR_WARMUP_MS } });
  const stop = (): Promise<unknown> => Promise.all([client, ...servers].map((w) => w.terminate()));
  const serversCpuMs = async (): Promise<number> => {
    const xs = await Promise.all(servers.map((w) => (w.postMessage('cpu'), nextMessage<{ cpuMs: number }>(w))));
    return xs.reduce((a, x) => a + x.cpuMs, 0);
  };
  const one = async (): Promise<Run> => {
    const s0 = await serversCpuMs();
    const t0 = performance.now();
    const done = nextMessage<{ errors: number; requests: number; ms: number; cpuMs: number }>(client);
    client.postMessage('round');
    const r = await done;
    const ms = performance.now() - t0;
    // The threads of this kind only (its TCP work is their system time): as our kinds count theirs.
    const cpu = (r.cpuMs + (await serversCpuMs()) - s0) / 1000;
    if (r.errors > 0) throw new Error(`kernel ${kind}: errors`);
    if (kind === 'bulk') return { gbps: (total * 8) / (ms * 1e6), cpuPerGiB: cpu / (total / GiB), rrPerS: NaN, handoffNs: NaN, ...NO_ROLES };
    return { gbps: NaN, cpuPerGiB: NaN, rrPerS: (r.requests * 1000) / Math.min(r.ms, RR_MS), handoffNs: NaN, ...NO_ROLES };
  };
  try {
    await Promise.all(servers.map((w) => nextMessage(w)));
    for (let i = 0; i < WARMUP; i++) await one();
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    round: () => one(),
    async close(): Promise<void> {
      try {
        const se = await Promise.all(servers.map((w) => (w.postMessage('stop'), nextMessage<{ errors: number }>(w))));
        if (se.reduce((a, x) => a + x.errors, 0) > 0) throw new Error(`kernel ${kind}: server errors`);
      } finally {
        await stop();
      }
    },
  };
}

// ---- run ----

function medianOf(runs: Run[]): Run {
  const m = (f: (r: Run) => number): number => median(runs.map(f));
  return {
    gbps: m((r) => r.gbps),
    cpuPerGiB: m((r) => r.cpuPerGiB),
    rrPerS: m((r) => r.rrPerS),
    handoffNs: m((r) => r.handoffNs),
    clientCpuPerGiB: m((r) => r.clientCpuPerGiB),
    serverCpuPerGiB: m((r) => r.serverCpuPerGiB),
    driverCpuPerGiB: m((r) => r.driverCpuPerGiB),
  };
}

const results: BenchResult[] = [];
const starters: [string, (k: 'bulk' | 'rr') => Promise<Session>][] = [
  ['kernel', (k) => kernelSession(k)],
  ['netch1', (k) => netchSession(0, { kind: k })],
  ['netchN', (k) => netchSession(PROCS, { kind: k })],
];
/**
 * The kinds' measured rounds interleaved: every kind's threads are started and warmed
 * first, then round i runs each kind once, the order rotating by round, so all see the same
 * machine conditions (the idle kinds' threads sleep on their doorbells meanwhile).
 */
async function interleaved(kind: 'bulk' | 'rr'): Promise<Record<string, Run>> {
  const picked = starters.filter(([name]) => ONLY.has(name));
  const sessions: [string, Session][] = [];
  const runs: Record<string, Run[]> = {};
  try {
    for (const [name, start] of picked) {
      sessions.push([name, await start(kind)]);
      runs[name] = [];
    }
    for (let i = 0; i < REPEATS; i++) {
      for (let j = 0; j < sessions.length; j++) {
        const [name, session] = sessions[(i + j) % sessions.length]!;
        runs[name]!.push(await session.round(i));
      }
    }
  } finally {
    for (const [, session] of sessions) await session.close();
  }
  return Object.fromEntries(Object.entries(runs).map(([name, rs]) => [name, medianOf(rs)]));
}
// Zero copy to the application: the bulk server reads views of the arena frames (bulk only).
const zc = ONLY.has('zc') ? medianOf(await netch(PROCS, { kind: 'bulk', zeroCopy: true })) : null;
// The driver's filter hooks: on the same warm threads, rounds without and with FILTER_RULES
// rules in INPUT alternate (REPEATS pairs), so both see the same machine; the cost is the
// median of the per-pair ratios and handoff differences.
interface FilterCost { plain: number; filtered: number; ratio: number; handoffAddedNs: number }
async function filterCost(): Promise<FilterCost> {
  const runs = await netch(PROCS, { kind: 'bulk', rounds: 2 * REPEATS, rulesFor: (i) => (i % 2 === 1 ? FILTER_RULES : 0) });
  const pairs: [Run, Run][] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) pairs.push([runs[i]!, runs[i + 1]!]);
  return {
    plain: median(pairs.map(([a]) => a.gbps)),
    filtered: median(pairs.map(([, b]) => b.gbps)),
    ratio: median(pairs.map(([a, b]) => b.gbps / a.gbps)),
    handoffAddedNs: median(pairs.map(([a, b]) => b.handoffNs - a.handoffNs)),
  };
}
const filtered = FILTER_RULES > 0 && ONLY.has('filter') ? await filterCost() : null;
const bulk = await interleaved('bulk');
const rr = await interleaved('rr');
for (const [name] of starters) {
  const b = bulk[name];
  const r = rr[name];
  if (b === undefined || r === undefined) continue;
  results.push({ name: `${name}.bulk_gbps`, value: b.gbps, unit: 'Gbit/s' });
  results.push({ name: `${name}.cpu_s_per_gib`, value: b.cpuPerGiB, unit: 's/GiB' });
  results.push({ name: `${name}.rr_per_s`, value: r.rrPerS, unit: 'req/s' });
  if (name !== 'kernel') {
    results.push({ name: `${name}.server_cpu_s_per_gib`, value: b.serverCpuPerGiB, unit: 's/GiB' });
    results.push({ name: `${name}.client_cpu_s_per_gib`, value: b.clientCpuPerGiB, unit: 's/GiB' });
  }
  if (name === 'netchN') {
    results.push({ name: 'netchN.driver_cpu_s_per_gib', value: b.driverCpuPerGiB, unit: 's/GiB' });
    results.push({ name: 'netchN.handoff_ns_per_frame', value: b.handoffNs, unit: 'ns' });
  }
}
if (zc !== null) {
  results.push({ name: 'netchN.zc_bulk_gbps', value: zc.gbps, unit: 'Gbit/s' });
  results.push({ name: 'netchN.zc_cpu_s_per_gib', value: zc.cpuPerGiB, unit: 's/GiB' });
  results.push({ name: 'netchN.zc_server_cpu_s_per_gib', value: zc.serverCpuPerGiB, unit: 's/GiB' });
}
if (filtered !== null) {
  results.push({ name: 'netchN_filter.bulk_gbps_0rules', value: filtered.plain, unit: 'Gbit/s' });
  results.push({ name: 'netchN_filter.bulk_gbps', value: filtered.filtered, unit: 'Gbit/s' });
  results.push({ name: 'netchN_filter.handoff_added_ns_per_frame', value: filtered.handoffAddedNs, unit: 'ns' });
  results.push({ name: 'netchN_filter.rules', value: FILTER_RULES, unit: 'rules' });
}
results.push({ name: 'netchN.procs', value: PROCS, unit: 'threads' });
results.push({ name: 'client.procs', value: CLIENT_PROCS, unit: 'threads' });
results.push({ name: 'machine.cpus', value: cpus().length, unit: 'cpus' });
const ratios: BenchRatio[] = [];
const [k, n1, nN] = [bulk['kernel'], bulk['netch1'], bulk['netchN']];
if (nN !== undefined && n1 !== undefined) {
  // Channel mode restated for a machine whose load generator shares the cores: the driver
  // hop's price in CPU per GiB, not throughput (one-thread mode already uses both cores).
  ratios.push({ label: 'netchN / netch1 CPU per GiB', value: nN.cpuPerGiB / n1.cpuPerGiB, target: '<= 1.15', met: nN.cpuPerGiB / n1.cpuPerGiB <= 1.15 });
  ratios.push({ label: 'netchN / netch1 bulk (for reference)', value: nN.gbps / n1.gbps, target: '(>= 1.6 with the client on cores of its own)', met: true });
}
if (zc !== null && n1 !== undefined) ratios.push({ label: 'netchN zero copy / netch1 CPU per GiB', value: zc.cpuPerGiB / n1.cpuPerGiB, target: '<= 1.15', met: zc.cpuPerGiB / n1.cpuPerGiB <= 1.15 });
if (nN !== undefined && k !== undefined) ratios.push({ label: 'netchN / kernel (via Node net) CPU per GiB, same MTU', value: nN.cpuPerGiB / k.cpuPerGiB, target: '< 1', met: nN.cpuPerGiB < k.cpuPerGiB });
if (n1 !== undefined && k !== undefined) ratios.push({ label: 'netch1 / kernel (via Node net) CPU per GiB, same MTU', value: n1.cpuPerGiB / k.cpuPerGiB, target: '(for reference)', met: true });
if (filtered !== null) {
  ratios.push({ label: `netchN bulk, ${FILTER_RULES} filter rules / none (per round)`, value: filtered.ratio, target: '>= 0.95', met: filtered.ratio >= 0.95 });
}
console.log(`${FLOWS} bulk flows x ${(bytesPerFlow / MiB).toFixed(0)} MiB, ${RR_FLOWS} rr flows x 64 B for ${RR_MS} ms after ${RR_WARMUP_MS} ms, MTU ${MTU} (the kernel's lo: 65536), kernel via Node net with ${PROCS} server threads, ${WARMUP} warm-up + ${REPEATS} measured rounds (kinds interleaved), socket buffers ${SNDBUF === undefined ? 'default (auto-tuned)' : SNDBUF} / ${RCVBUF === undefined ? 'default (auto-tuned)' : RCVBUF} bytes, ${PROCS} processes, client ${CLIENT_PROCS === 0 ? 'one thread' : `${CLIENT_PROCS} processes`}, ${cpus().length} cpus (shared with other work: figures are indicative)`);
report('channels', results, ratios, args);
