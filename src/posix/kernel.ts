// The kernel of one host: it wraps the Host and its TcpLayer, owns the processes (pids,
// fd tables, syscall tables), the sysctls, and the timers of blocking calls' timeouts.
// It reads time from the Clock it was given (src/time.ts), never a wall clock of its own,
// and it is a node a driver polls (Sim or Loop in src/runtime): `poll(now)` polls the host
// and fires due timeouts, `pollAt()` says when next. Add the kernel to the driver in
// place of its host (polling both is harmless).

import type { HostConfig } from '../iface/config.js';
import type { Host } from '../iface/host.js';
import { netchError } from '../iface/errors.js';
import { TimerWheel, type TimerHandle } from '../storage/timer-wheel.js';
import type { Clock, Millis } from '../time.js';
import type { TcpConfig, TcpOptionsInput, TcpPersonality } from '../transport/tcp/config.js';
import { TCP_PERSONALITIES } from '../transport/tcp/config.js';
import { TcpLayer } from '../transport/tcp/layer.js';
import { Process } from './process.js';
import { type SysctlTarget, Sysctls } from './sysctl.js';
import type { Waiter } from './wait.js';

/** Options of `new Kernel()`. */
export interface KernelOptions {
  /** Where time comes from (a VirtualClock in tests, a RealClock in production). */
  clock: Clock;
  /**
   * Whose rules apply ('linux' | 'linux-2.6' | 'freebsd'; default 'linux'): sets the
   * default of net.core.somaxconn (4096, 128, 128) and the transport's listen() rules.
   * When `tcp` is a TcpLayer, it must match the layer's personality (or be left out).
   */
  personality?: TcpPersonality;
  /** The host's TCP layer, or options for the one the kernel creates (default: created with the personality). */
  tcp?: TcpLayer | TcpOptionsInput;
  /** net.core.rmem_max / wmem_max (Linux: 212992). */
  rmemMax?: number;
  wmemMax?: number;
}

/** The kernel of one host. */
export class Kernel implements SysctlTarget {
  readonly host: Host;
  readonly tcp: TcpLayer;
  readonly clock: Clock;
  readonly personality: TcpPersonality;
  readonly sysctl: Sysctls;
  /** Timeouts of waiting calls (epoll_wait, poll, lingering close). */
  readonly timers = new TimerWheel<Waiter>();
  /** Caps of SO_RCVBUF / SO_SNDBUF (net.core.rmem_max, net.core.wmem_max). */
  rmemMax: number;
  wmemMax: number;
  private readonly procs = new Map<number, Process>();
  private nextPid = 1;
  private readonly onTimeout = (h: TimerHandle<Waiter>): void => h.owner.finish(false);

  /** Create the kernel of `host`. Errors: throws EINVAL for a bad option, EEXIST when the host has a TCP layer and none was passed. */
  constructor(host: Host, opts: KernelOptions) {
    if (opts === undefined || opts.clock === undefined || typeof opts.clock.now !== 'function') {
      throw netchError('EINVAL', 'Kernel needs a clock', { syscall: 'Kernel' });
    }
    const given = opts.tcp instanceof TcpLayer ? opts.tcp : null;
    const personality = opts.personality ?? given?.config.personality ?? 'linux';
    if (!TCP_PERSONALITIES.includes(personality)) throw netchError('EINVAL', `personality ${String(personality)} is not one of ${TCP_PERSONALITIES.join(', ')}`, { syscall: 'Kernel' });
    if (given !== null && given.config.personality !== personality) {
      throw netchError('EINVAL', `personality ${personality} differs from the TCP layer's ${given.config.personality}`, { syscall: 'Kernel' });
    }
    this.host = host;
    this.clock = opts.clock;
    this.personality = personality;
    if (given !== null) {
      this.tcp = given;
    } else {
      try {
        this.tcp = new TcpLayer(host, { personality, ...(opts.tcp as TcpOptionsInput | undefined) });
      } catch (e) {
        if (e instanceof RangeError) throw netchError('EINVAL', e.message, { syscall: 'Kernel' });
        throw e;
      }
    }
    this.rmemMax = checkMem(opts.rmemMax, 'rmemMax');
    this.wmemMax = checkMem(opts.wmemMax, 'wmemMax');
    this.sysctl = new Sysctls(this);
  }

  /** The TCP layer's config (the sysctls write it). */
  get tcpConfig(): TcpConfig {
    return this.tcp.config;
  }

  /** The host's config (the port range sysctl writes it). */
  get hostConfig(): HostConfig {
    return this.host.config;
  }

  /** Return the current time of the kernel's clock. */
  now(): Millis {
    return this.clock.now();
  }

  /** Start a process named `name`; it has fds 0-2 open (non-socket console files). */
  spawn(name = 'proc'): Process {
    const pid = this.nextPid++;
    const p = new Process(this, pid, String(name));
    this.procs.set(pid, p);
    return p;
  }

  /** Return the live process with `pid`, or null. */
  process(pid: number): Process | null {
    return this.procs.get(pid) ?? null;
  }

  /** Return the live processes, by pid. */
  processes(): Process[] {
    return [...this.procs.values()];
  }

  /** Forget an exited process (called by Process.exit). */
  reap(p: Process): void {
    this.procs.delete(p.pid);
  }

  /** Arm a timeout at `at` on the kernel's clock and tell the driver. */
  scheduleTimer(h: TimerHandle<Waiter>, at: Millis): void {
    this.timers.schedule(h, at);
    this.host.wake();
  }

  /** Poll the host and fire due timeouts (PollNode); return the work done. */
  poll(now: Millis): number {
    return this.host.poll(now) + this.timers.advance(now, this.onTimeout);
  }

  /** Return when the kernel next needs a poll (PollNode). */
  pollAt(): Millis {
    return Math.min(this.host.pollAt(), this.timers.nextDeadline());
  }

  /** Ask to be woken when new work arrives (PollNode); passes through to the host. */
  setWakeup(cb: (() => void) | null): void {
    this.host.setWakeup(cb);
  }
}

function checkMem(v: number | undefined, name: string): number {
  if (v === undefined) return 212_992;
  if (!Number.isInteger(v) || v < 1) throw netchError('EINVAL', `${name} ${v} is not a positive integer`, { syscall: 'Kernel' });
  return v;
}
