// The socket calls and the per-process syscall table. Every call of a process goes through
// `proc.sys`, a plain object whose own properties are the calls: a hook replaces one entry
// of one process's table (wrapSyscall), sees the call's name and arguments, and calls the
// entry it replaced. Each entry is one closure over the process, so an unhooked call costs
// one extra function call and allocates nothing.
//
// Conventions (docs/posix.md): every call returns n >= 0 or -errno (Linux's numbers) and
// never throws: a bad fd is -EBADF, a bad buffer range or a missing out-record -EFAULT, a
// bad flag -EINVAL, as the kernel answers them. The synchronous calls never block: where
// a blocking fd would sleep they answer as a non-blocking one does (-EAGAIN, connect's
// -EINPROGRESS). The promise-returning entries (`acceptAsync`, ...) are the blocking
// calls: they wait for readiness (not for a timer) and resolve with the result; on an
// O_NONBLOCK fd they resolve at once, as the blocking call would return.

import { EpollFile, type EpollEvent } from './epoll.js';
import {
  AF_INET, EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, F_GETFD, F_GETFL, F_SETFD, F_SETFL,
  EPOLLEXCLUSIVE, EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLET,
  FD_CLOEXEC, IPPROTO_IP, IPPROTO_TCP, IPPROTO_UDP, MSG_DONTWAIT, MSG_OOB, MSG_PEEK, MSG_WAITALL, O_NONBLOCK, POLLIN, POLLNVAL, POLLOUT, RLIMIT_NOFILE, SOCK_CLOEXEC,
  SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM,
} from './constants.js';
import {
  EAFNOSUPPORT, EAGAIN, EALREADY, EBADF, EEXIST, EFAULT, EINPROGRESS, EINVAL, ELOOP, EMFILE, ENOENT, ENOTSOCK, EOPNOTSUPP, EPERM,
  EPROTONOSUPPORT, ESOCKTNOSUPPORT,
} from './errno.js';
import { netchError } from '../iface/errors.js';
import { ALWAYS_REPORTED, type OpenFile } from './file.js';
import type { Process } from './process.js';
import { type SockAddrIn, isSockAddrIn, setSockAddr } from './sockaddr.js';
import { type SockOptOut, type SockOptValue, TcpFile } from './tcp-file.js';
import { UdpFile } from './udp-file.js';
import { waitFor, waitUntil } from './wait.js';

/** poll(2)'s `struct pollfd`: `revents` is filled in place. */
export interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

/** The calls of a process. Each returns n >= 0 or -errno; the `Async` ones are the blocking calls. */
export interface SyscallTable {
  /** socket(2): AF_INET, SOCK_STREAM or SOCK_DGRAM (| SOCK_NONBLOCK | SOCK_CLOEXEC), protocol 0 or the type's; returns the fd. */
  socket(domain: number, type: number, protocol: number): number;
  /** bind(2). */
  bind(fd: number, addr: SockAddrIn): number;
  /** listen(2): the backlog goes to the transport unchanged (the personality's rules clamp it). */
  listen(fd: number, backlog: number): number;
  /** accept(2): the new fd; `addr` (when given) gets the peer's address. */
  accept(fd: number, addr: SockAddrIn | null): number;
  /** accept4(2): accept with SOCK_NONBLOCK / SOCK_CLOEXEC for the new fd. */
  accept4(fd: number, addr: SockAddrIn | null, flags: number): number;
  /** connect(2): -EINPROGRESS, then -EALREADY while pending; the outcome through SO_ERROR (or a later connect). */
  connect(fd: number, addr: SockAddrIn): number;
  /** send(2) of `len` bytes of `buf` at `off`: the count taken. */
  send(fd: number, buf: Uint8Array, off: number, len: number, flags: number): number;
  /** recv(2) into `buf` at `off`: the count, 0 at end of stream. */
  recv(fd: number, buf: Uint8Array, off: number, len: number, flags: number): number;
  /** sendto(2): `to` null sends to the connected peer (TCP ignores `to`). */
  sendto(fd: number, buf: Uint8Array, off: number, len: number, flags: number, to: SockAddrIn | null): number;
  /** recvfrom(2): `from` (when given) gets a datagram's source. */
  recvfrom(fd: number, buf: Uint8Array, off: number, len: number, flags: number, from: SockAddrIn | null): number;
  /** shutdown(2). */
  shutdown(fd: number, how: number): number;
  /** close(2): the description is released when its last fd closes. */
  close(fd: number): number;
  /** dup(2): a new fd (lowest free) for the same open file description. */
  dup(fd: number): number;
  /** getsockname(2) into `out`. */
  getsockname(fd: number, out: SockAddrIn): number;
  /** getpeername(2) into `out`. */
  getpeername(fd: number, out: SockAddrIn): number;
  /** setsockopt(2): an int (or boolean), a Linger for SO_LINGER, a string for TCP_CONGESTION. */
  setsockopt(fd: number, level: number, optname: number, value: SockOptValue): number;
  /** getsockopt(2): an int option's value, or 0 after filling `out` (Linger, TcpInfo, StringOpt). */
  getsockopt(fd: number, level: number, optname: number, out?: SockOptOut | null): number;
  /** fcntl(2): F_GETFL / F_SETFL (O_NONBLOCK), F_GETFD / F_SETFD (FD_CLOEXEC). */
  fcntl(fd: number, cmd: number, arg?: number): number;
  /** poll(2), never blocking (`timeoutMs` is not waited; use pollAsync): the count of entries with revents. */
  poll(fds: PollFd[], nfds: number, timeoutMs: number): number;
  /** epoll_create1(2). */
  epollCreate1(flags: number): number;
  /** epoll_ctl(2). */
  epollCtl(epfd: number, op: number, fd: number, event: EpollEvent | null): number;
  /** epoll_wait(2), never blocking (use epollWaitAsync): fills `events`, returns the count. */
  epollWait(epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number): number;
  /** getrlimit(2): the soft limit (RLIMIT_NOFILE only). */
  getrlimit(resource: number): number;
  /** setrlimit(2): the soft limit (RLIMIT_NOFILE only; above the hard limit is EPERM). */
  setrlimit(resource: number, soft: number): number;
  /** accept4 that waits for a connection. */
  acceptAsync(fd: number, addr: SockAddrIn | null, flags: number): Promise<number>;
  /** connect that waits for the handshake: 0 or the error (ECONNREFUSED, ETIMEDOUT, ...). */
  connectAsync(fd: number, addr: SockAddrIn): Promise<number>;
  /** send that waits until all `len` bytes were queued: `len`, or the count queued before an error, or the error. */
  sendAsync(fd: number, buf: Uint8Array, off: number, len: number, flags: number): Promise<number>;
  /** recv that waits for data or the end of the stream (with MSG_WAITALL on TCP: for all `len` bytes, the end, or an error). */
  recvAsync(fd: number, buf: Uint8Array, off: number, len: number, flags: number): Promise<number>;
  /** recvfrom that waits for a datagram. */
  recvfromAsync(fd: number, buf: Uint8Array, off: number, len: number, flags: number, from: SockAddrIn | null): Promise<number>;
  /** poll that waits up to `timeoutMs` (negative: forever). */
  pollAsync(fds: PollFd[], nfds: number, timeoutMs: number): Promise<number>;
  /** epoll_wait that waits up to `timeoutMs` (negative: forever). */
  epollWaitAsync(epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number): Promise<number>;
  /** close that, with SO_LINGER on and l_linger > 0, waits until the FIN is acknowledged or l_linger seconds pass; resolves 0. */
  closeAsync(fd: number): Promise<number>;
}

/** The name of an entry of the table. */
export type SyscallName = keyof SyscallTable;

/** The entries, in the table's order. */
export const SYSCALL_NAMES: readonly SyscallName[] = [
  'socket', 'bind', 'listen', 'accept', 'accept4', 'connect', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'close', 'dup',
  'getsockname', 'getpeername', 'setsockopt', 'getsockopt', 'fcntl', 'poll', 'epollCreate1', 'epollCtl', 'epollWait', 'getrlimit',
  'setrlimit', 'acceptAsync', 'connectAsync', 'sendAsync', 'recvAsync', 'recvfromAsync', 'pollAsync', 'epollWaitAsync', 'closeAsync',
];

/** The system call each entry stands for, as strace names it (`epollCtl` → "epoll_ctl", `acceptAsync` → "accept4"). */
export const SYSCALL_MAN_NAMES: Readonly<Record<SyscallName, string>> = {
  socket: 'socket', bind: 'bind', listen: 'listen', accept: 'accept', accept4: 'accept4', connect: 'connect', send: 'sendto',
  recv: 'recvfrom', sendto: 'sendto', recvfrom: 'recvfrom', shutdown: 'shutdown', close: 'close', dup: 'dup',
  getsockname: 'getsockname', getpeername: 'getpeername', setsockopt: 'setsockopt', getsockopt: 'getsockopt', fcntl: 'fcntl',
  poll: 'poll', epollCreate1: 'epoll_create1', epollCtl: 'epoll_ctl', epollWait: 'epoll_wait', getrlimit: 'getrlimit',
  setrlimit: 'setrlimit', acceptAsync: 'accept4', connectAsync: 'connect', sendAsync: 'sendto', recvAsync: 'recvfrom',
  recvfromAsync: 'recvfrom', pollAsync: 'poll', epollWaitAsync: 'epoll_wait', closeAsync: 'close',
};

/** A hook around one entry: gets the entry's name, its arguments and the entry it replaced. */
export type SyscallWrapper<K extends SyscallName> = (name: K, args: Parameters<SyscallTable[K]>, next: SyscallTable[K]) => ReturnType<SyscallTable[K]>;

/** The entries behind a process's table, and those a locked hook guards. */
interface TableState {
  readonly entries: SyscallTable;
  readonly sealed: Set<SyscallName>;
  /** The label of the hook that sealed entries last (for messages). */
  sealedBy: string;
}

const tableStates = new WeakMap<SyscallTable, TableState>();

/**
 * Return the table a process exposes: one read-only accessor per entry over `entries`,
 * frozen, so assignment, deletion and defineProperty cannot change it; wrapSyscall (and
 * the hooks layer through it) is the one way to replace an entry. Assigning throws
 * NETCH_ERR_SYSCALL_TABLE (the engine's TypeError for delete and defineProperty).
 */
export function readOnlySyscallTable(entries: SyscallTable): SyscallTable {
  const table = {} as SyscallTable;
  for (const n of SYSCALL_NAMES) {
    Object.defineProperty(table, n, {
      get: () => entries[n],
      set: () => {
        throw netchError('NETCH_ERR_SYSCALL_TABLE', `the syscall table is read-only: hook ${n} with installHook or wrapSyscall`);
      },
      enumerable: true,
      configurable: false,
    });
  }
  Object.freeze(table);
  tableStates.set(table, { entries, sealed: new Set(), sealedBy: '' });
  return table;
}

/**
 * Guard entries `names` of a process's table for good: wrapSyscall refuses them from now
 * on (NETCH_ERR_POLICY_LOCKED). A locked Policy seals every entry it hooks; nothing
 * unseals. A table that is not a process's (a plain object) is left alone.
 */
export function sealSyscallEntries(table: SyscallTable, names: Iterable<SyscallName>, by: string): void {
  const st = tableStates.get(table);
  if (st === undefined) return;
  for (const n of names) st.sealed.add(n);
  st.sealedBy = by;
}

/** Return true when entry `name` of `table` is sealed by a locked hook. */
export function isSyscallEntrySealed(table: SyscallTable, name: SyscallName): boolean {
  return tableStates.get(table)?.sealed.has(name) === true;
}

/**
 * Replace entry `name` of `table` (one process's `sys`) by `wrapper` around the current
 * entry; return a function that takes the wrapper out again (when it is still the entry:
 * unwrap in the reverse order of wrapping). Errors: NETCH_ERR_POLICY_LOCKED when a locked
 * policy guards the entry (install a hook outside it instead: installHook).
 */
export function wrapSyscall<K extends SyscallName>(table: SyscallTable, name: K, wrapper: SyscallWrapper<K>): () => void {
  const st = tableStates.get(table);
  if (st !== undefined && st.sealed.has(name)) {
    throw netchError('NETCH_ERR_POLICY_LOCKED', `${SYSCALL_MAN_NAMES[name]} is guarded by a locked ${st.sealedBy}: its entry cannot be replaced`);
  }
  const entries = st?.entries ?? table;
  const next = entries[name];
  const fn = ((...args: Parameters<SyscallTable[K]>) => wrapper(name, args, next)) as SyscallTable[K];
  entries[name] = fn;
  return () => {
    if (entries[name] === fn) entries[name] = next;
  };
}

/** The blocking entries' answer when a filter denies the call, else null. */
function deniedAsync(p: Process, name: SyscallName): Promise<number> | null {
  const e = p.syscallDenied(name);
  return e === 0 ? null : Promise.resolve(e);
}

/** The hard limit of RLIMIT_NOFILE (Linux's fs.nr_open default). */
export const NOFILE_HARD = 1_048_576;
/** Linux's SOCK_MAX: socket types at or above it are EINVAL. */
const SOCK_MAX = 11;
const SOCK_TYPE_MASK = 0xf;

// ---------------------------------------------------------------------------------------
// The calls. Each takes the process first; the table binds it.

function sockOf(p: Process, fd: number): TcpFile | UdpFile | number {
  const f = p.file(fd);
  if (f === null) return -EBADF;
  if (f instanceof TcpFile || f instanceof UdpFile) return f;
  return -ENOTSOCK;
}

function badRange(buf: Uint8Array, off: number, len: number): boolean {
  return !(buf instanceof Uint8Array) || !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > buf.length;
}

function sysSocket(p: Process, domain: number, type: number, protocol: number): number {
  if (!Number.isInteger(domain) || !Number.isInteger(type) || !Number.isInteger(protocol)) return -EINVAL;
  const flags = type & ~SOCK_TYPE_MASK;
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) !== 0) return -EINVAL;
  const base = type & SOCK_TYPE_MASK;
  if (domain < 0 || domain >= 46) return -EAFNOSUPPORT; // NPROTO
  if (base >= SOCK_MAX) return -EINVAL;
  if (domain !== AF_INET) return -EAFNOSUPPORT;
  if (base === SOCK_STREAM) {
    if (protocol !== IPPROTO_IP && protocol !== IPPROTO_TCP) return -EPROTONOSUPPORT;
  } else if (base === SOCK_DGRAM) {
    if (protocol !== IPPROTO_IP && protocol !== IPPROTO_UDP) return -EPROTONOSUPPORT;
  } else {
    return protocol !== IPPROTO_IP ? -EPROTONOSUPPORT : -ESOCKTNOSUPPORT;
  }
  if (p.lowestFreeFd() < 0) return -EMFILE;
  const k = p.kernel;
  const f: OpenFile = base === SOCK_STREAM ? new TcpFile(k, k.tcp.socket()) : new UdpFile(k);
  if ((flags & SOCK_NONBLOCK) !== 0) f.statusFlags |= O_NONBLOCK;
  return p.installFd(f, (flags & SOCK_CLOEXEC) !== 0);
}

function sysBind(p: Process, fd: number, addr: SockAddrIn): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (!isSockAddrIn(addr)) return -EFAULT;
  return f.bind(addr);
}

function sysListen(p: Process, fd: number, backlog: number): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (!(f instanceof TcpFile)) return -EOPNOTSUPP;
  return f.listen(Number.isInteger(backlog) ? backlog : 0);
}

function sysAccept4(p: Process, fd: number, addr: SockAddrIn | null, flags: number): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (!Number.isInteger(flags) || (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) !== 0) return -EINVAL;
  if (!(f instanceof TcpFile)) return -EOPNOTSUPP;
  if (!f.isListening()) return -EINVAL;
  if (addr !== null && addr !== undefined && !isSockAddrIn(addr)) return -EFAULT;
  // The fd first, as Linux does: with none free the connection stays queued.
  if (p.lowestFreeFd() < 0) return -EMFILE;
  const c = f.acceptSocket();
  if (c === null) return -EAGAIN;
  const nf = new TcpFile(p.kernel, c);
  nf.lingerOn = f.lingerOn;
  nf.lingerSecs = f.lingerSecs;
  nf.reusePort = f.reusePort;
  nf.sndbuf = f.sndbuf;
  nf.rcvbuf = f.rcvbuf;
  if ((flags & SOCK_NONBLOCK) !== 0) nf.statusFlags |= O_NONBLOCK;
  if (addr !== null && addr !== undefined) setSockAddr(addr, c.remoteAddr, c.remotePort);
  return p.installFd(nf, (flags & SOCK_CLOEXEC) !== 0);
}

function sysConnect(p: Process, fd: number, addr: SockAddrIn): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (!isSockAddrIn(addr)) return -EFAULT;
  return f.connect(addr);
}

function sysSendto(p: Process, fd: number, buf: Uint8Array, off: number, len: number, flags: number, to: SockAddrIn | null): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (badRange(buf, off, len)) return -EFAULT;
  if ((flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  if (f instanceof TcpFile) return f.send(buf, off, len);
  if (to !== null && to !== undefined && !isSockAddrIn(to)) return -EFAULT;
  return f.sendTo(buf, off, len, to ?? null);
}

function sysRecvfrom(p: Process, fd: number, buf: Uint8Array, off: number, len: number, flags: number, from: SockAddrIn | null): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (badRange(buf, off, len)) return -EFAULT;
  if ((flags & MSG_OOB) !== 0) return -EOPNOTSUPP;
  if (f instanceof TcpFile) return f.recv(buf, off, len, flags | 0);
  if (from !== null && from !== undefined && !isSockAddrIn(from)) return -EFAULT;
  return f.recvFrom(buf, off, len, flags | 0, from ?? null);
}

function sysShutdown(p: Process, fd: number, how: number): number {
  const f = sockOf(p, fd);
  return typeof f === 'number' ? f : f.shutdown(how);
}

function sysGetsockname(p: Process, fd: number, out: SockAddrIn): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (typeof out !== 'object' || out === null) return -EFAULT;
  return f.sockName(out);
}

function sysGetpeername(p: Process, fd: number, out: SockAddrIn): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  if (typeof out !== 'object' || out === null) return -EFAULT;
  return f.peerName(out);
}

function sysSetsockopt(p: Process, fd: number, level: number, name: number, value: SockOptValue): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  return f.setOpt(level, name, value);
}

function sysGetsockopt(p: Process, fd: number, level: number, name: number, out: SockOptOut | null | undefined): number {
  const f = sockOf(p, fd);
  if (typeof f === 'number') return f;
  return f.getOpt(level, name, out ?? null);
}

function sysFcntl(p: Process, fd: number, cmd: number, arg: number | undefined): number {
  const f = p.file(fd);
  if (f === null) return -EBADF;
  switch (cmd) {
    case F_GETFL:
      return f.statusFlags;
    case F_SETFL: {
      // Only O_NONBLOCK (of the flags we have) can change; the access mode stays (fcntl(2)).
      const a = arg ?? 0;
      f.statusFlags = (f.statusFlags & ~O_NONBLOCK) | (a & O_NONBLOCK);
      return 0;
    }
    case F_GETFD:
      return p.fdFlags(fd);
    case F_SETFD:
      p.setFdFlags(fd, (arg ?? 0) & FD_CLOEXEC);
      return 0;
    default:
      return -EINVAL;
  }
}

function sysPoll(p: Process, fds: PollFd[], nfds: number): number {
  if (!Array.isArray(fds) || !Number.isInteger(nfds) || nfds < 0 || nfds > fds.length) return -EFAULT;
  if (nfds > p.nofile) return -EINVAL;
  // The whole array is read before any revents is written, as do_sys_poll copies it in first.
  for (let i = 0; i < nfds; i++) {
    const pf = fds[i];
    if (typeof pf !== 'object' || pf === null || !Number.isInteger(pf.fd) || !Number.isInteger(pf.events)) return -EFAULT;
  }
  let n = 0;
  for (let i = 0; i < nfds; i++) {
    const pf = fds[i]!;
    if (pf.fd < 0) {
      pf.revents = 0;
      continue;
    }
    const f = p.file(pf.fd);
    const rev = f === null ? POLLNVAL : f.poll() & ((pf.events & 0xffff) | ALWAYS_REPORTED);
    pf.revents = rev;
    if (rev !== 0) n++;
  }
  return n;
}

function sysEpollCreate1(p: Process, flags: number): number {
  if (!Number.isInteger(flags) || (flags & ~EPOLL_CLOEXEC) !== 0) return -EINVAL;
  if (p.lowestFreeFd() < 0) return -EMFILE;
  return p.installFd(new EpollFile(p.kernel), (flags & EPOLL_CLOEXEC) !== 0);
}

function epollOf(p: Process, epfd: number): EpollFile | number {
  const ep = p.file(epfd);
  if (ep === null) return -EBADF;
  return ep instanceof EpollFile ? ep : -EINVAL;
}

/** The bits EPOLLEXCLUSIVE may be combined with (fs/eventpoll.c EPOLLEXCLUSIVE_OK_BITS, less EPOLLWAKEUP). */
const EPOLLEXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | 0x040 | 0x080 | 0x100 | 0x200 | EPOLLERR | EPOLLHUP | EPOLLET | EPOLLEXCLUSIVE;
/** How deep epoll sets may nest (fs/eventpoll.c EP_MAX_NESTS). */
const EP_MAX_NESTS = 4;

/** Return true when `from` reaches `target` through nested epoll entries, or nests deeper than EP_MAX_NESTS (ep_loop_check). */
function epollLoops(from: EpollFile, target: EpollFile, depth: number): boolean {
  if (depth > EP_MAX_NESTS) return true;
  for (const e of from.entries.values()) {
    if (!(e.file instanceof EpollFile)) continue;
    if (e.file === target || epollLoops(e.file, target, depth + 1)) return true;
  }
  return false;
}

function sysEpollCtl(p: Process, epfd: number, op: number, fd: number, ev: EpollEvent | null): number {
  const epf = p.file(epfd);
  const f = p.file(fd);
  if (epf === null || f === null) return -EBADF;
  if (!(epf instanceof EpollFile) || f === epf) return -EINVAL;
  const ep = epf;
  if (op !== EPOLL_CTL_DEL && (typeof ev !== 'object' || ev === null || !Number.isInteger(ev.events))) return -EFAULT;
  if (op !== EPOLL_CTL_DEL && (ev!.events & EPOLLEXCLUSIVE) !== 0) {
    // ep_ctl: EPOLLEXCLUSIVE only when adding, not on an epoll fd, with few other bits.
    if (op === EPOLL_CTL_MOD || f instanceof EpollFile || (ev!.events & ~EPOLLEXCLUSIVE_OK_BITS) !== 0) return -EINVAL;
  }
  let e = ep.entries.get(fd);
  if (e !== undefined && e.file !== f) {
    // The fd was closed and reused while another fd kept the old file open: a different entry.
    ep.remove(e);
    e = undefined;
  }
  switch (op) {
    case EPOLL_CTL_ADD:
      if (e !== undefined) return -EEXIST;
      // An epoll set may not end up inside itself, nor nest too deep (ep_loop_check).
      if (f instanceof EpollFile && epollLoops(f, ep, 1)) return -ELOOP;
      ep.add(fd, f, ev!.events, ev!.data);
      return 0;
    case EPOLL_CTL_MOD:
      if (e === undefined) return -ENOENT;
      if ((e.events & EPOLLEXCLUSIVE) !== 0) return -EINVAL;
      ep.modify(e, ev!.events, ev!.data);
      return 0;
    case EPOLL_CTL_DEL:
      if (e === undefined) return -ENOENT;
      ep.remove(e);
      return 0;
    default:
      return -EINVAL;
  }
}

function sysEpollWait(p: Process, epfd: number, events: EpollEvent[], maxevents: number): number {
  if (!Number.isInteger(maxevents) || maxevents <= 0) return -EINVAL;
  if (!Array.isArray(events) || events.length < maxevents) return -EFAULT;
  const ep = epollOf(p, epfd);
  return typeof ep === 'number' ? ep : ep.harvest(events, maxevents);
}

function sysGetrlimit(p: Process, resource: number): number {
  return resource === RLIMIT_NOFILE ? p.nofile : -EINVAL;
}

function sysSetrlimit(p: Process, resource: number, soft: number): number {
  if (resource !== RLIMIT_NOFILE || !Number.isInteger(soft) || soft < 0) return -EINVAL;
  if (soft > NOFILE_HARD) return -EPERM;
  p.nofile = soft;
  return 0;
}

// ---- the blocking calls ----

/** Return true when a call on `fd` with `flags` must not wait: O_NONBLOCK on the file, or MSG_DONTWAIT on the call. */
function nonBlocking(p: Process, fd: number, flags = 0): boolean {
  const f = p.file(fd);
  return f === null || (f.statusFlags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0;
}

async function acceptAsync(p: Process, fd: number, addr: SockAddrIn | null, flags: number): Promise<number> {
  for (;;) {
    const r = sysAccept4(p, fd, addr, flags);
    if (r !== -EAGAIN || nonBlocking(p, fd)) return r;
    await waitFor(p.kernel, p.file(fd)!, POLLIN, -1);
  }
}

async function connectAsync(p: Process, fd: number, addr: SockAddrIn): Promise<number> {
  let r = sysConnect(p, fd, addr);
  if (r !== -EINPROGRESS || nonBlocking(p, fd)) return r;
  for (;;) {
    const f = p.file(fd);
    if (f === null) return -EBADF;
    await waitFor(p.kernel, f, POLLOUT, -1);
    r = sysConnect(p, fd, addr);
    if (r !== -EALREADY) return r;
  }
}

async function sendAsync(p: Process, fd: number, buf: Uint8Array, off: number, len: number, flags: number): Promise<number> {
  let done = 0;
  for (;;) {
    const r = sysSendto(p, fd, buf, off + done, len - done, flags, null);
    if (r >= 0) {
      done += r;
      if (done >= len) return done;
    } else if (r !== -EAGAIN || nonBlocking(p, fd, flags)) {
      return done > 0 ? done : r;
    }
    if (r === -EAGAIN || r === 0) await waitFor(p.kernel, p.file(fd)!, POLLOUT, -1);
  }
}

async function recvfromAsync(p: Process, fd: number, buf: Uint8Array, off: number, len: number, flags: number, from: SockAddrIn | null): Promise<number> {
  // MSG_WAITALL on a stream (tcp_recvmsg's target = len): keep reading until `len` bytes,
  // the end of the stream or an error; what came before an end or error is returned.
  const all = (flags & MSG_WAITALL) !== 0 && (flags & MSG_PEEK) === 0 && p.file(fd) instanceof TcpFile;
  let done = 0;
  for (;;) {
    const r = sysRecvfrom(p, fd, buf, off + done, len - done, flags, from);
    if (r > 0 && all) {
      done += r;
      if (done >= len) return done;
      continue;
    }
    if (r !== -EAGAIN || nonBlocking(p, fd, flags)) return done > 0 && r <= 0 ? done : r;
    await waitFor(p.kernel, p.file(fd)!, POLLIN, -1);
  }
}

async function pollAsync(p: Process, fds: PollFd[], nfds: number, timeoutMs: number): Promise<number> {
  const k = p.kernel;
  const end = timeoutMs < 0 ? Infinity : k.now() + timeoutMs;
  for (;;) {
    const n = sysPoll(p, fds, nfds);
    if (n !== 0) return n;
    const left = end - k.now();
    if (left <= 0) return 0;
    const files: OpenFile[] = [];
    for (let i = 0; i < nfds; i++) {
      const f = p.file(fds[i]!.fd);
      if (f !== null && fds[i]!.fd >= 0) files.push(f);
    }
    await waitUntil(k, files, () => sysPoll(p, fds, nfds) !== 0, left === Infinity ? -1 : left);
  }
}

async function epollWaitAsync(p: Process, epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number): Promise<number> {
  const k = p.kernel;
  const end = timeoutMs < 0 ? Infinity : k.now() + timeoutMs;
  for (;;) {
    const n = sysEpollWait(p, epfd, events, maxevents);
    if (n !== 0) return n;
    const left = end - k.now();
    if (left <= 0) return 0;
    const ep = p.file(epfd)!;
    await waitFor(k, ep, POLLIN, left === Infinity ? -1 : left);
  }
}

async function closeAsync(p: Process, fd: number): Promise<number> {
  const f = p.file(fd);
  if (!(f instanceof TcpFile) || f.refs !== 1 || f.lingerMs() === 0) return p.closeFd(fd);
  const ms = f.lingerMs();
  const r = p.closeFd(fd);
  if (r < 0 || f.closeDone()) return r;
  f.keepWatching();
  await waitUntil(p.kernel, [f], () => f.closeDone(), ms);
  f.sock.onReadiness = null;
  return 0;
}

/**
 * Return a new table of plain entries that call the implementation for process `p`. Every
 * entry first asks the process's syscall filters (`Process.addSyscallFilter`, what a
 * locked Policy installs): a denied call returns -errno before any work, whichever table,
 * copy or captured reference it was made through, as seccomp runs at the kernel's entry.
 */
export function newSyscallTable(p: Process): SyscallTable {
  return {
    socket: (domain, type, protocol) => p.syscallDenied('socket') || sysSocket(p, domain, type, protocol),
    bind: (fd, addr) => p.syscallDenied('bind') || sysBind(p, fd, addr),
    listen: (fd, backlog) => p.syscallDenied('listen') || sysListen(p, fd, backlog),
    accept: (fd, addr) => p.syscallDenied('accept') || sysAccept4(p, fd, addr, 0),
    accept4: (fd, addr, flags) => p.syscallDenied('accept4') || sysAccept4(p, fd, addr, flags),
    connect: (fd, addr) => p.syscallDenied('connect') || sysConnect(p, fd, addr),
    send: (fd, buf, off, len, flags) => p.syscallDenied('send') || sysSendto(p, fd, buf, off, len, flags, null),
    recv: (fd, buf, off, len, flags) => p.syscallDenied('recv') || sysRecvfrom(p, fd, buf, off, len, flags, null),
    sendto: (fd, buf, off, len, flags, to) => p.syscallDenied('sendto') || sysSendto(p, fd, buf, off, len, flags, to),
    recvfrom: (fd, buf, off, len, flags, from) => p.syscallDenied('recvfrom') || sysRecvfrom(p, fd, buf, off, len, flags, from),
    shutdown: (fd, how) => p.syscallDenied('shutdown') || sysShutdown(p, fd, how),
    close: (fd) => p.syscallDenied('close') || p.closeFd(fd),
    dup: (fd) => p.syscallDenied('dup') || p.dupFd(fd),
    getsockname: (fd, out) => p.syscallDenied('getsockname') || sysGetsockname(p, fd, out),
    getpeername: (fd, out) => p.syscallDenied('getpeername') || sysGetpeername(p, fd, out),
    setsockopt: (fd, level, name, value) => p.syscallDenied('setsockopt') || sysSetsockopt(p, fd, level, name, value),
    getsockopt: (fd, level, name, out) => p.syscallDenied('getsockopt') || sysGetsockopt(p, fd, level, name, out),
    fcntl: (fd, cmd, arg) => p.syscallDenied('fcntl') || sysFcntl(p, fd, cmd, arg),
    poll: (fds, nfds) => p.syscallDenied('poll') || sysPoll(p, fds, nfds),
    epollCreate1: (flags) => p.syscallDenied('epollCreate1') || sysEpollCreate1(p, flags),
    epollCtl: (epfd, op, fd, ev) => p.syscallDenied('epollCtl') || sysEpollCtl(p, epfd, op, fd, ev),
    epollWait: (epfd, events, maxevents) => p.syscallDenied('epollWait') || sysEpollWait(p, epfd, events, maxevents),
    getrlimit: (resource) => p.syscallDenied('getrlimit') || sysGetrlimit(p, resource),
    setrlimit: (resource, soft) => p.syscallDenied('setrlimit') || sysSetrlimit(p, resource, soft),
    acceptAsync: (fd, addr, flags) => deniedAsync(p, 'acceptAsync') ?? acceptAsync(p, fd, addr, flags),
    connectAsync: (fd, addr) => deniedAsync(p, 'connectAsync') ?? connectAsync(p, fd, addr),
    sendAsync: (fd, buf, off, len, flags) => deniedAsync(p, 'sendAsync') ?? sendAsync(p, fd, buf, off, len, flags),
    recvAsync: (fd, buf, off, len, flags) => deniedAsync(p, 'recvAsync') ?? recvfromAsync(p, fd, buf, off, len, flags, null),
    recvfromAsync: (fd, buf, off, len, flags, from) => deniedAsync(p, 'recvfromAsync') ?? recvfromAsync(p, fd, buf, off, len, flags, from),
    pollAsync: (fds, nfds, timeoutMs) => deniedAsync(p, 'pollAsync') ?? pollAsync(p, fds, nfds, timeoutMs),
    epollWaitAsync: (epfd, events, maxevents, timeoutMs) => deniedAsync(p, 'epollWaitAsync') ?? epollWaitAsync(p, epfd, events, maxevents, timeoutMs),
    closeAsync: (fd) => deniedAsync(p, 'closeAsync') ?? closeAsync(p, fd),
  };
}
