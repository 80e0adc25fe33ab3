// A net channel for frames: one direction of traffic over an arena. The producer owns a
// partition of the arena's frames; it takes a free frame, writes the packet in place, and
// sends the descriptor through the data ring. The consumer reads the frame where it lies
// and gives it back: through the fill ring when the two sides live in different threads
// (the consumer is the fill ring's producer: AF_XDP's fill/completion rings), or straight
// into the producer's pool when they share a thread (a "local" channel has no fill ring).
//
//   producer:  alloc() -> write bytes -> send(off, len, flags, user) ... flush()
//   consumer:  n = peek(max) -> offset(i)/length(i)... -> recycle(off) ... -> release(n); flushRecycled()
//
// The fill ring has a slot for every frame of the partition, so returning a frame never
// fails for want of room. Nothing here allocates per frame.

import { Arena, FramePool, type ArenaSpec } from './arena.js';
import { ChanErr, chanArgError } from './errors.js';
import { Ring, createRing, type RingSpec } from './ring.js';

/** Everything needed to open either end of a frame channel, in any thread. */
export interface NetChannelSpec {
  /** The arena the frames live in. */
  readonly arena: ArenaSpec;
  /** Producer -> consumer: filled frames. */
  readonly data: RingSpec;
  /** Consumer -> producer: frames given back; null for a one-thread channel. */
  readonly fill: RingSpec | null;
  /** The producer's partition: frames [firstFrame, firstFrame + frameCount). */
  readonly firstFrame: number;
  readonly frameCount: number;
  /** Owner ids for the arena's ownership checks. */
  readonly producerId: number;
  readonly consumerId: number;
}

/** Options of `createNetChannel`. */
export interface NetChannelOptions {
  /** First frame of the producer's partition (default 0). */
  firstFrame?: number;
  /** Frames in the partition (default: the rest of the arena). */
  frameCount?: number;
  /** Data ring slots, a power of two (default: frameCount rounded up to a power of two). */
  ringSize?: number;
  /** Owner ids (defaults 1 and 2). */
  producerId?: number;
  consumerId?: number;
  /** Make a one-thread channel: no fill ring, frames go straight back (default false). */
  local?: boolean;
}

/** Return the smallest power of two >= n (at least 2). */
export function ceilPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Create the rings of a channel over `arena`; return its spec. Throws RangeError on bad options. */
export function createNetChannel(arena: ArenaSpec, options: NetChannelOptions = {}): NetChannelSpec {
  const firstFrame = options.firstFrame ?? 0;
  const frameCount = options.frameCount ?? arena.frameCount - firstFrame;
  if (!Number.isInteger(firstFrame) || !Number.isInteger(frameCount) || firstFrame < 0 || frameCount < 1 || firstFrame + frameCount > arena.frameCount) {
    throw chanArgError(`createNetChannel: frames [${firstFrame}, ${firstFrame + frameCount}) are not in the arena's ${arena.frameCount}`);
  }
  const producerId = options.producerId ?? 1;
  const consumerId = options.consumerId ?? 2;
  if (!(producerId > 0 && consumerId > 0 && producerId !== consumerId)) {
    throw chanArgError('createNetChannel: owner ids must be distinct positive integers');
  }
  const shared = typeof SharedArrayBuffer !== 'undefined' && arena.buffer instanceof SharedArrayBuffer;
  const data = createRing(options.ringSize ?? ceilPow2(frameCount), { shared });
  const fill = options.local === true ? null : createRing(ceilPow2(frameCount), { shared });
  return { arena, data, fill, firstFrame, frameCount, producerId, consumerId };
}

/** The sending end of a frame channel. One thread only. */
export class ChannelProducer {
  /** The arena mapping. */
  readonly arena: Arena;
  /** The data ring (this side produces). */
  readonly data: Ring;
  /** The fill ring (this side consumes), or null for a one-thread channel. */
  readonly fill: Ring | null;
  /** The producer's free frames. */
  readonly pool: FramePool;
  /** This side's owner id, and the consumer's. */
  readonly id: number;
  readonly peerId: number;
  private pending = 0;

  /** Open the producer end of `spec`, reusing `arena` when this thread already maps it. */
  constructor(spec: NetChannelSpec, arena: Arena = new Arena(spec.arena)) {
    this.arena = arena;
    this.data = new Ring(spec.data);
    this.fill = spec.fill === null ? null : new Ring(spec.fill);
    this.id = spec.producerId;
    this.peerId = spec.consumerId;
    this.pool = new FramePool(arena, spec.producerId, spec.frameCount);
    this.pool.addRange(spec.firstFrame, spec.frameCount);
  }

  /**
   * Take a free frame; return its offset in `arena.bytes`, or -1 when none is free (the
   * pool and the fill ring are empty; `pool.lastError` says why).
   * Ownership: the caller holds the frame until `send` or `free`.
   */
  alloc(): number {
    const off = this.pool.alloc();
    if (off >= 0 || this.fill === null) return off;
    if (this.pool.refill(this.fill) === 0) return -1;
    return this.pool.alloc();
  }

  /**
   * After `canSend` or `alloc` failed: ask to be told when the consumer gives frames back
   * (the fill ring's need-wakeup flag; the consumer's `flushRecycled` then answers true and
   * it wakes this side by its own means), then try once more, so frames and slots returned
   * meanwhile are not missed (the doorbell's Dekker pair). Return a frame's offset, or -1
   * with the flag left raised.
   */
  wantFrames(): number {
    const fill = this.fill;
    if (fill === null) return -1;
    fill.bell.arm();
    const off = this.canSend() ? this.alloc() : -1;
    if (off >= 0) fill.bell.disarm();
    return off;
  }

  /** Return a frame taken by `alloc` and not sent; return a ChanErr code. */
  free(off: number): number {
    return this.pool.free(off, this.id);
  }

  /** Return whether one more descriptor fits in the data ring now. */
  canSend(): boolean {
    return this.data.produceReserve(this.pending + 1) > this.pending;
  }

  /**
   * Queue the frame at `off` (len bytes) for the consumer; it becomes visible at the next
   * `flush`. Return ChanErr.Ok, Full (no slot: the caller still holds the frame), or with
   * checks NotOwner/BadFrame.
   * Ownership: on Ok, takes the frame; the caller must not touch it after return.
   */
  send(off: number, len: number, flags: number, user: number): number {
    if (this.data.produceReserve(this.pending + 1) <= this.pending) return ChanErr.Full;
    if (this.arena.checks) {
      const code = this.arena.pass(off, this.id, this.peerId);
      if (code !== ChanErr.Ok) return code;
    }
    this.data.setDesc(this.pending, off, len, flags, user);
    this.pending++;
    return ChanErr.Ok;
  }

  /** Return the number of sent descriptors not yet flushed. */
  unflushed(): number {
    return this.pending;
  }

  /**
   * Publish the queued descriptors (one index store); return whether the consumer was woken.
   * `wake` false publishes without waking a consumer that sleeps (see Ring.producePublish).
   */
  flush(wake = true): boolean {
    if (this.pending === 0) return false;
    const n = this.pending;
    this.pending = 0;
    return this.data.producePublish(n, wake);
  }
}

/** The receiving end of a frame channel. One thread only. */
export class ChannelConsumer {
  /** The arena mapping. */
  readonly arena: Arena;
  /** The data ring (this side consumes). */
  readonly data: Ring;
  /** The fill ring (this side produces), or null for a one-thread channel. */
  readonly fill: Ring | null;
  /** This side's owner id, and the producer's. */
  readonly id: number;
  readonly peerId: number;
  /** For a one-thread channel: the producer's pool, where frames go straight back. */
  local: FramePool | null = null;
  private returned = 0;

  /** Open the consumer end of `spec`, reusing `arena` when this thread already maps it. */
  constructor(spec: NetChannelSpec, arena: Arena = new Arena(spec.arena)) {
    this.arena = arena;
    this.data = new Ring(spec.data);
    this.fill = spec.fill === null ? null : new Ring(spec.fill);
    this.id = spec.consumerId;
    this.peerId = spec.producerId;
  }

  /** Return how many frames (0..max) can be read now. */
  peek(max: number): number {
    return this.data.consumePeek(max);
  }

  /** Return the offset in `arena.bytes` of the i-th readable frame. */
  offset(i: number): number {
    return this.data.peekOffset(i);
  }

  /** Return the length of the i-th readable frame. */
  length(i: number): number {
    return this.data.peekLength(i);
  }

  /** Return the flags of the i-th readable frame. */
  flags(i: number): number {
    return this.data.peekFlags(i);
  }

  /** Return the user word of the i-th readable frame. */
  user(i: number): number {
    return this.data.peekUser(i);
  }

  /**
   * Free the first `n` readable slots of the data ring. The frames stay the consumer's
   * until `recycle`d, so a frame may outlive its slot (a zero-copy receive queue).
   */
  release(n: number): void {
    this.data.consumeRelease(n);
  }

  /**
   * Give the frame at `off` back to the producer (published by `flushRecycled` when a fill
   * ring carries it); return ChanErr.Ok or, with checks, NotOwner/DoubleFree/BadFrame.
   * Ownership: takes the frame; the caller must not touch it after return.
   */
  recycle(off: number): number {
    if (this.local !== null) return this.local.free(off, this.id);
    if (this.arena.checks) {
      const code = this.arena.release(off, this.id);
      if (code !== ChanErr.Ok) return code;
    }
    const fill = this.fill!;
    // Cannot fail: the fill ring has a slot for every frame of the partition.
    if (fill.produceReserve(this.returned + 1) <= this.returned) return ChanErr.Full;
    fill.setDesc(this.returned, off, 0, 0, 0);
    this.returned++;
    return ChanErr.Ok;
  }

  /**
   * Publish the recycled frames to the producer (one index store); return whether the
   * producer had raised the fill ring's need-wakeup flag (it ran out of frames: `wantFrames`).
   */
  flushRecycled(): boolean {
    if (this.returned === 0) return false;
    const n = this.returned;
    this.returned = 0;
    return this.fill!.producePublish(n);
  }

  /** Recycle the first `n` readable frames and release their slots: the common "done with the burst". */
  done(n: number): void {
    for (let i = 0; i < n; i++) this.recycle(this.data.peekOffset(i));
    this.data.consumeRelease(n);
    this.flushRecycled();
  }
}

/** Open both ends of a one-thread channel (spec.fill must be null): frames return straight to the pool. */
export function openLocalChannel(spec: NetChannelSpec, arena: Arena = new Arena(spec.arena)): { producer: ChannelProducer; consumer: ChannelConsumer } {
  if (spec.fill !== null) throw chanArgError('openLocalChannel: the spec has a fill ring (open the ends separately)');
  const producer = new ChannelProducer(spec, arena);
  const consumer = new ChannelConsumer(spec, arena);
  consumer.local = producer.pool;
  return { producer, consumer };
}
