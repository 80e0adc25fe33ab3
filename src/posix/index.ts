// The POSIX layer: a Kernel per host (its TcpLayer, sysctls, processes), processes with fd
// tables and per-process syscall tables, and the socket calls with Linux's semantics and
// errno numbers: socket, bind, listen, accept/accept4, connect, send/recv, sendto/recvfrom,
// shutdown, close, getsockname/getpeername, setsockopt/getsockopt, fcntl, poll, epoll.
//
// Guarantees: every call returns n >= 0 or -errno and never throws (bad fds, ranges and
// flags are errnos, as the kernel answers them); every call of a process passes through
// its own `sys` table, one entry per call, read-only but for wrapSyscall (the hooks layer
// wraps entries), and first asks the process's syscall filters (seccomp's, beneath every
// table); synchronous calls never block, the `Async` variants wait on readiness
// callbacks and the kernel's timer heap, never on polling timers. Time comes from the
// Kernel's Clock.
// Never: reads a clock of its own, imports the runtime (drivers are above it), clamps the
// listen() backlog (the transport applies the personality's rules). docs/posix.md.

export * from './constants.js';
export * from './errno.js';
export * from './sockaddr.js';
export { FileKind, type FileKindCode, type FileWatcher, OpenFile, ConsoleFile } from './file.js';
export { TcpFile, type Linger, type StringOpt, type SockOptValue, type SockOptOut, linuxCongestionName } from './tcp-file.js';
export { UdpFile } from './udp-file.js';
export { EpollFile, EpollEntry, type EpollEvent, newEpollEvents } from './epoll.js';
export { Kernel, type KernelOptions } from './kernel.js';
export { Process, type SyscallFilter } from './process.js';
export { Sysctls, type SysctlTarget } from './sysctl.js';
export {
  type PollFd, type SyscallTable, type SyscallName, type SyscallWrapper, SYSCALL_NAMES, SYSCALL_MAN_NAMES, NOFILE_HARD, wrapSyscall,
  isSyscallEntrySealed,
} from './syscalls.js';
export { waitFor, waitUntil } from './wait.js';
export { type TcpInfo, newTcpInfo, tcpInfoInto, LINUX_TCP_STATE, linuxTcpState } from '../transport/tcp/info.js';
