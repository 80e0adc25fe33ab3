// Run the HTTP workload (http-load.ts) once on one stack, from the main thread: the server
// in one worker thread and the load generator in another (http-worker.ts), joined by a
// shared memory link (our stack) or by the kernel's loopback (node:net). Used by
// `netch demo` and by `npm run bench -- http`.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createSharedMemoryLink } from '../link/memory.js';
import { HTTP_BODY_LEN, type LoadResult } from './http-load.js';
import type { ClientJob, ClientReport, HttpStackKind, LinkScenario, ServerJob, ServerReport } from './http-worker.js';

/** Options of one run. */
export interface HttpRunOptions {
  kind: HttpStackKind;
  conns: number;
  durationMs: number;
  warmupMs: number;
  bodyLen?: number;
  /** Link faults and capture (our stack only). */
  scenario?: Partial<LinkScenario>;
  /**
   * Install a syscall Tracer with this `-e trace=` set on the server's and the client's
   * processes, printing to a null sink (our stack only; default none). A set that names
   * no call of the hot path ("connect") measures what an installed, filtered-out hook costs.
   */
  trace?: string | null;
  /** Called about ten times a second: responses so far, failures, ms since the load started. */
  onProgress?: (completed: number, failed: number, elapsedMs: number) => void;
}

/** What one run measured. */
export interface HttpRunResult {
  kind: HttpStackKind;
  load: LoadResult;
  /** Segments retransmitted by both hosts' TCP (kernel: the system's counter, or null if unreadable). */
  retransSegs: number | null;
  /** Segments both hosts sent (kernel: the system's counter, or null if unreadable). */
  outSegs: number | null;
  /** Frames the fault injector dropped. */
  lostFrames: number;
  /** Frames written to the capture. */
  pcapFrames: number;
  /** Connections the server accepted. */
  serverConnections: number;
  /** Lines the tracers printed, both processes (0 without one). */
  traceLines: number;
  /** Cross-thread wake-ups (Atomics.notify) the two link ends sent each other (our stack), or null. */
  linkWakeups: number | null;
  /** CPU of the server's and the client's threads over the run, added (ms). */
  cpuMs: number;
}

const workerUrl = new URL('./http-worker.js', import.meta.url);

/** Return the default scenario: no faults, no capture. */
export function defaultScenario(): LinkScenario {
  return { loss: 0, delayMs: 0, pcap: null, pcapFrames: 100_000, seed: 1 };
}

/** Read the kernel's Tcp OutSegs and RetransSegs from /proc/net/snmp (system-wide), or null. */
function kernelTcpCounters(): { outSegs: number; retransSegs: number } | null {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Tcp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/).map(Number);
    const get = (n: string): number => values[names.indexOf(n)]!;
    return { outSegs: get('OutSegs'), retransSegs: get('RetransSegs') };
  } catch {
    return null;
  }
}

function request<T>(w: Worker, msg: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T): void => {
      w.off('error', onError);
      w.off('exit', onExit);
      resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      w.off('exit', onExit);
      reject(e);
    };
    const onExit = (code: number): void => {
      w.off('message', onMessage);
      w.off('error', onError);
      reject(new Error(`http worker exited with code ${code}`));
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.once('exit', onExit);
    w.postMessage(msg);
  });
}

/** Run the workload once on `opts.kind`; return the figures. Errors: a worker's failure is thrown. */
export async function runHttp(opts: HttpRunOptions): Promise<HttpRunResult> {
  const bodyLen = opts.bodyLen ?? HTTP_BODY_LEN;
  const scenario: LinkScenario = { ...defaultScenario(), ...opts.scenario };
  // Hosts attached to the link ends directly may skip transport checksums (as on Linux's lo);
  // middleware hides the flag from its host, which would then check what the peer skipped.
  const plain = scenario.loss === 0 && scenario.delayMs === 0 && scenario.pcap === null;
  const trace = opts.kind === 'netch' ? opts.trace ?? null : null;
  const specs = opts.kind === 'netch' ? createSharedMemoryLink({ mtu: 1500, frames: 1024, checksumOffload: plain }) : null;
  const server = new Worker(workerUrl);
  const client = new Worker(workerUrl);
  const progress = new Int32Array(new SharedArrayBuffer(8));
  let ticker: ReturnType<typeof setInterval> | null = null;
  try {
    const ready = await request<{ port: number }>(server, { cmd: 'server', kind: opts.kind, spec: specs?.[1] ?? null, bodyLen, trace } satisfies ServerJob);
    const before = opts.kind === 'kernel' ? kernelTcpCounters() : null;
    const t0 = performance.now();
    if (opts.onProgress) {
      const cb = opts.onProgress;
      ticker = setInterval(() => cb(Atomics.load(progress, 0), Atomics.load(progress, 1), performance.now() - t0), 100);
    }
    const job: ClientJob = {
      cmd: 'client', kind: opts.kind, spec: specs?.[0] ?? null, scenario, port: ready.port,
      conns: opts.conns, durationMs: opts.durationMs, warmupMs: opts.warmupMs, bodyLen, trace, progress,
    };
    const rep = await request<ClientReport>(client, job);
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
    const after = opts.kind === 'kernel' ? kernelTcpCounters() : null;
    const srv = await request<ServerReport>(server, { cmd: 'stop' });
    if (rep.error !== '') throw new Error(`http load on ${opts.kind}: ${rep.error}`);
    const both = (f: (r: { outSegs: number; retransSegs: number }) => number): number | null => {
      if (opts.kind === 'kernel') return before !== null && after !== null ? f(after) - f(before) : null;
      return rep.tcp !== null && srv.tcp !== null ? f(rep.tcp) + f(srv.tcp) : null;
    };
    return {
      kind: opts.kind,
      load: rep.load,
      retransSegs: both((r) => r.retransSegs),
      outSegs: both((r) => r.outSegs),
      lostFrames: rep.lostFrames,
      pcapFrames: rep.pcapFrames,
      serverConnections: srv.connections,
      traceLines: rep.traceLines + srv.traceLines,
      linkWakeups: rep.tcp !== null && srv.tcp !== null ? rep.tcp.linkWakeups + srv.tcp.linkWakeups : null,
      cpuMs: rep.cpuMs + srv.cpuMs,
    };
  } finally {
    if (ticker !== null) clearInterval(ticker);
    await Promise.all([server.terminate(), client.terminate()]);
  }
}
