// Channel layer: how bytes move between threads without being copied or locked.
//
// Deals with: single-producer single-consumer descriptor rings in shared memory (ring.ts),
// the doorbell that lets an idle consumer sleep and be woken only when it asked
// (doorbell.ts), the frame arena where packets live and the per-owner free-frame pools
// (arena.ts), and frame channels that tie them together, data ring one way and fill ring
// back (channel.ts).
//
// Guarantees: every descriptor published arrives exactly once, in order; a slot is never
// rewritten while being read, nor read before it is complete (the ordering argument is in
// ring.ts); a consumer that armed the doorbell is woken by the next publish, and one that
// did not is never notified; hot paths (reserve, publish, peek, release, alloc, send,
// recycle) allocate nothing; with `ownerChecks` a frame held by two owners or freed twice
// is reported by a ChanErr code at the offending call. All Atomics code of the project lives
// in this folder.
//
// Never does: look inside a frame, copy a frame, allocate per descriptor, block unless
// asked to (consumeWaitSync), throw from a hot path (setup with impossible arguments
// throws a RangeError with code EINVAL), or import another layer of the project.

export { ChanErr, chanArgError, chanErrName, type ChanErrCode } from './errors.js';
export { Doorbell } from './doorbell.js';
export {
  DESC_BYTES,
  DESC_FLAGS,
  DESC_LENGTH,
  DESC_OFFSET,
  DESC_USER,
  DESC_WORDS,
  RING_HEADER_BYTES,
  RING_MAGIC,
  RING_MAX_SIZE,
  RING_MIN_SIZE,
  Ring,
  checkRingSpec,
  createRing,
  newRingDesc,
  ringByteLength,
  type RingDesc,
  type RingOptions,
  type RingSpec,
} from './ring.js';
export {
  Arena,
  FRAME_SIZE_DEFAULT,
  FRAME_SIZE_MAX,
  FRAME_SIZE_MIN,
  FramePool,
  OWNER_FREE,
  arenaByteLength,
  checkArenaSpec,
  createArena,
  type ArenaOptions,
  type ArenaSpec,
} from './arena.js';
export {
  ChannelConsumer,
  ChannelProducer,
  ceilPow2,
  createNetChannel,
  openLocalChannel,
  type NetChannelOptions,
  type NetChannelSpec,
} from './channel.js';
