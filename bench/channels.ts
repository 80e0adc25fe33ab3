// `npm run bench -- channels [--json FILE] [--procs N] [--flows N] [--bytes N] [--rr-ms MS]
//   [--rr-warmup-ms MS] [--rr-flows N] [--mtu N] [--repeats N] [--filter-rules N] [--client-procs N]
//   [--only KINDS] [--quick]`: Van Jacobson's experiment on this
// machine. The same workload, many concurrent TCP flows into 2 server processes, bulk
// (clients send, servers check every byte) and request/response (64-byte echo), through
//   kernel.*  the kernel's TCP over loopback: Node `net` servers in 2 worker threads (ports
//             P and P+1; Node 20 has no reusePort), clients in a third
//   netch1.*  our stack in one-thread mode: one Host + TcpLayer serves every flow, one thread
//   netchN.*  channel mode: a driver thread steering frames into --procs N process threads
//             (default 2), each with its own TcpLayer on the shared address; also with
//             zero copy to the application (netchN.zc_*: the server reads views of the frames),
//             and with --filter-rules N (default 10) non-matching rules in the driver's INPUT
//             chain, which every data segment walks to the end (netchN_filter.*: bulk runs
//             with and without them alternating; 0 skips it)
// Our clients are one host in one worker thread on the other end of a shared memory link
// (MTU --mtu, default 9000; checksum offload as on lo), or with --client-procs M a
// channel-mode host of M processes sharing the flows out (for runs with many server
// processes, which one client thread cannot load). --only takes a comma list of kernel,
// netch1, netchN, zc, filter (default all): scaling runs need only netchN. Figures:
// Gbit/s, requests/s, and CPU seconds per GiB moved (process.cpuUsage over the run: every
// thread of this process, clients included; for the kernel also its TCP work, charged as
// system time), plus the driver's descriptor handoff cost (ns per frame classified and
// pushed, timed per burst). Medians of --repeats runs (default 3; --quick: 1 run, smaller
// transfers). Targets are reported, not asserted: netchN bulk >= 1.6 x netch1 on 2 cores;
// netchN CPU/GiB < kernel's.

import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createSharedMemoryLink } from '../src/link/memory.js';
import { ChannelHost, StackThread, type AppRef } from '../src/runtime/channel-mode/index.js';
import { median, parseBenchArgs, report, type BenchRatio, type BenchResult } from './_report.js';

const args = parseBenchArgs();
const rest = args.rest;
function opt(name: string): string | undefined {
  const i = rest.indexOf(name);
  if (i >= 0) return rest[i + 1];
  return rest.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
const quick = rest.includes('--quick');
const MiB = 1 << 20;
const GiB = 1 << 30;
const PROCS = Number(opt('--procs') ?? 2);
const FLOWS = Number(opt('--flows') ?? 16);
const BYTES = Number(opt('--bytes') ?? (quick ? 256 * MiB : GiB));
const RR_MS = Number(opt('--rr-ms') ?? (quick ? 1000 : 3000));
const RR_FLOWS = Number(opt('--rr-flows') ?? 64);
// Requests in the first RR_WARMUP_MS are not counted: each run starts fresh threads, whose
// JIT needs a few hundred ms (channel mode warms four isolates) before rates are steady.
const RR_WARMUP_MS = Number(opt('--rr-warmup-ms') ?? (quick ? 500 : 1000));
const MTU = Number(opt('--mtu') ?? 9000);
const REPEATS = Number(opt('--repeats') ?? (quick ? 1 : 3));
const FILTER_RULES = Number(opt('--filter-rules') ?? 10);
const CLIENT_PROCS = Number(opt('--client-procs') ?? 0);
const KINDS = ['kernel', 'netch1', 'netchN', 'zc', 'filter'] as const;
const ONLY = new Set((opt('--only') ?? KINDS.join(',')).split(','));
for (const k of ONLY) if (!(KINDS as readonly string[]).includes(k)) throw new RangeError(`channels bench: --only ${k}: the kinds are ${KINDS.join(', ')}`);
if (!Number.isInteger(CLIENT_PROCS) || CLIENT_PROCS < 0) throw new RangeError(`channels bench: --client-procs ${CLIENT_PROCS} must be a non-negative integer`);
for (const [k, v] of Object.entries({ PROCS, FLOWS, BYTES, RR_MS, RR_FLOWS, MTU, REPEATS })) {
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
const TCP = { sendBufSize: 2 * MiB, recvBufSize: 2 * MiB };
const bytesPerFlow = Math.floor(BYTES / FLOWS);
const total = bytesPerFlow * FLOWS;

interface Run {
  gbps: number;
  cpuPerGiB: number;
  rrPerS: number;
  handoffNs: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- our stack: one-thread mode or channel mode ----

async function netch(procs: number, kind: 'bulk' | 'rr', zeroCopy = false, filterRules = 0): Promise<Run> {
  const frames = Math.max(1024, Math.max(procs, CLIENT_PROCS) * 256 + 512);
  const [c, s] = createSharedMemoryLink({ mtu: MTU, frames, checksumOffload: true });
  const serverApp: AppRef = { module: APP, factory: kind === 'bulk' ? 'bulkServer' : 'echoServer', options: { port: PORT, zeroCopy } };
  const clientApp: AppRef = kind === 'bulk'
    ? { module: APP, factory: 'bulkClient', options: { address: SERVER, ports: [PORT], flows: FLOWS, bytesPerFlow } }
    : { module: APP, factory: 'rrClient', options: { address: SERVER, ports: [PORT], flows: RR_FLOWS, reqSize: 64, requests: 0, durationMs: RR_MS, warmupMs: RR_WARMUP_MS } };
  const server = procs === 0
    ? StackThread.start({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, name: 'server', app: serverApp, tcp: TCP })
    : ChannelHost.start({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, procs, app: serverApp, tcp: TCP, rxQuota: 1024 });
  await server.ready();
  if (server instanceof ChannelHost) {
    // Rules the clients' segments walk to the last compare and never match (as bench/filter.ts).
    for (let i = 0; i < filterRules; i++) await server.filter('append', 'INPUT', { src: `${CLIENT}/24`, proto: 'tcp', dport: 1000 + i, verdict: 'DROP' });
  }
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const client = CLIENT_PROCS === 0
    ? StackThread.start({ link: c, mac: 0x020000000201, address: `${CLIENT}/24`, name: 'client', app: clientApp, tcp: TCP })
    : ChannelHost.start({ link: c, mac: 0x020000000201, address: `${CLIENT}/24`, procs: CLIENT_PROCS, app: clientApp, tcp: TCP, rxQuota: 1024 });
  const flows = kind === 'bulk' ? FLOWS : RR_FLOWS;
  let st = await clientStats(client);
  while (st.done < flows && performance.now() - t0 < LIMIT_MS) {
    await sleep(10);
    st = await clientStats(client);
  }
  const ms = performance.now() - t0;
  const cpu = cpuSeconds() - cpu0;
  let handoffNs = NaN;
  if (server instanceof ChannelHost) {
    const d = await server.driverStats();
    handoffNs = d.driver.fastNs / Math.max(1, d.driver.fastFrames);
    if (filterRules > 0) {
      const [input] = await server.filter('list', 'INPUT');
      if (input!.packets < d.driver.fastFrames) throw new Error(`netch ${procs} ${kind}: the INPUT rules were not walked`);
    }
  }
  const ss = server instanceof ChannelHost ? await server.procStats() : [await server.stats()];
  await client.close();
  await server.close();
  const errs = st.errors + ss.reduce((a, x) => a + Number(x?.app['errors'] ?? 0), 0);
  if (errs > 0) throw new Error(`netch ${procs} ${kind}: ${st.firstError || ss.map((x) => x?.app['firstError']).join(' ')}`);
  if (kind === 'bulk') {
    const got = ss.reduce((a, x) => a + Number(x?.app['bytes'] ?? 0), 0);
    if (got !== total) throw new Error(`netch ${procs} bulk: ${got} of ${total} bytes arrived`);
    return { gbps: (total * 8) / (ms * 1e6), cpuPerGiB: cpu / (total / GiB), rrPerS: NaN, handoffNs };
  }
  return { gbps: NaN, cpuPerGiB: NaN, rrPerS: st.rrPerS, handoffNs };
}

/** The client app's counters, summed over its processes in channel mode (each timed its own span). */
async function clientStats(client: StackThread | ChannelHost): Promise<{ done: number; errors: number; firstError: string; rrPerS: number }> {
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

function once<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function kernel(kind: 'bulk' | 'rr'): Promise<Run> {
  const base = 20000 + Math.floor(Math.random() * 20000);
  const ports = [base, base + 1];
  const servers = ports.map((port) => new Worker(KERNEL, { workerData: { role: 'server', port, kind: kind === 'bulk' ? 'bulk' : 'echo' } }));
  await Promise.all(servers.map((w) => once(w)));
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const client = new Worker(KERNEL, { workerData: { role: 'client', ports, kind, flows: kind === 'bulk' ? FLOWS : RR_FLOWS, bytesPerFlow, reqSize: 64, durationMs: RR_MS, warmupMs: RR_WARMUP_MS } });
  const r = await once<{ errors: number; requests: number; ms: number }>(client);
  const ms = performance.now() - t0;
  const cpu = cpuSeconds() - cpu0;
  const se = await Promise.all(servers.map((w) => (w.postMessage('stop'), once<{ errors: number }>(w))));
  await Promise.all([client, ...servers].map((w) => w.terminate()));
  if (r.errors + se.reduce((a, x) => a + x.errors, 0) > 0) throw new Error(`kernel ${kind}: errors`);
  if (kind === 'bulk') return { gbps: (total * 8) / (ms * 1e6), cpuPerGiB: cpu / (total / GiB), rrPerS: NaN, handoffNs: NaN };
  return { gbps: NaN, cpuPerGiB: NaN, rrPerS: (r.requests * 1000) / Math.min(r.ms, RR_MS), handoffNs: NaN };
}

// ---- run ----

async function medianRun(fn: () => Promise<Run>): Promise<Run> {
  await fn(); // warm-up
  const runs: Run[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await fn());
  return {
    gbps: median(runs.map((r) => r.gbps)),
    cpuPerGiB: median(runs.map((r) => r.cpuPerGiB)),
    rrPerS: median(runs.map((r) => r.rrPerS)),
    handoffNs: median(runs.map((r) => r.handoffNs)),
  };
}

const results: BenchResult[] = [];
const variants: [string, (k: 'bulk' | 'rr') => Promise<Run>][] = [
  ['kernel', (k) => kernel(k)],
  ['netch1', (k) => netch(0, k)],
  ['netchN', (k) => netch(PROCS, k)],
];
// Zero copy to the application: the bulk server reads views of the arena frames (bulk only).
const zc = ONLY.has('zc') ? await medianRun(() => netch(PROCS, 'bulk', true)) : null;
// The driver's filter hooks: the same bulk load without and with FILTER_RULES rules in INPUT,
// alternating (a warm-up of each, then REPEATS rounds), so both see the same machine;
// the cost is the median of the per-round ratios and handoff differences.
interface FilterCost { plain: number; filtered: number; ratio: number; handoffAddedNs: number }
async function filterCost(): Promise<FilterCost> {
  await netch(PROCS, 'bulk');
  await netch(PROCS, 'bulk', false, FILTER_RULES);
  const rounds: [Run, Run][] = [];
  for (let i = 0; i < REPEATS; i++) rounds.push([await netch(PROCS, 'bulk'), await netch(PROCS, 'bulk', false, FILTER_RULES)]);
  return {
    plain: median(rounds.map(([a]) => a.gbps)),
    filtered: median(rounds.map(([, b]) => b.gbps)),
    ratio: median(rounds.map(([a, b]) => b.gbps / a.gbps)),
    handoffAddedNs: median(rounds.map(([a, b]) => b.handoffNs - a.handoffNs)),
  };
}
const filtered = FILTER_RULES > 0 && ONLY.has('filter') ? await filterCost() : null;
const bulk: Record<string, Run> = {};
for (const [name, fn] of variants) {
  if (!ONLY.has(name)) continue;
  const b = await medianRun(() => fn('bulk'));
  const r = await medianRun(() => fn('rr'));
  bulk[name] = b;
  results.push({ name: `${name}.bulk_gbps`, value: b.gbps, unit: 'Gbit/s' });
  results.push({ name: `${name}.cpu_s_per_gib`, value: b.cpuPerGiB, unit: 's/GiB' });
  results.push({ name: `${name}.rr_per_s`, value: r.rrPerS, unit: 'req/s' });
  if (name === 'netchN') results.push({ name: 'netchN.handoff_ns_per_frame', value: b.handoffNs, unit: 'ns' });
}
if (zc !== null) {
  results.push({ name: 'netchN.zc_bulk_gbps', value: zc.gbps, unit: 'Gbit/s' });
  results.push({ name: 'netchN.zc_cpu_s_per_gib', value: zc.cpuPerGiB, unit: 's/GiB' });
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
if (nN !== undefined && n1 !== undefined) ratios.push({ label: 'netchN / netch1 bulk', value: nN.gbps / n1.gbps, target: '>= 1.6 (2 cores)', met: nN.gbps / n1.gbps >= 1.6 });
if (zc !== null && n1 !== undefined) ratios.push({ label: 'netchN zero copy / netch1 bulk', value: zc.gbps / n1.gbps, target: '>= 1.6 (2 cores)', met: zc.gbps / n1.gbps >= 1.6 });
if (nN !== undefined && k !== undefined) ratios.push({ label: 'netchN / kernel CPU per GiB', value: nN.cpuPerGiB / k.cpuPerGiB, target: '< 1', met: nN.cpuPerGiB < k.cpuPerGiB });
if (filtered !== null) {
  ratios.push({ label: `netchN bulk, ${FILTER_RULES} filter rules / none (per round)`, value: filtered.ratio, target: '>= 0.95', met: filtered.ratio >= 0.95 });
}
console.log(`${FLOWS} bulk flows x ${(bytesPerFlow / MiB).toFixed(0)} MiB, ${RR_FLOWS} rr flows x 64 B for ${RR_MS} ms after ${RR_WARMUP_MS} ms, MTU ${MTU}, ${PROCS} processes, client ${CLIENT_PROCS === 0 ? 'one thread' : `${CLIENT_PROCS} processes`}, ${cpus().length} cpus (shared with other work: figures are indicative)`);
report('channels', results, ratios, args);
