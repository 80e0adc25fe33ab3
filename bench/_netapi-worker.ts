// One side of the `netapi` workloads (bench/_netapi.ts) in a worker thread: the same code,
// written once against Node's `net` API, runs on the kernel (`node:net` over loopback) or
// on our stack (the adapters' `net` of a host on its end of a shared memory link, driven by
// a real-time Loop). Messages in: a SideJob, then 'stop'. Messages out: { ready, port } once
// the server listens (the server) or the SideReport (the client, when its work is done; the
// server, after 'stop').
//
// bulk: the client connects, writes `bytes` in 64 KiB chunks honouring write()'s
//   backpressure ('drain'), then end(); the server counts what 'data' brings and ends its
//   side at 'end'. Done at the client's 'close' (both directions closed).
// conns: the client keeps `inFlight` connections open at a time; each connects, writes one
//   byte, the server answers one byte and ends, the client ends at 'end'; a connection is
//   done at the client's 'close'. The server counts its own 'close' events.

import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { createStack, type Stack } from '../src/adapters/index.js';
import { Host } from '../src/iface/host.js';
import { type MemoryLink, openMemoryLink, type MemoryLinkSpec } from '../src/link/memory.js';
import { Kernel } from '../src/posix/kernel.js';
import { Loop } from '../src/runtime/loop.js';
import { threadCpuMs } from '../src/runtime/thread-cpu.js';

/** Where a side runs. */
export type NetApiKind = 'kernel' | 'netch';
/** Which workload. */
export type NetApiWork = 'bulk' | 'conns';

/** What a side is asked to do. */
export interface SideJob {
  role: 'server' | 'client';
  kind: NetApiKind;
  work: NetApiWork;
  /** The link end (netch only). */
  spec: MemoryLinkSpec | null;
  /** The server's port (the client; kernel: ephemeral, netch: NETAPI_PORT). */
  port: number;
  /** bulk: bytes to send. */
  bytes: number;
  /** conns: connections to complete, and how many at a time. */
  count: number;
  inFlight: number;
  /** Give up after this long (ms). */
  limitMs: number;
}

/** What a side reports. */
export interface SideReport {
  /** Bytes received (server, bulk) or sent (client, bulk). */
  bytes: number;
  /** Connections completed at 'close' on this side. */
  closed: number;
  /** Wall time of the client's work (ms; the server's is the client's). */
  ms: number;
  /** This thread's CPU time over the work (ms). */
  cpuMs: number;
  error: string;
}

export const NETAPI_SERVER_ADDR = '192.0.2.2';
export const NETAPI_CLIENT_ADDR = '192.0.2.1';
export const NETAPI_PORT = 5001;
const CHUNK = 64 * 1024;

/** Our host on its link end: a kernel, a real-time loop and the adapters. */
interface NetchSide {
  link: MemoryLink;
  host: Host;
  loop: Loop;
  stack: Stack;
}

function netchSide(spec: MemoryLinkSpec, server: boolean): NetchSide {
  const link = openMemoryLink(spec);
  const loop = new Loop();
  const host = new Host({ name: server ? 'server' : 'client' });
  host.addInterface(link, { mac: server ? '02:00:00:00:00:02' : '02:00:00:00:00:01', address: `${server ? NETAPI_SERVER_ADDR : NETAPI_CLIENT_ADDR}/24`, name: 'eth0' });
  const kernel = new Kernel(host, { clock: loop.clock });
  const stack = createStack({ kernel, loop, name: server ? 'server' : 'client' });
  return { link, host, loop, stack };
}

/** The `net` functions the workload uses: Node's, or one stack's. */
interface NetLike {
  createServer(listener: (s: net.Socket) => void): net.Server;
  connect(port: number, host: string): net.Socket;
}

function runServer(job: SideJob, api: NetLike, host: string, reply: (m: unknown) => void): Promise<SideReport> {
  const rep: SideReport = { bytes: 0, closed: 0, ms: 0, cpuMs: 0, error: '' };
  let cpu0 = NaN;
  const server = api.createServer((s) => {
    if (Number.isNaN(cpu0)) cpu0 = threadCpuMs();
    s.on('error', (e) => {
      if (rep.error === '') rep.error = String(e);
    });
    s.on('close', () => rep.closed++);
    if (job.work === 'bulk') {
      s.on('data', (d: Buffer) => (rep.bytes += d.length));
      s.on('end', () => s.end());
    } else {
      s.once('data', () => s.end('y'));
    }
  });
  return new Promise((resolve) => {
    server.listen(job.kind === 'kernel' ? 0 : NETAPI_PORT, host, () => {
      reply({ ready: true, port: (server.address() as net.AddressInfo).port });
    });
    parentPort!.once('message', () => {
      rep.cpuMs = Number.isNaN(cpu0) ? 0 : threadCpuMs() - cpu0;
      server.close();
      resolve(rep);
    });
  });
}

function runBulkClient(job: SideJob, api: NetLike, host: string): Promise<SideReport> {
  const rep: SideReport = { bytes: 0, closed: 0, ms: 0, cpuMs: 0, error: '' };
  const chunk = Buffer.alloc(CHUNK, 0x61);
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = api.connect(job.port, host);
    const timer = setTimeout(() => s.destroy(new Error(`bulk: not done in ${job.limitMs} ms`)), job.limitMs);
    s.on('error', (e) => {
      if (rep.error === '') rep.error = String(e);
    });
    const pump = (): void => {
      while (rep.bytes < job.bytes) {
        const n = Math.min(CHUNK, job.bytes - rep.bytes);
        rep.bytes += n;
        if (!s.write(n === CHUNK ? chunk : chunk.subarray(0, n))) {
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    s.once('connect', pump);
    s.resume(); // the server sends nothing; take its FIN
    s.on('close', () => {
      clearTimeout(timer);
      rep.closed = 1;
      rep.ms = performance.now() - t0;
      rep.cpuMs = threadCpuMs() - cpu0;
      resolve(rep);
    });
  });
}

function runConnsClient(job: SideJob, api: NetLike, host: string): Promise<SideReport> {
  const rep: SideReport = { bytes: 0, closed: 0, ms: 0, cpuMs: 0, error: '' };
  const one = Buffer.from('x');
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  let started = 0;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      rep.error ||= `conns: ${rep.closed} of ${job.count} in ${job.limitMs} ms`;
      finish();
    }, job.limitMs);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      rep.ms = performance.now() - t0;
      rep.cpuMs = threadCpuMs() - cpu0;
      resolve(rep);
    };
    const open = (): void => {
      if (started >= job.count || done) return;
      started++;
      const s = api.connect(job.port, host);
      s.on('error', (e) => {
        if (rep.error === '') rep.error = String(e);
      });
      s.once('connect', () => s.write(one));
      s.on('data', (d: Buffer) => (rep.bytes += d.length));
      s.on('end', () => s.end());
      s.on('close', () => {
        rep.closed++;
        if (rep.closed === job.count) finish();
        else open();
      });
    };
    for (let i = 0; i < job.inFlight; i++) open();
  });
}

async function main(job: SideJob): Promise<void> {
  const port = parentPort!;
  let side: NetchSide | null = null;
  let api: NetLike = net;
  let host = '127.0.0.1';
  if (job.kind === 'netch') {
    side = netchSide(job.spec!, job.role === 'server');
    api = side.stack.net as unknown as NetLike;
    host = NETAPI_SERVER_ADDR; // the server listens there, the client dials it
  }
  let rep: SideReport;
  if (job.role === 'server') rep = await runServer(job, api, host, (m) => port.postMessage(m));
  else rep = job.work === 'bulk' ? await runBulkClient(job, api, host) : await runConnsClient(job, api, host);
  port.postMessage(rep);
  if (side !== null) {
    side.stack.close();
    side.loop.stop();
    side.host.close();
  }
  port.close();
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') void main(workerData as SideJob);
