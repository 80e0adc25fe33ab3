// epoll(7): an interest list of (fd, file) entries and a ready list, as fs/eventpoll.c
// keeps them. A file's readiness change wakes its entries; an entry whose events match
// goes on the ready list; epoll_wait takes entries off it, reports what `poll()` says now,
// and puts level-triggered entries back at the tail (so they are reported again while the
// condition holds), while edge-triggered ones wait for the next wakeup and EPOLLONESHOT
// ones are disarmed until EPOLL_CTL_MOD.

import { EPOLLET, EPOLLEXCLUSIVE, EPOLLONESHOT, POLLIN } from './constants.js';
import { ALWAYS_REPORTED, FileKind, type FileWatcher, OpenFile } from './file.js';
import type { Kernel } from './kernel.js';

/** epoll_event: the events that fired (or the interest, for epoll_ctl) and the caller's data. */
export interface EpollEvent {
  events: number;
  /** The caller's cookie (epoll_data_t), returned as given: an fd, an index, anything. */
  data: number;
}

/** Return `n` zeroed EpollEvent records for epoll_wait to fill. */
export function newEpollEvents(n: number): EpollEvent[] {
  const out: EpollEvent[] = [];
  for (let i = 0; i < n; i++) out.push({ events: 0, data: 0 });
  return out;
}

const FLAGS = EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE;

/** One entry of an interest list. */
export class EpollEntry implements FileWatcher {
  /** On the ready list. */
  ready = false;
  /** EPOLLONESHOT fired: no more events until EPOLL_CTL_MOD. */
  disarmed = false;

  constructor(
    readonly ep: EpollFile,
    readonly fd: number,
    readonly file: OpenFile,
    public events: number,
    public data: number,
  ) {}

  /** Return the POLL* bits this entry reports (its interest plus POLLERR and POLLHUP). */
  mask(): number {
    return (this.events & ~FLAGS) | ALWAYS_REPORTED;
  }

  /** Queue the entry when an event it wants happened (ep_poll_callback). */
  wake(_file: OpenFile, key: number): void {
    if (this.ready || this.disarmed || (key & this.mask()) === 0) return;
    this.ready = true;
    this.ep.queue(this);
  }

  /** The file was released: drop the entry (eventpoll_release). */
  closed(_file: OpenFile): void {
    this.ep.drop(this);
  }
}

/** An epoll instance. */
export class EpollFile extends OpenFile {
  /** The interest list by fd. */
  readonly entries = new Map<number, EpollEntry>();
  /** The ready list, oldest first. */
  readonly readyList: EpollEntry[] = [];

  constructor(kernel: Kernel) {
    super(kernel, FileKind.Epoll);
  }

  /** Return POLLIN when some entry on the ready list has an event to report (an epoll fd can be watched too). */
  poll(): number {
    const r = this.readyList;
    for (let i = 0; i < r.length; i++) {
      const e = r[i]!;
      if ((e.file.poll() & e.mask()) !== 0) return POLLIN;
    }
    return 0;
  }

  /** Add `e` to the ready list and wake the waiters. */
  queue(e: EpollEntry): void {
    this.readyList.push(e);
    this.notify(POLLIN);
  }

  /** epoll_ctl(EPOLL_CTL_ADD): the entry is queued at once when its file is ready already. */
  add(fd: number, file: OpenFile, events: number, data: number): EpollEntry {
    const e = new EpollEntry(this, fd, file, events, data);
    this.entries.set(fd, e);
    file.watch(e);
    this.recheck(e);
    return e;
  }

  /** epoll_ctl(EPOLL_CTL_MOD): new interest and data; re-arms a oneshot entry. */
  modify(e: EpollEntry, events: number, data: number): void {
    e.events = events;
    e.data = data;
    e.disarmed = false;
    this.recheck(e);
  }

  /** epoll_ctl(EPOLL_CTL_DEL). */
  remove(e: EpollEntry): void {
    e.file.unwatch(e);
    this.drop(e);
  }

  /** Forget `e` (its file is gone or it was removed). */
  drop(e: EpollEntry): void {
    if (this.entries.get(e.fd) === e) this.entries.delete(e.fd);
    if (e.ready) {
      const i = this.readyList.indexOf(e);
      if (i >= 0) this.readyList.splice(i, 1);
      e.ready = false;
    }
  }

  private recheck(e: EpollEntry): void {
    if (!e.ready && !e.disarmed && (e.file.poll() & e.mask()) !== 0) {
      e.ready = true;
      this.queue(e);
    }
  }

  /**
   * epoll_wait's harvest (ep_send_events): fill up to `max` of `out` with what the ready
   * entries report now; return the count. Bounded work: each entry on the list once.
   */
  harvest(out: EpollEvent[], max: number): number {
    const r = this.readyList;
    const len = r.length;
    let n = 0;
    let k = 0;
    for (; k < len && n < max; k++) {
      const e = r[k]!;
      e.ready = false;
      const rev = e.disarmed ? 0 : e.file.poll() & e.mask();
      if (rev === 0) continue;
      const o = out[n++]!;
      o.events = rev;
      o.data = e.data;
      if ((e.events & EPOLLONESHOT) !== 0) e.disarmed = true;
      else if ((e.events & EPOLLET) === 0) {
        // Level-triggered: back on the list, to be polled again at the next wait.
        e.ready = true;
        r.push(e);
      }
    }
    r.splice(0, k);
    return n;
  }

  /** Release the interest list. */
  release(): void {
    for (const e of this.entries.values()) e.file.unwatch(e);
    this.entries.clear();
    for (const e of this.readyList) e.ready = false;
    this.readyList.length = 0;
  }
}
