// The interface between a connection and its congestion control algorithm. The connection
// owns the sequence numbers and decides what is a new ACK, a duplicate ACK or a timeout;
// the algorithm owns cwnd and ssthresh. Implementations: newreno.ts (RFC 5681 + RFC 6582).

/** A congestion control algorithm of one connection. */
export interface CongestionControl {
  /** The algorithm's name (`newreno`). */
  readonly name: string;
  /** The congestion window in bytes. */
  readonly cwnd: number;
  /** The slow-start threshold in bytes. */
  readonly ssthresh: number;
  /** True while in fast recovery. */
  readonly inRecovery: boolean;
  /** Set the initial window once the sender MSS is known (at ESTABLISHED). */
  init(mss: number): void;
  /**
   * A cumulative ACK advanced SND.UNA by `acked` bytes to `ack`; `flight` is what is still
   * outstanding after it. Return true when the first unacknowledged segment should be
   * retransmitted now (a partial ACK in fast recovery).
   */
  onAck(acked: number, ack: number, flight: number, mss: number): boolean;
  /**
   * A duplicate ACK of `ack` arrived (the `count`th in a row); `flight` is the data
   * outstanding and `sndMax` the highest sequence number sent. Return true when the
   * connection must fast retransmit the first unacknowledged segment now.
   */
  onDupAck(count: number, ack: number, flight: number, sndMax: number, mss: number): boolean;
  /** The retransmission timer expired with `flight` bytes outstanding, `sndMax` the highest sequence number sent. */
  onTimeout(flight: number, sndMax: number, mss: number): void;
}
