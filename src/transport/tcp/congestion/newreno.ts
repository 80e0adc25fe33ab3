// NewReno's window rules: slow start and congestion avoidance with byte counting (RFC 5681
// §3.1), ssthresh = max(FlightSize / 2, 2 × SMSS) at a loss (equation 4), one segment
// after a timeout. Fast recovery itself (RFC 5681 §3.2 with RFC 6582's partial ACKs, or
// RFC 6675's SACK-based recovery) is run by the connection in recovery.ts.

import type { Millis } from '../../../time.js';
import { type CongestionControl, initialWindow } from './congestion.js';

/** The duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2, RFC 6675 DupThresh). */
export const DUPACK_THRESHOLD = 3;

/** NewReno state of one connection. */
export class NewReno implements CongestionControl {
  readonly name = 'newreno';
  cwnd = 0;
  ssthresh = 0x7fff_ffff;
  inRecovery = false;
  /** Segments one ACK may add in slow start (1, RFC 5681 §3.1; more for a TSO sender, see CongestionControl). */
  abcLimit = 1;
  /** Bytes acked in congestion avoidance since cwnd last grew (RFC 5681 §3.1 byte counting). */
  private bytesAcked = 0;

  /** Set the initial window (RFC 6928 §2, RFC 5681 §3.1). */
  init(mss: number, iw: number, _now: Millis): void {
    this.cwnd = initialWindow(mss, iw);
    this.ssthresh = 0x7fff_ffff;
    this.inRecovery = false;
    this.bytesAcked = 0;
  }

  /** Grow cwnd on a new ACK: slow start below ssthresh, else about one SMSS per RTT. */
  onAck(acked: number, _flight: number, mss: number, _now: Millis, _srtt: Millis): void {
    if (this.cwnd < this.ssthresh) {
      // Slow start (RFC 5681 §3.1, equation 2): at most one SMSS per ACK.
      this.cwnd += Math.min(acked, mss * this.abcLimit);
      return;
    }
    // Congestion avoidance: about one SMSS per RTT, counted in bytes (RFC 5681 §3.1).
    this.bytesAcked += acked;
    if (this.bytesAcked >= this.cwnd) {
      this.bytesAcked -= this.cwnd;
      this.cwnd += mss;
    }
  }

  /** RFC 5681 §3.2 step 2, equation 4: ssthresh = max(FlightSize / 2, 2 × SMSS). */
  onLoss(flight: number, mss: number, _now: Millis): void {
    this.ssthresh = Math.max(flight >>> 1, 2 * mss);
    this.bytesAcked = 0;
  }

  /** Collapse to the loss window after a timeout (RFC 5681 §3.1, equation 4 and LW). */
  onTimeout(flight: number, mss: number, _now: Millis): void {
    this.ssthresh = Math.max(flight >>> 1, 2 * mss);
    this.cwnd = mss;
    this.inRecovery = false;
    this.bytesAcked = 0;
  }
}
