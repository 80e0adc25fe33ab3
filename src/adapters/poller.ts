// The readiness loop of a stack, as libuv's uv__io_poll is for Node: one epoll instance in
// the process (epoll_create1 through `proc.sys`), every adapter socket registered
// edge-triggered with its fd as the cookie, and one pending epoll_wait (the blocking
// variant, which waits on the files' readiness callbacks, never on a timer). When it
// returns, each ready fd's handler runs; then the loop waits again. Every call goes
// through the process's syscall table, so a tracer sees epoll_ctl and epoll_wait as it
// would for a real Node process.
//
// Bounded work: one epoll_wait returns at most MAX_EVENTS entries; a handler that throws
// does not stop the loop (the exception is rethrown on the next tick, as an uncaught
// exception of an event handler is in Node).

import type { Process } from '../posix/process.js';
import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_MOD } from '../posix/constants.js';
import { type EpollEvent, newEpollEvents } from '../posix/epoll.js';
import { EBADF } from '../posix/errno.js';

/** Something told about readiness of its fd. */
export interface PollHandler {
  /** Handle the POLL* bits epoll_wait reported for the fd. */
  onPoll(events: number): void;
}

const MAX_EVENTS = 64;

/** One epoll instance of a process and the loop that waits on it. */
export class Poller {
  private epfd = -1;
  private readonly handlers = new Map<number, PollHandler>();
  private readonly events: EpollEvent[] = newEpollEvents(MAX_EVENTS);
  private readonly ctlEvent: EpollEvent = { events: 0, data: 0 };
  private waiting = false;
  private closed = false;

  constructor(private readonly proc: Process) {}

  /** Register `fd` with interest `events` (EPOLLET and friends included); return 0 or -errno. */
  add(fd: number, events: number, h: PollHandler): number {
    if (this.closed) return -EBADF;
    if (this.epfd < 0) {
      const ep = this.proc.sys.epollCreate1(EPOLL_CLOEXEC);
      if (ep < 0) return ep;
      this.epfd = ep;
    }
    const ev = this.ctlEvent;
    ev.events = events;
    ev.data = fd;
    const r = this.proc.sys.epollCtl(this.epfd, EPOLL_CTL_ADD, fd, ev);
    if (r < 0) return r;
    this.handlers.set(fd, h);
    this.kick();
    return 0;
  }

  /** Change the interest of a registered `fd`; return 0 or -errno. */
  modify(fd: number, events: number): number {
    const ev = this.ctlEvent;
    ev.events = events;
    ev.data = fd;
    return this.proc.sys.epollCtl(this.epfd, EPOLL_CTL_MOD, fd, ev);
  }

  /** Forget `fd`'s handler; call it before closing the fd (close(2) drops the epoll entry). */
  remove(fd: number): void {
    this.handlers.delete(fd);
  }

  /** Close the epoll fd and stop the loop. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    if (this.epfd >= 0) this.proc.sys.close(this.epfd);
    this.epfd = -1;
  }

  private kick(): void {
    if (this.waiting || this.closed) return;
    this.waiting = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    const ev = this.events;
    while (!this.closed && this.handlers.size > 0) {
      const n = await this.proc.sys.epollWaitAsync(this.epfd, ev, MAX_EVENTS, -1);
      if (n < 0) break;
      for (let i = 0; i < n; i++) {
        const e = ev[i]!;
        const h = this.handlers.get(e.data);
        if (h === undefined) continue;
        try {
          h.onPoll(e.events);
        } catch (err) {
          process.nextTick(() => {
            throw err;
          });
        }
      }
    }
    this.waiting = false;
    // A registration may have come while the last wait was returning.
    if (!this.closed && this.handlers.size > 0) this.kick();
  }
}
