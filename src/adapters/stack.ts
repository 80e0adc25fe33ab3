// The stack context the adapters run on: one POSIX process (its fd table and its syscall
// table, through which every socket call goes), the readiness loop over its epoll fd, the
// name table `connect('name')` resolves through, and the handles that keep Node's event
// loop alive while a referenced socket or server is open (ref/unref).
//
// The same code runs on any driver: the kernel is a node a Sim (virtual time, tests) or a
// Loop (real time) polls; the adapters only make calls and wait on readiness, and their
// timers (socket.setTimeout) are armed on the kernel's clock, so under a Sim they fire in
// virtual time. `createStack({ host, loop })` builds the kernel and process for a host and
// adds the kernel to the loop; `createStack({ process })` adopts a process built elsewhere
// (its kernel must be the node the driver polls, not only its host).

import type { Host } from '../iface/host.js';
import { Kernel } from '../posix/kernel.js';
import type { Process } from '../posix/process.js';
import { Waiter } from '../posix/wait.js';
import type { Loop } from '../runtime/loop.js';
import type { Clock } from '../time.js';
import { RealClock } from '../time.js';
import { inetAddr } from '../posix/sockaddr.js';
import { lookupError, nodeError } from './errors.js';
import { Poller } from './poller.js';

/** dns.lookup's callback shape (IPv4 only). */
export type LookupCallback = (err: Error | null, address: string, family: number) => void;
/** A resolver with dns.lookup's shape: `lookup(hostname, options, callback)`. */
export type LookupFunction = (hostname: string, options: object, callback: LookupCallback) => void;

/** Options of `createStack`. */
export interface StackOptions {
  /** Run on this process (its kernel must be polled by the driver). */
  process?: Process;
  /** Spawn a process on this kernel. */
  kernel?: Kernel;
  /** Build a kernel for this host (clock from `loop`, else a RealClock) and spawn a process on it. */
  host?: Host;
  /** The real-time driver: the kernel is added to it and the loop started. */
  loop?: Loop;
  /** The clock of a kernel built here when no loop is given (a Sim's VirtualClock). */
  clock?: Clock;
  /** Name of the spawned process (default "node"). */
  name?: string;
  /** Names `connect()` and `listen()` resolve, to dotted quads (default: localhost → 127.0.0.1). */
  hosts?: Record<string, string>;
  /** A resolver used for names not in `hosts` (dns.lookup's shape); default: ENOTFOUND. */
  lookup?: LookupFunction;
}

/**
 * A timer on the kernel's clock (virtual under a Sim): one pending deadline, re-armable,
 * cancellable. Its kernel and waiter are true-private: a socket's timer leads nowhere.
 */
export class KernelTimer {
  readonly #kernel: Kernel;
  readonly #fire: () => void;
  #waiter: Waiter | null = null;

  constructor(kernel: Kernel, fire: () => void) {
    this.#kernel = kernel;
    this.#fire = fire;
  }

  /** Return true while armed. */
  get armed(): boolean {
    return this.#waiter !== null;
  }

  /** Arm the timer to fire `ms` from now (replacing a pending deadline). */
  arm(ms: number): void {
    this.cancel();
    const k = this.#kernel;
    const fire = this.#fire;
    const w: Waiter = new Waiter(k, [], () => false, (ready) => {
      if (this.#waiter !== w) return;
      this.#waiter = null;
      // Fired from inside the kernel's poll: run the callback after the poll returns, so
      // it may make calls (destroy a socket) without re-entering the stack.
      if (!ready) queueMicrotask(fire);
    });
    this.#waiter = w;
    k.scheduleTimer(w.timer, k.now() + Math.max(0, ms));
  }

  /** Disarm the timer. */
  cancel(): void {
    const w = this.#waiter;
    if (w === null) return;
    this.#waiter = null;
    w.finish(true);
  }
}

/** The context the Node adapters run on: a process of a kernel, its epoll loop and names. */
export class StackContext {
  readonly process: Process;
  readonly kernel: Kernel;
  /** The readiness loop (one epoll fd of the process). */
  readonly poller: Poller;
  /** Names resolved without the `lookup` function. */
  readonly hosts = new Map<string, string>([['localhost', '127.0.0.1']]);
  private readonly resolver: LookupFunction | null;
  /** Open sockets and servers, closed by close(). */
  private readonly handles = new Set<{ destroy(): unknown }>();
  private refs = 0;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private readonly ownsProcess: boolean;

  /** Build the context; see StackOptions. Errors: NETCH_ERR_STACK_CONFIG when none of process, kernel, host is given. */
  constructor(opts: StackOptions) {
    let proc = opts.process;
    this.ownsProcess = proc === undefined;
    if (proc === undefined) {
      let kernel = opts.kernel;
      if (kernel === undefined) {
        if (opts.host === undefined) throw nodeError('NETCH_ERR_STACK_CONFIG', 'createStack needs a process, a kernel or a host', 'TypeError');
        kernel = new Kernel(opts.host, { clock: opts.loop?.clock ?? opts.clock ?? new RealClock() });
      }
      proc = kernel.spawn(opts.name ?? 'node');
    }
    this.process = proc;
    this.kernel = proc.kernel;
    if (opts.loop !== undefined) {
      opts.loop.add(this.kernel);
      opts.loop.start();
    }
    this.poller = new Poller(proc);
    for (const [k, v] of Object.entries(opts.hosts ?? {})) this.hosts.set(k, v);
    this.resolver = opts.lookup ?? null;
  }

  /** Resolve `hostname` to an IPv4 address, asynchronously, as dns.lookup does (dotted quads pass through). */
  lookup(hostname: string, cb: LookupCallback): void {
    if (inetAddr(hostname) >= 0) {
      process.nextTick(cb, null, hostname, 4);
      return;
    }
    const known = this.hosts.get(hostname.toLowerCase());
    if (known !== undefined) {
      process.nextTick(cb, null, known, 4);
      return;
    }
    if (this.resolver !== null) {
      this.resolver(hostname, { family: 4 }, cb);
      return;
    }
    process.nextTick(cb, lookupError(hostname), '', 4);
  }

  /** Return a timer on the kernel's clock that calls `fire`. */
  timer(fire: () => void): KernelTimer {
    return new KernelTimer(this.kernel, fire);
  }

  /** Count one more referenced handle: Node's event loop stays alive while any is open. */
  ref(): void {
    if (this.refs++ === 0) this.keepAlive = setInterval(noop, 0x7fff_ffff);
  }

  /** Count one referenced handle less. */
  unref(): void {
    if (this.refs === 0) return;
    if (--this.refs === 0 && this.keepAlive !== null) {
      clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
  }

  /** Remember an open socket or server (close() destroys it). */
  track(h: { destroy(): unknown }): void {
    this.handles.add(h);
  }

  /** Forget a closed socket or server. */
  untrack(h: { destroy(): unknown }): void {
    this.handles.delete(h);
  }

  /**
   * Destroy every open socket and server of the stack, stop the readiness loop and, when
   * the stack spawned its process, exit it (closing every fd).
   */
  close(): void {
    for (const h of [...this.handles]) h.destroy();
    this.handles.clear();
    this.poller.close();
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.keepAlive = null;
    this.refs = 0;
    if (this.ownsProcess) this.process.exit(0);
  }
}

function noop(): void {}

let defaultStack: StackContext | null = null;

/** Make `s` the stack the module-level functions (createServer, connect, createSocket, new Socket()) use. */
export function setDefaultStack(s: StackContext | null): void {
  defaultStack = s;
}

/** Return the default stack. Errors: NETCH_ERR_NO_STACK when none was set. */
export function getDefaultStack(): StackContext {
  if (defaultStack === null) throw nodeError('NETCH_ERR_NO_STACK', 'no stack: call createStack() and setDefaultStack(), or pass { stack }');
  return defaultStack;
}
