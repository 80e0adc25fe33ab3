// Channel mode: Van Jacobson's net channels running for real. A driver thread owns the
// link end and steers each received frame, by its 4-tuple, straight into the rx channel of
// the process thread that owns the flow; each process runs its own Host and TcpLayer
// (end-to-end protocol processing) and transmits through its own tx channel. Frames never
// move or get copied between threads: descriptors do. postMessage carries setup and
// control only (start, stats, filter, detach, stop). docs/channels.md has the design and figures.
//
// Guarantees: a flow stays in the process that first got it (flow table; new flows of a
// port shared by several processes are spread by the flow's hash, SO_REUSEPORT); a slow
// process drops only its own frames (counted); a process that goes is detached: its flows
// and ports are removed and its frames return, while the others keep running.
// Never: no copy of a TCP frame between threads, no postMessage per packet.

import { netchError } from '../../iface/errors.js';
import type { FilterTable } from '../../iface/filter.js';
import type { MemoryLinkSpec } from '../../link/memory.js';
import type { TcpOptionsInput } from '../../transport/tcp/config.js';
import type { AppRef } from './app.js';
import type { DriverCounters } from './driver.js';
import { createChannelModeSpec, type DriverSpec, type FilterCall } from './spec.js';
import { WorkerHandle } from './worker-link.js';

export * from './app.js';
export * from './flow-table.js';
export * from './spec.js';
export { ChannelDriver, type DriverCounters, type ProcCounters } from './driver.js';
export { ChannelProcess, ProcDevice } from './process.js';
export { WorkerHandle } from './worker-link.js';
export * from './zero-copy.js';

const STACK_WORKER = new URL('./stack-worker.js', import.meta.url);
const DRIVER_WORKER = new URL('./driver-worker.js', import.meta.url);

/**
 * How a worker's loop slept: sleeps, of which woken by a doorbell, timed out, or not needed;
 * milliseconds asleep; iterations; and the thread's CPU milliseconds since it started (NaN
 * where the system does not say: `threadCpuMs`).
 */
export interface LoopStats {
  iters: number;
  cpuMs: number;
  sleeps: number;
  woken: number;
  timedOut: number;
  noWait: number;
  sleptMs: number;
}

/** What a stack worker reports. */
export interface StackStats {
  app: Record<string, number | string>;
  tcp: { InSegs: number; OutSegs: number; RetransSegs: number; CurrEstab: number };
  link: Record<string, number>;
  loop: LoopStats;
}

/** What the driver reports. */
export interface DriverStats {
  driver: DriverCounters;
  framesLent: number;
  flows: number;
  loop: LoopStats;
}

/** Options of `ChannelHost.start`. */
export interface ChannelHostOptions {
  /** The link end the driver owns (from createSharedMemoryLink). */
  link: MemoryLinkSpec;
  mac: number;
  /** The address every process shares, with its prefix. */
  address: string;
  /** Process threads (default 2). */
  procs?: number;
  /** The app every process runs. */
  app: AppRef;
  tcp?: TcpOptionsInput;
  rxQuota?: number;
  txFrames?: number;
  /** Received frames each process may hold for zero-copy readers (ProcSpec.holdFrames). */
  holdFrames?: number;
  /** Empty polls a thread makes before it sleeps (default: channelIdleSpins(procs)). */
  idleSpins?: number;
}

/** A channel-mode host: a driver thread and N process threads, started from this thread. */
export class ChannelHost {
  readonly spec: DriverSpec;
  readonly driver: WorkerHandle;
  readonly procs: WorkerHandle[];

  private constructor(spec: DriverSpec, driver: WorkerHandle, procs: WorkerHandle[]) {
    this.spec = spec;
    this.driver = driver;
    this.procs = procs;
    // A process that exits or crashes is detached: its flows go, its frames come back.
    procs.forEach((w, i) => void w.exited.then(() => this.driver.request({ cmd: 'detach', proc: i }).catch(() => {})));
  }

  /** Start the driver and the processes. Throws RangeError when the link end has too few frames. */
  static start(o: ChannelHostOptions): ChannelHost {
    const spec = createChannelModeSpec({
      link: o.link, mac: o.mac, address: o.address, procs: o.procs ?? 2,
      ...(o.rxQuota === undefined ? {} : { rxQuota: o.rxQuota }),
      ...(o.txFrames === undefined ? {} : { txFrames: o.txFrames }),
      ...(o.holdFrames === undefined ? {} : { holdFrames: o.holdFrames }),
      ...(o.idleSpins === undefined ? {} : { idleSpins: o.idleSpins }),
    });
    const driver = new WorkerHandle(DRIVER_WORKER, { spec });
    const procs = spec.procs.map((p) => new WorkerHandle(STACK_WORKER, { mode: 'process', spec: p, app: o.app, tcp: o.tcp ?? {} }));
    return new ChannelHost(spec, driver, procs);
  }

  /**
   * Resolve once every process has started its app (its listeners are registered: a
   * process answers only after `start`, and the driver drains registrations before it
   * answers), so clients started after this find every listener.
   */
  async ready(): Promise<void> {
    await Promise.all(this.procs.map((w) => w.request({ cmd: 'stats' })));
    await this.driverStats();
  }

  /** Return the driver's counters. */
  driverStats(): Promise<DriverStats> {
    return this.driver.request<DriverStats>({ cmd: 'stats' });
  }

  /** Return each process's counters (null for a process that is gone). */
  procStats(): Promise<(StackStats | null)[]> {
    return Promise.all(this.procs.map((w) => (w.isGone ? Promise.resolve(null) : w.request<StackStats>({ cmd: 'stats' }).catch(() => null))));
  }

  /**
   * Run a call of the driver's filter table (`host.filter`, docs/filter.md) in the driver
   * thread, where every frame of every process crosses the four chains; resolve with its
   * result (`list` gives copies). Errors: the table's own (NETCH_ERR_FILTER_*), EINVAL for
   * a name that is not a table call.
   */
  async filter<K extends FilterCall>(op: K, ...args: Parameters<FilterTable[K]>): Promise<ReturnType<FilterTable[K]>> {
    const r = await this.driver.request<{ result?: ReturnType<FilterTable[K]>; error?: { code: string; message: string } }>({ cmd: 'filter', op, args });
    if (r.error !== undefined) {
      const { code, message } = r.error;
      throw netchError(code, message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message);
    }
    return r.result as ReturnType<FilterTable[K]>;
  }

  /** Send `msg` to the app of every process (StackApp.control); resolve with their answers (null for a process that is gone or has no control). */
  appControl(msg: Record<string, unknown>): Promise<(Record<string, number | string> | null)[]> {
    return Promise.all(this.procs.map((w) => (w.isGone ? Promise.resolve(null) : w.request<Record<string, number | string> | null>({ cmd: 'app', msg }).catch(() => null))));
  }

  /** Make process `i` stop polling for `ms` (a slow process). */
  stall(i: number, ms: number): void {
    this.procs[i]!.tell({ cmd: 'stall', ms });
  }

  /** Terminate process `i` abruptly (as a crash would) and wait until the driver detached it. */
  async kill(i: number): Promise<DriverStats> {
    await this.procs[i]!.worker.terminate();
    await this.driver.request({ cmd: 'detach', proc: i });
    return this.driverStats();
  }

  /** Stop every thread. */
  async close(): Promise<void> {
    for (const w of this.procs) w.tell({ cmd: 'stop' });
    await Promise.all(this.procs.map((w) => Promise.race([w.exited, delay(2000).then(() => w.worker.terminate())])));
    this.driver.tell({ cmd: 'stop' });
    await Promise.race([this.driver.exited, delay(2000).then(() => this.driver.worker.terminate())]);
  }
}

/** Options of `StackThread.start`: one whole host on a link end, in one thread. */
export interface StackThreadOptions {
  link: MemoryLinkSpec;
  mac: number;
  address: string;
  name?: string;
  app: AppRef;
  tcp?: TcpOptionsInput;
}

/** One-thread mode: a single Host + TcpLayer running the app in one worker thread. */
export class StackThread {
  private constructor(readonly worker: WorkerHandle) {}

  /** Start the thread. */
  static start(o: StackThreadOptions): StackThread {
    return new StackThread(new WorkerHandle(STACK_WORKER, { mode: 'standalone', link: o.link, mac: o.mac, address: o.address, name: o.name ?? 'host', app: o.app, tcp: o.tcp ?? {} }));
  }

  /** Resolve once the app has started. */
  async ready(): Promise<void> {
    await this.stats();
  }

  /** Return the thread's counters. */
  stats(): Promise<StackStats> {
    return this.worker.request<StackStats>({ cmd: 'stats' });
  }

  /** Send `msg` to the app (StackApp.control); resolve with its answer (null without control). */
  appControl(msg: Record<string, unknown>): Promise<Record<string, number | string> | null> {
    return this.worker.request<Record<string, number | string> | null>({ cmd: 'app', msg });
  }

  /** Stop the thread. */
  async close(): Promise<void> {
    this.worker.tell({ cmd: 'stop' });
    await Promise.race([this.worker.exited, delay(2000).then(() => this.worker.worker.terminate())]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
