// The interface between a connection and its congestion control algorithm. The connection
// owns the sequence numbers and loss recovery (duplicate ACKs, SACK, NewReno's partial
// ACKs: recovery.ts); the algorithm owns how cwnd grows between losses and how far it
// falls at one: ssthresh on a loss (RFC 5681 §3.1 equation 4, RFC 9438 §4.6), cwnd after a
// timeout. Implementations: newreno.ts (RFC 5681, RFC 6582) and cubic.ts (RFC 9438), chosen
// by name per socket (`TcpSocket.setCongestion`) or per layer (`TcpConfig.congestion`).
//
// Bounded work: every call is O(1) and allocates nothing.

import type { Millis } from '../../../time.js';

/** A congestion control algorithm of one connection. */
export interface CongestionControl {
  /** The algorithm's name (`newreno`, `cubic`). */
  readonly name: string;
  /** The congestion window in bytes; loss recovery (recovery.ts) also sets it. */
  cwnd: number;
  /** The slow-start threshold in bytes. */
  ssthresh: number;
  /** True while in fast recovery (set by the connection's loss recovery). */
  inRecovery: boolean;
  /**
   * The most segments one ACK may add to cwnd in slow start (RFC 5681 §3.1: 1; RFC 3465's
   * L). A sender of TSO super-segments raises it to the segments in one (output.ts
   * sizeGoal): the peer acknowledges a whole super-segment with one ACK.
   */
  abcLimit: number;
  /** Set the initial window (`iw` segments, RFC 6928) once the sender MSS is known (at ESTABLISHED). */
  init(mss: number, iw: number, now: Millis): void;
  /**
   * New data was acknowledged outside recovery: `acked` bytes, with `flight` still
   * outstanding; `srtt` is the smoothed RTT (0 before a sample). Grow cwnd.
   */
  onAck(acked: number, flight: number, mss: number, now: Millis, srtt: Millis): void;
  /** A loss was detected (fast retransmit): set ssthresh for `flight` outstanding bytes; cwnd is the caller's. */
  onLoss(flight: number, mss: number, now: Millis): void;
  /** The retransmission timer expired: set ssthresh, collapse cwnd to one segment (RFC 5681 §3.1, LW). */
  onTimeout(flight: number, mss: number, now: Millis): void;
}

/** The names `TcpSocket.setCongestion` accepts. */
export type CongestionName = 'newreno' | 'cubic';

/** Return the initial window of RFC 6928 §2: min(iw × MSS, max(2 × MSS, 14600)) for iw = 10; RFC 5681's for iw < 10. */
export function initialWindow(mss: number, iw: number): number {
  if (iw >= 10) return Math.min(iw * mss, Math.max(2 * mss, 1460 * iw));
  // RFC 5681 §3.1, equation 3 (IW by SMSS), unless a smaller count was configured.
  const rfc5681 = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
  return Math.min(rfc5681, Math.max(1, iw) * mss);
}
