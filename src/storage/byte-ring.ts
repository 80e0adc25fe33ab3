// A byte ring for socket buffers (smoltcp's RingBuffer<u8>, gVisor's buffer.View chain
// reduced to one contiguous allocation). Bytes enter at the tail and leave at the head; the
// ring holds at most `capacity` bytes and wraps around the end of its backing array.
//
// TCP uses it both ways:
// - send buffer: the application writes at the tail; `peek(offset, ...)` copies bytes that
//   are in flight (offset = seq - snd_una) into an outgoing segment as often as they must be
//   retransmitted; `discard(n)` drops them when they are acknowledged.
// - receive buffer: in-order data is `write`n; out-of-order data is placed in free space
//   ahead of the tail with `writeAhead(offset, ...)` (offset = seq - rcv_nxt) and becomes
//   readable with `commit(n)` once the assembler reports it contiguous.
//
// Memory comes as bytes need it: a new ring holds no array at all; the first write or
// out-of-order placement takes RING_INITIAL bytes (or the capacity, if smaller), and the
// array doubles, up to the capacity, when a write or placement reaches past its end, as
// Linux allocates socket memory per skb rather than at SO_RCVBUF's size. `shrink` gives a
// small array back when the ring empties, so an idle connection holds no buffer bytes; a
// connection that trades small messages takes and gives back one 4 KiB slab slice per
// message (storage/slab.ts reuses it), and a receiver that keeps up stays on the same few
// lines instead of a fresh multi-MiB array after each auto-tuning step. (Making each ring's
// array was 6-8 % of a connection-rate profile, whatever its size: arrays up to
// SLAB_SLICE_MAX are slab slices, storage/slab.ts.)
//
// Bounded work: every call copies at most two contiguous runs, except when the backing array
// doubles (at most log2(capacity / RING_INITIAL) times per ring: not the steady data path).
// Copies go through storage/copy.ts (a memmove for more than a few bytes; about 60 ns for
// 1460 bytes, against 4 us for a byte loop).

import { copyBytes } from './copy.js';
import { SLAB_SLICE_MAX, releaseSlabBytes, slabBytes } from './slab.js';

/** The backing array of a disposed ring. */
const NO_BYTES = new Uint8Array(0);

/** Bytes of backing array a ring starts with (less when its capacity is less). */
export const RING_INITIAL = 4096;

/** A bounded FIFO of bytes. */
export class ByteRing {
  /** The backing array: its length is what is allocated, at most `cap`, never less than `len`; bytes wrap at its end. */
  private buf: Uint8Array;
  private cap: number;
  private head = 0;
  private len = 0;

  /** Create an empty ring that holds up to `capacity` bytes (any non-negative integer). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`ByteRing: capacity ${capacity} is not a non-negative integer`);
    this.cap = capacity;
    // No array until bytes come (enlarge takes a slab slice then, storage/slab.ts).
    this.buf = NO_BYTES;
  }

  /** The most bytes the ring can hold. */
  get capacity(): number {
    return this.cap;
  }

  /** Bytes of backing array allocated now (grows toward `capacity` as bytes need it). */
  get allocated(): number {
    return this.buf.length;
  }

  /** The number of readable bytes. */
  get length(): number {
    return this.len;
  }

  /** The number of bytes `write` can take now. */
  get free(): number {
    return this.cap - this.len;
  }

  /** Return true when nothing is readable. */
  isEmpty(): boolean {
    return this.len === 0;
  }

  /** Return true when no byte can be written. */
  isFull(): boolean {
    return this.len === this.cap;
  }

  /** Append up to `len` bytes from `src` at `off`; return how many were taken (limited by `free`). */
  write(src: Uint8Array, off: number, len: number): number {
    const n = this.placeAt(this.len, src, off, len);
    this.len += n;
    return n;
  }

  /**
   * Copy up to `len` bytes from `src` at `off` into the free space `offset` bytes past the
   * tail, without making them readable; return how many were placed (limited by the free
   * space after `offset`; 0 when `offset` is negative or past it).
   */
  writeAhead(offset: number, src: Uint8Array, off: number, len: number): number {
    if (offset < 0) return 0;
    return this.placeAt(this.len + offset, src, off, len);
  }

  /** Make `n` bytes past the tail readable (placed earlier by `writeAhead`); return how many (limited by `free`). */
  commit(n: number): number {
    const k = clamp(n, this.cap - this.len);
    // Bytes counted without being placed (zero copy's held frames) still take their place.
    if (this.len + k > this.buf.length) this.enlarge(this.len + k);
    this.len += k;
    return k;
  }

  /** Move up to `len` bytes into `dst` at `off`, consuming them; return how many. */
  read(dst: Uint8Array, off: number, len: number): number {
    const n = this.peek(0, dst, off, len);
    this.discard(n);
    return n;
  }

  /**
   * Copy up to `len` bytes starting `offset` bytes past the head into `dst` at `off`,
   * without consuming them; return how many (0 when `offset` is at or past `length`).
   */
  peek(offset: number, dst: Uint8Array, off: number, len: number): number {
    if (offset < 0 || offset >= this.len) return 0;
    const n = clamp(len, this.len - offset);
    this.copyOut(offset, dst, off, n);
    return n;
  }

  /** Return the byte `offset` bytes past the head, or -1 when there is none. */
  byteAt(offset: number): number {
    if (offset < 0 || offset >= this.len) return -1;
    return this.buf[this.index(offset)]!;
  }

  /** Drop up to `n` bytes from the head; return how many were dropped. */
  discard(n: number): number {
    const k = clamp(n, this.len);
    this.len -= k;
    // The head only moves forward, even when the ring empties: bytes placed past the tail by
    // `writeAhead` (out-of-order data) must stay where a later `commit` expects them.
    this.head = this.index(k);
    return k;
  }

  /**
   * When the ring is empty, start again at the first byte of the backing array; return
   * whether it did. Only for a caller that knows nothing was placed ahead of the tail by
   * `writeAhead` (TCP: no out-of-order bytes), since those would be left behind. A ring
   * whose reader keeps up then writes the same few cache lines over and over instead of
   * walking its whole capacity (2-6 MiB for a bulk receiver: every byte a cache miss).
   */
  rewind(): boolean {
    if (this.len !== 0) return false;
    this.head = 0;
    return true;
  }

  /**
   * When the ring is empty, give its backing array back if it is a slab slice (at most
   * SLAB_SLICE_MAX bytes: the next write takes one again, usually the same), or else start
   * over at its first byte as `rewind` does (a large array stays while its owner is busy);
   * return whether the ring was empty. The same precondition as `rewind`: nothing placed
   * ahead of the tail by `writeAhead`.
   */
  shrink(): boolean {
    if (this.len !== 0) return false;
    this.head = 0;
    const n = this.buf.length;
    if (n > 0 && n <= SLAB_SLICE_MAX) {
      releaseSlabBytes(this.buf);
      this.buf = NO_BYTES;
    }
    return true;
  }

  /** Drop everything. */
  clear(): void {
    this.head = 0;
    this.len = 0;
  }

  /**
   * Drop everything and give the backing array back (storage/slab.ts): the ring holds
   * nothing from now on, capacity 0. For an owner that is done with the ring; a second call
   * does nothing.
   */
  dispose(): void {
    releaseSlabBytes(this.buf);
    this.buf = NO_BYTES;
    this.cap = 0;
    this.head = 0;
    this.len = 0;
  }

  /**
   * Raise the ring's capacity to `capacity` bytes, keeping its readable bytes and the bytes
   * placed ahead of the tail by `writeAhead` (they stay at the same offsets, so a later
   * `commit` still finds them). Allocates nothing now: memory comes as bytes need it.
   * Errors: RangeError when `capacity` is smaller than the current capacity.
   */
  grow(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < this.cap) {
      throw new RangeError(`ByteRing.grow: capacity ${capacity} is below the current ${this.cap}`);
    }
    this.cap = capacity;
  }

  /**
   * Make the backing array hold at least `need` bytes past the head (need <= cap): double it
   * (or more, to `need`), up to the capacity, moving the whole old array from the head so
   * that readable bytes and bytes placed ahead keep their offsets. Allocates.
   */
  private enlarge(need: number): void {
    const old = this.buf;
    const size = old.length;
    let next = size === 0 ? RING_INITIAL : size < 1024 ? 1024 : size * 2;
    if (next < need) next = need;
    if (next > this.cap) next = this.cap;
    const buf = slabBytes(next);
    const first = size - this.head;
    copyBytes(buf, 0, old, this.head, first);
    copyBytes(buf, first, old, 0, this.head);
    this.buf = buf;
    this.head = 0;
    releaseSlabBytes(old);
  }

  /** Return the index in the backing array of the byte `offset` past the head. */
  private index(offset: number): number {
    const i = this.head + offset;
    return i >= this.buf.length ? i - this.buf.length : i;
  }

  /** Copy `n` readable bytes from `offset` past the head to `dst` at `off` (n already clamped). */
  private copyOut(offset: number, dst: Uint8Array, off: number, n: number): void {
    if (n <= 0) return;
    const size = this.buf.length;
    const start = this.index(offset);
    const first = Math.min(n, size - start);
    copyBytes(dst, off, this.buf, start, first);
    if (first < n) copyBytes(dst, off + first, this.buf, 0, n - first);
  }

  /** Copy up to `len` bytes into the free space from `pos` past the head; return how many. */
  private placeAt(pos: number, src: Uint8Array, off: number, len: number): number {
    const n = clamp(len, this.cap - pos);
    if (n <= 0) return 0;
    if (pos + n > this.buf.length) this.enlarge(pos + n);
    const size = this.buf.length;
    const start = this.index(pos);
    const first = Math.min(n, size - start);
    copyBytes(this.buf, start, src, off, first);
    if (first < n) copyBytes(this.buf, 0, src, off + first, n - first);
    return n;
  }
}

function clamp(n: number, max: number): number {
  return n <= 0 ? 0 : n < max ? n : max;
}
