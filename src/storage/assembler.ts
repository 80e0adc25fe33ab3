// The out-of-order assembler of a TCP receiver (smoltcp's Assembler, reworked): it records
// which byte ranges past the read position have arrived, so the receiver knows when a hole
// fills and which blocks to report in SACK options. It holds no data; the bytes themselves
// sit in the receive ByteRing, placed there with `writeAhead`.
//
// Offsets are relative to the read position (for TCP: offset = seq - rcv_nxt). The ranges
// are kept sorted, disjoint and non-adjacent (touching ranges merge). A range that starts at
// offset 0 is contiguous with the read position: `removeFront()` takes it out and shifts the
// others down, which is the moment the caller commits those bytes and advances rcv_nxt.
//
// Bounded memory: at most `maxHoles` ranges that start past offset 0 (each has a hole in
// front of it), plus one at offset 0. A range that would need one more hole is refused with
// StoreErr.TooManyHoles and changes nothing; the caller drops the segment and the peer sends
// it again. Data at offset 0 never needs a hole, so in-order data is always accepted.
//
// Bounded work: each call scans the ranges once (at most maxHoles + 1). Nothing allocates
// after construction.

import { StoreErr } from './errors.js';
import { slabFloat64 } from './slab.js';

/** The default hole limit: Linux keeps an unbounded queue, smoltcp 4 contigs; 32 is generous for SACK's 3-4 blocks. */
export const ASSEMBLER_DEFAULT_HOLES = 32;

/** A bounded set of received byte ranges past the read position. */
export class Assembler {
  /** The most ranges past offset 0 (holes) this assembler tracks. */
  readonly maxHoles: number;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** When each range last grew (a counter, larger = more recent), for SACK block order. */
  private readonly stamps: Float64Array;
  private n = 0;
  private clock = 0;

  /** Create an empty assembler that tracks at most `maxHoles` holes (>= 1). */
  constructor(maxHoles: number = ASSEMBLER_DEFAULT_HOLES) {
    if (!Number.isInteger(maxHoles) || maxHoles < 1) throw new RangeError(`Assembler: maxHoles ${maxHoles} is not a positive integer`);
    this.maxHoles = maxHoles;
    // One slab slice for the three arrays (storage/slab.ts): a typed array with a store of
    // its own costs ~0.3 us to make, and a connection makes an assembler as it opens.
    const m = maxHoles + 1;
    const all = slabFloat64(3 * m);
    this.starts = all.subarray(0, m);
    this.ends = all.subarray(m, 2 * m);
    this.stamps = all.subarray(2 * m);
  }

  /** The number of ranges held (including one at offset 0, if any). */
  get count(): number {
    return this.n;
  }

  /** The number of ranges that start past offset 0, i.e. the number of holes. */
  get holeCount(): number {
    return this.n > 0 && this.starts[0] === 0 ? this.n - 1 : this.n;
  }

  /** Return true when no range is held. */
  isEmpty(): boolean {
    return this.n === 0;
  }

  /** Return the start offset of range `i` (0 <= i < count), in offset order. */
  rangeStart(i: number): number {
    return this.starts[i]!;
  }

  /** Return the end offset (exclusive) of range `i` (0 <= i < count), in offset order. */
  rangeEnd(i: number): number {
    return this.ends[i]!;
  }

  /** Return the end of the highest range, or 0 when empty (how far ahead data has arrived). */
  highestEnd(): number {
    return this.n === 0 ? 0 : this.ends[this.n - 1]!;
  }

  /** Return true when every byte of [offset, offset + len) has been added. */
  contains(offset: number, len: number): boolean {
    if (len <= 0) return true;
    for (let i = 0; i < this.n; i++) {
      if (this.starts[i]! <= offset) {
        if (offset + len <= this.ends[i]!) return true;
      } else {
        return false;
      }
    }
    return false;
  }

  /**
   * Record that [offset, offset + len) has arrived; return StoreErr.Ok, or
   * StoreErr.TooManyHoles (nothing changed) when the range would make more than `maxHoles`
   * holes. Bytes before offset 0 (already consumed: a retransmission overlapping rcv_nxt) are
   * ignored; a length of 0 is a no-op.
   */
  add(offset: number, len: number): number {
    if (!(len > 0)) return StoreErr.Ok;
    let s = offset;
    const e = offset + len;
    if (s < 0) {
      if (e <= 0) return StoreErr.Ok;
      s = 0;
    }
    const starts = this.starts;
    const ends = this.ends;
    const n = this.n;
    // First range that touches [s, e) from the left (its end reaches s), and the last range
    // that touches it from the right (its start is at most e). Ranges i..j merge with it.
    let i = 0;
    while (i < n && ends[i]! < s) i++;
    let j = i;
    while (j < n && starts[j]! <= e) j++;
    j--;
    const mergedStart = i <= j ? Math.min(s, starts[i]!) : s;
    const mergedEnd = i <= j ? Math.max(e, ends[j]!) : e;
    const newCount = i <= j ? n - (j - i) : n + 1;
    const firstStart = i === 0 ? mergedStart : starts[0]!;
    const holes = firstStart === 0 ? newCount - 1 : newCount;
    if (holes > this.maxHoles) return StoreErr.TooManyHoles;

    if (i > j) {
      // A new range at index i: shift the tail right by one.
      for (let k = n; k > i; k--) this.move(k - 1, k);
    } else if (j > i) {
      // Ranges i..j collapse into index i: shift the tail left by j - i.
      for (let k = j + 1; k < n; k++) this.move(k, k - (j - i));
    }
    starts[i] = mergedStart;
    ends[i] = mergedEnd;
    this.stamps[i] = ++this.clock;
    this.n = newCount;
    return StoreErr.Ok;
  }

  /** Return how many bytes are contiguous with the read position (the length of a range at offset 0), without removing them. */
  frontLen(): number {
    return this.n > 0 && this.starts[0] === 0 ? this.ends[0]! : 0;
  }

  /**
   * Remove the range at offset 0, if any, and shift the remaining ranges down by its length;
   * return that length (0 when the front is a hole). The caller commits that many bytes.
   */
  removeFront(): number {
    const k = this.frontLen();
    if (k > 0) this.advance(k);
    return k;
  }

  /**
   * Move the read position forward by `k` bytes (data consumed without the assembler, such
   * as an in-order segment): shift every range down by `k`, dropping what falls before 0.
   */
  advance(k: number): void {
    if (!(k > 0)) return;
    const starts = this.starts;
    const ends = this.ends;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const e = ends[r]! - k;
      if (e <= 0) continue;
      const s = starts[r]! - k;
      if (w !== r) this.move(r, w);
      starts[w] = s < 0 ? 0 : s;
      ends[w] = e;
      w++;
    }
    this.n = w;
  }

  /**
   * Write up to `max` SACK blocks into `out` as pairs (start, end) of offsets, most recently
   * grown first; return how many blocks were written. The range at offset 0 is not a block
   * (it is acknowledged, not selectively acknowledged).
   * RFC 2018 section 4: the first block must hold the segment that triggered the ACK, and the
   * others repeat the most recently reported blocks; ordering by last growth gives both.
   */
  sackBlocks(out: Float64Array | number[], max: number): number {
    let written = 0;
    let below = Infinity;
    const first = this.n > 0 && this.starts[0] === 0 ? 1 : 0;
    while (written < max) {
      let best = -1;
      let bestStamp = -1;
      for (let r = first; r < this.n; r++) {
        const st = this.stamps[r]!;
        if (st < below && st > bestStamp) {
          bestStamp = st;
          best = r;
        }
      }
      if (best < 0) break;
      out[2 * written] = this.starts[best]!;
      out[2 * written + 1] = this.ends[best]!;
      written++;
      below = bestStamp;
    }
    return written;
  }

  /** Forget every range. */
  clear(): void {
    this.n = 0;
  }

  /** Return the ranges as `[start, end)` text, for tests and traces (allocates). */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.n; i++) s += `${i === 0 ? '' : ' '}[${this.starts[i]}, ${this.ends[i]})`;
    return s === '' ? '(empty)' : s;
  }

  private move(from: number, to: number): void {
    this.starts[to] = this.starts[from]!;
    this.ends[to] = this.ends[from]!;
    this.stamps[to] = this.stamps[from]!;
  }
}
