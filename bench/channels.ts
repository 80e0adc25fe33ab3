// `npm run bench -- channels [--json FILE] [--procs N] [--flows N] [--bytes N] [--rr-ms MS]
//   [--rr-warmup-ms MS] [--rr-flows N] [--mtu N] [--repeats N] [--quick]`: Van Jacobson's experiment on this
// machine. The same workload, many concurrent TCP flows into 2 server processes, bulk
// (clients send, servers check every byte) and request/response (64-byte echo), through
//   kernel.*  the kernel's TCP over loopback: Node `net` servers in 2 worker threads (ports
//             P and P+1; Node 20 has no reusePort), clients in a third
//   netch1.*  our stack in one-thread mode: one Host + TcpLayer serves every flow, one thread
//   netchN.*  channel mode: a driver thread steering frames into --procs N process threads
//             (default 2), each with its own TcpLayer on the shared address; also with
//             zero copy to the application (netchN.zc_*: the server reads views of the frames)
// Our clients are one host in one worker thread on the other end of a shared memory link
// (MTU --mtu, default 9000; checksum offload as on lo). Figures: Gbit/s, requests/s, and
// CPU seconds per GiB moved (process.cpuUsage over the run: every thread of this process,
// clients included; for the kernel also its TCP work, charged as system time), plus the
// driver's descriptor handoff cost (ns per frame classified and pushed, timed per burst).
// Medians of --repeats runs (default 3; --quick: 1 run, smaller transfers). Targets are
// reported, not asserted: netchN bulk >= 1.6 x netch1 on 2 cores; netchN CPU/GiB < kernel's.

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
const LIMIT_MS = 120_000;
const PORT = 5001;
const SERVER = '198.51.100.2';
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

async function netch(procs: number, kind: 'bulk' | 'rr', zeroCopy = false): Promise<Run> {
  const frames = Math.max(1024, procs * 256 + 512);
  const [c, s] = createSharedMemoryLink({ mtu: MTU, frames, checksumOffload: true });
  const serverApp: AppRef = { module: APP, factory: kind === 'bulk' ? 'bulkServer' : 'echoServer', options: { port: PORT, zeroCopy } };
  const clientApp: AppRef = kind === 'bulk'
    ? { module: APP, factory: 'bulkClient', options: { address: SERVER, ports: [PORT], flows: FLOWS, bytesPerFlow } }
    : { module: APP, factory: 'rrClient', options: { address: SERVER, ports: [PORT], flows: RR_FLOWS, reqSize: 64, requests: 0, durationMs: RR_MS, warmupMs: RR_WARMUP_MS } };
  const server = procs === 0
    ? StackThread.start({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, name: 'server', app: serverApp, tcp: TCP })
    : ChannelHost.start({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, procs, app: serverApp, tcp: TCP, rxQuota: 1024 });
  await server.ready();
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const client = StackThread.start({ link: c, mac: 0x020000000201, address: '198.51.100.1/24', name: 'client', app: clientApp, tcp: TCP });
  const flows = kind === 'bulk' ? FLOWS : RR_FLOWS;
  let st = await client.stats();
  while (Number(st.app['done']) < flows && performance.now() - t0 < LIMIT_MS) {
    await sleep(10);
    st = await client.stats();
  }
  const ms = performance.now() - t0;
  const cpu = cpuSeconds() - cpu0;
  let handoffNs = NaN;
  if (server instanceof ChannelHost) {
    const d = await server.driverStats();
    handoffNs = d.driver.fastNs / Math.max(1, d.driver.fastFrames);
  }
  const ss = server instanceof ChannelHost ? await server.procStats() : [await server.stats()];
  await client.close();
  await server.close();
  const errs = Number(st.app['errors']) + ss.reduce((a, x) => a + Number(x?.app['errors'] ?? 0), 0);
  if (errs > 0) throw new Error(`netch ${procs} ${kind}: ${st.app['firstError'] || ss.map((x) => x?.app['firstError']).join(' ')}`);
  if (kind === 'bulk') {
    const got = ss.reduce((a, x) => a + Number(x?.app['bytes'] ?? 0), 0);
    if (got !== total) throw new Error(`netch ${procs} bulk: ${got} of ${total} bytes arrived`);
    return { gbps: (total * 8) / (ms * 1e6), cpuPerGiB: cpu / (total / GiB), rrPerS: NaN, handoffNs };
  }
  return { gbps: NaN, cpuPerGiB: NaN, rrPerS: (Number(st.app['requests']) * 1000) / Number(st.app['spanMs']), handoffNs };
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
const zc = await medianRun(() => netch(PROCS, 'bulk', true));
const bulk: Record<string, Run> = {};
for (const [name, fn] of variants) {
  const b = await medianRun(() => fn('bulk'));
  const r = await medianRun(() => fn('rr'));
  bulk[name] = b;
  results.push({ name: `${name}.bulk_gbps`, value: b.gbps, unit: 'Gbit/s' });
  results.push({ name: `${name}.cpu_s_per_gib`, value: b.cpuPerGiB, unit: 's/GiB' });
  results.push({ name: `${name}.rr_per_s`, value: r.rrPerS, unit: 'req/s' });
  if (name === 'netchN') results.push({ name: 'netchN.handoff_ns_per_frame', value: b.handoffNs, unit: 'ns' });
}
results.push({ name: 'netchN.zc_bulk_gbps', value: zc.gbps, unit: 'Gbit/s' });
results.push({ name: 'netchN.zc_cpu_s_per_gib', value: zc.cpuPerGiB, unit: 's/GiB' });
results.push({ name: 'netchN.procs', value: PROCS, unit: 'threads' });
results.push({ name: 'machine.cpus', value: cpus().length, unit: 'cpus' });
const ratios: BenchRatio[] = [
  { label: 'netchN / netch1 bulk', value: bulk['netchN']!.gbps / bulk['netch1']!.gbps, target: '>= 1.6 (2 cores)', met: bulk['netchN']!.gbps / bulk['netch1']!.gbps >= 1.6 },
  { label: 'netchN zero copy / netch1 bulk', value: zc.gbps / bulk['netch1']!.gbps, target: '>= 1.6 (2 cores)', met: zc.gbps / bulk['netch1']!.gbps >= 1.6 },
  { label: 'netchN / kernel CPU per GiB', value: bulk['netchN']!.cpuPerGiB / bulk['kernel']!.cpuPerGiB, target: '< 1', met: bulk['netchN']!.cpuPerGiB < bulk['kernel']!.cpuPerGiB },
];
console.log(`${FLOWS} bulk flows x ${(bytesPerFlow / MiB).toFixed(0)} MiB, ${RR_FLOWS} rr flows x 64 B for ${RR_MS} ms after ${RR_WARMUP_MS} ms, MTU ${MTU}, ${PROCS} processes, ${cpus().length} cpus (shared with other work: figures are indicative)`);
report('channels', results, ratios, args);
