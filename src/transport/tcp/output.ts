// What a connection sends (RFC 9293 §3.8.6, §3.10.7; RFC 5681; RFC 6298 §5): the SYN or
// SYN-ACK while opening, data within min(cwnd, the peer's window) with the sender's
// silly-window avoidance and Nagle's algorithm (RFC 9293 §3.8.6.2.1), the FIN after the
// last byte, a pure ACK when one is owed and nothing else carries it, and the arming of
// the retransmission and persist timers. Segments are written straight into the outgoing
// frame by the layer (TcpLayer.emitSegment); nothing here allocates.

import type { Millis } from '../../time.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../wire/tcp.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe } from '../../wire/seq.js';
import { TCP_CORK_LIMIT_MS, clampToUserTimeout } from './keepalive.js';
import { segmentMss } from './options.js';
import type { TcpSocket } from './socket.js';
import { TcpState } from './state.js';

/** The most segments one call of the SACK recovery loop sends (bounded work). */
const RECOVERY_BURST = 64;

/**
 * Send whatever `s` may send now, then a pure ACK if one is still owed, and arm the
 * persist timer when data waits on a closed window. Bounded work: at most one segment per
 * MSS of the send buffer.
 */
export function tcpOutput(s: TcpSocket, now: Millis): void {
  const st = s.state;
  if (st === TcpState.Closed || st === TcpState.Listen) return;
  if (st === TcpState.SynSent || st === TcpState.SynReceived) {
    // RFC 9293 §3.10.7.3 and §3.10.7.2: <SEQ=ISS><CTL=SYN>, or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
    if (s.sndNxt === s.iss) sendSyn(s, now);
    else if (s.ackNow) sendAck(s, now);
    return;
  }
  if (st !== TcpState.TimeWait) {
    if (s.cc.inRecovery && s.sackOk) {
      sackRecoveryOutput(s, now);
    } else {
      while (sendSegment(s, now, false, -1)) {
        // each pass advances SND.NXT; sendSegment returns false when nothing more may go
      }
    }
  }
  if (s.ackNow && !s.txBlocked) sendAck(s, now);
  armPersist(s, now);
}

/** Send the SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED) at ISS, with our MSS option. */
function sendSyn(s: TcpSocket, now: Millis): void {
  const flags = s.state === TcpState.SynReceived ? TCP_SYN | TCP_ACK : TCP_SYN;
  // A SYN the device refused counts as sent and lost, as Linux's tcp_connect does: the RTO
  // sends it again, and SYN-SENT still ends by time if the device never takes one.
  s.layer.emitSegment(s, s.iss, flags, 0, 0, now);
  s.sndNxt = seqAdd(s.iss, 1);
  if (seqGt(s.sndNxt, s.sndMax)) {
    s.sndMax = s.sndNxt;
    // Time the first SYN; Karn's rule excludes retransmitted ones.
    s.rttTiming = true;
    s.rttSeq = s.sndNxt;
    s.rttStart = now;
  }
  s.ackNow = false;
  armRetransmit(s, now);
}

/**
 * Send one segment of data (and/or the FIN) at SND.NXT if the window and the silly-window
 * rules allow; `force` skips those rules (the persist timer's override). `budget` >= 0
 * replaces the congestion window's room (SACK recovery's cwnd − pipe, RFC 6675 §5).
 * Return true when a segment went out.
 */
export function sendSegment(s: TcpSocket, now: Millis, force: boolean, budget: number): boolean {
  const offset = seqDiff(s.sndNxt, s.sndBufSeq);
  const unsent = s.sendBuf.length - offset;
  const finPending = s.finQueued && seqLe(s.sndNxt, s.finSeq());
  if (unsent < 0 || (unsent === 0 && !finPending)) return false;
  const inFlight = seqDiff(s.sndNxt, s.sndUna);
  const mss = segmentMss(s);
  let usable: number;
  if (budget >= 0) {
    usable = s.sndWnd > inFlight ? Math.min(s.sndWnd - inFlight, budget) : 0;
  } else {
    // RFC 3042 (limited transmit): the first and second duplicate ACKs each let one more
    // segment of new data go beyond cwnd (FlightSize <= cwnd + 2 × SMSS).
    const lt = !s.cc.inRecovery && s.dupAcks > 0 && s.dupAcks < 3 && s.sndNxt === s.sndMax ? s.dupAcks * mss : 0;
    const wnd = Math.min(s.sndWnd, s.cc.cwnd + lt);
    usable = wnd > inFlight ? wnd - inFlight : 0;
  }
  let len = unsent;
  const goal = sizeGoal(s, mss);
  if (len > goal) len = goal;
  if (len > usable) len = usable;
  if (len > mss) len = tsoSplit(s, len, unsent, inFlight, mss);
  const fin = finPending && len === unsent;
  if (len === 0 && !fin) return false;
  if (!force && !fin && !sendAllowed(s, len, unsent, inFlight, mss, now)) return false;
  let flags = TCP_ACK;
  if (fin) flags |= TCP_FIN;
  if (len > 0 && len === unsent) flags |= TCP_PSH;
  const seq = s.sndNxt;
  // A full device (the layer retries) or no route: nothing went out, nothing moves.
  if (!s.layer.emitSegment(s, seq, flags, offset, len, now)) return false;
  if (s.sndUna === s.sndMax) s.unackedSince = now; // the user timeout counts from here (RFC 5482)
  s.corkSince = -1;
  const end = seqAdd(seq, len + (fin ? 1 : 0));
  if (!s.rttTiming && seqGe(seq, s.sndMax)) {
    // RFC 6298 §3: time one segment of new data at a time.
    s.rttTiming = true;
    s.rttSeq = end;
    s.rttStart = now;
  }
  s.sndNxt = end;
  if (seqGt(end, s.sndMax)) s.sndMax = end;
  s.ackNow = false;
  noteCwndUse(s, seqDiff(end, s.sndUna), mss);
  armRetransmit(s, now);
  s.layer.timers.cancel(s.persistT);
  return true;
}

/**
 * Congestion window validation, as Linux's tcp_cwnd_validate: after a send that left
 * `flight` bytes outstanding, record for the current window (until SND.UNA passes what was
 * sent when it began) whether cwnd was used up (no room for another segment), else the most
 * that was in flight. recovery.ts grows cwnd only for a flow that used it (RFC 7661's
 * principle): a flow that the application, the send buffer or the peer's window holds
 * back would otherwise grow cwnd without bound and could later send all of it at once.
 */
function noteCwndUse(s: TcpSocket, flight: number, mss: number): void {
  const limited = flight + mss > s.cc.cwnd;
  if (seqGe(s.sndUna, s.cwndUsageSeq) || limited || (!s.cwndLimited && flight > s.maxFlight)) {
    s.cwndLimited = limited;
    s.maxFlight = flight;
    s.cwndUsageSeq = s.sndNxt;
  }
}

/** Bytes of IPv4 and TCP header (with the largest options) a super-segment's size goal leaves room for. */
const TSO_HEADER_ROOM = 20 + 60;

/**
 * Return the most data bytes one segment of `s` may carry (Linux's tcp_send_mss size
 * goal): the MSS; or, when the path's device segments for us (TSO, s.tsoMaxBytes), as many
 * whole MSS as fit its largest datagram, so the device (the kernel behind a TAP) cuts one
 * super-segment into MSS-sized segments on the wire. Slow start then counts the
 * acknowledgment of a whole super-segment (the peer ACKs it at once) up to that many
 * segments (the congestion control's abcLimit, RFC 3465 §2.2 in spirit).
 */
export function sizeGoal(s: TcpSocket, mss: number): number {
  const max = s.tsoMaxBytes;
  if (max === 0) return mss;
  const segs = Math.floor((max - TSO_HEADER_ROOM) / mss);
  if (segs <= 1) return mss;
  s.cc.abcLimit = segs;
  return segs * mss;
}

/**
 * Trim a super-segment of `len` > `mss` bytes to whole MSS-sized segments (Linux's
 * tcp_mss_split_point): a partial tail goes with it only when it ends what is queued and
 * Nagle (RFC 1122 §4.2.3.4) would send it now: nothing in flight, or TCP_NODELAY, and no cork.
 */
function tsoSplit(s: TcpSocket, len: number, unsent: number, inFlight: number, mss: number): number {
  const tail = len % mss;
  if (tail === 0) return len;
  if (len === unsent && !s.cork && (inFlight === 0 || s.noDelay)) return len;
  return len - tail;
}

/**
 * The sender's silly-window avoidance (RFC 9293 §3.8.6.2.1) with Nagle's algorithm (RFC
 * 1122 §4.2.3.4): send a full segment; or everything queued when nothing is unacknowledged
 * (or Nagle is off); or at least half the largest window the peer has offered.
 */
function sendAllowed(s: TcpSocket, len: number, unsent: number, inFlight: number, mss: number, now: Millis): boolean {
  if (len >= mss) return true;
  if (s.cork) {
    // Linux TCP_CORK: a partial segment waits for more data, the uncork, or 200 ms.
    if (s.corkSince < 0) {
      s.corkSince = now;
      s.layer.timers.schedule(s.corkTimer, now + TCP_CORK_LIMIT_MS);
      return false;
    }
    return now - s.corkSince >= TCP_CORK_LIMIT_MS;
  }
  // RFC 9293 §3.7.4 (Nagle, RFC 896): a partial segment waits while data is unacknowledged,
  // unless TCP_NODELAY.
  if (len === unsent && (inFlight === 0 || s.noDelay)) return true;
  return len >= s.maxSndWnd >>> 1 && s.maxSndWnd > 0;
}

/** Send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, SND.NXT as acceptableSeq gives it. */
export function sendAck(s: TcpSocket, now: Millis): void {
  // An ACK that found no device frame is still owed (the layer retries).
  if (s.layer.emitSegment(s, acceptableSeq(s), TCP_ACK, 0, 0, now)) s.ackNow = false;
}

/**
 * Return the sequence number of a segment that carries no new data (a pure ACK, a RST):
 * the highest one sent (SND.MAX, which a timeout's go-back leaves ahead of SND.NXT, so
 * the peer does not see an old sequence number), but not past the right edge of the
 * peer's window, SND.UNA + SND.WND. A zero-window probe's byte lies past that edge and is
 * not taken, and a peer with a zero window accepts a segment only at exactly RCV.NXT
 * (RFC 9293 §3.10.7.4); Linux chooses the same way (tcp_acceptable_seq).
 */
export function acceptableSeq(s: TcpSocket): number {
  const edge = seqAdd(s.sndUna, s.sndWnd);
  return seqGt(s.sndMax, edge) ? edge : s.sndMax;
}

/**
 * Retransmit the first unacknowledged segment (fast retransmit, RFC 5681 §3.2 step 2, and
 * a partial ACK in NewReno recovery, RFC 6582 §3.2 step 3) without moving SND.NXT.
 */
export function retransmitFirst(s: TcpSocket, now: Millis): void {
  retransmitAt(s, s.sndUna, segmentMss(s), now);
}

/**
 * Send again up to `maxLen` bytes already sent from `seq` (with the FIN when they end at
 * it), without moving SND.NXT; return the sequence number after what went out (`seq` when
 * nothing did, a full device included). Sending from SND.UNA restarts the retransmission timer.
 */
export function retransmitAt(s: TcpSocket, seq: number, maxLen: number, now: Millis): number {
  const offset = seqDiff(seq, s.sndBufSeq);
  const finSent = s.finQueued && seqGt(s.sndMax, s.finSeq());
  const sentData = seqDiff(s.sndMax, seq) - (finSent ? 1 : 0);
  let len = Math.min(maxLen, sentData, s.sendBuf.length - offset);
  if (len < 0 || offset < 0) len = 0;
  const fin = finSent && seqAdd(seq, len) === s.finSeq();
  if (len === 0 && !fin) return seq;
  if (!s.layer.emitSegment(s, seq, TCP_ACK | (fin ? TCP_FIN : 0), offset, len, now)) return seq;
  s.rttTiming = false; // Karn: the timed segment may be this one
  s.ackNow = false;
  if (seq === s.sndUna) s.layer.timers.schedule(s.rtxTimer, now + clampToUserTimeout(s, s.rtt.rto(), now));
  return seqAdd(seq, len + (fin ? 1 : 0));
}

/**
 * Loss recovery with SACK (RFC 6675 §5, step C): while cwnd − pipe allows a segment, send
 * NextSeg: first a hole presumed lost past HighRxt (rule 1), else new data (rule 2).
 * Bounded work: at most RECOVERY_BURST segments per call.
 */
function sackRecoveryOutput(s: TcpSocket, now: Millis): void {
  const mss = segmentMss(s);
  const sb = s.sb;
  for (let i = 0; i < RECOVERY_BURST; i++) {
    const room = s.cc.cwnd - sb.pipe(s.sndUna, s.sndMax, s.highRxt, s.sendMss);
    if (room < mss) return;
    if (sb.nextLostHole(s.highRxt, s.sndUna, s.sendMss)) {
      const len = Math.min(mss, seqDiff(sb.holeEnd, sb.holeStart));
      const end = retransmitAt(s, sb.holeStart, len, now);
      if (end === sb.holeStart) return;
      s.highRxt = end;
      continue;
    }
    if (!sendSegment(s, now, false, room)) return;
  }
}

/** Start the retransmission timer if it is not running (RFC 6298 §5.1), no later than the user timeout. */
function armRetransmit(s: TcpSocket, now: Millis): void {
  if (!s.rtxTimer.isArmed()) s.layer.timers.schedule(s.rtxTimer, now + clampToUserTimeout(s, s.rtt.rto(), now));
}

/**
 * Arm the persist timer when data waits and nothing is in flight (RFC 9293 §3.8.6.1: a
 * zero window must be probed; RFC 1122 §4.2.3.4: a send held back by SWS avoidance needs
 * an override timer). The interval backs off like the RTO, up to its maximum.
 */
function armPersist(s: TcpSocket, now: Millis): void {
  const unsent = s.sendBuf.length - seqDiff(s.sndNxt, s.sndBufSeq);
  const timers = s.layer.timers;
  if (unsent <= 0 || s.rtxTimer.isArmed() || s.state === TcpState.TimeWait) {
    timers.cancel(s.persistT);
    return;
  }
  if (s.persistT !== null && s.persistT.isArmed()) return;
  timers.schedule(s.persistTimer, now + persistInterval(s));
}

/** Return the persist interval: the RTO doubled per probe sent, within [rtoMin, rtoMax]. */
export function persistInterval(s: TcpSocket): Millis {
  const c = s.layer.config;
  let t = s.rtt.rto();
  for (let i = 0; i < s.persistBackoff && t < c.rtoMaxMs; i++) t *= 2;
  return t < c.rtoMinMs ? c.rtoMinMs : t > c.rtoMaxMs ? c.rtoMaxMs : t;
}
