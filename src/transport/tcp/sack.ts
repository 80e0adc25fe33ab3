// The SACK scoreboard of a sender (RFC 6675 §3, RFC 2018 §5): which sequence ranges past
// SND.UNA the peer has reported holding, and the three questions loss recovery asks of it:
// IsLost (is a sequence number presumed lost?), the pipe estimate (how much is still in
// the network?) and the start of the next hole to retransmit (NextSeg's rule 1).
//
// The ranges are sorted, disjoint, kept as absolute sequence numbers compared wrap-safely,
// in arrays preallocated per socket. When all slots are used, a new range is ignored: SACK
// information is advisory (RFC 2018 §8), so forgetting some only makes the sender
// retransmit more.
//
// Bounded work: each call scans the ranges once (at most SACK_SLOTS). Nothing allocates.

import { slabFloat64 } from '../../storage/slab.js';
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from '../../wire/seq.js';
import type { TcpOptions } from '../../wire/tcp-options.js';
import { DUPACK_THRESHOLD } from './congestion/newreno.js';

/** The most ranges a scoreboard holds. */
export const SACK_SLOTS = 32;

/** The arrays of a scoreboard that has held no range yet. */
const NO_RANGES = new Float64Array(0);

/** The SACKed ranges of one connection. */
export class SackScoreboard {
  // One slab slice for both (storage/slab.ts: a typed array with a store of its own costs
  // ~0.3 us), taken when the peer first reports a range: a connection that never sees loss
  // (most idle ones) keeps none. Every read is bounded by `n`, so the empty arrays are never read.
  private starts: Float64Array = NO_RANGES;
  private ends: Float64Array = NO_RANGES;
  private n = 0;
  /** The start and end of the hole `nextHole` found. */
  holeStart = 0;
  holeEnd = 0;

  /** The number of ranges held. */
  get count(): number {
    return this.n;
  }

  /** Return the start of range `i` (in sequence order). */
  rangeStart(i: number): number {
    return this.starts[i]!;
  }

  /** Return the end (exclusive) of range `i`. */
  rangeEnd(i: number): number {
    return this.ends[i]!;
  }

  /** Forget every range. */
  clear(): void {
    this.n = 0;
  }

  /**
   * Record the SACK blocks of `seg` (RFC 2018 §3) that lie within (SND.UNA, SND.MAX];
   * return the bytes newly SACKed (0: the ACK told nothing new). Blocks below SND.UNA
   * (D-SACK, RFC 2883) and malformed ones are ignored.
   */
  update(seg: Readonly<TcpOptions>, sndUna: number, sndMax: number): number {
    let added = 0;
    for (let k = 0; k < seg.sackCount; k++) {
      let l = seg.sackBlocks[2 * k]!;
      const r = seg.sackBlocks[2 * k + 1]!;
      if (!seqLt(l, r) || seqLe(r, sndUna) || seqGt(r, sndMax)) continue;
      if (seqLt(l, sndUna)) l = sndUna;
      added += this.insert(l, r);
    }
    return added;
  }

  /** Drop what SND.UNA has passed (the cumulative ACK covers it). */
  advance(sndUna: number): void {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      const e = this.ends[i]!;
      if (seqLe(e, sndUna)) continue;
      const st = this.starts[i]!;
      this.starts[w] = seqLt(st, sndUna) ? sndUna : st;
      this.ends[w] = e;
      w++;
    }
    this.n = w;
  }

  /** Return true when `seq` has been SACKed. */
  isSacked(seq: number): boolean {
    for (let i = 0; i < this.n; i++) {
      if (seqLt(seq, this.starts[i]!)) return false;
      if (seqLt(seq, this.ends[i]!)) return true;
    }
    return false;
  }

  /** Return the end of the SACKed range holding `seq`, or `seq` itself when it is not SACKed. */
  sackedEnd(seq: number): number {
    for (let i = 0; i < this.n; i++) {
      if (seqLt(seq, this.starts[i]!)) return seq;
      if (seqLt(seq, this.ends[i]!)) return this.ends[i]!;
    }
    return seq;
  }

  /**
   * Return the edge below which every un-SACKed byte is presumed lost (RFC 6675 §4, IsLost:
   * DupThresh discontiguous SACKed ranges above it, or more than (DupThresh − 1) × SMSS
   * SACKed bytes above it); `sndUna` when nothing is.
   */
  lostEdge(sndUna: number, mss: number): number {
    let bytes = 0;
    for (let i = this.n - 1, ranges = 1; i >= 0; i--, ranges++) {
      bytes += seqDiff(this.ends[i]!, this.starts[i]!);
      if (ranges >= DUPACK_THRESHOLD || bytes > (DUPACK_THRESHOLD - 1) * mss) return this.starts[i]!;
    }
    return sndUna;
  }

  /** Return IsLost(seq) of RFC 6675 §4 for the first byte of a segment. */
  isLost(seq: number, sndUna: number, mss: number): boolean {
    return seqLt(seq, this.lostEdge(sndUna, mss)) && !this.isSacked(seq);
  }

  /** Return the SACKed bytes within [a, b). */
  sackedIn(a: number, b: number): number {
    let t = 0;
    for (let i = 0; i < this.n; i++) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      if (seqLe(e, a)) continue;
      if (seqGe(s, b)) break;
      t += seqDiff(seqLt(e, b) ? e : b, seqGt(s, a) ? s : a);
    }
    return t;
  }

  /**
   * RFC 6675 §4, SetPipe: the octets not SACKed and not presumed lost, plus the octets
   * retransmitted (up to HighRxt) and not SACKed since.
   */
  pipe(sndUna: number, sndMax: number, highRxt: number, mss: number): number {
    const edge = this.lostEdge(sndUna, mss);
    let p = seqDiff(sndMax, edge) - this.sackedIn(edge, sndMax);
    if (seqGt(highRxt, sndUna)) {
      const h = seqLt(highRxt, sndMax) ? highRxt : sndMax;
      p += seqDiff(h, sndUna) - this.sackedIn(sndUna, h);
    }
    return p;
  }

  /**
   * NextSeg rule 1 (RFC 6675 §4): find the first un-SACKed byte at or after `from` that is
   * presumed lost; return true and set holeStart/holeEnd (the hole, cut at the lost edge).
   */
  nextLostHole(from: number, sndUna: number, mss: number): boolean {
    const edge = this.lostEdge(sndUna, mss);
    let at = seqLt(from, sndUna) ? sndUna : from;
    for (let i = 0; i < this.n && seqLt(at, edge); i++) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      if (seqLe(e, at)) continue;
      if (seqLt(at, s)) {
        this.holeStart = at;
        this.holeEnd = seqLt(s, edge) ? s : edge;
        return true;
      }
      at = e;
    }
    return false;
  }

  /** Return the highest SACKed sequence number (the end of the last range), or `sndUna` when none. */
  highestSacked(sndUna: number): number {
    return this.n === 0 ? sndUna : this.ends[this.n - 1]!;
  }

  /** Insert [l, r) merging with touching ranges; return the bytes that were new. */
  private insert(l: number, r: number): number {
    if (this.starts.length === 0) {
      const all = slabFloat64(2 * SACK_SLOTS);
      this.starts = all.subarray(0, SACK_SLOTS);
      this.ends = all.subarray(SACK_SLOTS);
    }
    const st = this.starts;
    const en = this.ends;
    const n = this.n;
    let i = 0;
    while (i < n && seqLt(en[i]!, l)) i++;
    let j = i;
    while (j < n && seqLe(st[j]!, r)) j++;
    j--;
    if (i > j) {
      if (n === SACK_SLOTS) return 0;
      for (let k = n; k > i; k--) {
        st[k] = st[k - 1]!;
        en[k] = en[k - 1]!;
      }
      st[i] = l;
      en[i] = r;
      this.n = n + 1;
      return seqDiff(r, l);
    }
    const before = this.sackedIn(l, r);
    const ml = seqLt(l, st[i]!) ? l : st[i]!;
    const mr = seqGt(r, en[j]!) ? r : en[j]!;
    const gone = j - i;
    if (gone > 0) {
      for (let k = j + 1; k < n; k++) {
        st[k - gone] = st[k]!;
        en[k - gone] = en[k]!;
      }
    }
    st[i] = ml;
    en[i] = mr;
    this.n = n - gone;
    return seqDiff(r, l) - before;
  }
}
