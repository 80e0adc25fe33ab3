// IPv4 reassembly (RFC 791 §3.2 "fragmentation and reassembly", RFC 1122 §3.3.2), with
// the limits a host needs against hostile fragments (RFC 4963 discusses why):
// - at most `maxDatagrams` datagrams in progress; a new one evicts the oldest;
// - a datagram not complete within `timeoutMs` (30 s, ipfrag_time) is dropped, and, when
//   its first fragment was seen, answered with ICMP time exceeded / reassembly (RFC 792);
// - a reassembled datagram larger than 65535 bytes is dropped (the "ping of death");
// - overlapping fragments drop the whole datagram, as Linux does since CVE-2018-5391
//   (an exact duplicate is dropped alone);
// - a fragment other than the last whose length is not a multiple of 8 is malformed.
//
// Coverage is tracked with one bit per 8-byte block. Each slot owns a 64 KiB buffer,
// allocated on first use and reused: the payload sits at a fixed offset, with the first
// fragment's header copied just before it, so a finished datagram is contiguous.

import type { Millis } from '../time.js';
import { set16 } from '../wire/bytes.js';
import { type Ipv4Repr, Ipv4View, IPV4_HEADER_LEN, IPV4_MAX_HEADER_LEN, newIpv4Repr, parseIpv4Into } from '../wire/ipv4.js';
import type { IpCounters } from './counters.js';
import { copyBytes } from '../storage/copy.js';

const MAX_DATAGRAM = 65535;
/** Payload starts here in a slot's buffer; the header is copied just before. */
const PAYLOAD_AT = IPV4_MAX_HEADER_LEN;

class ReasmSlot {
  inUse = false;
  src = 0;
  dst = 0;
  id = 0;
  proto = 0;
  /** Payload length, known once the last fragment (MF clear) arrived; -1 before. */
  total = -1;
  received = 0;
  /** Header length of the first fragment; 0 until it arrived. */
  headerLen = 0;
  createdAt: Millis = 0;
  deadline: Millis = Infinity;
  buf: Uint8Array = EMPTY;
  /** One bit per 8-byte block of payload. */
  blocks: Uint8Array = EMPTY;
}

/** What the reassembler does with one fragment. */
export const ReasmResult = { Held: 0, Complete: 1, Dropped: 2 } as const;

/** The receiver of reassembly timeouts (to send ICMP time exceeded). */
export interface ReasmTimeoutSink {
  /** A datagram timed out; its first fragment's header and 8+ payload bytes are at `off`. */
  onReasmTimeout(buf: Uint8Array, off: number, len: number, now: Millis): void;
}

/** The reassembly queue of a host. */
export class Reassembler {
  private readonly slots: ReasmSlot[] = [];
  private readonly view = new Ipv4View();
  /** The finished datagram after `add` returned Complete: parsed header and its bytes. */
  readonly done: Ipv4Repr = newIpv4Repr();
  doneBytes: Uint8Array = EMPTY;

  constructor(
    readonly maxDatagrams: number,
    readonly timeoutMs: Millis,
    private readonly counters: IpCounters,
    private readonly timeouts: ReasmTimeoutSink,
  ) {
    for (let i = 0; i < maxDatagrams; i++) this.slots.push(new ReasmSlot());
  }

  /**
   * Take one fragment (parsed into `ip`, bytes in `bytes`); return a ReasmResult. On
   * Complete, `done` and `doneBytes` hold the whole datagram until the next call.
   */
  add(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis): number {
    const c = this.counters;
    c.ReasmReqds++;
    const off = ip.fragOffset;
    const len = ip.payloadLength;
    const end = off + len;
    if ((ip.moreFrags && (len & 7) !== 0) || end > MAX_DATAGRAM - IPV4_HEADER_LEN || (ip.moreFrags && len === 0)) {
      c.ReasmFails++;
      return ReasmResult.Dropped;
    }
    const s = this.find(ip, now);
    if (s === null) {
      c.ReasmFails++;
      return ReasmResult.Dropped;
    }
    // Coverage: all blocks new (normal), all already set (duplicate), or a mix (overlap).
    const first = off >>> 3;
    const last = (end + 7) >>> 3;
    let seen = 0;
    for (let b = first; b < last; b++) if ((s.blocks[b >>> 3]! & (1 << (b & 7))) !== 0) seen++;
    if (seen === last - first && last > first) return ReasmResult.Held;
    if (seen > 0 || (s.total >= 0 && end > s.total) || (!ip.moreFrags && s.total >= 0 && end !== s.total) || (!ip.moreFrags && s.received > 0 && this.beyond(s, end))) {
      this.release(s);
      c.ReasmFails++;
      return ReasmResult.Dropped;
    }
    for (let b = first; b < last; b++) s.blocks[b >>> 3]! |= 1 << (b & 7);
    copyBytes(s.buf, PAYLOAD_AT + off, bytes, ip.payloadOffset, len);
    s.received += len;
    if (!ip.moreFrags) s.total = end;
    if (off === 0) {
      s.headerLen = ip.headerLen;
      copyBytes(s.buf, PAYLOAD_AT - ip.headerLen, bytes, ip.payloadOffset - ip.headerLen, ip.headerLen);
    }
    if (s.total < 0 || s.received !== s.total || s.headerLen === 0) return ReasmResult.Held;
    return this.finish(s);
  }

  /** Drop datagrams whose time is up; return how many. */
  poll(now: Millis): number {
    let n = 0;
    for (const s of this.slots) {
      if (!s.inUse || s.deadline > now) continue;
      n++;
      this.counters.ReasmTimeout++;
      this.counters.ReasmFails++;
      // RFC 792 / RFC 1122 §3.3.2: report the timeout only when fragment zero is here.
      if (s.headerLen !== 0) {
        const hdrAt = PAYLOAD_AT - s.headerLen;
        this.timeouts.onReasmTimeout(s.buf, hdrAt, s.headerLen + 8, now);
      }
      this.release(s);
    }
    return n;
  }

  /** Return the earliest timeout, or Infinity. */
  nextDeadline(): Millis {
    let t = Infinity;
    for (const s of this.slots) if (s.inUse && s.deadline < t) t = s.deadline;
    return t;
  }

  /** Return how many datagrams are in progress. */
  get pending(): number {
    let n = 0;
    for (const s of this.slots) if (s.inUse) n++;
    return n;
  }

  /** Return true when blocks at or past `end` are already covered (a last fragment that ends too early). */
  private beyond(s: ReasmSlot, end: number): boolean {
    const from = (end + 7) >>> 3;
    const to = s.blocks.length * 8;
    for (let b = from; b < to; b++) if ((s.blocks[b >>> 3]! & (1 << (b & 7))) !== 0) return true;
    return false;
  }

  /** Return the slot for the datagram of `ip`, starting one (maybe evicting the oldest); null when reassembly is off. */
  private find(ip: Readonly<Ipv4Repr>, now: Millis): ReasmSlot | null {
    let free: ReasmSlot | null = null;
    let oldest: ReasmSlot | null = null;
    for (const s of this.slots) {
      if (!s.inUse) {
        if (free === null) free = s;
        continue;
      }
      if (s.id === ip.identification && s.src === ip.srcAddr && s.dst === ip.dstAddr && s.proto === ip.protocol) return s;
      if (oldest === null || s.createdAt < oldest.createdAt) oldest = s;
    }
    if (free === null) {
      if (oldest === null) return null;
      this.counters.ReasmFails++;
      this.release(oldest);
      free = oldest;
    }
    const s = free;
    if (s.buf.length === 0) {
      s.buf = new Uint8Array(PAYLOAD_AT + MAX_DATAGRAM);
      s.blocks = new Uint8Array((((MAX_DATAGRAM + 7) >>> 3) + 7) >>> 3);
    }
    s.inUse = true;
    s.src = ip.srcAddr;
    s.dst = ip.dstAddr;
    s.id = ip.identification;
    s.proto = ip.protocol;
    s.total = -1;
    s.received = 0;
    s.headerLen = 0;
    s.createdAt = now;
    s.deadline = now + this.timeoutMs;
    return s;
  }

  /** Rewrite the first fragment's header for the whole datagram and parse it into `done`. */
  private finish(s: ReasmSlot): number {
    const hdrAt = PAYLOAD_AT - s.headerLen;
    const totalLen = s.headerLen + s.total;
    if (totalLen > MAX_DATAGRAM) {
      this.release(s);
      this.counters.ReasmFails++;
      return ReasmResult.Dropped;
    }
    const b = s.buf;
    set16(b, hdrAt + 2, totalLen);
    // Clear MF and the offset, keep DF (RFC 791: the reassembled datagram is not a fragment).
    b[hdrAt + 6] = b[hdrAt + 6]! & 0x40;
    b[hdrAt + 7] = 0;
    const v = this.view.wrap(b, hdrAt, totalLen);
    v.fillChecksum();
    const err = parseIpv4Into(v, this.done);
    this.release(s);
    if (err !== 0) {
      this.counters.ReasmFails++;
      return ReasmResult.Dropped;
    }
    this.doneBytes = b;
    this.counters.ReasmOKs++;
    return ReasmResult.Complete;
  }

  private release(s: ReasmSlot): void {
    s.inUse = false;
    s.deadline = Infinity;
    s.blocks.fill(0);
  }
}

const EMPTY = new Uint8Array(0);
