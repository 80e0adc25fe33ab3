// Loss recovery of a connection, shared by every congestion control algorithm: fast
// retransmit on the third duplicate ACK (RFC 5681 §3.2), or as soon as SACK says the first
// segment is lost (RFC 6675 §5 step 2); then either SACK-based recovery (RFC 6675: cwnd =
// ssthresh, send while cwnd − pipe allows; the loop is in output.ts) or, without SACK,
// NewReno's (RFC 6582: window inflation by duplicate ACKs, a retransmission per partial
// ACK). Limited transmit (RFC 3042) lets the first two duplicate ACKs send new data
// (output.ts). The algorithm (congestion/) only decides ssthresh and how cwnd grows.

import type { Millis } from '../../time.js';
import { seqGe, seqLt } from '../../wire/seq.js';
import { DUPACK_THRESHOLD } from './congestion/newreno.js';
import { segmentMss } from './options.js';
import { retransmitAt, retransmitFirst } from './output.js';
import type { TcpSocket } from './socket.js';

/**
 * A duplicate ACK arrived (`s.dupAcks` counts it already): inflate the window in NewReno
 * recovery (RFC 5681 §3.2 step 4), or start recovery at the threshold (or when SACK shows
 * SND.UNA lost, RFC 6675 §5 step 2).
 */
export function onDupAck(s: TcpSocket, now: Millis): void {
  const cc = s.cc;
  if (cc.inRecovery) {
    if (!s.sackOk) cc.cwnd += s.sendMss;
    return;
  }
  if (s.dupAcks >= DUPACK_THRESHOLD || (s.sackOk && s.sb.isLost(s.sndUna, s.sndUna, s.sendMss))) enterRecovery(s, now);
}

/**
 * Enter fast recovery: ssthresh from the algorithm, RecoveryPoint = SND.MAX, and the first
 * unacknowledged segment sent again. RFC 6582 §3.2 step 1 (and RFC 6675 §5 step 2):
 * duplicate ACKs that do not cover `recover` from the last recovery or timeout start none.
 */
export function enterRecovery(s: TcpSocket, now: Millis): void {
  if (s.recoverValid && seqLt(s.sndUna, s.recover)) return;
  if (s.sndUna === s.sndMax) return;
  const cc = s.cc;
  const x = s.layer.counters.TcpExt;
  x.TCPFastRetrans++;
  cc.onLoss(s.flightSize(), s.sendMss, now);
  s.recover = s.sndMax;
  s.recoverValid = true;
  cc.inRecovery = true;
  if (s.sackOk) {
    // RFC 6675 §5 steps 4.1-4.3: cwnd = ssthresh, retransmit HighACK + 1; the output loop
    // (step C) sends more while cwnd − pipe allows.
    x.TCPSackRecovery++;
    cc.cwnd = cc.ssthresh;
    s.highRxt = retransmitAt(s, s.sndUna, segmentMss(s), now);
  } else {
    // RFC 5681 §3.2 steps 2-3: cwnd = ssthresh + 3 × SMSS, retransmit the lost segment.
    x.TCPRenoRecovery++;
    cc.cwnd = cc.ssthresh + DUPACK_THRESHOLD * s.sendMss;
    retransmitFirst(s, now);
  }
}

/**
 * A cumulative ACK advanced SND.UNA by `acked` bytes: grow cwnd outside recovery; in
 * recovery, a full ACK (covering `recover`) ends it with cwnd = min(ssthresh,
 * max(FlightSize, SMSS) + SMSS) (RFC 6582 §3.2 step 3); a partial ACK deflates the window
 * and retransmits the next hole without SACK (same step), or lets the SACK loop go on.
 */
export function onNewAck(s: TcpSocket, acked: number, now: Millis): void {
  const cc = s.cc;
  const mss = s.sendMss;
  const flight = s.flightSize();
  if (!cc.inRecovery) {
    // Grow only a window that was used (Linux's tcp_is_cwnd_limited): filled in the last
    // window, or, in slow start, while cwnd is below twice the most that was in flight.
    if (s.cwndLimited || (cc.cwnd < cc.ssthresh && cc.cwnd < 2 * s.maxFlight)) cc.onAck(acked, flight, mss, now, s.rtt.srtt);
    return;
  }
  if (seqGe(s.sndUna, s.recover)) {
    cc.cwnd = Math.min(cc.ssthresh, Math.max(flight, mss) + mss);
    cc.inRecovery = false;
    return;
  }
  if (s.sackOk) {
    if (seqLt(s.highRxt, s.sndUna)) s.highRxt = s.sndUna;
    return;
  }
  cc.cwnd = Math.max(cc.cwnd - acked + (acked >= mss ? mss : 0), mss);
  if (s.sndUna !== s.sndMax) retransmitFirst(s, now);
}
