// Result codes of the channel layer (rings, doorbell, arena): small integers, 0 = ok. Hot
// paths return one of these and never throw; only setup calls with impossible arguments
// (a ring of 3 slots, a spec that is not a ring) throw. Codes are permanent; add new ones
// at the end.

export const ChanErr = {
  Ok: 0,
  /** The ring has no free slot (producer side). */
  Full: 1,
  /** The ring has no descriptor to consume. */
  Empty: 2,
  /** No free frame is left in the pool. */
  Exhausted: 3,
  /** The offset is not the start of a frame of this arena (out of range or misaligned). */
  BadFrame: 4,
  /** Ownership check: the frame belongs to another owner than the one using or passing it. */
  NotOwner: 5,
  /** Ownership check: the frame is already free (freed twice). */
  DoubleFree: 6,
  /** A ring or arena spec does not describe a valid ring or arena. */
  BadSpec: 7,
  /** A wait ended because its timeout elapsed. */
  TimedOut: 8,
  /** The ring was closed. */
  Closed: 9,
  /** The operation needs a SharedArrayBuffer (waiting), and the ring is on an ArrayBuffer. */
  NotShared: 10,
  /** A pool already holds as many frames as it can: the frame was freed twice (checks off). */
  PoolOverflow: 11,
} as const;

export type ChanErrCode = (typeof ChanErr)[keyof typeof ChanErr];

const names: readonly string[] = Object.keys(ChanErr);

/** Return the name of a channel result code ("Full"), for counters and messages. */
export function chanErrName(code: number): string {
  return names[code] ?? `ChanErr(${code})`;
}

/**
 * Return the RangeError a channel setup call throws for impossible arguments, with the
 * stable code `EINVAL` (as the link layer's `linkArgError`; see docs/errors.md).
 */
export function chanArgError(message: string): RangeError & { code: 'EINVAL' } {
  const e = new RangeError(`EINVAL: ${message}`) as RangeError & { code: 'EINVAL' };
  e.code = 'EINVAL';
  return e;
}
