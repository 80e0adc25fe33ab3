// OS files in a POSIX process's fd table. An AIO instance bound to a process of our stack
// (`processAio`) takes aio_fildes as a descriptor of that process's fd table (src/posix),
// as C takes it as a descriptor of the calling process. The table holds the stack's
// sockets already; an OS file (a descriptor from fs.openSync) joins it through
// `openOsFile`, which installs an `OsFile` the way open(2) installs a regular file. A
// request on an OsFile goes to the helper threads with the OS descriptor; one on a socket
// is served on the calling thread (sockets.ts). docs/aio.md, "Sockets".

import { closeSync } from 'node:fs';
import { FileKind, OpenFile, POLLIN, POLLOUT, type Process } from '../posix/index.js';
import { EBADF } from './errno.js';

/**
 * An OS file descriptor as an open file of a POSIX process: a regular file for the fd
 * table, always ready (poll gives POLLIN | POLLOUT, as Linux's regular files), not a
 * socket (the socket calls give ENOTSOCK). Its I/O happens only through AIO's helpers.
 */
export class OsFile extends OpenFile {
  /** AIO requests submitted on this file and not yet completed (the context counts them). */
  pending = 0;
  /** The last process fd on it closed; the OS descriptor closes when `pending` reaches 0. */
  released = false;

  /**
   * Wrap `osFd`. With `owned` the file takes the descriptor: it is closed (fs.closeSync)
   * once the last process fd pointing here has closed and no AIO request on it is pending;
   * the caller must not close it.
   */
  constructor(
    proc: Process,
    readonly osFd: number,
    readonly owned: boolean,
  ) {
    // The posix layer has no kind for regular files yet; Console is the kind of a
    // non-socket file that is always ready, which is what a regular file is to poll.
    super(proc.kernel, FileKind.Console);
  }

  /** Return POLLIN | POLLOUT: a regular file is always ready. */
  poll(): number {
    return POLLIN | POLLOUT;
  }

  /**
   * The last fd closed. Requests still pending on the file complete as if the close had not
   * happened (POSIX close(2) allows that, and Linux's file references do it for a helper's
   * pread): so the OS descriptor stays open until the last one ends (`requestDone`); closed
   * at once, its number could be handed to another open() and a queued request would read or
   * write the wrong file.
   */
  release(): void {
    this.released = true;
    if (this.pending === 0) this.closeOs();
  }

  /** Count a request on this file as ended; close the OS descriptor after the last one once released. */
  requestDone(): void {
    if (--this.pending === 0 && this.released) this.closeOs();
  }

  private closeOs(): void {
    if (!this.owned) return;
    try {
      closeSync(this.osFd);
    } catch {
      // Already closed by someone else: nothing left to release.
    }
  }
}

/** Options of openOsFile. */
export interface OpenOsFileOptions {
  /** Close the OS descriptor once the last process fd on it has closed (default true). */
  owned?: boolean;
  /** Set FD_CLOEXEC on the new fd (default false). */
  cloexec?: boolean;
}

/**
 * Put the OS descriptor `osFd` into `proc`'s fd table, lowest free fd first as open(2)
 * does; return the new fd, -EBADF for a negative or non-integer `osFd`, -EMFILE past
 * RLIMIT_NOFILE (-ESRCH after exit).
 *
 * Ownership: by default takes the descriptor (closed when the last fd on it has closed and
 * the AIO requests on it have ended); pass `owned: false` to keep it yours.
 */
export function openOsFile(proc: Process, osFd: number, opts: OpenOsFileOptions = {}): number {
  if (!Number.isInteger(osFd) || osFd < 0) return -EBADF;
  return proc.installFd(new OsFile(proc, osFd, opts.owned ?? true), opts.cloexec ?? false);
}
