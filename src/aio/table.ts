// The request table: the arguments of every queued request, in shared memory, one slot per
// request (aio_num slots). The main thread writes a slot before it publishes the slot's index
// in the run queue (runqueue.ts), and reads back only the state word: the result travels in
// the completion descriptor. The queue's publish orders the slot writes before the helper's
// reads (see runqueue.ts).

/** Slot operation: pread into the buffer. */
export const OP_READ = 0;
/** Slot operation: pwrite from the buffer. */
export const OP_WRITE = 1;
/** Slot operation: fsync (aio_fsync with O_SYNC). */
export const OP_FSYNC = 2;
/** Slot operation: fdatasync (aio_fsync with O_DSYNC). */
export const OP_FDATASYNC = 3;

/** Int32 words per slot. */
export const SLOT_WORDS = 8;
/** Word of a slot: the operation. */
export const W_OP = 0;
/** Word of a slot: the file descriptor. */
export const W_FD = 1;
/** Word of a slot: the registered buffer's id. */
export const W_BUF = 2;
/** Word of a slot: where aio_buf starts in its SharedArrayBuffer. */
export const W_BUFOFF = 3;
/** Word of a slot: the byte count. */
export const W_NBYTES = 4;
/** Word of a slot: its state, (generation << 2) | ST_* of runqueue.ts; moved with compareExchange only. */
export const W_STATE = 5;
/** Word of a slot: the id of the helper that claimed it (written by that helper). */
export const W_HELPER = 6;

/** The views over one request table. */
export interface RequestTable {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  /** SLOT_WORDS words per slot. */
  readonly words: Int32Array;
  /** The file position of each slot (doubles: exact to 2^53). */
  readonly pos: Float64Array;
}

/** Allocate a table of `slots` requests. */
export function createRequestTable(slots: number): RequestTable {
  const buffer = new SharedArrayBuffer(slots * 8 + slots * SLOT_WORDS * 4);
  return attachRequestTable(buffer, slots);
}

/** Attach to a table another thread created. */
export function attachRequestTable(buffer: SharedArrayBuffer, slots: number): RequestTable {
  return { buffer, slots, pos: new Float64Array(buffer, 0, slots), words: new Int32Array(buffer, slots * 8, slots * SLOT_WORDS) };
}
