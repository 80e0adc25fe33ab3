// The net channel itself: a single-producer single-consumer ring of descriptors in shared
// memory, after Van Jacobson's 2006 channels and the AF_XDP rings (libxdp's xsk_ring_prod /
// xsk_ring_cons). A descriptor is four u32 words: (offset, length, flags, user), where
// offset/length usually name bytes of a frame arena and `user` is free for the caller
// (a sequence number, a flow id). The ring never looks at them.
//
// Layout of the buffer (all offsets from spec.byteOffset, 128-byte lines so two cores never
// fight over one line, even with adjacent-line prefetch):
//   line 0 (byte   0)  producer index           written by the producer only
//   line 1 (byte 128)  consumer index           written by the consumer only
//   line 2 (byte 256)  need-wakeup flag, bell   the doorbell (doorbell.ts); cold
//   line 3 (byte 384)  magic, size, closed      written at setup / close only
//   byte 512...        size x 16-byte descriptors
// Indices run freely over 32 bits and wrap; slot = index & (size - 1); the number of
// entries is (prod - cons) | 0, exact while it stays below 2^31 (size is at most 2^24).
//
// Each side keeps its own index and a cached copy of the other side's, and reads the other
// side's line only when its cached view says full (producer) or empty (consumer): in a
// steady stream the two cores exchange each index line once per burst, not per descriptor.
//
// Memory ordering. The JS memory model makes every Atomics operation on a shared buffer
// sequentially consistent; an Atomics.store that an Atomics.load reads "synchronizes
// with" it, so every plain write before the store happens-before every plain read after
// the load. Hence:
//   - The producer writes descriptor words with plain stores, then publishes with one
//     Atomics.store of its index (release). The consumer reads the index with
//     Atomics.load (acquire) and only then reads the descriptors below it, so it sees them
//     complete, never a torn or stale slot.
//   - The consumer reads its descriptors, then frees the slots with one Atomics.store of
//     its index. The producer overwrites a slot only after an Atomics.load of that index
//     shows it free, so a slot is never rewritten while it is still being read.
//   - Both indices are only ever advanced by their owner, so a stale cached copy errs on the
//     safe side: the producer sees less room than there is, the consumer fewer entries.
// On an ArrayBuffer (one thread) the same code runs; Atomics then orders nothing, and needs
// not, and waiting is unavailable (ChanErr.NotShared).

import { Doorbell } from './doorbell.js';
import { ChanErr, chanArgError } from './errors.js';

/** Words in one descriptor. */
export const DESC_WORDS = 4;
/** Bytes in one descriptor. */
export const DESC_BYTES = 16;
/** Word index, within a descriptor, of the frame offset. */
export const DESC_OFFSET = 0;
/** Word index, within a descriptor, of the length. */
export const DESC_LENGTH = 1;
/** Word index, within a descriptor, of the flags. */
export const DESC_FLAGS = 2;
/** Word index, within a descriptor, of the caller's word. */
export const DESC_USER = 3;
/** Bytes of ring header before the first descriptor. */
export const RING_HEADER_BYTES = 512;
/** Smallest ring size (slots). */
export const RING_MIN_SIZE = 2;
/** Largest ring size (slots): keeps every index difference far below 2^31. */
export const RING_MAX_SIZE = 1 << 24;
/** The value of the magic word of an initialised ring ("NCHR"). */
export const RING_MAGIC = 0x4e434852;

// Word indices in the header (Int32Array over the first RING_HEADER_BYTES bytes).
const PROD = 0;
const CONS = 32;
const NEED_WAKEUP = 64;
const BELL = 65;
const MAGIC = 96;
const SIZE = 97;
const CLOSED = 98;
const HEADER_WORDS = RING_HEADER_BYTES / 4;

/** Everything needed to attach to a ring, in any thread: post it once at setup. */
export interface RingSpec {
  /** The memory; a SharedArrayBuffer to cross threads (an ArrayBuffer would be copied). */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** Where the ring starts in `buffer` (a multiple of 128). */
  readonly byteOffset: number;
  /** Number of slots, a power of two. */
  readonly size: number;
}

/** Options of `createRing`. */
export interface RingOptions {
  /** Use a SharedArrayBuffer (default true); false gives a one-thread ring on an ArrayBuffer. */
  shared?: boolean;
  /** Place the ring in this buffer instead of allocating one. */
  buffer?: SharedArrayBuffer | ArrayBuffer;
  /** Where in `buffer` (a multiple of 128; default 0). */
  byteOffset?: number;
  /** Start both indices here instead of 0 (tests use it to cross the 2^32 wrap). */
  startIndex?: number;
}

/** A descriptor record for `push`/`pop`, filled in place. */
export interface RingDesc {
  offset: number;
  length: number;
  flags: number;
  user: number;
}

/** Return a zeroed descriptor record. */
export function newRingDesc(): RingDesc {
  return { offset: 0, length: 0, flags: 0, user: 0 };
}

/** Return the bytes a ring of `size` slots occupies. */
export function ringByteLength(size: number): number {
  return RING_HEADER_BYTES + size * DESC_BYTES;
}

function validSize(size: number): boolean {
  return Number.isInteger(size) && size >= RING_MIN_SIZE && size <= RING_MAX_SIZE && (size & (size - 1)) === 0;
}

/**
 * Allocate (or place) and initialise a ring of `size` slots (a power of two); return its
 * spec. Throws RangeError on an impossible size or placement (a setup error).
 */
export function createRing(size: number, options: RingOptions = {}): RingSpec {
  if (!validSize(size)) throw chanArgError(`createRing: size ${size} is not a power of two in [${RING_MIN_SIZE}, ${RING_MAX_SIZE}]`);
  const byteOffset = options.byteOffset ?? 0;
  const bytes = ringByteLength(size);
  const buffer = options.buffer ?? (options.shared === false ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes));
  if (byteOffset % 128 !== 0 || byteOffset < 0 || byteOffset + bytes > buffer.byteLength) {
    throw chanArgError(`createRing: ${bytes} bytes at offset ${byteOffset} do not fit a 128-aligned place in a ${buffer.byteLength}-byte buffer`);
  }
  const h = new Int32Array(buffer, byteOffset, HEADER_WORDS);
  const start = (options.startIndex ?? 0) | 0;
  Atomics.store(h, PROD, start);
  Atomics.store(h, CONS, start);
  Atomics.store(h, NEED_WAKEUP, 0);
  Atomics.store(h, BELL, 0);
  Atomics.store(h, SIZE, size);
  Atomics.store(h, CLOSED, 0);
  Atomics.store(h, MAGIC, RING_MAGIC); // last: a ring with the magic is complete
  return { buffer, byteOffset, size };
}

/** Return ChanErr.Ok when `spec` describes an initialised ring, else ChanErr.BadSpec. */
export function checkRingSpec(spec: RingSpec): number {
  if (spec === null || typeof spec !== 'object') return ChanErr.BadSpec;
  const { buffer, byteOffset, size } = spec;
  const isBuffer = buffer instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer);
  if (!isBuffer || !validSize(size) || !Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 128 !== 0) return ChanErr.BadSpec;
  if (byteOffset + ringByteLength(size) > buffer.byteLength) return ChanErr.BadSpec;
  const h = new Int32Array(buffer, byteOffset, HEADER_WORDS);
  if (Atomics.load(h, MAGIC) !== RING_MAGIC || Atomics.load(h, SIZE) !== size) return ChanErr.BadSpec;
  return ChanErr.Ok;
}

/**
 * One side's (or both sides') handle on a ring. In one thread a single Ring object may
 * serve both producer and consumer; across threads each side attaches its own. The
 * producer methods (`produce*`, `push`) must be called by one thread only, and the
 * consumer methods (`consume*`, `peek*`, `pop`) by one thread only.
 */
export class Ring {
  /** The spec this handle was attached from. */
  readonly spec: RingSpec;
  /** Number of slots. */
  readonly size: number;
  /** size - 1. */
  readonly mask: number;
  /** The descriptor words: slot s occupies desc[s*4 .. s*4+3]. */
  readonly desc: Uint32Array;
  /** The header words. */
  readonly header: Int32Array;
  /** The need-wakeup doorbell. */
  readonly bell: Doorbell;

  // Producer-side state (producer thread only).
  private prodLocal: number;
  private consCache: number;
  // Consumer-side state (consumer thread only).
  private consLocal: number;
  private prodCache: number;

  /** Attach to the ring `spec` describes. Throws RangeError when it is not a ring. */
  constructor(spec: RingSpec) {
    if (checkRingSpec(spec) !== ChanErr.Ok) throw chanArgError('Ring: the spec does not describe an initialised ring');
    this.spec = spec;
    this.size = spec.size;
    this.mask = spec.size - 1;
    this.header = new Int32Array(spec.buffer, spec.byteOffset, HEADER_WORDS);
    this.desc = new Uint32Array(spec.buffer, spec.byteOffset + RING_HEADER_BYTES, spec.size * DESC_WORDS);
    this.bell = new Doorbell(this.header, NEED_WAKEUP, BELL);
    this.prodLocal = Atomics.load(this.header, PROD);
    this.consCache = Atomics.load(this.header, CONS);
    this.consLocal = this.consCache;
    this.prodCache = this.prodLocal;
  }

  /** Attach to the ring `spec` describes (the same as `new Ring(spec)`). */
  static attach(spec: RingSpec): Ring {
    return new Ring(spec);
  }

  // ---- producer ----

  /**
   * Return how many of `n` slots can be written now (0..n). Reads the consumer's index only
   * when the cached one shows fewer than `n` free. Bounded work: O(1).
   */
  produceReserve(n: number): number {
    let free = this.size - ((this.prodLocal - this.consCache) | 0);
    if (free < n) {
      this.consCache = Atomics.load(this.header, CONS); // acquire: the consumer is done with those slots
      free = this.size - ((this.prodLocal - this.consCache) | 0);
    }
    return free < n ? free : n;
  }

  /** Return the word index in `desc` of the i-th reserved slot. */
  prodWord(i: number): number {
    return ((this.prodLocal + i) & this.mask) << 2;
  }

  /** Write the i-th reserved slot (i < the count `produceReserve` returned). */
  setDesc(i: number, offset: number, length: number, flags: number, user: number): void {
    const w = ((this.prodLocal + i) & this.mask) << 2;
    const d = this.desc;
    d[w] = offset;
    d[w + 1] = length;
    d[w + 2] = flags;
    d[w + 3] = user;
  }

  /**
   * Make the first `n` reserved slots visible to the consumer with one index store, then
   * wake the consumer if it asked; return whether it had asked (and was woken). With `wake`
   * false the consumer is not woken: the caller must `bell.ring()` later (a batch of
   * wake-ups, as a NIC driver's xmit_more defers its doorbell write), or a consumer asleep
   * sleeps on until its timeout.
   */
  producePublish(n: number, wake = true): boolean {
    this.prodLocal = (this.prodLocal + n) | 0;
    // Release: the plain descriptor writes above happen-before the consumer's reads of them.
    // Seq-cst also orders this store before the flag load below (the doorbell's Dekker pair).
    Atomics.store(this.header, PROD, this.prodLocal);
    return wake ? this.bell.ring() : false;
  }

  /** Write and publish one descriptor; return ChanErr.Ok or ChanErr.Full. */
  push(offset: number, length: number, flags: number, user: number): number {
    if (this.produceReserve(1) === 0) return ChanErr.Full;
    this.setDesc(0, offset, length, flags, user);
    this.producePublish(1);
    return ChanErr.Ok;
  }

  // ---- consumer ----

  /**
   * Return how many descriptors (0..max) can be read now. Reads the producer's index only
   * when the cached one shows none. Bounded work: O(1).
   */
  consumePeek(max: number): number {
    let avail = (this.prodCache - this.consLocal) | 0;
    if (avail === 0) {
      this.prodCache = Atomics.load(this.header, PROD); // acquire: descriptors below it are complete
      avail = (this.prodCache - this.consLocal) | 0;
    }
    return avail < max ? avail : max;
  }

  /** Return the word index in `desc` of the i-th readable slot. */
  consWord(i: number): number {
    return ((this.consLocal + i) & this.mask) << 2;
  }

  /** Return the offset of the i-th readable descriptor. */
  peekOffset(i: number): number {
    return this.desc[((this.consLocal + i) & this.mask) << 2]!;
  }

  /** Return the length of the i-th readable descriptor. */
  peekLength(i: number): number {
    return this.desc[(((this.consLocal + i) & this.mask) << 2) + 1]!;
  }

  /** Return the flags of the i-th readable descriptor. */
  peekFlags(i: number): number {
    return this.desc[(((this.consLocal + i) & this.mask) << 2) + 2]!;
  }

  /** Return the user word of the i-th readable descriptor. */
  peekUser(i: number): number {
    return this.desc[(((this.consLocal + i) & this.mask) << 2) + 3]!;
  }

  /** Give the first `n` readable slots back to the producer with one index store. */
  consumeRelease(n: number): void {
    this.consLocal = (this.consLocal + n) | 0;
    // Release: our reads of those slots happen-before the producer's next writes to them.
    Atomics.store(this.header, CONS, this.consLocal);
  }

  /** Read and release one descriptor into `out`; return ChanErr.Ok or ChanErr.Empty. */
  pop(out: RingDesc): number {
    if (this.consumePeek(1) === 0) return ChanErr.Empty;
    const w = (this.consLocal & this.mask) << 2;
    const d = this.desc;
    out.offset = d[w]!;
    out.length = d[w + 1]!;
    out.flags = d[w + 2]!;
    out.user = d[w + 3]!;
    this.consumeRelease(1);
    return ChanErr.Ok;
  }

  /** Return whether the consumer sees nothing to read (refreshing its view of the producer). */
  isEmpty(): boolean {
    return this.consumePeek(1) === 0;
  }

  /**
   * Ask the producer to wake us at its next publish (consumer side, before sleeping);
   * return true when armed (the ring is still empty: sleep now) or false when descriptors
   * arrived meanwhile (not armed: consume them instead of sleeping).
   */
  consumeArm(): boolean {
    this.bell.arm();
    // Seq-cst: the flag store above is ordered before this load (see doorbell.ts).
    this.prodCache = Atomics.load(this.header, PROD);
    if (((this.prodCache - this.consLocal) | 0) !== 0) {
      this.bell.disarm();
      return false;
    }
    return true;
  }

  /**
   * Block until the ring is non-empty, closed, or `timeoutMs` elapses; return ChanErr.Ok
   * (non-empty, or woken: check again), ChanErr.Closed, ChanErr.TimedOut or
   * ChanErr.NotShared.
   */
  consumeWaitSync(timeoutMs: number): number {
    if (this.consumePeek(1) !== 0) return ChanErr.Ok;
    if (this.isClosed()) return ChanErr.Closed;
    if (!this.bell.shared) return ChanErr.NotShared;
    if (!this.consumeArm()) return ChanErr.Ok;
    const r = this.bell.waitSync(timeoutMs);
    this.bell.disarm();
    if (this.consumePeek(1) !== 0) return ChanErr.Ok;
    if (this.isClosed()) return ChanErr.Closed;
    return r;
  }

  /**
   * Wait without blocking until the ring is non-empty, closed, or `timeoutMs` elapses;
   * resolve to the codes of `consumeWaitSync`. Allocates a promise per sleep, not per
   * descriptor.
   */
  consumeWaitAsync(timeoutMs: number): Promise<number> {
    if (this.consumePeek(1) !== 0) return Promise.resolve(ChanErr.Ok);
    if (this.isClosed()) return Promise.resolve(ChanErr.Closed);
    if (!this.bell.shared) return Promise.resolve(ChanErr.NotShared);
    if (!this.consumeArm()) return Promise.resolve(ChanErr.Ok);
    return this.bell.waitAsync(timeoutMs).then((r) => {
      this.bell.disarm();
      if (this.consumePeek(1) !== 0) return ChanErr.Ok;
      if (this.isClosed()) return ChanErr.Closed;
      return r;
    });
  }

  // ---- either side ----

  /** Return the number of descriptors in the ring now (fresh loads of both indices). */
  count(): number {
    return (Atomics.load(this.header, PROD) - Atomics.load(this.header, CONS)) | 0;
  }

  /** Mark the ring closed (either side) and wake a sleeping consumer. Idempotent. */
  close(): void {
    Atomics.store(this.header, CLOSED, 1);
    this.bell.kick();
  }

  /** Return whether either side has closed the ring. */
  isClosed(): boolean {
    return Atomics.load(this.header, CLOSED) !== 0;
  }

  /** Return how many wake-ups this handle's producer side delivered. */
  get wakeups(): number {
    return this.bell.notifies;
  }
}
