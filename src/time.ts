// Time, the one place it is defined. Protocol code never reads a clock: every call that
// needs the time takes `now` (milliseconds, possibly fractional, on some monotonic clock)
// as a parameter. A RealClock drives production; a VirtualClock drives tests and
// simulations, so a 60-second TIME-WAIT takes no wall time and every run is reproducible.

/** Milliseconds on a monotonic clock. */
export type Millis = number;

/** A source of the current time. */
export interface Clock {
  /** Return the current time in milliseconds. */
  now(): Millis;
}

/** The process's monotonic clock (`performance.now()`). */
export class RealClock implements Clock {
  /** Return the current monotonic time in milliseconds. */
  now(): Millis {
    return performance.now();
  }
}

/** A clock that moves only when told to. */
export class VirtualClock implements Clock {
  private t: Millis;

  constructor(start: Millis = 0) {
    this.t = start;
  }

  /** Return the current virtual time. */
  now(): Millis {
    return this.t;
  }

  /** Move the clock forward by `ms` (never backward). */
  advance(ms: Millis): Millis {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: ${ms} is not a non-negative duration`);
    this.t += ms;
    return this.t;
  }

  /** Move the clock to `t` if it is later than now. */
  advanceTo(t: Millis): Millis {
    if (t > this.t) this.t = t;
    return this.t;
  }
}

/** A deadline meaning "never". */
export const NEVER: Millis = Number.POSITIVE_INFINITY;
