// The `netapi` part of the tcp suite: one workload written against Node's `net` API
// (_netapi-worker.ts), run unchanged on the kernel's loopback and on our stack through the
// adapters, with the same thread layout on both sides (server in one worker, client in
// another), rounds interleaved (the order alternating), one warm-up round of each, medians.
// CPU is each worker thread's own (/proc/thread-self/schedstat), server and client added.
//   netapi.<kind>.bulk_gbps         one connection, `bytes` through write()/'data' with
//                                   backpressure, done at the client's 'close'
//   netapi.<kind>.cpu_s_per_gib     CPU seconds of both threads per GiB moved
//   netapi.<kind>.conn_per_s        connect, 1 byte each way, close; `inFlight` at a time
//   netapi.<kind>.cpu_us_per_conn   CPU microseconds of both threads per connection
// Our link runs at MTU 65522 (the largest memory-link frame) with checksum offload; the
// kernel's lo at 65536, also without checksums. Every bulk run checks that the server got
// every byte the client wrote.

import { Worker } from 'node:worker_threads';
import { createSharedMemoryLink, MEMORY_LINK_MTU_MAX, type MemoryLinkSpec } from '../src/link/memory.js';
import { NETAPI_PORT, type NetApiKind, type NetApiWork, type SideJob, type SideReport } from './_netapi-worker.js';
import { median, nextMessage, type BenchRatio, type BenchResult } from './_report.js';

const WORKER = new URL('./_netapi-worker.js', import.meta.url);
const KINDS: readonly NetApiKind[] = ['kernel', 'netch'];

/** Options of the netapi runs. */
export interface NetApiOptions {
  bulkBytes: number;
  conns: number;
  inFlight: number;
  repeats: number;
  limitMs: number;
}

interface RoundFigure {
  value: number;
  cpu: number;
}

async function oneRun(kind: NetApiKind, work: NetApiWork, o: NetApiOptions): Promise<RoundFigure> {
  let specs: [MemoryLinkSpec, MemoryLinkSpec] | null = null;
  if (kind === 'netch') specs = createSharedMemoryLink({ mtu: MEMORY_LINK_MTU_MAX, frames: 512, checksumOffload: true });
  const base = { kind, work, bytes: o.bulkBytes, count: o.conns, inFlight: o.inFlight, limitMs: o.limitMs };
  const serverJob: SideJob = { ...base, role: 'server', spec: specs?.[1] ?? null, port: 0 };
  const server = new Worker(WORKER, { workerData: serverJob });
  let client: Worker | null = null;
  try {
    const ready = await nextMessage<{ ready: boolean; port: number }>(server);
    const clientJob: SideJob = { ...base, role: 'client', spec: specs?.[0] ?? null, port: kind === 'kernel' ? ready.port : NETAPI_PORT };
    client = new Worker(WORKER, { workerData: clientJob });
    const c = await nextMessage<SideReport>(client);
    server.postMessage('stop');
    const s = await nextMessage<SideReport>(server);
    if (c.error !== '') throw new Error(`netapi ${kind} ${work}: client: ${c.error}`);
    const cpuS = (c.cpuMs + s.cpuMs) / 1000;
    if (work === 'bulk') {
      if (s.bytes !== c.bytes || c.bytes !== o.bulkBytes) throw new Error(`netapi ${kind} bulk: sent ${c.bytes}, the server got ${s.bytes}`);
      return { value: (c.bytes * 8) / (c.ms * 1e6), cpu: cpuS / (c.bytes / 2 ** 30) };
    }
    if (c.closed !== o.conns || c.bytes !== o.conns) throw new Error(`netapi ${kind} conns: ${c.closed} closed, ${c.bytes} replies of ${o.conns}`);
    return { value: o.conns / (c.ms / 1000), cpu: (cpuS * 1e6) / o.conns };
  } finally {
    await server.terminate();
    if (client !== null) await client.terminate();
  }
}

/** Run both workloads on both stacks, interleaved; return the figures and the kernel ratios. */
export async function runNetApi(o: NetApiOptions, log: (line: string) => void): Promise<{ results: BenchResult[]; ratios: BenchRatio[] }> {
  const results: BenchResult[] = [];
  const ratios: BenchRatio[] = [];
  for (const work of ['bulk', 'conns'] as const) {
    const got: Record<NetApiKind, RoundFigure[]> = { kernel: [], netch: [] };
    for (let round = 0; round <= o.repeats; round++) {
      const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
      for (const kind of order) {
        const f = await oneRun(kind, work, o);
        log(`netapi ${work} ${kind.padEnd(6)} round ${round}${round === 0 ? ' (warm-up)' : ''}: ${f.value.toFixed(work === 'bulk' ? 2 : 0)} ${work === 'bulk' ? 'Gbit/s' : 'conn/s'}, cpu ${f.cpu.toFixed(work === 'bulk' ? 3 : 1)} ${work === 'bulk' ? 's/GiB' : 'us/conn'}`);
        if (round > 0) got[kind].push(f);
      }
    }
    const med = (k: NetApiKind, f: (x: RoundFigure) => number): number => median(got[k].map(f));
    for (const k of KINDS) {
      if (work === 'bulk') {
        results.push({ name: `netapi.${k}.bulk_gbps`, value: med(k, (x) => x.value), unit: 'Gbit/s' });
        results.push({ name: `netapi.${k}.cpu_s_per_gib`, value: med(k, (x) => x.cpu), unit: 's/GiB' });
      } else {
        results.push({ name: `netapi.${k}.conn_per_s`, value: med(k, (x) => x.value), unit: 'conn/s' });
        results.push({ name: `netapi.${k}.cpu_us_per_conn`, value: med(k, (x) => x.cpu), unit: 'us/conn' });
      }
    }
    const r = med('netch', (x) => x.value) / med('kernel', (x) => x.value);
    if (work === 'bulk') ratios.push({ label: 'netapi bulk netch / kernel (Node net both sides)', value: r, target: '>= 1.0 (aim 1.5)', met: r >= 1.0 });
    else ratios.push({ label: 'netapi connections/s netch / kernel', value: r, target: '>= 1.5 (aim 3)', met: r >= 1.5 });
  }
  return { results, ratios };
}
