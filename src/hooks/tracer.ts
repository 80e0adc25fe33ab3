// A tracer that prints a process's socket calls in strace's format, one line per call:
//
//   accept4(3, {sa_family=AF_INET, sin_port=htons(40312), sin_addr=inet_addr("192.0.2.1")}, [16], SOCK_NONBLOCK) = 5
//   recvfrom(5, 0x7ffd00001000, 4096, 0, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)
//
// with strace's options: `-e trace=` (which calls), `-e status=` / `-z` / `-Z` (which
// outcomes), `-r` and `-t`/`-tt`/`-ttt` (timestamps from the kernel's clock, alone or
// together), `-T` (time in the call), `-s` (string limit), `-c`/`-C` (a summary table),
// `-e inject=` (a FaultInjector on each process), `-f` and `-o` (the pid prefix). A blocking
// call (acceptAsync, recvAsync, ...) prints as the blocking system call; when another call
// starts while it waits, it is split as `strace -f` splits it: `recvfrom(5,  <unfinished
// ...>` then `<... recvfrom resumed>"hi", 4096, 0, NULL, NULL) = 2`. One tracer can be
// attached to several processes; lines then start with `[pid N]` (`N     ` with -o), as
// with `strace -f`. A process's exit prints `+++ exited with N +++`; a send that fails with
// EPIPE on a TCP socket without MSG_NOSIGNAL prints the SIGPIPE Linux raises there.
//
// Cost: the tracer hooks only the entries `trace` selects (the others stay the plain
// implementation); a call it does hook but does not print (`-Z` and a success) costs the
// dispatch and, when timestamps, -T or -c are on, two clock reads.

import { netchError } from '../iface/errors.js';
import { EPIPE } from '../posix/errno.js';
import { FileKind } from '../posix/file.js';
import type { Process } from '../posix/process.js';
import { SYSCALL_MAN_NAMES, type SyscallName } from '../posix/syscalls.js';
import {
  DEFAULT_STRING_LIMIT, FakePointers, type FormatContext, SIGPIPE, formatEnter, formatExit, formatReturn, formatSignal, padResult,
} from './format.js';
import { type HookHandle, type SyscallCall, type SyscallHook, installHook } from './hook.js';
import { FaultInjector, type FaultRule, injectionNote } from './inject.js';
import { selectCalls } from './select.js';
import { SyscallSummary } from './summary.js';

/** The outcomes `-e status=` names (strace's); "unfinished", "unavailable" and "detached" never happen here. */
export const STATUS_NAMES = ['successful', 'failed', 'unfinished', 'unavailable', 'detached'] as const;
/** MSG_NOSIGNAL: a send that sets it gets EPIPE without SIGPIPE. */
const MSG_NOSIGNAL = 0x4000;

/** Timestamps at the start of each line: none, -r, -t, -tt, -ttt. */
export const TIMESTAMP_MODES = ['none', 'relative', 'time', 'time-us', 'epoch'] as const;
/** A timestamp mode. */
export type TimestampMode = (typeof TIMESTAMP_MODES)[number];

/** Options of a Tracer; each names the strace option it mirrors. */
export interface TracerOptions {
  /** Where lines go (each ends with "\n"); default process.stderr. */
  write?: (text: string) => void;
  /** `-e trace=`: names, classes (%network, %desc), "all", "!..." (default "all"). */
  trace?: string | readonly string[];
  /**
   * `-e status=`: which calls print, by outcome: "all" (default), "successful" (-z),
   * "failed" (-Z), or a set as strace takes it ("successful,failed", "!failed", "none").
   */
  status?: string | readonly string[];
  /** `-r` relative, `-t` time, `-tt` time with µs, `-ttt` seconds since the epoch; from the kernel's clock. */
  timestamps?: TimestampMode;
  /** `-r` together with `-t`/`-tt`/`-ttt`: `09:31:50 (+     0.000106) ` (timestamps: 'relative' is -r alone). */
  relative?: boolean;
  /** The wall-clock time (ms since the epoch) at kernel clock time 0, for -t/-tt/-ttt (default 0: times read from the clock's start, in UTC). */
  epochMs?: number;
  /** `-T`: append the time spent in each call, `<0.000123>`. */
  duration?: boolean;
  /** `-s`: bytes of a buffer and elements of an array shown (default 32). */
  stringLimit?: number;
  /** `-c` only the summary (no lines), `-C` lines and the summary, or off (default). */
  summary?: 'off' | 'only' | 'also';
  /** Start every line with `[pid N]` even with one process attached. */
  pids?: boolean;
  /** `-f`: with `toFile`, every line starts with the pid, even with one process (strace -f -o). */
  follow?: boolean;
  /** `-o FILE`: the pid prefix is strace's for a file, `12345 ` (left-aligned in 5), not `[pid 12345] `. */
  toFile?: boolean;
  /** The pid printed for a process (default its `pid`; the preload prints the Node process's). */
  pidOf?: (proc: Process) => number;
  /** The user id printed in a SIGPIPE's si_uid (default this Node process's, 0 where there is none). */
  uid?: number;
  /** `-e inject=`: rules (strace text or FaultRule) put on every process attached, as strace applies them to its tracees. */
  inject?: readonly (FaultRule | string)[];
}

/** A blocking call in flight. */
interface Pending {
  readonly call: SyscallCall;
  readonly startMs: number;
  /** The entry part, formatted when the call started (its input buffers as they were then). */
  readonly enter: string;
  /** Its "<unfinished ...>" line was printed; the end prints as "<... name resumed>". */
  split: boolean;
}

/** A strace-format tracer; install it on one or more processes with `attach`. */
export class Tracer implements SyscallHook {
  readonly label = 'tracer';
  readonly order = -100;
  readonly calls: ReadonlySet<SyscallName>;
  /** Calls, errors and time per system call (what -c prints). */
  readonly stats = new SyscallSummary();
  private readonly write: (text: string) => void;
  /** The outcomes printed; null: all of them (lines print as calls start and end). */
  private readonly status: ReadonlySet<string> | null;
  private readonly timestamps: TimestampMode;
  private readonly relative: boolean;
  private readonly follow: boolean;
  private readonly toFile: boolean;
  private readonly pidOf: (proc: Process) => number;
  private readonly uid: number;
  private readonly injector: FaultInjector | null;
  private readonly exits = new Map<Process, () => void>();
  private readonly injections = new Map<Process, HookHandle>();
  private readonly epochMs: number;
  private readonly duration: boolean;
  private readonly summary: 'off' | 'only' | 'also';
  private readonly forcePids: boolean;
  private readonly needTime: boolean;
  private readonly ctx: FormatContext;
  private readonly handles = new Map<Process, HookHandle>();
  private readonly pending = new Map<SyscallCall, Pending>();
  /** The blocking call whose entry is the last thing started and is not printed yet (strace's open line). */
  private open: Pending | null = null;
  private syncStart = 0;
  private lastStamp = Number.NaN;

  /** Create a tracer. Errors: throws NETCH_ERR_HOOK_SPEC for a bad option (unknown call or class, mode, limit). */
  constructor(opts: TracerOptions = {}) {
    this.calls = selectCalls(opts.trace ?? 'all');
    this.write = opts.write ?? ((t) => void process.stderr.write(t));
    this.status = parseStatus(opts.status ?? 'all');
    this.timestamps = opts.timestamps ?? 'none';
    if (!TIMESTAMP_MODES.includes(this.timestamps)) throw netchError('NETCH_ERR_HOOK_SPEC', `timestamps ${String(this.timestamps)}: use ${TIMESTAMP_MODES.join(', ')}`);
    this.relative = this.timestamps === 'relative' || opts.relative === true;
    if (this.timestamps === 'relative') this.timestamps = 'none';
    this.follow = opts.follow ?? false;
    this.toFile = opts.toFile ?? false;
    this.pidOf = opts.pidOf ?? ((p) => p.pid);
    this.uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
    this.injector = opts.inject !== undefined && opts.inject.length > 0 ? new FaultInjector(opts.inject) : null;
    this.epochMs = opts.epochMs ?? 0;
    this.duration = opts.duration ?? false;
    this.summary = opts.summary ?? 'off';
    if (!['off', 'only', 'also'].includes(this.summary)) throw netchError('NETCH_ERR_HOOK_SPEC', `summary ${String(this.summary)}: use off, only or also`);
    this.forcePids = opts.pids ?? false;
    const limit = opts.stringLimit ?? DEFAULT_STRING_LIMIT;
    if (!Number.isInteger(limit) || limit < 0) throw netchError('NETCH_ERR_HOOK_SPEC', `stringLimit ${limit} is not a non-negative integer`);
    this.ctx = { limit, ptrs: new FakePointers() };
    this.needTime = this.timestamps !== 'none' || this.relative || this.duration || this.summary !== 'off';
  }

  /**
   * Trace `proc`'s calls (and inject this tracer's faults into them); return the handle
   * that stops it. The process's `exit()` prints `+++ exited with N +++` and detaches it.
   * Errors: NETCH_ERR_HOOK_INSTALLED when already attached.
   */
  attach(proc: Process): HookHandle {
    const h = installHook(proc, this);
    if (this.injector !== null) this.injections.set(proc, this.injector.attach(proc));
    this.handles.set(proc, h);
    this.watchExit(proc);
    const detach = (): boolean => {
      this.forget(proc);
      return h.uninstall();
    };
    return {
      get installed() {
        return h.installed;
      },
      uninstall: detach,
    };
  }

  /** Stop tracing every process attached. */
  detachAll(): void {
    for (const [proc, h] of [...this.handles]) {
      this.forget(proc);
      h.uninstall();
    }
  }

  /** Drop what attach() set up on `proc` besides the tracing hook. */
  private forget(proc: Process): void {
    this.handles.delete(proc);
    if (this.open !== null && this.open.call.proc === proc) this.open = null;
    this.exits.get(proc)?.();
    this.injections.get(proc)?.uninstall();
    this.injections.delete(proc);
  }

  /** Return how many calls each inject rule hit (empty without `inject`). */
  injected(): Record<string, number> {
    return this.injector?.counts() ?? {};
  }

  /**
   * Print `+++ exited with CODE +++` for `proc` (as strace does when a tracee exits) and stop
   * tracing it. Called by the process's exit(); the preload calls it at the Node process's
   * exit. Nothing is printed for a process not attached, or with -c.
   */
  exited(proc: Process, code: number): void {
    if (!this.handles.has(proc)) return;
    if (this.printing()) {
      if (this.open !== null) this.splitOpen();
      this.write(`${this.prefix(proc, this.needTime ? proc.kernel.now() : 0)}+++ exited with ${code & 0xff} +++\n`);
    }
    const h = this.handles.get(proc)!;
    this.forget(proc);
    h.uninstall();
  }

  /** Wrap `proc.exit` so that an exit prints its line; the unwrapping is kept in `exits`. */
  private watchExit(proc: Process): void {
    if (this.exits.has(proc)) return;
    const hadOwn = Object.prototype.hasOwnProperty.call(proc, 'exit');
    const inner = proc.exit;
    let live = true;
    const wrapped = (code = 0): void => {
      const was = proc.exited;
      Reflect.apply(inner, proc, [code]);
      if (live && !was) this.exited(proc, code);
    };
    try {
      proc.exit = wrapped;
    } catch {
      return; // a process object that cannot be changed: its exit line needs exited()
    }
    this.exits.set(proc, () => {
      live = false;
      this.exits.delete(proc);
      // Put the method back unless someone wrapped it after us (then ours stays, inert).
      if (proc.exit !== wrapped) return;
      if (hadOwn) proc.exit = inner;
      else delete (proc as { exit?: unknown }).exit;
    });
  }

  /** Return the -c table (strace's layout) of what was traced so far. */
  summaryTable(): string {
    return this.stats.format();
  }

  /** Hook: note the start; a blocking call becomes the open line. */
  before(call: SyscallCall): undefined {
    const now = this.needTime ? call.proc.kernel.now() : 0;
    if (this.open !== null) this.splitOpen();
    if (!call.blocking) {
      this.syncStart = now;
      return undefined;
    }
    const p: Pending = { call, startMs: now, enter: this.printing() ? formatEnter(call.name, call.args, this.ctx) : '', split: false };
    this.pending.set(call, p);
    if (this.status === null && this.printing()) this.open = p;
    return undefined;
  }

  /** Hook: print the line (or the resumed line) of a finished call, and count it. */
  after(call: SyscallCall, result: number): undefined {
    const end = this.needTime ? call.proc.kernel.now() : 0;
    let start = this.syncStart;
    let p: Pending | undefined;
    if (call.blocking) {
      p = this.pending.get(call);
      if (p === undefined) return undefined; // attached while the call was in flight
      this.pending.delete(call);
      // Detached (or exited) while the call waited: strace prints nothing of a process it no longer traces.
      if (!this.handles.has(call.proc)) return undefined;
      start = p.startMs;
      if (this.open === p) this.open = null;
      else if (this.open !== null) this.splitOpen();
    }
    const man = SYSCALL_MAN_NAMES[call.name];
    if (this.summary !== 'off') this.stats.add(man, end - start, result < 0);
    if (!this.printing()) return undefined;
    const note = injectionNote(call);
    const signal = note !== null && note.signal !== 0 ? formatSignal(note.signal, null) : this.sigpipe(call, result);
    if (this.status !== null && !this.status.has(result < 0 ? 'failed' : 'successful')) {
      if (signal !== null) this.write(`${this.prefix(call.proc, end)}${signal}\n`);
      return undefined;
    }
    const exit = formatExit(call.name, call.args, result, this.ctx);
    let ret = formatReturn(call.name, call.args, result, this.ctx);
    if (call.injected) ret += ' (INJECTED)';
    if (note?.delayed === true) ret += ' (DELAYED)';
    if (this.duration) ret += ` <${seconds(end - start)}>`;
    const head =
      p !== undefined && p.split
        ? `${this.prefix(call.proc, end)}<... ${man} resumed>${exit}) `
        : `${this.prefix(call.proc, start)}${man}(${p !== undefined ? p.enter : formatEnter(call.name, call.args, this.ctx)}${exit}) `;
    this.write(`${padResult(head, ret)}\n`);
    if (signal !== null) this.write(`${this.prefix(call.proc, end)}${signal}\n`);
    return undefined;
  }

  /**
   * Return the SIGPIPE line Linux would print after `call`, or null: a send on a TCP socket
   * that failed with EPIPE, without MSG_NOSIGNAL, and not because an injector said so
   * (strace's injection skips the call, and with it the signal). The kernel sends it as
   * from the writer itself (SI_USER, the writer's pid). Our processes have no signals: it
   * is only shown, as a Node process, which ignores SIGPIPE, would show it under strace.
   */
  private sigpipe(call: SyscallCall, result: number): string | null {
    if (result !== -EPIPE || call.injected) return null;
    if (call.name !== 'send' && call.name !== 'sendto' && call.name !== 'sendAsync') return null;
    const flags = call.args[4];
    if (typeof flags === 'number' && (flags & MSG_NOSIGNAL) !== 0) return null;
    const fd = call.args[0];
    if (typeof fd !== 'number' || call.proc.file(fd)?.kind !== FileKind.Tcp) return null;
    return formatSignal(SIGPIPE, { pid: this.pidOf(call.proc), uid: this.uid });
  }

  private printing(): boolean {
    return this.summary !== 'only';
  }

  /** Print the open call's entry as `name(args <unfinished ...>`. */
  private splitOpen(): void {
    const p = this.open!;
    this.open = null;
    p.split = true;
    this.write(`${this.prefix(p.call.proc, p.startMs)}${SYSCALL_MAN_NAMES[p.call.name]}(${p.enter} <unfinished ...>\n`);
  }

  /** Return strace's line prefix: the pid (`[pid  N] `, or `N     ` in a file), then the time, then the relative time. */
  private prefix(proc: Process, at: number): string {
    const several = this.forcePids || this.handles.size > 1;
    let pid = '';
    if (this.toFile) {
      if (several || this.follow) pid = `${String(this.pidOf(proc)).padEnd(5)} `;
    } else if (several) {
      pid = `[pid ${String(this.pidOf(proc)).padStart(5)}] `;
    }
    if (!this.relative) return pid + this.stamp(at);
    const d = Number.isNaN(this.lastStamp) ? 0 : Math.max(0, at - this.lastStamp);
    this.lastStamp = at;
    const us = Math.round(d * 1000);
    const rel = `${String(Math.floor(us / 1e6)).padStart(6)}.${String(us % 1e6).padStart(6, '0')}`;
    return this.timestamps === 'none' ? `${pid}${rel} ` : `${pid}${this.stamp(at)}(+${rel}) `;
  }

  private stamp(at: number): string {
    switch (this.timestamps) {
      case 'none':
      case 'relative':
        return '';
      case 'epoch': {
        const us = Math.round((this.epochMs + at) * 1000);
        return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')} `;
      }
      default: {
        const us = Math.round((this.epochMs + at) * 1000);
        const d = new Date(Math.floor(us / 1000));
        const hms = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
        return this.timestamps === 'time' ? `${hms} ` : `${hms}.${String(us % 1e6).padStart(6, '0')} `;
      }
    }
  }
}

/** Return the outcomes a `-e status=` set names, or null for all of them. Errors: NETCH_ERR_HOOK_SPEC for an unknown one. */
function parseStatus(spec: string | readonly string[]): ReadonlySet<string> | null {
  let tokens = typeof spec === 'string' ? spec.split(',') : [...spec];
  let negate = false;
  if (tokens.length > 0 && tokens[0]!.startsWith('!')) {
    negate = true;
    tokens = [tokens[0]!.slice(1), ...tokens.slice(1)];
  }
  const set = new Set<string>();
  for (const raw of tokens) {
    const t = raw.trim().toLowerCase();
    if (t === 'none' || t === '') continue;
    if (t === 'all') {
      for (const n of STATUS_NAMES) set.add(n);
      continue;
    }
    if (!(STATUS_NAMES as readonly string[]).includes(t)) {
      throw netchError('NETCH_ERR_HOOK_SPEC', `status ${raw}: use ${STATUS_NAMES.join(', ')}, all or none`);
    }
    set.add(t);
  }
  const out = negate ? new Set(STATUS_NAMES.filter((n) => !set.has(n))) : set;
  return STATUS_NAMES.every((n) => out.has(n)) ? null : out;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Return milliseconds as strace prints seconds: "0.000123". */
function seconds(ms: number): string {
  const us = Math.max(0, Math.round(ms * 1000));
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** Attach a new Tracer with `opts` to `proc`; return the tracer (its `detachAll()` stops it). */
export function trace(proc: Process, opts: TracerOptions = {}): Tracer {
  const t = new Tracer(opts);
  t.attach(proc);
  return t;
}
