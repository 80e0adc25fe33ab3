// Open file descriptions (the kernel's `struct file`): what an fd points at. Every kind
// (TCP socket, UDP socket, epoll instance, the console files of fds 0-2) answers `poll()`
// with POLL* bits as they are now, and tells its watchers when they may have changed:
// epoll entries and the waiters of the promise-returning calls. Several fds (in one or
// several processes) may share one description; it is released when the last closes.

import { POLLERR, POLLHUP, POLLIN, POLLOUT, O_RDWR } from './constants.js';
import type { Kernel } from './kernel.js';

/** The kinds of open files. */
export const FileKind = {
  /** fds 0-2: a terminal-like file that is not a socket (always readable at EOF, always writable). */
  Console: 0,
  Tcp: 1,
  Udp: 2,
  Epoll: 3,
} as const;

/** One of the FileKind values. */
export type FileKindCode = (typeof FileKind)[keyof typeof FileKind];

/** Something told when a file's readiness may have changed. */
export interface FileWatcher {
  /**
   * Called after a change; `key` holds the events that happened (bits that rose, or fired
   * again such as new data). May remove itself from the file's watchers, nothing else.
   */
  wake(file: OpenFile, key: number): void;
  /** Called when the file is released (its last fd closed). */
  closed(file: OpenFile): void;
}

/** An open file description. */
export abstract class OpenFile {
  /** File status flags (F_GETFL): the access mode and O_NONBLOCK. */
  statusFlags = O_RDWR;
  /** File descriptors (in any process) pointing here. */
  refs = 0;
  /** Epoll entries and waiters. */
  readonly watchers: FileWatcher[] = [];

  constructor(
    readonly kernel: Kernel,
    readonly kind: FileKindCode,
  ) {}

  /** Return the POLL* bits as they are now. */
  abstract poll(): number;

  /** Release what the file holds (the last fd was closed). */
  abstract release(): void;

  /** Tell every watcher that events in `key` happened (default: the bits now set). Bounded work: once each. */
  notify(key: number = this.poll()): void {
    const w = this.watchers;
    // Backwards: a watcher may remove itself (waiters do) without skipping another.
    for (let i = w.length - 1; i >= 0; i--) {
      const x = w[i];
      if (x !== undefined) x.wake(this, key);
    }
  }

  /** Tell every watcher the file is released, and forget them. */
  notifyClosed(): void {
    const w = this.watchers.splice(0, this.watchers.length);
    for (let i = w.length - 1; i >= 0; i--) w[i]!.closed(this);
  }

  /** Add a watcher. */
  watch(w: FileWatcher): void {
    this.watchers.push(w);
  }

  /** Remove a watcher (no-op when absent). */
  unwatch(w: FileWatcher): void {
    const i = this.watchers.lastIndexOf(w);
    if (i >= 0) this.watchers.splice(i, 1);
  }
}

/** fds 0-2 of a new process: not sockets (socket calls give ENOTSOCK); read gives EOF, like /dev/null. */
export class ConsoleFile extends OpenFile {
  constructor(kernel: Kernel) {
    super(kernel, FileKind.Console);
  }

  /** Return POLLIN | POLLOUT: reads and writes never block. */
  poll(): number {
    return POLLIN | POLLOUT;
  }

  /** Release nothing. */
  release(): void {}
}

/** The bits poll and epoll always report, asked for or not. */
export const ALWAYS_REPORTED = POLLERR | POLLHUP;
