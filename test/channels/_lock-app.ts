// An app for channel mode's lock test: in its stack thread (a channel-mode process, or a
// whole host in one-thread mode) it makes a POSIX kernel over the thread's own host and TCP
// layer, locks a policy on a process of it, and tries every way round the syscall table;
// stats() reports what each attempt got.

import { applyPolicy, installHook } from '../../src/hooks/index.js';
import { AF_INET, Kernel, SOCK_STREAM } from '../../src/posix/index.js';
import { newSyscallTable, wrapSyscall } from '../../src/posix/syscalls.js';
import type { AppStack, StackApp } from '../../src/runtime/channel-mode/app.js';

function attempt(f: () => unknown): string {
  try {
    return String(f());
  } catch (e) {
    return `threw ${(e as { code?: string }).code ?? (e as Error).name}`;
  }
}

/** The factory the worker calls. */
export function lockedProcessApp(): StackApp {
  const out: Record<string, string> = {};
  return {
    start(stack: AppStack): void {
      const kernel = new Kernel(stack.host, { clock: { now: () => performance.now() }, tcp: stack.tcp });
      const p = kernel.spawn('locked');
      const captured = p.sys.socket;
      applyPolicy(p, { deny: 'socket' }).lock();
      out['thread'] = `${stack.index}/${stack.procs}`;
      out['table'] = attempt(() => p.sys.socket(AF_INET, SOCK_STREAM, 0));
      out['assign'] = attempt(() => {
        (p.sys as { socket: unknown }).socket = () => 99;
      });
      out['defineProperty'] = attempt(() => Object.defineProperty(p.sys, 'socket', { value: () => 99 }));
      out['wrapSyscall'] = attempt(() => wrapSyscall(p.sys, 'socket', () => 99));
      out['newSyscallTable'] = attempt(() => newSyscallTable(p).socket(AF_INET, SOCK_STREAM, 0));
      out['captured'] = attempt(() => captured(AF_INET, SOCK_STREAM, 0));
      out['hookBeneath'] = attempt(() => installHook(p, { label: 'beneath', before: () => 3 }));
      out['openFds'] = p.openFds().join(',');
    },
    step: () => 0,
    stats: () => out,
  };
}
