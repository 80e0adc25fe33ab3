// Per-process syscall hooks: tracing in strace's format, fault injection like strace's
// `-e inject=`, and a seccomp-like allow/deny policy, all installed on one process's
// syscall table (src/posix) and leaving every other process untouched.
//
// Guarantees: an entry with no hook is the plain implementation (no cost); installing is
// reversible (a handle) except for a locked policy; installing a hook twice on a process
// throws NETCH_ERR_HOOK_INSTALLED; hooks nest by `order` (tracers outermost, so a trace
// shows what policies and injectors did). Delays run on the kernel's clock.
// Never: reads a clock of its own, changes another process's table, or throws out of a
// call (hooks return -errno like the calls they wrap). docs/hooks.md.

export { type HookHandle, type HookVerdict, type SyscallHook, SyscallCall, installHook, installedHooks, hooksOn, isBlockingEntry } from './hook.js';
export { selectCalls, TRACEABLE_NAMES } from './select.js';
export {
  DEFAULT_STRING_LIMIT, RESULT_COLUMN, FakePointers, type CallText, type FormatContext, formatCall, formatEnter, formatExit, formatFlags,
  formatReturn, formatSignal, formatSockAddrIn, padResult, quoteBytes, signalName, signalNumber, tcpInfoBytes, TCP_INFO_LEN,
} from './format.js';
export { Tracer, type TracerOptions, type TimestampMode, TIMESTAMP_MODES, STATUS_NAMES, trace } from './tracer.js';
export { SyscallSummary, type SummaryRow } from './summary.js';
export { FaultInjector, type FaultRule, type InjectionNote, type WhenSpec, injectFaults, injectionNote, parseInject } from './inject.js';
export { Policy, type PolicyOptions, applyPolicy } from './policy.js';
