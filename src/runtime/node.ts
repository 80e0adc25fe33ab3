// What a driver needs of the things it runs: a host (src/iface), or anything else with
// timers and devices (a switch, a traffic generator in a test), polled the same way.

import type { Millis } from '../time.js';

/** Something a driver polls: it does bounded work in `poll` and says when it next has some. */
export interface PollNode {
  /** Do what is due at `now`; return how much work was done (0: idle until pollAt()). */
  poll(now: Millis): number;
  /** Return when the node next needs a poll (-Infinity: now; Infinity: never, unless woken). */
  pollAt(): Millis;
  /** Ask to be told when new work arrives before pollAt() (a device received frames). */
  setWakeup?(cb: (() => void) | null): void;
}

/** Something with a deadline but no work of its own (a device holding delayed frames). */
export interface Deadline {
  pollAt(): Millis;
}
