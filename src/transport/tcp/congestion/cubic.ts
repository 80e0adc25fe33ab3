// CUBIC congestion control (RFC 9438), the default as on Linux. Between losses the window
// follows W_cubic(t) = C × (t − K)³ + W_max (§4.2), a cubic in the time since the last
// congestion event that is flat around the window where the loss happened, with a
// Reno-friendly estimate W_est as its floor (§4.3). At a loss the window falls to β × the
// flight (β = 0.7, §4.6), and W_max shrinks further when losses come at a smaller window
// than the last time (fast convergence, §4.7). Slow start is RFC 5681's. Windows are
// computed in segments (as the RFC writes them) and kept in bytes.

import type { Millis } from '../../../time.js';
import { type CongestionControl, initialWindow } from './congestion.js';

/** RFC 9438 §5: C = 0.4, β_cubic = 0.7. */
const C = 0.4;
const BETA = 0.7;
/** RFC 9438 §4.3: α_cubic = 3 × (1 − β) / (1 + β), Reno's average rate at β = 0.7. */
const ALPHA = (3 * (1 - BETA)) / (1 + BETA);

/** CUBIC state of one connection. */
export class Cubic implements CongestionControl {
  readonly name = 'cubic';
  cwnd = 0;
  ssthresh = 0x7fff_ffff;
  inRecovery = false;
  /** Segments one ACK may add in slow start (1, RFC 5681 §3.1; more for a TSO sender, see CongestionControl). */
  abcLimit = 1;
  /** W_max in segments: the window at the last congestion event (after fast convergence). */
  wMax = 0;
  /** The window before the last reduction, in segments (cwnd_prior of §4.3). */
  private wPrior = 0;
  /** K in seconds (§4.2, equation 2). */
  private k = 0;
  /** Start of the current congestion-avoidance epoch in ms; -1 when none has started. */
  private epochStart = -1;
  /** W_est in segments (§4.3). */
  private wEst = 0;
  /** Fractions of a byte of growth not yet added to cwnd. */
  private acc = 0;

  /** Set the initial window (RFC 6928 §2) and forget past congestion events. */
  init(mss: number, iw: number, _now: Millis): void {
    this.cwnd = initialWindow(mss, iw);
    this.ssthresh = 0x7fff_ffff;
    this.inRecovery = false;
    this.wMax = 0;
    this.wPrior = 0;
    this.epochStart = -1;
    this.acc = 0;
  }

  /** Grow cwnd: slow start below ssthresh, else toward W_cubic(t + RTT) (RFC 9438 §4.2-§4.5). */
  onAck(acked: number, _flight: number, mss: number, now: Millis, srtt: Millis): void {
    if (this.cwnd < this.ssthresh) {
      // RFC 9438 §4.10: slow start as RFC 5681 §3.1 (HyStart++ is optional and not done).
      this.cwnd += Math.min(acked, mss * this.abcLimit);
      return;
    }
    const cwndSeg = this.cwnd / mss;
    if (this.epochStart < 0) {
      // §4.2: a new epoch; K from the distance to W_max (0 when the window is at or past it).
      this.epochStart = now;
      if (cwndSeg < this.wMax) this.k = Math.cbrt((this.wMax - cwndSeg) / C);
      else {
        this.k = 0;
        this.wMax = cwndSeg;
      }
      this.wEst = cwndSeg;
    }
    const t = (now - this.epochStart) / 1000;
    const rtt = srtt / 1000;
    // §4.3: W_est grows by α_cubic per window of acknowledged segments; α becomes 1 once
    // W_est has passed the window before the reduction.
    const alpha = this.wEst >= this.wPrior ? 1 : ALPHA;
    this.wEst += (alpha * (acked / mss)) / cwndSeg;
    const wCubicNow = this.wCubic(t);
    let inc: number;
    if (wCubicNow < this.wEst) {
      // §4.3, Reno-friendly region: cwnd follows W_est.
      inc = (this.wEst - cwndSeg) * mss;
    } else {
      // §4.4-§4.5: target = W_cubic(t + RTT), kept within [cwnd, 1.5 × cwnd]; cwnd grows by
      // (target − cwnd) / cwnd per segment acknowledged.
      let target = this.wCubic(t + rtt);
      if (target < cwndSeg) target = cwndSeg;
      else if (target > 1.5 * cwndSeg) target = 1.5 * cwndSeg;
      inc = ((target - cwndSeg) / cwndSeg) * acked;
    }
    if (inc <= 0) return;
    this.acc += inc;
    if (this.acc >= 1) {
      const whole = Math.floor(this.acc);
      this.cwnd += whole;
      this.acc -= whole;
    }
  }

  /** §4.6-§4.7: remember W_max (shrunk by fast convergence), ssthresh = β × flight, at least 2 SMSS. */
  onLoss(flight: number, mss: number, _now: Millis): void {
    this.reduce(flight, mss);
  }

  /** §4.8: as a loss, then cwnd is one segment and slow start follows. */
  onTimeout(flight: number, mss: number, _now: Millis): void {
    this.reduce(flight, mss);
    this.cwnd = mss;
    this.inRecovery = false;
  }

  /** Return W_cubic(t) in segments (§4.2, equation 1). */
  private wCubic(t: number): number {
    const d = t - this.k;
    return C * d * d * d + this.wMax;
  }

  private reduce(flight: number, mss: number): void {
    const cwndSeg = this.cwnd / mss;
    // §4.7 fast convergence: a loss below the last W_max releases bandwidth for new flows.
    this.wMax = cwndSeg < this.wMax ? (cwndSeg * (1 + BETA)) / 2 : cwndSeg;
    this.wPrior = cwndSeg;
    this.ssthresh = Math.max(Math.floor(flight * BETA), 2 * mss);
    this.epochStart = -1;
    this.acc = 0;
  }
}
