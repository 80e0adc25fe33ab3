// NewReno congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast
// retransmit on the third duplicate ACK and fast recovery (RFC 5681 §3.2), with the partial
// ACK handling of RFC 6582 so that several losses in one window are repaired without a
// timeout.

import { seqGe } from '../../../wire/seq.js';
import type { CongestionControl } from './congestion.js';

/** The duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2). */
export const DUPACK_THRESHOLD = 3;

/** NewReno state of one connection. */
export class NewReno implements CongestionControl {
  readonly name = 'newreno';
  cwnd = 0;
  ssthresh = 0x7fff_ffff;
  inRecovery = false;
  /** RFC 6582 §3.2: the highest sequence number sent when recovery began. */
  private recover = 0;
  private recoverValid = false;
  /** Bytes acked in congestion avoidance since cwnd last grew (RFC 5681 §3.1 byte counting). */
  private bytesAcked = 0;

  /** Set the initial window (RFC 5681 §3.1, equation 3: IW by SMSS). */
  init(mss: number): void {
    this.cwnd = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
    this.ssthresh = 0x7fff_ffff;
    this.inRecovery = false;
    this.bytesAcked = 0;
  }

  /** Grow cwnd on a new ACK, or handle a partial or full ACK during recovery. */
  onAck(acked: number, ack: number, flight: number, mss: number): boolean {
    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window and leave recovery.
        this.cwnd = Math.min(this.ssthresh, Math.max(flight, mss) + mss);
        this.inRecovery = false;
        return false;
      }
      // Step 3, partial acknowledgment: deflate by the amount acked, add back one SMSS if at
      // least that much was acked, and retransmit the next hole.
      this.cwnd = Math.max(this.cwnd - acked + (acked >= mss ? mss : 0), mss);
      return true;
    }
    if (this.cwnd < this.ssthresh) {
      // Slow start (RFC 5681 §3.1, equation 2): at most one SMSS per ACK.
      this.cwnd += Math.min(acked, mss);
    } else {
      // Congestion avoidance: about one SMSS per RTT, counted in bytes (RFC 5681 §3.1).
      this.bytesAcked += acked;
      if (this.bytesAcked >= this.cwnd) {
        this.bytesAcked -= this.cwnd;
        this.cwnd += mss;
      }
    }
    return false;
  }

  /** Enter fast recovery on the third duplicate ACK; inflate cwnd on later ones. */
  onDupAck(count: number, ack: number, flight: number, sndMax: number, mss: number): boolean {
    if (this.inRecovery) {
      // RFC 5681 §3.2 step 4: each further duplicate ACK means a segment left the network.
      this.cwnd += mss;
      return false;
    }
    if (count !== DUPACK_THRESHOLD) return false;
    // RFC 6582 §3.2 step 1: duplicate ACKs for data sent before the last recovery or
    // timeout began do not start another one.
    if (this.recoverValid && !seqGe(ack, this.recover)) return false;
    // RFC 5681 §3.2 steps 2-3, equation 4.
    this.ssthresh = Math.max(flight >>> 1, 2 * mss);
    this.cwnd = this.ssthresh + DUPACK_THRESHOLD * mss;
    this.recover = sndMax;
    this.recoverValid = true;
    this.inRecovery = true;
    return true;
  }

  /** Collapse to the loss window after a timeout (RFC 5681 §3.1, equation 4 and LW). */
  onTimeout(flight: number, sndMax: number, mss: number): void {
    this.ssthresh = Math.max(flight >>> 1, 2 * mss);
    this.cwnd = mss;
    this.inRecovery = false;
    this.bytesAcked = 0;
    // RFC 6582 §3.2 step 1 and RFC 5681 §3.2: after a timeout, `recover` is set to the
    // highest sequence number sent, so stale duplicate ACKs start no fast retransmit.
    this.recover = sndMax;
    this.recoverValid = true;
  }
}
