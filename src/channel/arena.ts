// The frame arena (AF_XDP calls it UMEM): fixed-size frames in one buffer that every thread
// maps at the same offsets, so "frame 7" means the same bytes everywhere. Frames are never
// copied between owners; they change hands as descriptors (offset, length, flags) through
// rings, the way AF_XDP moves UMEM frames through its fill, rx, tx and completion rings and
// AF_PACKET's mmap ring flips a frame's status word between kernel and user.
//
// A FramePool is one owner's stack of free frames (thread-local, no atomics). Frames
// return to their producer either directly (one thread) or through a fill ring (across
// threads; see channel.ts).
//
// Ownership checks (option `ownerChecks`, off by default): a per-frame owner table (Int32,
// in the same shared buffer, so checks work across threads) records who holds each frame
// (0 = free). Every hand-over is a compareExchange from the expected owner, so a frame
// used by two owners, passed by a non-owner, or freed twice is caught at that call with a
// ChanErr code. With checks off those calls cost nothing and validate nothing.

import { ChanErr, chanArgError } from './errors.js';
import type { Ring } from './ring.js';

/** Default frame size: room for a 1514-byte Ethernet frame plus headroom, like AF_XDP's 2048. */
export const FRAME_SIZE_DEFAULT = 2048;
/** Smallest frame size (and the alignment every frame size must have). */
export const FRAME_SIZE_MIN = 64;
/** Largest frame size. */
export const FRAME_SIZE_MAX = 65536;
/** The owner id of a free frame in the owner table. */
export const OWNER_FREE = 0;

/** Everything needed to map an arena in any thread: post it once at setup. */
export interface ArenaSpec {
  /** The memory: frames, then (with checks) one Int32 owner per frame. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** Bytes per frame (a multiple of 64). */
  readonly frameSize: number;
  /** Number of frames. */
  readonly frameCount: number;
  /** Whether the owner table exists and hand-overs are checked. */
  readonly ownerChecks: boolean;
}

/** Options of `createArena`. */
export interface ArenaOptions {
  /** Number of frames. */
  frameCount: number;
  /** Bytes per frame, a multiple of 64 (default 2048). */
  frameSize?: number;
  /** Keep an owner table and check every hand-over (default false: checks cost atomics). */
  ownerChecks?: boolean;
  /** Use a SharedArrayBuffer (default true); false gives a one-thread arena. */
  shared?: boolean;
}

/** Return the bytes an arena occupies. */
export function arenaByteLength(frameCount: number, frameSize: number, ownerChecks: boolean): number {
  return frameCount * frameSize + (ownerChecks ? frameCount * 4 : 0);
}

function validGeometry(frameCount: number, frameSize: number): boolean {
  return (
    Number.isInteger(frameCount) && frameCount >= 1 && Number.isInteger(frameSize) &&
    frameSize >= FRAME_SIZE_MIN && frameSize <= FRAME_SIZE_MAX && frameSize % FRAME_SIZE_MIN === 0 &&
    frameCount * frameSize <= 0x7fff_ffff
  );
}

/** Allocate an arena; return its spec. Throws RangeError on impossible geometry (a setup error). */
export function createArena(options: ArenaOptions): ArenaSpec {
  const frameSize = options.frameSize ?? FRAME_SIZE_DEFAULT;
  const { frameCount } = options;
  if (!validGeometry(frameCount, frameSize)) {
    throw chanArgError(`createArena: ${frameCount} frames of ${frameSize} bytes (need >= 1 frame, size a multiple of 64 in [64, 65536], < 2 GiB)`);
  }
  const ownerChecks = options.ownerChecks === true;
  const bytes = arenaByteLength(frameCount, frameSize, ownerChecks);
  const buffer = options.shared === false ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes);
  return { buffer, frameSize, frameCount, ownerChecks };
}

/** Return ChanErr.Ok when `spec` describes an arena, else ChanErr.BadSpec. */
export function checkArenaSpec(spec: ArenaSpec): number {
  if (spec === null || typeof spec !== 'object') return ChanErr.BadSpec;
  const { buffer, frameSize, frameCount, ownerChecks } = spec;
  const isBuffer = buffer instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer);
  if (!isBuffer || !validGeometry(frameCount, frameSize) || typeof ownerChecks !== 'boolean') return ChanErr.BadSpec;
  if (arenaByteLength(frameCount, frameSize, ownerChecks) > buffer.byteLength) return ChanErr.BadSpec;
  return ChanErr.Ok;
}

/** One thread's mapping of an arena. */
export class Arena {
  /** The spec this mapping was made from. */
  readonly spec: ArenaSpec;
  /** The frame bytes: frame i starts at byte i * frameSize. */
  readonly bytes: Uint8Array;
  /** Bytes per frame. */
  readonly frameSize: number;
  /** Number of frames. */
  readonly frameCount: number;
  /** The owner table (one Int32 per frame), or null when checks are off. */
  readonly owners: Int32Array | null;
  /** Whether hand-overs are checked. */
  readonly checks: boolean;

  /** Map the arena `spec` describes. Throws RangeError when it is not an arena. */
  constructor(spec: ArenaSpec) {
    if (checkArenaSpec(spec) !== ChanErr.Ok) throw chanArgError('Arena: the spec does not describe an arena');
    this.spec = spec;
    this.frameSize = spec.frameSize;
    this.frameCount = spec.frameCount;
    this.bytes = new Uint8Array(spec.buffer, 0, spec.frameCount * spec.frameSize);
    this.checks = spec.ownerChecks;
    this.owners = spec.ownerChecks ? new Int32Array(spec.buffer, spec.frameCount * spec.frameSize, spec.frameCount) : null;
  }

  /** Return the byte offset of frame `index`. */
  frameOffset(index: number): number {
    return index * this.frameSize;
  }

  /** Return the index of the frame starting at `offset`, or -1 when no frame starts there. */
  frameIndex(offset: number): number {
    if (!(offset >= 0) || offset % this.frameSize !== 0) return -1;
    const i = offset / this.frameSize;
    return i < this.frameCount ? i : -1;
  }

  /** Return the owner of the frame at `offset` (0 = free), or -1 when unknown (checks off, bad offset). */
  ownerOf(offset: number): number {
    const i = this.frameIndex(offset);
    return this.owners === null || i < 0 ? -1 : Atomics.load(this.owners, i);
  }

  /**
   * Record that `owner` (a positive id) takes the free frame at `offset`; return ChanErr.Ok,
   * or (checks on) BadFrame, or NotOwner when someone else already holds it.
   */
  claim(offset: number, owner: number): number {
    if (this.owners === null) return ChanErr.Ok;
    const i = this.frameIndex(offset);
    if (i < 0) return ChanErr.BadFrame;
    const was = Atomics.compareExchange(this.owners, i, OWNER_FREE, owner);
    return was === OWNER_FREE ? ChanErr.Ok : ChanErr.NotOwner;
  }

  /**
   * Record that the frame at `offset` passes from `from` to `to`; return ChanErr.Ok, or
   * (checks on) BadFrame, or NotOwner when `from` does not hold it.
   */
  pass(offset: number, from: number, to: number): number {
    if (this.owners === null) return ChanErr.Ok;
    const i = this.frameIndex(offset);
    if (i < 0) return ChanErr.BadFrame;
    return Atomics.compareExchange(this.owners, i, from, to) === from ? ChanErr.Ok : ChanErr.NotOwner;
  }

  /**
   * Record that `owner` frees the frame at `offset`; return ChanErr.Ok, or (checks on)
   * BadFrame, DoubleFree when it is already free, or NotOwner when someone else holds it.
   */
  release(offset: number, owner: number): number {
    if (this.owners === null) return ChanErr.Ok;
    const i = this.frameIndex(offset);
    if (i < 0) return ChanErr.BadFrame;
    const was = Atomics.compareExchange(this.owners, i, owner, OWNER_FREE);
    if (was === owner) return ChanErr.Ok;
    return was === OWNER_FREE ? ChanErr.DoubleFree : ChanErr.NotOwner;
  }

  /** Return whether `len` bytes at `offset` lie inside one frame. */
  inFrame(offset: number, len: number): boolean {
    const start = offset - (offset % this.frameSize);
    return offset >= 0 && len >= 0 && offset + len <= start + this.frameSize && start < this.frameCount * this.frameSize;
  }
}

/**
 * One owner's free frames: a LIFO stack of frame offsets (the most recently freed frame is
 * reused first, while still warm in cache). Thread-local: no atomics, no allocation.
 */
export class FramePool {
  /** The arena the frames belong to. */
  readonly arena: Arena;
  /** The owner id frames are claimed for on `alloc` (a positive integer). */
  readonly owner: number;
  /** The most frames the pool can hold. */
  readonly capacity: number;
  /** The last error code of `alloc` (ChanErr.Ok after a success). */
  lastError: number = ChanErr.Ok;
  private readonly stack: Int32Array;
  private top = 0;

  constructor(arena: Arena, owner: number, capacity: number) {
    if (!(owner > 0) || !Number.isInteger(owner)) throw chanArgError(`FramePool: owner ${owner} is not a positive integer`);
    this.arena = arena;
    this.owner = owner;
    this.capacity = capacity;
    this.stack = new Int32Array(capacity);
  }

  /** Add the free frames [first, first + count) to the pool (setup). Throws past capacity. */
  addRange(first: number, count: number): void {
    if (first < 0 || first + count > this.arena.frameCount || this.top + count > this.capacity) {
      throw chanArgError(`FramePool.addRange: frames [${first}, ${first + count}) do not fit`);
    }
    // Pushed in reverse so frames come out in ascending order.
    for (let i = first + count - 1; i >= first; i--) this.stack[this.top++] = i * this.arena.frameSize;
  }

  /** Return the number of free frames in the pool. */
  available(): number {
    return this.top;
  }

  /**
   * Take a free frame for `owner`; return its offset, or -1 (lastError says why:
   * Exhausted, or with checks NotOwner when a frame in the pool was not free).
   * Ownership: the caller holds the frame until it passes or frees it.
   */
  alloc(): number {
    if (this.top === 0) {
      this.lastError = ChanErr.Exhausted;
      return -1;
    }
    const off = this.stack[--this.top]!;
    if (this.arena.checks) {
      const code = this.arena.claim(off, this.owner);
      if (code !== ChanErr.Ok) {
        this.lastError = code;
        return -1;
      }
    }
    this.lastError = ChanErr.Ok;
    return off;
  }

  /**
   * Return the frame at `offset`, held by `by`, to the pool; return ChanErr.Ok, or
   * PoolOverflow (the pool is full: a frame was freed twice), or with checks BadFrame,
   * NotOwner, DoubleFree (then the frame is not added).
   * Ownership: takes the frame; `by` must not touch it after return.
   */
  free(offset: number, by: number): number {
    if (this.arena.checks) {
      const code = this.arena.release(offset, by);
      if (code !== ChanErr.Ok) return code;
    }
    if (this.top === this.capacity) return ChanErr.PoolOverflow;
    this.stack[this.top++] = offset;
    return ChanErr.Ok;
  }

  /**
   * Move the frames waiting in a fill ring (descriptors whose offset is a free frame,
   * published by the frames' consumer) into the pool; return how many.
   * Bounded work: at most the room left in the pool.
   */
  refill(fill: Ring): number {
    const n = fill.consumePeek(this.capacity - this.top);
    for (let i = 0; i < n; i++) this.stack[this.top++] = fill.peekOffset(i);
    if (n > 0) fill.consumeRelease(n);
    return n;
  }
}
