// The storage layer: the data structures TCP keeps per connection, with no knowledge of
// packets or sockets.
// - ByteRing: a fixed-capacity byte FIFO for send and receive buffers, with peek at an offset
//   (retransmission) and write-ahead into free space (out-of-order data).
// - Assembler: which byte ranges past the read position have arrived (holes, SACK blocks).
// - TimerWheel / TimerHandle: deadline-ordered intrusive timers driven by an injected `now`.
// - Prng: a seeded generator for simulations, fault injection and property tests.
// - slabBytes / slabFloat64 (slab.ts): small per-connection arrays as slices of shared slabs.
// Guarantees: bounded memory (a ByteRing's array grows toward its capacity as bytes need it,
// the timer heap's array to the most timers armed at once; nothing else grows); nothing reads a clock;
// failures are small integer codes (StoreErr), never exceptions on the data path.
// Never: imports from other layers (only src/time.ts), does I/O, or allocates per operation.

export { ByteRing } from './byte-ring.js';
export { ASSEMBLER_DEFAULT_HOLES, Assembler } from './assembler.js';
export { type TimerCallback, TimerHandle, TimerWheel } from './timer-wheel.js';
export { Prng, splitmix32 } from './prng.js';
export { StoreErr, type StoreErrCode, storeErrName } from './errors.js';
