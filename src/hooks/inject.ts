// Fault injection, as strace's `-e inject=`: for the calls a rule names, fail with an errno,
// return a value of the rule's choosing, or wait before or after the call (on the kernel's
// clock, so a virtual clock makes a 10-second delay instant), on the nth call, every nth,
// from the nth on, in a range, and with a seeded probability. Tests use it to drive the
// error paths of application code: accept4 failing once with EMFILE, send failing with
// EAGAIN every third call. strace's spec text is accepted too:
//
//   accept4:error=EMFILE:when=1        sendto:error=EAGAIN:when=3+3
//   recvfrom:delay_enter=10ms          connect:error=ECONNREFUSED:probability=0.2:seed=7
//
// As in strace, a call takes the last rule that names it, and `when=first[..last][+[step]]`
// counts each system call apart, per process, from 1 (a rule on "sendto,recvfrom" counts
// the sendto calls and the recvfrom calls separately): `3` the third only, `3+` the third
// and every later one, `3+3` every third, `2..4` the second to the fourth, `2..10+2` every
// second from the second to the tenth. Delays apply to the blocking entries (acceptAsync,
// recvAsync, ...): the synchronous calls never wait. `signal=SIG` is accepted as strace
// accepts it; our processes have no signals, so it is only shown, by a tracer, as strace
// shows the signal arriving. `syscall=NAME` (a pure call strace allows: getpid, ...) with
// error= or retval= is the same as without it here: the call is not made either way.
// `probability=` and `seed=` are ours, not strace's.
// Errors: bad rules throw NETCH_ERR_HOOK_SPEC.

import { errnoName, errnoNumber } from '../errno.js';
import { signalNumber } from './format.js';
import { netchError } from '../iface/errors.js';
import type { Process } from '../posix/process.js';
import { SYSCALL_MAN_NAMES, type SyscallName } from '../posix/syscalls.js';
import { waitUntil } from '../posix/wait.js';
import { Prng } from '../storage/prng.js';
import { type HookHandle, type HookVerdict, type SyscallCall, type SyscallHook, installHook } from './hook.js';
import { selectCalls } from './select.js';

/** Which calls of a rule's set are hit, counted from 1 in each process. */
export interface WhenSpec {
  first: number;
  /** The last call that can be hit (default: `first` when `step` is 0, else no end). */
  last?: number;
  /** The distance between hits; 0: only `first` (and up to `last`, every call). */
  step?: number;
}

/** One injection rule. */
export interface FaultRule {
  /** The calls: names, classes, "all" (see selectCalls). */
  calls: string | readonly string[];
  /** Fail with this errno ("EAGAIN" or 11). */
  error?: string | number;
  /** Return this (non-negative) value instead of calling. */
  retval?: number;
  /** Wait this long (ms, kernel clock) before the call; blocking entries only. */
  delayEnterMs?: number;
  /** Wait this long (ms, kernel clock) after the call; blocking entries only. */
  delayExitMs?: number;
  /** Which calls: strace's `first[..last][+[step]]` text or a WhenSpec (default: every call). */
  when?: string | WhenSpec;
  /** Hit a call that `when` selects with this probability (default 1), drawn from a Prng seeded with `seed`. */
  probability?: number;
  /** The seed of the probability draws, an integer (default 1). */
  seed?: number;
  /** `signal=`: the signal (name or number, 1-64) a hit call gets; shown by tracers, not delivered. */
  signal?: string | number;
  /** `syscall=`: the pure call strace would make instead (getpid, ...); needs error or retval. */
  syscall?: string;
}

/** The calls strace lets `syscall=` name (TRACE_PURE in its x86-64 table: no side effects). */
const PURE_CALLS = new Set(['getegid', 'geteuid', 'getgid', 'getpgrp', 'getpid', 'getppid', 'gettid', 'getuid']);
/** strace's largest `when=` number (its counters are 16-bit; 65535 means "no end"). */
const WHEN_MAX = 0xffff;

/** What an injector did to one call, for a tracer to show. */
export interface InjectionNote {
  /** The signal injected (0: none). */
  signal: number;
  /** The call was delayed (strace's "(DELAYED)"). */
  delayed: boolean;
}

const notes = new WeakMap<SyscallCall, InjectionNote>();

/** Return what an injector did to `call` (signal, delay), or null when it was not hit. */
export function injectionNote(call: SyscallCall): InjectionNote | null {
  return notes.get(call) ?? null;
}

/** A parsed rule, ready to match calls. */
class CompiledRule {
  /** Calls hit so far. */
  hits = 0;
  /** Calls seen per process and system call (strace's counters are per process and syscall). */
  private readonly counts = new WeakMap<Process, Map<string, number>>();
  private readonly prng: Prng;

  constructor(
    readonly text: string,
    readonly calls: ReadonlySet<SyscallName>,
    readonly errno: number,
    readonly retval: number | null,
    readonly delayEnterMs: number,
    readonly delayExitMs: number,
    readonly first: number,
    readonly last: number,
    readonly step: number,
    readonly probability: number,
    seed: number,
    readonly signal: number,
  ) {
    this.prng = new Prng(seed);
  }

  /** Count the call and return true when it is to be hit. */
  hit(proc: Process, name: SyscallName): boolean {
    let perCall = this.counts.get(proc);
    if (perCall === undefined) {
      perCall = new Map();
      this.counts.set(proc, perCall);
    }
    const man = SYSCALL_MAN_NAMES[name];
    const n = (perCall.get(man) ?? 0) + 1;
    perCall.set(man, n);
    if (n < this.first || n > this.last) return false;
    if (this.step > 0 && (n - this.first) % this.step !== 0) return false;
    if (this.probability < 1 && !this.prng.chance(this.probability)) return false;
    this.hits++;
    return true;
  }
}

/** Return the rule strace's `-e inject=` text describes ("accept4:error=EMFILE:when=1"). Errors: NETCH_ERR_HOOK_SPEC. */
export function parseInject(spec: string): FaultRule {
  const [set, ...opts] = spec.split(':');
  if (set === undefined || set === '') throw specError(spec, 'no system call named');
  const rule: FaultRule = { calls: set };
  const once = (present: boolean, key: string): void => {
    if (present) throw specError(spec, `${key}= given twice, or error= with retval=`);
  };
  for (const o of opts) {
    if (o === '') continue; // strace splits with strtok: empty fields vanish
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    const val = eq < 0 ? '' : o.slice(eq + 1);
    switch (key) {
      case 'error':
        once(rule.error !== undefined || rule.retval !== undefined, key);
        rule.error = /^\d+$/.test(val) ? Number(val) : val;
        break;
      case 'retval':
        once(rule.error !== undefined || rule.retval !== undefined, key);
        rule.retval = /^(0x[0-9a-f]+|\d+)$/i.test(val) ? Number(val) : Number.NaN;
        break;
      case 'delay_enter':
        once(rule.delayEnterMs !== undefined, key);
        rule.delayEnterMs = parseDelay(val, spec);
        break;
      case 'delay_exit':
        once(rule.delayExitMs !== undefined, key);
        rule.delayExitMs = parseDelay(val, spec);
        break;
      case 'signal':
        once(rule.signal !== undefined, key);
        rule.signal = /^\d+$/.test(val) ? Number(val) : val;
        break;
      case 'syscall':
        once(rule.syscall !== undefined, key);
        rule.syscall = val;
        break;
      case 'when':
        rule.when = val;
        break;
      case 'probability':
        rule.probability = Number(val);
        break;
      case 'seed':
        rule.seed = Number(val);
        break;
      default:
        // poke_enter=/poke_exit= write into the tracee's memory: we have none to write.
        throw specError(spec, `unknown option ${key} (error, retval, signal, syscall, delay_enter, delay_exit, when; ours: probability, seed)`);
    }
  }
  return rule;
}

/** strace's delays: microseconds, or a number with s, ms, us or ns. */
function parseDelay(v: string, spec: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|ms|us|ns)?$/.exec(v);
  if (m === null) throw specError(spec, `delay ${v}: a number of microseconds, or with s, ms, us or ns`);
  const x = Number(m[1]);
  switch (m[2]) {
    case 's':
      return x * 1000;
    case 'ms':
      return x;
    case 'ns':
      return x / 1e6;
    default:
      return x / 1000;
  }
}

function specError(spec: string, why: string): Error {
  return netchError('NETCH_ERR_HOOK_SPEC', `inject ${spec}: ${why}`);
}

function parseWhen(w: string | WhenSpec | undefined, text: string): [number, number, number] {
  if (w === undefined) return [1, Infinity, 1];
  let first: number;
  let last: number;
  let step: number;
  if (typeof w === 'string') {
    const m = /^(\d+)(?:\.\.(\d+))?(\+(\d*))?$/.exec(w);
    if (m === null) throw specError(text, `when=${w}: expected first[..last][+[step]]`);
    first = Number(m[1]);
    last = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? Infinity : first;
    step = m[3] !== undefined ? (m[4] === '' ? 1 : Number(m[4])) : m[2] !== undefined ? 1 : 0;
    // strace's limits: numbers up to 65535, a last below it (65535 means no end), a step of at least 1.
    if (first > WHEN_MAX || (m[2] !== undefined && last >= WHEN_MAX) || step > WHEN_MAX || (m[4] !== undefined && m[4] !== '' && step < 1)) {
      throw specError(text, `when=${w}: numbers from 1 to 65535, last below 65535, step >= 1`);
    }
  } else {
    first = w.first;
    step = w.step ?? 0;
    last = w.last ?? (step === 0 ? first : Infinity);
    if (step === 0 && last !== first) step = 1;
  }
  if (!Number.isInteger(first) || first < 1 || !(last >= first) || !Number.isInteger(step) || step < 0) {
    throw specError(text, `when: first must be >= 1, last >= first, step >= 0`);
  }
  return [first, last, step];
}

function compile(r: FaultRule | string): CompiledRule {
  const rule = typeof r === 'string' ? parseInject(r) : r;
  const text = typeof r === 'string' ? r : describe(rule);
  let calls: Set<SyscallName>;
  try {
    calls = selectCalls(rule.calls);
  } catch (e) {
    throw specError(text, (e as Error).message.replace(/^NETCH_ERR_HOOK_SPEC: /, ''));
  }
  let errno = 0;
  if (rule.error !== undefined) {
    errno = typeof rule.error === 'number' ? rule.error : errnoNumber(rule.error);
    if (!Number.isInteger(errno) || errno <= 0 || errnoName(errno).startsWith('E?')) throw specError(text, `error ${String(rule.error)} is not an errno we know`);
  }
  let signal = 0;
  if (rule.signal !== undefined) {
    signal = typeof rule.signal === 'number' ? (Number.isInteger(rule.signal) && rule.signal >= 1 && rule.signal <= 64 ? rule.signal : -1) : signalNumber(rule.signal);
    if (signal < 1) throw specError(text, `signal ${String(rule.signal)}: a signal name or a number from 1 to 64`);
  }
  if (rule.syscall !== undefined && !PURE_CALLS.has(rule.syscall)) {
    throw specError(text, `syscall=${rule.syscall}: strace injects only a call without side effects (${[...PURE_CALLS].join(', ')})`);
  }
  const retval = rule.retval ?? null;
  if (retval !== null && (!Number.isInteger(retval) || retval < 0)) throw specError(text, `retval ${retval} must be a non-negative integer`);
  if (errno !== 0 && retval !== null) throw specError(text, 'error and retval exclude each other');
  const dIn = rule.delayEnterMs ?? 0;
  const dOut = rule.delayExitMs ?? 0;
  if (!(dIn >= 0) || !(dOut >= 0) || !Number.isFinite(dIn) || !Number.isFinite(dOut)) throw specError(text, 'delays must be finite and >= 0');
  if (errno === 0 && retval === null && dIn === 0 && dOut === 0 && signal === 0 && rule.delayEnterMs === undefined && rule.delayExitMs === undefined) {
    throw specError(text, 'nothing to inject: give error, retval, signal, delay_enter or delay_exit');
  }
  const p = rule.probability ?? 1;
  if (!(p >= 0 && p <= 1)) throw specError(text, `probability ${p} is not in [0, 1]`);
  const seed = rule.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw specError(text, `seed ${seed} is not an integer`);
  const [first, last, step] = parseWhen(rule.when, text);
  return new CompiledRule(text, calls, errno, retval, dIn, dOut, first, last, step, p, seed, signal);
}

function describe(r: FaultRule): string {
  const parts = [typeof r.calls === 'string' ? r.calls : r.calls.join(',')];
  if (r.error !== undefined) parts.push(`error=${r.error}`);
  if (r.retval !== undefined) parts.push(`retval=${r.retval}`);
  if (r.delayEnterMs !== undefined) parts.push(`delay_enter=${r.delayEnterMs}ms`);
  if (r.delayExitMs !== undefined) parts.push(`delay_exit=${r.delayExitMs}ms`);
  if (r.when !== undefined) parts.push(`when=${typeof r.when === 'string' ? r.when : `${r.when.first}${r.when.last !== undefined ? `..${r.when.last}` : ''}${r.when.step !== undefined ? `+${r.when.step}` : ''}`}`);
  if (r.signal !== undefined) parts.push(`signal=${r.signal}`);
  if (r.syscall !== undefined) parts.push(`syscall=${r.syscall}`);
  if (r.probability !== undefined) parts.push(`probability=${r.probability}`);
  return parts.join(':');
}

/** Sleep `ms` on the kernel's clock (a timer on its heap). */
function sleep(proc: Process, ms: number): Promise<boolean> {
  return waitUntil(proc.kernel, [], () => false, ms);
}

/** A set of injection rules, installable on processes; a call takes the last rule naming it (as strace). */
export class FaultInjector implements SyscallHook {
  readonly label = 'inject';
  readonly order = 0;
  readonly injects = true;
  readonly calls: ReadonlySet<SyscallName>;
  private readonly rules: CompiledRule[];
  /** The rule of each entry (the last naming it), looked up per call. */
  private readonly ruleOf = new Map<SyscallName, CompiledRule>();
  /** The exit delay owed by each call in flight that was hit. */
  private readonly owed = new WeakMap<SyscallCall, number>();

  /** Compile `rules` (FaultRule records or strace spec strings). Errors: NETCH_ERR_HOOK_SPEC for a bad rule. */
  constructor(rules: readonly (FaultRule | string)[]) {
    this.rules = rules.map(compile);
    for (const r of this.rules) for (const n of r.calls) this.ruleOf.set(n, r);
    this.calls = new Set(this.ruleOf.keys());
  }

  /** Install on `proc`; return the handle that removes it. Errors: NETCH_ERR_HOOK_INSTALLED. */
  attach(proc: Process): HookHandle {
    return installHook(proc, this);
  }

  /** Return how many calls each rule hit, by the rule's text. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rules) out[r.text] = (out[r.text] ?? 0) + r.hits;
    return out;
  }

  /** Hook: decide whether this call is hit, and how. */
  before(call: SyscallCall): HookVerdict | Promise<HookVerdict> {
    const r = this.ruleOf.get(call.name);
    if (r === undefined || !r.hit(call.proc, call.name)) return undefined;
    const verdict = r.errno !== 0 ? -r.errno : (r.retval ?? undefined);
    // Synchronous calls cannot wait: their delays are dropped, and so is the "(DELAYED)" note.
    const delayed = call.blocking && (r.delayEnterMs > 0 || r.delayExitMs > 0);
    if (r.signal !== 0 || delayed) notes.set(call, { signal: r.signal, delayed });
    if (!call.blocking) return verdict;
    if (r.delayExitMs > 0) this.owed.set(call, r.delayExitMs);
    if (r.delayEnterMs === 0) return verdict;
    return sleep(call.proc, r.delayEnterMs).then(() => verdict);
  }

  /** Hook: serve the exit delay of a hit blocking call. */
  after(call: SyscallCall, _result: number): HookVerdict | Promise<HookVerdict> {
    if (!call.blocking) return undefined;
    const d = this.owed.get(call);
    if (d === undefined) return undefined;
    this.owed.delete(call);
    return sleep(call.proc, d).then(() => undefined);
  }
}

/** Install a FaultInjector with `rules` on `proc`; return it. */
export function injectFaults(proc: Process, rules: readonly (FaultRule | string)[]): FaultInjector {
  const f = new FaultInjector(rules);
  f.attach(proc);
  return f;
}
