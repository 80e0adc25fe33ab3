// Hooks on one process's syscall table. A hook names the entries it wants and gets a
// `before` and an `after` look at each call of them: before may change the arguments in
// place or end the call with a result of its own (a -errno, or a value), after sees the
// result and may replace it. Several hooks on one entry nest like an onion, ordered by
// `order` (lower is outer; installation order among equals): befores run outer to inner,
// afters inner to outer, and a before that ends the call skips the inner hooks and the
// implementation. Installing puts one dispatcher per entry on the table through
// wrapSyscall (src/posix/syscalls.ts); removing the last hook of an entry puts the plain
// implementation back, so an unhooked entry costs nothing. A result set by a locked hook
// (a locked Policy's denial) is final: outer afters see it but cannot replace it, so a hook
// installed later cannot turn a denial into a success (seccomp: the strictest verdict wins).
//
// Nothing goes beneath a locked hook: installing a hook whose order would put it inside a
// locked policy on one of its entries throws NETCH_ERR_POLICY_LOCKED (give it a lower
// order: outside, it sees every call and may end one, never undo a denial), and the
// entries a locked policy guards are sealed against wrapSyscall.
//
// Errors: installing a hook already installed on the process throws
// NETCH_ERR_HOOK_INSTALLED; removing a locked hook (a locked Policy), or installing a hook
// beneath one, throws NETCH_ERR_POLICY_LOCKED.

import { netchError } from '../iface/errors.js';
import type { Process } from '../posix/process.js';
import { SYSCALL_NAMES, SYSCALL_MAN_NAMES, type SyscallName, type SyscallTable, wrapSyscall } from '../posix/syscalls.js';

/** What a hook's before or after returns: a number replaces the result; nothing lets the call go on. */
export type HookVerdict = number | undefined | void;

/** One call passing through the hooks of an entry: who made it, which entry, its arguments. */
export class SyscallCall {
  /** The hook whose before ended the call (its result is not the kernel's), or null. */
  endedBy: SyscallHook | null = null;

  /** Record a call; the dispatcher creates one per hooked call. */
  constructor(
    readonly proc: Process,
    readonly name: SyscallName,
    /** The arguments, in the table's order; a before hook may change them in place. */
    readonly args: unknown[],
    /** True for the blocking (promise-returning) entries. */
    readonly blocking: boolean,
  ) {}

  /** Return true when a fault injector ended the call (strace marks such a line "(INJECTED)"). */
  get injected(): boolean {
    return this.endedBy !== null && this.endedBy.injects === true;
  }

  /** Return the system call strace would show ("accept4" for acceptAsync). */
  get manName(): string {
    return SYSCALL_MAN_NAMES[this.name];
  }
}

/** A hook: what it watches, and what it does before and after a call. */
export interface SyscallHook {
  /** A short name for messages ("tracer", "policy"). */
  readonly label: string;
  /** The entries hooked (default: every entry of the table). */
  readonly calls?: Iterable<SyscallName>;
  /** Nesting: lower runs outer (sees what inner hooks did); default 0. Tracers -100, policies -50. */
  readonly order?: number;
  /** True for fault injectors: a call this hook ends is shown "(INJECTED)" by tracers. */
  readonly injects?: boolean;
  /** When true, uninstalling throws NETCH_ERR_POLICY_LOCKED. */
  readonly locked?: boolean;
  /**
   * Run before the call. Return a number to end the call with it as the result (the
   * implementation and inner hooks do not run; outer afters still see it). On a blocking
   * entry a promise may be returned: the call waits for it (a delay).
   */
  before?(call: SyscallCall): HookVerdict | Promise<HookVerdict>;
  /**
   * Run after the call with its result; return a number to replace it (ignored when a
   * locked hook ended the call: its verdict is final). A promise is awaited on blocking
   * entries only.
   */
  after?(call: SyscallCall, result: number): HookVerdict | Promise<HookVerdict>;
}

/** The handle `installHook` returns. */
export interface HookHandle {
  /** The hook is still installed. */
  readonly installed: boolean;
  /** Remove the hook; return false when it was already removed. Errors: NETCH_ERR_POLICY_LOCKED for a locked hook. */
  uninstall(): boolean;
}

/** The hooks of one entry, replaced as a whole (copy on write) so a call in flight keeps its list. */
interface Slot {
  hooks: readonly SyscallHook[];
  /** Puts the entry the dispatcher replaced back, when the dispatcher is still on the table. */
  unwrap: (() => void) | null;
}

/** What one process has installed. */
interface ProcHooks {
  readonly installed: Set<SyscallHook>;
  readonly slots: Map<SyscallName, Slot>;
}

const registry = new WeakMap<Process, ProcHooks>();

const BLOCKING = new Set<SyscallName>(SYSCALL_NAMES.filter((n) => n.endsWith('Async')));

/** Return true for the blocking (promise-returning) entries of the table. */
export function isBlockingEntry(name: SyscallName): boolean {
  return BLOCKING.has(name);
}

/** Return the hooks installed on `proc`, in no particular order. */
export function installedHooks(proc: Process): SyscallHook[] {
  const ph = registry.get(proc);
  return ph === undefined ? [] : [...ph.installed];
}

/** Return the hooks on entry `name` of `proc`, outermost first. */
export function hooksOn(proc: Process, name: SyscallName): readonly SyscallHook[] {
  return registry.get(proc)?.slots.get(name)?.hooks ?? [];
}

/**
 * Install `hook` on `proc`'s syscall table (no other process is touched); return the
 * handle that removes it. Errors: throws NETCH_ERR_HOOK_INSTALLED when `hook` is already
 * installed on `proc`, NETCH_ERR_HOOK_SPEC when `calls` names no entry of the table.
 */
export function installHook(proc: Process, hook: SyscallHook): HookHandle {
  let ph = registry.get(proc);
  if (ph === undefined) {
    ph = { installed: new Set(), slots: new Map() };
    registry.set(proc, ph);
  }
  if (ph.installed.has(hook)) {
    throw netchError('NETCH_ERR_HOOK_INSTALLED', `hook ${hook.label} is already installed on process ${proc.pid} (${proc.name})`);
  }
  const names = [...new Set(hook.calls ?? SYSCALL_NAMES)];
  for (const n of names) {
    if (!SYSCALL_NAMES.includes(n)) throw netchError('NETCH_ERR_HOOK_SPEC', `${String(n)} is not an entry of the syscall table`);
  }
  const order = hook.order ?? 0;
  for (const n of names) {
    // A stable sort puts the new hook after every hook of its order or lower.
    const guard = ph.slots.get(n)?.hooks.find((h) => h.locked === true && (h.order ?? 0) <= order);
    if (guard !== undefined) {
      throw netchError('NETCH_ERR_POLICY_LOCKED', `hook ${hook.label} (order ${order}) would run beneath the locked ${guard.label} (order ${guard.order ?? 0}) on ${SYSCALL_MAN_NAMES[n]} of process ${proc.pid}: give it a lower order`);
    }
  }
  ph.installed.add(hook);
  for (const n of names) addToSlot(proc, ph, n, hook);
  const owner = ph;
  let live = true;
  return {
    get installed() {
      return live;
    },
    uninstall(): boolean {
      if (!live) return false;
      if (hook.locked === true) throw netchError('NETCH_ERR_POLICY_LOCKED', `hook ${hook.label} is locked on process ${proc.pid}: it cannot be removed`);
      live = false;
      owner.installed.delete(hook);
      for (const n of names) removeFromSlot(proc, owner, n, hook);
      return true;
    },
  };
}

function addToSlot(proc: Process, ph: ProcHooks, name: SyscallName, hook: SyscallHook): void {
  let slot = ph.slots.get(name);
  if (slot === undefined) {
    slot = { hooks: [], unwrap: null };
    ph.slots.set(name, slot);
  }
  const list = [...slot.hooks, hook];
  // A stable sort: equal orders keep installation order.
  list.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  // Frozen: hooksOn hands the list out, and it must not be a way to take a policy off.
  slot.hooks = Object.freeze(list);
  if (slot.unwrap === null) slot.unwrap = wrapEntry(proc.sys, name, slot, proc);
}

function removeFromSlot(proc: Process, ph: ProcHooks, name: SyscallName, hook: SyscallHook): void {
  const slot = ph.slots.get(name);
  if (slot === undefined) return;
  slot.hooks = Object.freeze(slot.hooks.filter((h) => h !== hook));
  if (slot.hooks.length > 0 || slot.unwrap === null) return;
  const before = proc.sys[name];
  slot.unwrap();
  if (proc.sys[name] !== before) {
    // The plain entry is back: nothing is left on the path of this call.
    slot.unwrap = null;
    ph.slots.delete(name);
  }
  // Otherwise someone wrapped the entry after us: our dispatcher stays, as a pass-through
  // with no hooks, and the next installHook reuses it.
}

function wrapEntry(table: SyscallTable, name: SyscallName, slot: Slot, proc: Process): () => void {
  if (BLOCKING.has(name)) {
    return wrapSyscall(table, name, ((n: SyscallName, args: unknown[], next: (...a: unknown[]) => Promise<number>) =>
      dispatchBlocking(slot, new SyscallCall(proc, n, args, true), next)) as never);
  }
  return wrapSyscall(table, name, ((n: SyscallName, args: unknown[], next: (...a: unknown[]) => number) =>
    dispatchSync(slot, new SyscallCall(proc, n, args, false), next)) as never);
}

/** Run a synchronous call through its hooks (promises returned by hooks are ignored here: synchronous calls never wait). */
function dispatchSync(slot: Slot, call: SyscallCall, next: (...a: unknown[]) => number): number {
  const hs = slot.hooks;
  let ran = 0;
  let r: number | undefined;
  // Held here, not on the call, so no hook can make a locked verdict replaceable again.
  let final = false;
  for (; ran < hs.length; ) {
    const h = hs[ran++]!;
    if (h.before === undefined) continue;
    const v = h.before(call);
    if (typeof v === 'number') {
      r = v;
      call.endedBy = h;
      final = h.locked === true;
      break;
    }
  }
  if (r === undefined) r = next(...call.args);
  for (let j = ran - 1; j >= 0; j--) {
    const h = hs[j]!;
    if (h.after === undefined) continue;
    const v = h.after(call, r);
    if (typeof v === 'number' && !final) r = v;
  }
  return r;
}

/** Run a blocking call through its hooks, awaiting the hooks that return promises (delays). */
async function dispatchBlocking(slot: Slot, call: SyscallCall, next: (...a: unknown[]) => Promise<number>): Promise<number> {
  const hs = slot.hooks;
  let ran = 0;
  let r: number | undefined;
  let final = false;
  for (; ran < hs.length; ) {
    const h = hs[ran++]!;
    if (h.before === undefined) continue;
    let v = h.before(call);
    if (v instanceof Promise) v = await v;
    if (typeof v === 'number') {
      r = v;
      call.endedBy = h;
      final = h.locked === true;
      break;
    }
  }
  if (r === undefined) r = await next(...call.args);
  for (let j = ran - 1; j >= 0; j--) {
    const h = hs[j]!;
    if (h.after === undefined) continue;
    let v = h.after(call, r);
    if (v instanceof Promise) v = await v;
    if (typeof v === 'number' && !final) r = v;
  }
  return r;
}
