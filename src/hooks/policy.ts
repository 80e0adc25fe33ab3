// A syscall policy in the spirit of seccomp: for each call, allow it or deny it with an
// errno (SECCOMP_RET_ERRNO; EPERM unless told otherwise), counting denials. An allow
// list denies everything it does not name; a deny list allows everything else; with both,
// the deny list wins and unnamed calls take `otherwise`. Names are strace's ("accept4"
// covers accept4 and acceptAsync) or classes ("%network"), see selectCalls.
//
// Once `lock()`ed a policy cannot be loosened, as a seccomp filter cannot be removed:
// allowing a call, changing `otherwise` to allow, or uninstalling it throws
// NETCH_ERR_POLICY_LOCKED. Tightening (denying more) stays possible, as a process may
// add seccomp filters but not take one away. Locking also binds each process the policy
// is on beneath its table: the policy becomes one of the process's syscall filters
// (Process.addSyscallFilter), which the implementation asks before every call, so a copy
// of an entry taken earlier, a fresh table for the process, AIO on its fds and the Node
// adapters all meet the verdict; and its entries are sealed, so no wrapper can replace
// them and no hook can be put beneath the policy. docs/hooks.md says what the lock binds
// and what it cannot (code that holds the kernel or the host).

import { errnoName, errnoNumber, EPERM } from '../errno.js';
import { netchError } from '../iface/errors.js';
import type { Process } from '../posix/process.js';
import { SYSCALL_MAN_NAMES, SYSCALL_NAMES, type SyscallName } from '../posix/syscalls.js';
import { sealSyscallEntries } from '../posix/syscalls.js';
import { type HookHandle, type SyscallCall, type SyscallHook, installHook, installedHooks } from './hook.js';
import { selectCalls } from './select.js';

/** Options of a Policy. */
export interface PolicyOptions {
  /** Calls allowed (everything else is denied unless `otherwise` says allow). */
  allow?: string | readonly string[];
  /** Calls denied, with `errno`; or a record from call set to the errno for it. */
  deny?: string | readonly string[] | Readonly<Record<string, string | number>>;
  /** The errno of a denial (default EPERM). */
  errno?: string | number;
  /** What calls in neither list get (default: deny when `allow` is given, else allow). */
  otherwise?: 'allow' | 'deny';
}

/** A seccomp-like allow/deny policy, installable on processes. */
export class Policy implements SyscallHook {
  readonly label = 'policy';
  readonly order = -50;
  /** Every entry: calls may be denied later (tightening), so the policy sees them all. */
  readonly calls: readonly SyscallName[] = SYSCALL_NAMES;
  // The state is true-private and the instance frozen: code that reaches the policy (through
  // hooksOn, say) can neither rewrite a verdict nor shadow `locked`.
  #denied = 0;
  readonly #deniedBy = new Map<string, number>();
  /** The errno each entry is denied with, 0 when allowed. */
  readonly #verdict = new Map<SyscallName, number>();
  readonly #errno: number;
  #locked = false;
  /** The processes it was attached to (bound beneath their tables when it locks). */
  readonly #procs = new Set<Process>();
  /** The filter a locked policy gives each of its processes: the same verdicts, counted. */
  readonly #filter = (name: SyscallName): number => {
    const e = this.#verdict.get(name) ?? 0;
    if (e !== 0) this.count(name);
    return e;
  };

  /** Create a policy. Errors: NETCH_ERR_HOOK_SPEC for an unknown call, class or errno. */
  constructor(opts: PolicyOptions = {}) {
    this.#errno = toErrno(opts.errno ?? EPERM);
    const otherwise = opts.otherwise ?? (opts.allow !== undefined ? 'deny' : 'allow');
    if (otherwise !== 'allow' && otherwise !== 'deny') throw netchError('NETCH_ERR_HOOK_SPEC', `otherwise ${String(otherwise)}: use allow or deny`);
    for (const n of SYSCALL_NAMES) this.#verdict.set(n, otherwise === 'deny' ? this.#errno : 0);
    if (opts.allow !== undefined) for (const n of selectCalls(opts.allow)) this.#verdict.set(n, 0);
    if (opts.deny !== undefined) this.applyDeny(opts.deny);
    Object.freeze(this);
  }

  /** Denials so far, all processes together. */
  get denied(): number {
    return this.#denied;
  }

  /** True once locked. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Lock the policy: from now on it can only get stricter, and it cannot be uninstalled. */
  lock(): this {
    if (this.#locked) return this;
    this.#locked = true;
    for (const p of this.#procs) {
      if (installedHooks(p).includes(this)) this.bind(p);
      else this.#procs.delete(p);
    }
    return this;
  }

  /** Deny more calls (allowed even when locked). Errors: NETCH_ERR_HOOK_SPEC. */
  deny(calls: string | readonly string[], errno?: string | number): this {
    const e = errno === undefined ? this.#errno : toErrno(errno);
    for (const n of selectCalls(calls)) this.#verdict.set(n, e);
    return this;
  }

  /** Allow calls. Errors: NETCH_ERR_POLICY_LOCKED when locked and one of them is denied now; NETCH_ERR_HOOK_SPEC. */
  allow(calls: string | readonly string[]): this {
    const set = selectCalls(calls);
    if (this.#locked) {
      const loosened = [...set].filter((n) => this.#verdict.get(n) !== 0);
      if (loosened.length > 0) {
        throw netchError('NETCH_ERR_POLICY_LOCKED', `the policy is locked: ${[...new Set(loosened.map((n) => SYSCALL_MAN_NAMES[n]))].join(', ')} cannot be allowed`);
      }
    }
    for (const n of set) this.#verdict.set(n, 0);
    return this;
  }

  /** Return the errno name a call would be denied with ("EPERM"), or null when allowed. */
  check(name: SyscallName): string | null {
    const e = this.#verdict.get(name) ?? 0;
    return e === 0 ? null : errnoName(e);
  }

  /** Return the denials per system call (strace names). */
  denials(): Record<string, number> {
    return Object.fromEntries(this.#deniedBy);
  }

  /** Install on `proc`; return the handle (its uninstall throws once locked). Errors: NETCH_ERR_HOOK_INSTALLED. */
  attach(proc: Process): HookHandle {
    const h = installHook(proc, this);
    this.#procs.add(proc);
    if (this.#locked) this.bind(proc);
    return h;
  }

  /** Hook: deny or let through. */
  before(call: SyscallCall): number | undefined {
    const e = this.#verdict.get(call.name)!;
    if (e === 0) return undefined;
    this.count(call.name);
    return -e;
  }

  private count(name: SyscallName): void {
    this.#denied++;
    const man = SYSCALL_MAN_NAMES[name];
    this.#deniedBy.set(man, (this.#deniedBy.get(man) ?? 0) + 1);
  }

  /** Bind a locked policy to `proc` beneath its table: a syscall filter, and its entries sealed. */
  private bind(proc: Process): void {
    proc.addSyscallFilter(this.#filter);
    sealSyscallEntries(proc.sys, this.calls, 'policy');
  }

  private applyDeny(deny: NonNullable<PolicyOptions['deny']>): void {
    if (typeof deny === 'string' || Array.isArray(deny)) {
      this.deny(deny as string | readonly string[]);
      return;
    }
    for (const [calls, e] of Object.entries(deny as Record<string, string | number>)) this.deny(calls, e);
  }
}

function toErrno(e: string | number): number {
  const n = typeof e === 'number' ? e : errnoNumber(e);
  if (!Number.isInteger(n) || n <= 0 || errnoName(n).startsWith('E?')) throw netchError('NETCH_ERR_HOOK_SPEC', `${String(e)} is not an errno we know`);
  return n;
}

/** Install a new Policy with `opts` on `proc`; return it (lock it with `.lock()`). */
export function applyPolicy(proc: Process, opts: PolicyOptions): Policy {
  const p = new Policy(opts);
  p.attach(proc);
  return p;
}
