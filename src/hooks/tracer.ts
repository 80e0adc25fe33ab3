// A tracer that prints a process's socket calls in strace's format, one line per call:
//
//   accept4(3, {sa_family=AF_INET, sin_port=htons(40312), sin_addr=inet_addr("192.0.2.1")}, [16], SOCK_NONBLOCK) = 5
//   recvfrom(5, 0x7ffd00001000, 4096, 0, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)
//
// with strace's options: `-e trace=` (which calls), `-z`/`-Z` (successful or failed calls
// only), `-r`/`-t`/`-tt`/`-ttt` (timestamps from the kernel's clock), `-T` (time in the
// call), `-s` (string limit), `-c`/`-C` (a summary table). A blocking call (acceptAsync,
// recvAsync, ...) prints as the blocking system call; when another call starts while it
// waits, it is split as `strace -f` splits it: `recvfrom(5,  <unfinished ...>` then
// `<... recvfrom resumed>"hi", 4096, 0, NULL, NULL) = 2`. One tracer can be attached to
// several processes; lines then start with `[pid N]`, as with `strace -f`.
//
// Cost: the tracer hooks only the entries `trace` selects (the others stay the plain
// implementation); a call it does hook but does not print (`-Z` and a success) costs the
// dispatch and, when timestamps, -T or -c are on, two clock reads.

import { netchError } from '../iface/errors.js';
import type { Process } from '../posix/process.js';
import { SYSCALL_MAN_NAMES, type SyscallName } from '../posix/syscalls.js';
import { DEFAULT_STRING_LIMIT, FakePointers, type FormatContext, formatEnter, formatExit, formatReturn, padResult } from './format.js';
import { type HookHandle, type SyscallCall, type SyscallHook, installHook } from './hook.js';
import { selectCalls } from './select.js';
import { SyscallSummary } from './summary.js';

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
  /** `-e status=`: print every call, only successful ones (-z) or only failed ones (-Z). */
  status?: 'all' | 'successful' | 'failed';
  /** `-r` relative, `-t` time, `-tt` time with µs, `-ttt` seconds since the epoch; from the kernel's clock. */
  timestamps?: TimestampMode;
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
  private readonly status: 'all' | 'successful' | 'failed';
  private readonly timestamps: TimestampMode;
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
    this.status = opts.status ?? 'all';
    if (!['all', 'successful', 'failed'].includes(this.status)) throw netchError('NETCH_ERR_HOOK_SPEC', `status ${String(this.status)}: use all, successful or failed`);
    this.timestamps = opts.timestamps ?? 'none';
    if (!TIMESTAMP_MODES.includes(this.timestamps)) throw netchError('NETCH_ERR_HOOK_SPEC', `timestamps ${String(this.timestamps)}: use ${TIMESTAMP_MODES.join(', ')}`);
    this.epochMs = opts.epochMs ?? 0;
    this.duration = opts.duration ?? false;
    this.summary = opts.summary ?? 'off';
    if (!['off', 'only', 'also'].includes(this.summary)) throw netchError('NETCH_ERR_HOOK_SPEC', `summary ${String(this.summary)}: use off, only or also`);
    this.forcePids = opts.pids ?? false;
    const limit = opts.stringLimit ?? DEFAULT_STRING_LIMIT;
    if (!Number.isInteger(limit) || limit < 0) throw netchError('NETCH_ERR_HOOK_SPEC', `stringLimit ${limit} is not a non-negative integer`);
    this.ctx = { limit, ptrs: new FakePointers() };
    this.needTime = this.timestamps !== 'none' || this.duration || this.summary !== 'off';
  }

  /** Trace `proc`'s calls; return the handle that stops it. Errors: NETCH_ERR_HOOK_INSTALLED when already attached. */
  attach(proc: Process): HookHandle {
    const h = installHook(proc, this);
    this.handles.set(proc, h);
    return {
      get installed() {
        return h.installed;
      },
      uninstall: () => {
        this.handles.delete(proc);
        return h.uninstall();
      },
    };
  }

  /** Stop tracing every process attached. */
  detachAll(): void {
    for (const h of this.handles.values()) h.uninstall();
    this.handles.clear();
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
    if (this.status === 'all' && this.printing()) this.open = p;
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
      start = p.startMs;
      if (this.open === p) this.open = null;
      else if (this.open !== null) this.splitOpen();
    }
    const man = SYSCALL_MAN_NAMES[call.name];
    if (this.summary !== 'off') this.stats.add(man, end - start, result < 0);
    if (!this.printing()) return undefined;
    if (this.status === 'successful' && result < 0) return undefined;
    if (this.status === 'failed' && result >= 0) return undefined;
    const exit = formatExit(call.name, call.args, result, this.ctx);
    let ret = formatReturn(call.name, call.args, result, this.ctx);
    if (call.injected) ret += ' (INJECTED)';
    if (this.duration) ret += ` <${seconds(end - start)}>`;
    const head =
      p !== undefined && p.split
        ? `${this.prefix(call.proc, end)}<... ${man} resumed>${exit}) `
        : `${this.prefix(call.proc, start)}${man}(${p !== undefined ? p.enter : formatEnter(call.name, call.args, this.ctx)}${exit}) `;
    this.write(`${padResult(head, ret)}\n`);
    return undefined;
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

  private prefix(proc: Process, at: number): string {
    const pid = this.forcePids || this.handles.size > 1 ? `[pid ${String(proc.pid).padStart(5)}] ` : '';
    return pid + this.stamp(at);
  }

  private stamp(at: number): string {
    switch (this.timestamps) {
      case 'none':
        return '';
      case 'relative': {
        const d = Number.isNaN(this.lastStamp) ? 0 : Math.max(0, at - this.lastStamp);
        this.lastStamp = at;
        const us = Math.round(d * 1000);
        return `${String(Math.floor(us / 1e6)).padStart(6)}.${String(us % 1e6).padStart(6, '0')} `;
      }
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
