// The neighbour (ARP) cache, after Linux's neighbour subsystem (net/core/neighbour.c) and
// RFC 1122 §2.3.2: an entry per (interface, IPv4 address) moves through
//
//   INCOMPLETE --reply--> REACHABLE --reachableMs--> STALE --used--> DELAY
//        |                    ^                        |              | delayFirstProbeMs
//        | mcastProbes        +------reply-------------+-- PROBE <----+
//        v unanswered                                     | ucastProbes unanswered
//     removed (queued packets reported as host unreachable)  v
//                                                          removed
//
// STALE entries still carry traffic; the first use starts revalidation (DELAY, then
// unicast probes), as Linux does. STALE entries unused for gcStaleMs are removed.
// While INCOMPLETE, outgoing frames wait in a small per-entry queue (RFC 1122 §2.3.2.2:
// SHOULD keep at least one); when it is full the oldest is dropped and counted.
//
// Bounded work: the table holds at most `maxEntries`; lookups scan it (small by design);
// `poll` visits each entry once. No allocation per packet: entries and their queue buffers
// are pooled and reused.

import type { Millis } from '../time.js';
import { macToString } from '../wire/ethernet.js';
import { ipv4ToString } from '../wire/ipv4.js';
import type { ArpCounters } from './counters.js';
import type { Interface } from './interface.js';

/** Neighbour states (Linux's NUD_* names). */
export const NeighState = {
  Incomplete: 1,
  Reachable: 2,
  Stale: 3,
  Delay: 4,
  Probe: 5,
} as const;
/** A neighbour state value. */
export type NeighStateCode = (typeof NeighState)[keyof typeof NeighState];

const STATE_NAMES = ['NONE', 'INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE'];

/** Return the name `ip neigh` prints for a state (`REACHABLE`). */
export function neighStateName(s: number): string {
  return STATE_NAMES[s] ?? 'NONE';
}

/** Timers and limits of the cache (Linux's /proc/sys/net/ipv4/neigh/default defaults). */
export interface ArpConfig {
  /** How long a confirmed entry stays REACHABLE (base_reachable_time_ms; Linux randomises 0.5–1.5×, we do not). */
  reachableMs: Millis;
  /** Interval between requests while resolving or probing (retrans_time_ms). */
  retransMs: Millis;
  /** Broadcast requests before giving up on an INCOMPLETE entry (mcast_solicit). */
  mcastProbes: number;
  /** Unicast requests before giving up on a PROBE entry (ucast_solicit). */
  ucastProbes: number;
  /** How long a used STALE entry waits in DELAY before probing (delay_first_probe_time). */
  delayFirstProbeMs: Millis;
  /** How long an unused STALE entry is kept (gc_stale_time). */
  gcStaleMs: Millis;
  /** Most frames held per INCOMPLETE entry (unres_qlen; Linux's default is 101). */
  queueLen: number;
  /**
   * Most bytes of frames held per INCOMPLETE entry (unres_qlen_bytes, 212 992 in Linux,
   * which counts each skb's truesize; ours counts frame bytes), at least one largest frame.
   */
  queueBytes: number;
  /** Most entries in the table (gc_thresh3 in spirit). */
  maxEntries: number;
}

/** Return the default configuration. */
export function defaultArpConfig(): ArpConfig {
  return {
    reachableMs: 30_000,
    retransMs: 1_000,
    mcastProbes: 3,
    ucastProbes: 3,
    delayFirstProbeMs: 5_000,
    gcStaleMs: 60_000,
    queueLen: 101,
    queueBytes: 212_992,
    maxEntries: 256,
  };
}

/** What the cache asks of the host: send requests, and release or fail held frames. */
export interface NeighIo {
  /** Send an ARP request for `ip` on `iface`, broadcast when `dstMac` is 0, else unicast. */
  sendArpRequest(iface: Interface, ip: number, dstMac: number, now: Millis): void;
  /** Transmit a held Ethernet frame now that `entry.mac` is known (patch the destination). */
  flushQueued(entry: NeighEntry, buf: Uint8Array, off: number, len: number, now: Millis): void;
  /** Report a held frame as undeliverable (resolution failed). */
  failQueued(entry: NeighEntry, buf: Uint8Array, off: number, len: number, now: Millis): void;
}

/** One neighbour. Fields are read by the host; only the cache changes them. */
export class NeighEntry {
  iface: Interface | null = null;
  ip = 0;
  mac = 0;
  state: NeighStateCode = NeighState.Incomplete;
  /** When the entry's timer next fires. */
  deadline: Millis = 0;
  /** Requests sent in the current resolution or probe round. */
  probes = 0;
  /** Last time traffic used the entry. */
  usedAt: Millis = 0;
  /** Last time the neighbour confirmed its address. */
  confirmedAt: Millis = 0;
  /**
   * Held frames, oldest first: a byte ring `qBuf` (allocated on first use, kept with the
   * pooled entry) and per frame its offset and length, `qCount` of them from `qHead`.
   */
  qBuf: Uint8Array = EMPTY;
  qOffs: Int32Array = EMPTY_I32;
  qLens: Int32Array = EMPTY_I32;
  qHead = 0;
  qCount = 0;
  /** The size `qBuf` gets (queueBytes, at least the device's largest frame). */
  qBytes = 0;
}

/** A snapshot row for `ip neigh`-style listings. */
export interface NeighInfo {
  iface: string;
  address: string;
  mac: string | null;
  state: string;
}

/** The neighbour table of a host. */
export class ArpCache {
  private readonly list: NeighEntry[] = [];
  private readonly free: NeighEntry[] = [];
  private last: NeighEntry | null = null;

  constructor(
    readonly config: ArpConfig,
    private readonly counters: ArpCounters,
    private readonly io: NeighIo,
  ) {}

  /** Return the number of entries. */
  get size(): number {
    return this.list.length;
  }

  /** Return the entry for `ip` on `iface`, or null. */
  lookup(iface: Interface, ip: number): NeighEntry | null {
    const last = this.last;
    if (last !== null && last.ip === ip && last.iface === iface) return last;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.ip === ip && e.iface === iface) {
        this.last = e;
        return e;
      }
    }
    return null;
  }

  /**
   * Return the entry to send to `ip` through, starting resolution when there is none
   * (and using a STALE entry starts revalidation). When the returned entry is INCOMPLETE
   * the caller holds its frame with `queueSlot`/`queueCommit`. Returns null when the table
   * is full of entries that cannot be evicted (counted in TableFulls).
   */
  resolve(iface: Interface, ip: number, now: Millis): NeighEntry | null {
    let e = this.lookup(iface, ip);
    if (e === null) {
      e = this.create(iface, ip, now);
      if (e === null) return null;
      e.state = NeighState.Incomplete;
      e.probes = 1;
      e.deadline = now + this.config.retransMs;
      e.usedAt = now;
      this.io.sendArpRequest(iface, ip, 0, now);
      return e;
    }
    e.usedAt = now;
    if (e.state === NeighState.Stale) {
      // Linux neigh_event_send: first use of a STALE entry starts the DELAY timer.
      e.state = NeighState.Delay;
      e.deadline = now + this.config.delayFirstProbeMs;
    }
    return e;
  }

  /**
   * Reserve room for a frame of `len` bytes in an INCOMPLETE entry's hold queue; return its
   * offset in `entry.qBuf`, or -1 when the frame cannot be held (longer than the queue).
   * While the queue is full, by count or by bytes, its oldest frame is dropped
   * (UnresolvedDiscards), as Linux's __neigh_event_send drops the head of arp_queue.
   */
  queueSlot(entry: NeighEntry, len: number): number {
    if (entry.qBuf.length === 0) entry.qBuf = new Uint8Array(entry.qBytes);
    const size = entry.qBuf.length;
    if (len > size) {
      this.counters.UnresolvedDiscards++;
      return -1;
    }
    const cap = entry.qLens.length;
    for (;;) {
      if (entry.qCount === 0) {
        entry.qHead = 0;
        break;
      }
      if (entry.qCount < cap) {
        // The frames occupy [head, tail) of the byte ring, possibly wrapped past its end.
        const head = entry.qOffs[entry.qHead]!;
        const last = (entry.qHead + entry.qCount - 1) % cap;
        const tail = entry.qOffs[last]! + entry.qLens[last]!;
        const at = tail > head ? (tail + len <= size ? tail : len <= head ? 0 : -1) : tail + len <= head ? tail : -1;
        if (at >= 0) {
          const i = (entry.qHead + entry.qCount) % cap;
          entry.qOffs[i] = at;
          entry.qLens[i] = 0;
          return at;
        }
      }
      entry.qHead = (entry.qHead + 1) % cap;
      entry.qCount--;
      this.counters.UnresolvedDiscards++;
    }
    entry.qOffs[0] = 0;
    entry.qLens[0] = 0;
    return 0;
  }

  /** Commit the frame of `len` bytes written where `queueSlot` said. */
  queueCommit(entry: NeighEntry, len: number): void {
    const cap = entry.qLens.length;
    entry.qLens[(entry.qHead + entry.qCount) % cap] = len;
    entry.qCount++;
  }

  /**
   * Record that `ip` is at `mac` on `iface`, from an ARP packet (RFC 826's merge step).
   * `solicited` (a reply addressed to us) confirms reachability; anything else leaves
   * a new or changed address STALE, as Linux does. `create` adds an entry when there is
   * none (the packet was addressed to us). Frames held for the entry are sent.
   */
  update(iface: Interface, ip: number, mac: number, solicited: boolean, create: boolean, now: Millis): void {
    let e = this.lookup(iface, ip);
    if (e === null) {
      if (!create) return;
      e = this.create(iface, ip, now);
      if (e === null) return;
      e.state = NeighState.Stale;
    }
    const wasIncomplete = e.state === NeighState.Incomplete;
    const changed = e.mac !== mac;
    e.mac = mac;
    if (solicited) {
      e.state = NeighState.Reachable;
      e.confirmedAt = now;
      e.deadline = now + this.config.reachableMs;
      e.probes = 0;
    } else if (wasIncomplete || changed) {
      e.state = NeighState.Stale;
      e.probes = 0;
    }
    if (e.state === NeighState.Stale) e.deadline = Math.max(e.usedAt, now) + this.config.gcStaleMs;
    if (wasIncomplete) this.flush(e, now);
  }

  /** Run due timers: retries, state changes, expiry; return how many fired. */
  poll(now: Millis): number {
    let fired = 0;
    const list = this.list;
    for (let i = 0; i < list.length; ) {
      const e = list[i]!;
      if (e.deadline > now) {
        i++;
        continue;
      }
      fired++;
      if (this.fire(e, now)) i++;
      // else: e was removed and list[i] now holds another entry; visit it too.
    }
    return fired;
  }

  /** Return the earliest timer deadline, or Infinity. */
  nextDeadline(): Millis {
    let t = Infinity;
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i]!.deadline < t) t = list[i]!.deadline;
    return t;
  }

  /** Remove every entry of `iface` (or all), failing their held frames. */
  flushAll(iface: Interface | null, now: Millis): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i]!;
      if (iface === null || e.iface === iface) this.fail(e, now);
    }
  }

  /** Return a snapshot of the table for listings. */
  snapshot(): NeighInfo[] {
    return this.list.map((e) => ({
      iface: e.iface!.name,
      address: ipv4ToString(e.ip),
      mac: e.state === NeighState.Incomplete ? null : macToString(e.mac),
      state: neighStateName(e.state),
    }));
  }

  /** Return the table as `ip neigh` prints it. */
  format(): string {
    let s = '';
    for (const n of this.snapshot()) s += `${n.address} dev ${n.iface}${n.mac !== null ? ` lladdr ${n.mac}` : ''} ${n.state}\n`;
    return s;
  }

  /** Run one entry's timer; return false when the entry was removed. */
  private fire(e: NeighEntry, now: Millis): boolean {
    const c = this.config;
    switch (e.state) {
      case NeighState.Incomplete:
        if (e.probes < c.mcastProbes) {
          e.probes++;
          e.deadline = now + c.retransMs;
          this.io.sendArpRequest(e.iface!, e.ip, 0, now);
          return true;
        }
        this.counters.ResFailed++;
        this.fail(e, now);
        return false;
      case NeighState.Reachable:
        e.state = NeighState.Stale;
        e.deadline = Math.max(e.usedAt, now) + c.gcStaleMs;
        return true;
      case NeighState.Stale:
        if (e.usedAt + c.gcStaleMs <= now) {
          this.remove(e);
          return false;
        }
        e.deadline = e.usedAt + c.gcStaleMs;
        return true;
      case NeighState.Delay:
        if (e.confirmedAt + c.delayFirstProbeMs > now) {
          e.state = NeighState.Reachable;
          e.deadline = e.confirmedAt + c.reachableMs;
          return true;
        }
        e.state = NeighState.Probe;
        e.probes = 1;
        e.deadline = now + c.retransMs;
        this.io.sendArpRequest(e.iface!, e.ip, e.mac, now);
        return true;
      case NeighState.Probe:
        if (e.probes < c.ucastProbes) {
          e.probes++;
          e.deadline = now + c.retransMs;
          this.io.sendArpRequest(e.iface!, e.ip, e.mac, now);
          return true;
        }
        this.counters.ResFailed++;
        this.fail(e, now);
        return false;
      default:
        return true;
    }
  }

  /** Send the frames held for a newly resolved entry, oldest first. */
  private flush(e: NeighEntry, now: Millis): void {
    const cap = e.qLens.length;
    while (e.qCount > 0) {
      const slot = e.qHead;
      e.qHead = (e.qHead + 1) % cap;
      e.qCount--;
      this.io.flushQueued(e, e.qBuf, e.qOffs[slot]!, e.qLens[slot]!, now);
    }
  }

  /** Report the held frames as undeliverable and remove the entry. */
  private fail(e: NeighEntry, now: Millis): void {
    const cap = e.qLens.length;
    while (e.qCount > 0) {
      const slot = e.qHead;
      e.qHead = (e.qHead + 1) % cap;
      e.qCount--;
      this.counters.UnresolvedDiscards++;
      this.io.failQueued(e, e.qBuf, e.qOffs[slot]!, e.qLens[slot]!, now);
    }
    this.remove(e);
  }

  /** Take an entry from the pool (or evict a STALE one when full); null when impossible. */
  private create(iface: Interface, ip: number, now: Millis): NeighEntry | null {
    if (this.list.length >= this.config.maxEntries && !this.evictOne(now)) {
      this.counters.TableFulls++;
      return null;
    }
    const e = this.free.pop() ?? new NeighEntry();
    const qBytes = Math.max(this.config.queueBytes, iface.dev.maxFrameLen);
    const qLen = Math.max(1, this.config.queueLen);
    if (e.qBytes !== qBytes || e.qLens.length !== qLen) {
      // The hold buffer itself is allocated by the first queueSlot: most entries never hold.
      e.qBuf = EMPTY;
      e.qOffs = new Int32Array(qLen);
      e.qLens = new Int32Array(qLen);
      e.qBytes = qBytes;
    }
    e.iface = iface;
    e.ip = ip;
    e.mac = 0;
    e.state = NeighState.Incomplete;
    e.deadline = Infinity;
    e.probes = 0;
    e.usedAt = now;
    e.confirmedAt = -Infinity;
    e.qHead = 0;
    e.qCount = 0;
    this.list.push(e);
    this.counters.Allocs++;
    return e;
  }

  /** Evict the least recently used STALE entry; return false when there is none. */
  private evictOne(_now: Millis): boolean {
    let victim: NeighEntry | null = null;
    for (const e of this.list) {
      if (e.state === NeighState.Stale && (victim === null || e.usedAt < victim.usedAt)) victim = e;
    }
    if (victim === null) return false;
    this.remove(victim);
    return true;
  }

  /** Take an entry out of the table and return it to the pool. */
  private remove(e: NeighEntry): void {
    const i = this.list.indexOf(e);
    if (i < 0) return;
    const lastIdx = this.list.length - 1;
    this.list[i] = this.list[lastIdx]!;
    this.list.pop();
    if (this.last === e) this.last = null;
    e.iface = null;
    e.qCount = 0;
    this.free.push(e);
    this.counters.Destroys++;
  }
}

const EMPTY = new Uint8Array(0);
const EMPTY_I32 = new Int32Array(0);
