// The retransmission timeout of RFC 6298: a smoothed round-trip time (SRTT) and its mean
// deviation (RTTVAR) from one timed segment at a time, Karn's rule (no sample from a
// retransmitted segment, and a backed-off RTO is kept until a new sample arrives), and
// exponential backoff bounded by a minimum (Linux's 200 ms by default) and a maximum.

import type { Millis } from '../../time.js';

/** RFC 6298 §2: alpha = 1/8, beta = 1/4, K = 4; G, the clock granularity, is taken as 1 ms. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;
const G = 1;

/** The RTT estimator and RTO of one connection. */
export class RttEstimator {
  /** Smoothed RTT in ms (0 before the first sample). */
  srtt = 0;
  /** RTT variation in ms. */
  rttvar = 0;
  /** The retransmission timeout before backoff. */
  private baseRto: Millis;
  /** How many times the timer has expired since the last sample (the backoff exponent). */
  backoff = 0;
  /** True once a sample has been taken. */
  hasSample = false;

  /** Start with the initial RTO (RFC 6298 §2.1: 1 s) within [minRto, maxRto]. */
  constructor(private readonly minRto: Millis, private readonly maxRto: Millis, initialRto: Millis) {
    this.baseRto = clamp(initialRto, minRto, maxRto);
  }

  /** Return the current RTO: the base value doubled once per backoff, within the bounds. */
  rto(): Millis {
    let r = this.baseRto;
    for (let i = 0; i < this.backoff && r < this.maxRto; i++) r *= 2;
    return clamp(r, this.minRto, this.maxRto);
  }

  /**
   * Take one RTT measurement `r` (ms) of a segment that was not retransmitted (Karn's rule
   * is the caller's: never pass a sample from a retransmitted segment). RFC 6298 §2.2-2.3.
   */
  sample(r: Millis): void {
    if (!(r >= 0)) return;
    if (!this.hasSample) {
      // §2.2: the first measurement.
      this.srtt = r;
      this.rttvar = r / 2;
      this.hasSample = true;
    } else {
      // §2.3: RTTVAR first (it uses the old SRTT), then SRTT.
      this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - r);
      this.srtt = (1 - ALPHA) * this.srtt + ALPHA * r;
    }
    // §2.2-2.4: RTO = SRTT + max(G, K*RTTVAR), rounded up to the minimum.
    this.baseRto = clamp(this.srtt + Math.max(G, K * this.rttvar), this.minRto, this.maxRto);
    // §5.7 and Karn: a new sample ends the backoff.
    this.backoff = 0;
  }

  /** Double the RTO after an expiry (RFC 6298 §5.5). */
  backOff(): void {
    if (this.rto() < this.maxRto) this.backoff++;
  }

  /** End the backoff without a sample (a new ACK after the timer expired). */
  resetBackoff(): void {
    this.backoff = 0;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
