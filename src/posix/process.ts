// A process: a pid, an fd table and its own syscall table. fds are small integers handed
// out lowest-free-first (POSIX requires it for open, socket, accept, dup); 0-2 are open
// from the start on console files that are not sockets, as a Unix process inherits stdin,
// stdout and stderr. The soft RLIMIT_NOFILE (1024 by default) bounds the fd numbers:
// a call that needs an fd at or past it fails with EMFILE. `exit()` closes every fd.

import { DEFAULT_NOFILE, FD_CLOEXEC } from './constants.js';
import { EBADF, EMFILE, EPERM, ESRCH } from './errno.js';
import type { EpollEvent } from './epoll.js';
import { ConsoleFile, type OpenFile } from './file.js';
import type { Kernel } from './kernel.js';
import type { SockAddrIn } from './sockaddr.js';
import { type PollFd, type SyscallName, type SyscallTable, newSyscallTable, readOnlySyscallTable } from './syscalls.js';

/** A syscall filter (seccomp's SECCOMP_RET_ERRNO): 0 lets the call run, a positive errno fails it. */
export type SyscallFilter = (name: SyscallName) => number;

/** A process of a kernel. */
export class Process {
  /**
   * This process's syscall table: every call goes through it. It is read-only (frozen
   * accessors); hook a call for this process only with installHook or wrapSyscall.
   */
  readonly sys: SyscallTable;
  /** The soft limit of open files (RLIMIT_NOFILE). */
  nofile = DEFAULT_NOFILE;
  /** exit() was called. */
  exited = false;
  /** The exit status given to exit(). */
  exitCode = 0;
  private readonly fds: (OpenFile | null)[] = [];
  /** The syscall filters, newest first; true-private so nothing outside can take one away. */
  readonly #filters: SyscallFilter[] = [];
  private readonly flags: number[] = [];

  /** Create a process; use `kernel.spawn(name)`. */
  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    readonly name: string,
  ) {
    for (let i = 0; i < 3; i++) this.installFd(new ConsoleFile(kernel), false);
    this.sys = readOnlySyscallTable(newSyscallTable(this));
  }

  /**
   * seccomp(SECCOMP_SET_MODE_FILTER): add a filter that every later call of this process
   * passes, in the implementation beneath every table and hook, so no table, copy or
   * captured entry gets round it. A filter can never be removed; with several, the newest
   * that denies a call gives its errno (seccomp: the most recently installed filter's data).
   */
  addSyscallFilter(filter: SyscallFilter): void {
    if (typeof filter !== 'function') throw new TypeError('addSyscallFilter: the filter must be a function');
    this.#filters.unshift(filter);
  }

  /** Return -errno when a filter denies call `name` of this process, else 0. */
  syscallDenied(name: SyscallName): number {
    const fs = this.#filters;
    if (fs.length === 0) return 0;
    for (let i = 0; i < fs.length; i++) {
      const e = fs[i]!(name);
      // A filter that answers anything but 0 or an errno fails the call closed.
      if (e !== 0) return Number.isInteger(e) && e > 0 ? -e : -EPERM;
    }
    return 0;
  }

  /** Return the open file of `fd`, or null when `fd` is not an open descriptor. */
  file(fd: number): OpenFile | null {
    return Number.isInteger(fd) && fd >= 0 ? (this.fds[fd] ?? null) : null;
  }

  /** Return the lowest free fd below the RLIMIT_NOFILE limit, or -1 (EMFILE). */
  lowestFreeFd(): number {
    if (this.exited) return -1;
    const fds = this.fds;
    const lim = this.nofile;
    for (let i = 0; i < fds.length && i < lim; i++) if (fds[i] === null) return i;
    return fds.length < lim ? fds.length : -1;
  }

  /** Put `file` at the lowest free fd; return it, or -EMFILE (-ESRCH after exit). The fd takes a reference. */
  installFd(file: OpenFile, cloexec: boolean): number {
    if (this.exited) return -ESRCH;
    const fd = this.lowestFreeFd();
    if (fd < 0) return -EMFILE;
    while (this.fds.length <= fd) {
      this.fds.push(null);
      this.flags.push(0);
    }
    this.fds[fd] = file;
    this.flags[fd] = cloexec ? FD_CLOEXEC : 0;
    file.refs++;
    return fd;
  }

  /** close(2): free `fd`; the file is released when its last fd closes. Return 0 or -EBADF. */
  closeFd(fd: number): number {
    const f = this.file(fd);
    if (f === null) return -EBADF;
    this.fds[fd] = null;
    this.flags[fd] = 0;
    // Trim the tail so the table does not keep growing past what is open.
    while (this.fds.length > 0 && this.fds[this.fds.length - 1] === null) {
      this.fds.pop();
      this.flags.pop();
    }
    if (--f.refs === 0) {
      f.release();
      f.notifyClosed();
    }
    return 0;
  }

  /** dup(2): a new fd for the same open file. Return it, -EBADF or -EMFILE. */
  dupFd(fd: number): number {
    const f = this.file(fd);
    if (f === null) return -EBADF;
    return this.installFd(f, false);
  }

  /** Return the fd flags (FD_CLOEXEC) of `fd` or -EBADF. */
  fdFlags(fd: number): number {
    return this.file(fd) === null ? -EBADF : this.flags[fd]!;
  }

  /** Set the fd flags of an open `fd`. */
  setFdFlags(fd: number, v: number): void {
    if (this.file(fd) !== null) this.flags[fd] = v;
  }

  /** Return the open fds, ascending. */
  openFds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.fds.length; i++) if (this.fds[i] !== null) out.push(i);
    return out;
  }

  /** End the process: close every fd (connections close gracefully, or reset per SO_LINGER 0), leave the kernel's table. */
  exit(code = 0): void {
    if (this.exited) return;
    for (let fd = this.fds.length - 1; fd >= 0; fd--) if (this.fds[fd] !== null) this.closeFd(fd);
    this.exited = true;
    this.exitCode = code;
    this.kernel.reap(this);
  }

  /** accept4(2) that waits for a connection; see SyscallTable.acceptAsync. */
  acceptAsync(fd: number, addr: SockAddrIn | null = null, flags = 0): Promise<number> {
    return this.sys.acceptAsync(fd, addr, flags);
  }

  /** connect(2) that waits for the handshake: 0 or -errno. */
  connectAsync(fd: number, addr: SockAddrIn): Promise<number> {
    return this.sys.connectAsync(fd, addr);
  }

  /** send(2) that waits until all of `len` was queued. */
  sendAsync(fd: number, buf: Uint8Array, off = 0, len: number = buf.length - off, flags = 0): Promise<number> {
    return this.sys.sendAsync(fd, buf, off, len, flags);
  }

  /** recv(2) that waits for data or the end of the stream. */
  recvAsync(fd: number, buf: Uint8Array, off = 0, len: number = buf.length - off, flags = 0): Promise<number> {
    return this.sys.recvAsync(fd, buf, off, len, flags);
  }

  /** recvfrom(2) that waits for a datagram. */
  recvfromAsync(fd: number, buf: Uint8Array, from: SockAddrIn | null = null, off = 0, len: number = buf.length - off, flags = 0): Promise<number> {
    return this.sys.recvfromAsync(fd, buf, off, len, flags, from);
  }

  /** poll(2) that waits up to `timeoutMs` (negative: forever). */
  pollAsync(fds: PollFd[], timeoutMs: number, nfds: number = fds.length): Promise<number> {
    return this.sys.pollAsync(fds, nfds, timeoutMs);
  }

  /** epoll_wait(2) that waits up to `timeoutMs` (negative: forever). */
  epollWaitAsync(epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number): Promise<number> {
    return this.sys.epollWaitAsync(epfd, events, maxevents, timeoutMs);
  }

  /** close(2) that honours SO_LINGER's timeout. */
  closeAsync(fd: number): Promise<number> {
    return this.sys.closeAsync(fd);
  }
}
