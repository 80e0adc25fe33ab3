// TIME-WAIT as a compact record, as Linux's `inet_timewait_sock`: once our FIN is
// acknowledged and the peer's has arrived, a connection needs only what answers the
// segments that may still come (RFC 9293 §3.10.7.4: the peer's FIN again, a late RST, a SYN
// that reopens the connection), not a TCB with rings, an assembler and a scoreboard.
//
// The table is a structure of arrays (typed columns grown by doubling): per entry the
// 4-tuple, SND.NXT and RCV.NXT, the window field our ACKs advertise (already shifted) and
// its shift, TS.Recent with the time it was taken and the timestamp offset, the expiry, the
// time of the last ACK sent for an out-of-window segment, and the links of three chains:
// the 4-tuple hash, the expiry list and the local port's list. About 76 bytes an entry plus
// 4 for the hash buckets; nothing per entry for the collector to trace except one slot of
// `owners` (the application's socket, when it has not closed it).
//
// Every entry lasts the same 2 MSL from its last (re)arming, so the expiry list is a FIFO
// kept in deadline order: arming appends at the tail (walking back only past entries armed
// with a later `now`, which callers passing an older clock can cause), expiry pops from the
// head. Insert, lookup, rearm and removal are O(1) (lookup: a hash chain).
//
// Segment processing (`twProcess`) follows Linux's tcp_timewait_state_process for
// TIME-WAIT: a bare ACK or RST exactly at RCV.NXT restarts the 2 MSL or, for a RST, ends the
// entry ("TIME-WAIT assassination", RFC 1337; with `rfc1337` on the RST is ignored, as
// Linux's tcp_rfc1337); a SYN whose sequence number is past RCV.NXT or whose timestamp is
// newer than TS.Recent may open a new connection (RFC 6191; RFC 1122 §4.2.2.13), with an ISN
// past anything the old one sent; anything else is answered with our ACK (the peer's FIN
// again: its ACK was lost), at most one per 500 ms for data and SYNs (tcp_invalid_ratelimit).

import type { Millis } from '../../time.js';
import { seqAdd, seqGt } from '../../wire/seq.js';
import { TCP_ACK, TCP_RST, TCP_SYN, type TcpRepr, tcpSeqLen } from '../../wire/tcp.js';

/** Linux's tcp_invalid_ratelimit: at most one ACK per 500 ms for out-of-window data and SYNs. */
export const TW_OOW_RATELIMIT_MS = 500;
/** PAWS (RFC 7323 §5.5): a TS.Recent older than 24 days is no longer trusted. */
const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;
/** Linux's TCP_PAWS_MSL: a RST is not PAWS-checked against a TS.Recent older than 60 s. */
const PAWS_MSL_MS = 60_000;

// Bits of the `bits` column.
const B_WSCALE = 0x0f;
const B_TS = 0x10;
const B_REUSE = 0x20;
const B_PORT = 0x40;

/** What a segment to a TIME-WAIT entry asks for (`twProcess`'s answer). */
export const TwVerdict = {
  /** Nothing to send (consumed, or the entry ended). */
  Done: 0,
  /** Send our ACK (`twAck`'s fields). */
  Ack: 1,
  /** A SYN that may open a new connection: hand it to the listener with ISN `table.synIsn`, after removing the entry. */
  Syn: 2,
} as const;
export type TwVerdictCode = (typeof TwVerdict)[keyof typeof TwVerdict];

/** The fields a new entry is made from. */
export interface TimeWaitInit {
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  sndNxt: number;
  rcvNxt: number;
  /** The window field our ACKs carry (shifted right by `rcvWscale` already). */
  window: number;
  rcvWscale: number;
  tsOk: boolean;
  tsRecent: number;
  tsRecentAt: Millis;
  tsOffset: number;
  /** SO_REUSEADDR of the socket (a later bind may share the port). */
  reuseAddr: boolean;
  /** The socket held its local port in the port table (an active open, a bound socket). */
  portHeld: boolean;
}

/**
 * The TIME-WAIT entries of one TCP layer. Indices name entries until they are removed;
 * `T` is the owner's type (the application's socket while it has not closed it).
 */
export class TimeWaitTable<T extends object> {
  private cap = 0;
  private n = 0;
  private laddr = new Int32Array(0);
  private raddr = new Int32Array(0);
  /** (localPort << 16) | remotePort. */
  private ports = new Int32Array(0);
  private sndNxtC = new Int32Array(0);
  private rcvNxtC = new Int32Array(0);
  private tsRecentC = new Int32Array(0);
  private tsOffsetC = new Int32Array(0);
  /** The window field (low 16 bits) and B_* flags above it. */
  private winBits = new Int32Array(0);
  private expiryC = new Float64Array(0);
  private tsRecentAtC = new Float64Array(0);
  private oowAtC = new Float64Array(0);
  /** Hash chain, expiry list (both ways), port list; -1 ends a chain. A free entry's hashNext links the free list. */
  private hashNext = new Int32Array(0);
  private prevC = new Int32Array(0);
  private nextC = new Int32Array(0);
  private portNext = new Int32Array(0);
  private owners: (T | null)[] = [];
  private buckets = new Int32Array(0);
  private mask = 0;
  private free = -1;
  private head = -1;
  private tail = -1;
  /** Local port -> first entry that holds it (entries whose socket held its port), -1: none; made with the first such entry (256 KiB). */
  private portHeads: Int32Array | null = null;
  /** The ISN a SYN that reuses an entry gets (set with TwVerdict.Syn). */
  synIsn = 0;

  /** Create an empty table that holds at most `max` entries (Linux's tcp_max_tw_buckets). */
  constructor(readonly max: number) {}

  /** The number of entries. */
  get size(): number {
    return this.n;
  }

  /** Bytes held by the table's arrays now (for the scale bench and tests). */
  get bytesAllocated(): number {
    return this.cap * (12 * 4 + 3 * 8 + 8) + this.buckets.length * 4 + (this.portHeads === null ? 0 : this.portHeads.byteLength);
  }

  /** Add an entry expiring at `expiry`; return its index, or -1 when the table is full. */
  insert(e: Readonly<TimeWaitInit>, owner: T | null, expiry: Millis): number {
    if (this.n >= this.max) return -1;
    if (this.free < 0) this.growTo(this.cap === 0 ? 64 : Math.min(this.cap * 2, Math.max(this.max, 64)));
    const i = this.free;
    this.free = this.hashNext[i]!;
    this.n++;
    this.laddr[i] = e.localAddr;
    this.raddr[i] = e.remoteAddr;
    this.ports[i] = (e.localPort << 16) | e.remotePort;
    this.sndNxtC[i] = e.sndNxt;
    this.rcvNxtC[i] = e.rcvNxt;
    this.tsRecentC[i] = e.tsRecent;
    this.tsOffsetC[i] = e.tsOffset;
    this.winBits[i] = (e.window & 0xffff) | ((e.rcvWscale & B_WSCALE) << 16) | ((e.tsOk ? B_TS : 0) << 16) | ((e.reuseAddr ? B_REUSE : 0) << 16) | ((e.portHeld ? B_PORT : 0) << 16);
    this.tsRecentAtC[i] = e.tsRecentAt;
    this.oowAtC[i] = -Infinity;
    this.owners[i] = owner;
    const b = bucketOf(e.localAddr, e.localPort, e.remoteAddr, e.remotePort) & this.mask;
    this.hashNext[i] = this.buckets[b]!;
    this.buckets[b] = i;
    this.linkExpiry(i, expiry);
    if (e.portHeld) {
      const heads = (this.portHeads ??= new Int32Array(65536).fill(-1));
      this.portNext[i] = heads[e.localPort]!;
      heads[e.localPort] = i;
    } else {
      this.portNext[i] = -1;
    }
    return i;
  }

  /** Return the entry with this 4-tuple, or -1. */
  find(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    if (this.n === 0) return -1;
    const la = localAddr | 0;
    const ra = remoteAddr | 0;
    const p = (localPort << 16) | remotePort;
    for (let i = this.buckets[bucketOf(localAddr, localPort, remoteAddr, remotePort) & this.mask]!; i >= 0; i = this.hashNext[i]!) {
      if (this.ports[i] === p && this.laddr[i] === la && this.raddr[i] === ra) return i;
    }
    return -1;
  }

  /** Remove entry `i`; return its owner (or null). */
  remove(i: number): T | null {
    const b = bucketOf(this.laddr[i]!, this.localPort(i), this.raddr[i]!, this.remotePort(i)) & this.mask;
    let prev = -1;
    for (let j = this.buckets[b]!; j >= 0; prev = j, j = this.hashNext[j]!) {
      if (j !== i) continue;
      if (prev < 0) this.buckets[b] = this.hashNext[i]!;
      else this.hashNext[prev] = this.hashNext[i]!;
      break;
    }
    this.unlinkExpiry(i);
    if (this.winBits[i]! & (B_PORT << 16)) this.unlinkPort(i);
    const owner = this.owners[i]!;
    this.owners[i] = null;
    this.hashNext[i] = this.free;
    this.free = i;
    this.n--;
    return owner;
  }

  /** Restart entry `i`'s 2 MSL: it now expires at `expiry`. */
  rearm(i: number, expiry: Millis): void {
    this.unlinkExpiry(i);
    this.linkExpiry(i, expiry);
  }

  /** Return the earliest expiry, or Infinity. */
  nextExpiry(): Millis {
    return this.head < 0 ? Infinity : this.expiryC[this.head]!;
  }

  /** Return the entry that expires first when it is due at `now`, else -1. */
  due(now: Millis): number {
    const h = this.head;
    return h >= 0 && this.expiryC[h]! <= now ? h : -1;
  }

  /** Forget the owner of the entry with this 4-tuple when it is `owner` (it closed the socket). */
  dropOwner(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, owner: T): void {
    const i = this.find(localAddr, localPort, remoteAddr, remotePort);
    if (i >= 0 && this.owners[i] === owner) this.owners[i] = null;
  }

  /**
   * Return true when an entry holds `port` at an address that overlaps `addr` (0: any) and
   * does not let a socket with `reuseAddr` share it (both sides need SO_REUSEADDR).
   */
  portConflict(port: number, addr: number, reuseAddr: boolean): boolean {
    const heads = this.portHeads;
    if (heads === null) return false;
    for (let i = heads[port]!; i >= 0; i = this.portNext[i]!) {
      const la = this.laddr[i]!;
      const overlap = la === 0 || addr === 0 || la === (addr | 0);
      if (overlap && !(reuseAddr && this.winBits[i]! & (B_REUSE << 16))) return true;
    }
    return false;
  }

  /** Return true when some entry holds `port`. */
  portUsed(port: number): boolean {
    return this.portHeads !== null && this.portHeads[port]! >= 0;
  }

  /** Call `fn` with the 4-tuple and expiry of every entry (for ss and diagnostics). */
  forEach(fn: (localAddr: number, localPort: number, remoteAddr: number, remotePort: number, expiry: Millis) => void): void {
    for (let i = this.head; i >= 0; i = this.nextC[i]!) fn(this.laddr[i]! >>> 0, this.localPort(i), this.raddr[i]! >>> 0, this.remotePort(i), this.expiryC[i]!);
  }

  localAddr(i: number): number {
    return this.laddr[i]! >>> 0;
  }
  remoteAddr(i: number): number {
    return this.raddr[i]! >>> 0;
  }
  localPort(i: number): number {
    return this.ports[i]! >>> 16;
  }
  remotePort(i: number): number {
    return this.ports[i]! & 0xffff;
  }
  sndNxt(i: number): number {
    return this.sndNxtC[i]! >>> 0;
  }
  rcvNxt(i: number): number {
    return this.rcvNxtC[i]! >>> 0;
  }
  /** The window field our ACKs carry. */
  window(i: number): number {
    return this.winBits[i]! & 0xffff;
  }
  tsOk(i: number): boolean {
    return (this.winBits[i]! & (B_TS << 16)) !== 0;
  }
  tsRecent(i: number): number {
    return this.tsRecentC[i]! >>> 0;
  }
  tsRecentAt(i: number): Millis {
    return this.tsRecentAtC[i]!;
  }
  expiry(i: number): Millis {
    return this.expiryC[i]!;
  }
  /** Return the TSval our ACK carries at `now`. */
  tsVal(i: number, now: Millis): number {
    return (Math.floor(now) + this.tsOffsetC[i]!) >>> 0;
  }
  /** The entry holds its local port (its socket held it in the port table). */
  holdsPort(i: number): boolean {
    return (this.winBits[i]! & (B_PORT << 16)) !== 0;
  }
  owner(i: number): T | null {
    return this.owners[i]!;
  }

  /**
   * Process segment `seg` for entry `i` (Linux's tcp_timewait_state_process, TIME-WAIT
   * part); return what to do. `timeWaitMs` is 2 MSL; `rfc1337` ignores a RST at RCV.NXT.
   * Sets `pawsRejected` when PAWS dropped the segment, and `rateLimited` when an ACK was
   * held back. Removes the entry itself only for a RST that ends it (Done, `killed`).
   */
  process(i: number, seg: Readonly<TcpRepr>, now: Millis, timeWaitMs: Millis, rfc1337: boolean, out: TwResult): TwVerdictCode {
    out.pawsRejected = false;
    out.rateLimited = false;
    out.killed = false;
    const flags = seg.flags;
    const rst = (flags & TCP_RST) !== 0;
    const tsSeen = seg.tsPresent && this.tsOk(i);
    const paws = tsSeen && pawsReject(this.tsRecent(i), this.tsRecentAt(i), seg.tsVal, rst, now);
    const rcvNxt = this.rcvNxt(i);
    // A bare ACK or a RST exactly at RCV.NXT: the peer's last ACK again, or a reset.
    if (!paws && seg.seqNumber === rcvNxt && (tcpSeqLen(seg) === 0 || rst)) {
      if (rst) {
        if (!rfc1337) {
          // TIME-WAIT assassination (RFC 1337 hazard H1): Linux's default ends the entry.
          out.killed = true;
          return TwVerdict.Done;
        }
      } else {
        this.rearm(i, now + timeWaitMs);
      }
      if (tsSeen) {
        this.tsRecentC[i] = seg.tsVal;
        this.tsRecentAtC[i] = now;
      }
      return TwVerdict.Done;
    }
    // A new SYN may reopen the connection when it cannot be an old duplicate: its sequence
    // number is past what the old connection received, or its timestamp is newer (RFC 6191).
    if ((flags & (TCP_SYN | TCP_RST | TCP_ACK)) === TCP_SYN && !paws && (seqGt(seg.seqNumber, rcvNxt) || (tsSeen && ((this.tsRecentC[i]! - seg.tsVal) | 0) < 0))) {
      let isn = seqAdd(this.sndNxt(i), 65535 + 2);
      if (isn === 0) isn = 1;
      this.synIsn = isn;
      return TwVerdict.Syn;
    }
    out.pawsRejected = paws;
    if (rst) return TwVerdict.Done; // out of window: ignored
    // An ACKless SYN may be an old duplicate or a new SYN with a lower sequence: no rearm.
    if (paws || flags & TCP_ACK) this.rearm(i, now + timeWaitMs);
    // tcp_oow_rate_limited: data and SYNs get at most one ACK per 500 ms per entry.
    if (tcpSeqLen(seg) > 0 || flags & TCP_SYN) {
      if (now - this.oowAtC[i]! < TW_OOW_RATELIMIT_MS) {
        out.rateLimited = true;
        return TwVerdict.Done;
      }
      this.oowAtC[i] = now;
    }
    return TwVerdict.Ack;
  }

  private linkExpiry(i: number, expiry: Millis): void {
    this.expiryC[i] = expiry;
    // Walk back past entries that expire later (only when a caller's clock went back).
    let p = this.tail;
    while (p >= 0 && this.expiryC[p]! > expiry) p = this.prevC[p]!;
    this.prevC[i] = p;
    const nx = p < 0 ? this.head : this.nextC[p]!;
    this.nextC[i] = nx;
    if (p < 0) this.head = i;
    else this.nextC[p] = i;
    if (nx < 0) this.tail = i;
    else this.prevC[nx] = i;
  }

  private unlinkExpiry(i: number): void {
    const p = this.prevC[i]!;
    const nx = this.nextC[i]!;
    if (p < 0) this.head = nx;
    else this.nextC[p] = nx;
    if (nx < 0) this.tail = p;
    else this.prevC[nx] = p;
    this.prevC[i] = -1;
    this.nextC[i] = -1;
  }

  private unlinkPort(i: number): void {
    const port = this.localPort(i);
    const heads = this.portHeads!;
    let prev = -1;
    for (let j = heads[port]!; j >= 0; prev = j, j = this.portNext[j]!) {
      if (j !== i) continue;
      const nx = this.portNext[i]!;
      if (prev >= 0) this.portNext[prev] = nx;
      else heads[port] = nx;
      break;
    }
    this.portNext[i] = -1;
  }

  /** Grow every column to `cap` entries (the free list takes the new ones) and rehash. */
  private growTo(cap: number): void {
    const old = this.cap;
    this.laddr = growI32(this.laddr, cap);
    this.raddr = growI32(this.raddr, cap);
    this.ports = growI32(this.ports, cap);
    this.sndNxtC = growI32(this.sndNxtC, cap);
    this.rcvNxtC = growI32(this.rcvNxtC, cap);
    this.tsRecentC = growI32(this.tsRecentC, cap);
    this.tsOffsetC = growI32(this.tsOffsetC, cap);
    this.winBits = growI32(this.winBits, cap);
    this.expiryC = growF64(this.expiryC, cap);
    this.tsRecentAtC = growF64(this.tsRecentAtC, cap);
    this.oowAtC = growF64(this.oowAtC, cap);
    this.hashNext = growI32(this.hashNext, cap);
    this.prevC = growI32(this.prevC, cap);
    this.nextC = growI32(this.nextC, cap);
    this.portNext = growI32(this.portNext, cap);
    for (let i = old; i < cap; i++) this.owners.push(null);
    this.cap = cap;
    // The new entries go on the free list, lowest index first.
    for (let i = cap - 1; i >= old; i--) {
      this.hashNext[i] = this.free;
      this.free = i;
    }
    // Buckets: a power of two at least the capacity (chains of about one).
    let nb = 64;
    while (nb < cap) nb *= 2;
    if (nb !== this.buckets.length) this.rehash(nb);
  }

  private rehash(nb: number): void {
    const buckets = new Int32Array(nb).fill(-1);
    const mask = nb - 1;
    // Every live entry is on the expiry list: walk it and relink the hash chains.
    for (let i = this.head; i >= 0; i = this.nextC[i]!) {
      const b = bucketOf(this.laddr[i]!, this.localPort(i), this.raddr[i]!, this.remotePort(i)) & mask;
      this.hashNext[i] = buckets[b]!;
      buckets[b] = i;
    }
    this.buckets = buckets;
    this.mask = mask;
  }
}

/** The side results of `TimeWaitTable.process`. */
export interface TwResult {
  pawsRejected: boolean;
  rateLimited: boolean;
  killed: boolean;
}

/** Return a fresh result record. */
export function newTwResult(): TwResult {
  return { pawsRejected: false, rateLimited: false, killed: false };
}

/**
 * Linux's tcp_paws_reject: a timestamp older than TS.Recent is rejected unless TS.Recent is
 * more than 24 days old or 0, and a RST is not rejected against a TS.Recent over 60 s old.
 */
function pawsReject(tsRecent: number, tsRecentAt: Millis, tsVal: number, rst: boolean, now: Millis): boolean {
  if (((tsRecent - tsVal) | 0) <= 0) return false;
  if (now - tsRecentAt > PAWS_IDLE_MS || tsRecent === 0) return false;
  if (rst && now - tsRecentAt >= PAWS_MSL_MS) return false;
  return true;
}

function growI32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n).fill(-1);
  b.set(a);
  return b;
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

/** The hash of a 4-tuple (the same mix as the layer's connection table). */
function bucketOf(la: number, lp: number, ra: number, rp: number): number {
  let h = Math.imul(la ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(ra, 0xc2b2ae35) ^ ((lp << 16) | rp);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
