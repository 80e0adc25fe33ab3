// The timers of TCP part 2: keepalive (RFC 1122 §4.2.3.6 with Linux's semantics), the
// user timeout (RFC 5482, Linux's TCP_USER_TIMEOUT), the delayed ACK (RFC 1122 §4.2.3.2,
// RFC 9293 §3.8.6.3) and the cork's limit (Linux's TCP_CORK holds a partial segment at
// most 200 ms). Each lives in the layer's TimerWheel; the keepalive timer is lazy, as
// Linux's is: it fires at its deadline and looks at when the peer was last heard from,
// so arriving segments never touch the wheel.

import type { Millis } from '../../time.js';
import { TCP_ACK } from '../../wire/tcp.js';
import { seqAdd } from '../../wire/seq.js';
import { TcpErr } from './errors.js';
import { acceptableSeq, tcpOutput } from './output.js';
import type { TcpSocket } from './socket.js';
import { TcpState, isSynchronized } from './state.js';

/** Linux's TCP_CORK limit: a corked partial segment waits at most this long. */
export const TCP_CORK_LIMIT_MS = 200;

/** Return true in the states where keepalive probes make sense (synchronized, not TIME-WAIT). */
function keepaliveState(s: TcpSocket): boolean {
  return isSynchronized(s.state) && s.state !== TcpState.TimeWait;
}

/**
 * Arm (or disarm) the keepalive timer of `s` for keepIdleMs from `now`, as Linux's
 * setsockopt(SO_KEEPALIVE) and TCP_KEEPIDLE do on a live connection.
 */
export function armKeepalive(s: TcpSocket, now: Millis): void {
  const timers = s.layer.timers;
  if (!s.keepAlive || !keepaliveState(s)) {
    timers.cancel(s.keepaliveT);
    return;
  }
  timers.schedule(s.keepaliveTimer, now + Math.max(1, s.keepIdleMs));
}

/**
 * The keepalive timer expired (RFC 1122 §4.2.3.6): when nothing is in flight or queued and
 * the peer has been silent for keepIdleMs, send a probe <SEQ=SND.UNA-1><ACK=RCV.NXT> (one
 * old byte's sequence number, no data, so the peer must answer with an ACK); after keepCnt
 * unanswered probes (or once the user timeout has passed, as Linux does when one is set)
 * reset the connection and report TimedOut.
 */
export function onKeepaliveTimeout(s: TcpSocket, now: Millis): void {
  if (!s.keepAlive || !keepaliveState(s)) return;
  const layer = s.layer;
  const timers = layer.timers;
  if (s.sndUna !== s.sndMax || s.sendBuf.length > 0) {
    // Data is outstanding: the retransmission timer watches the peer (Linux's rule).
    timers.schedule(s.keepaliveTimer, now + Math.max(1, s.keepIdleMs));
    return;
  }
  const idle = now - s.lastRecvAt;
  const due = s.keepProbes === 0 ? s.keepIdleMs : s.keepIntvlMs;
  if (idle < due) {
    timers.schedule(s.keepaliveTimer, s.lastRecvAt + due);
    return;
  }
  const ut = s.userTimeoutMs;
  if ((ut > 0 && idle >= ut && s.keepProbes > 0) || (ut === 0 && s.keepProbes >= s.keepCnt)) {
    layer.counters.TcpExt.TCPAbortOnTimeout++;
    layer.sendRst(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, acceptableSeq(s), s.rcvNxt, true, now);
    layer.fail(s, TcpErr.TimedOut);
    return;
  }
  layer.emitSegment(s, seqAdd(s.sndUna, -1), TCP_ACK, 0, 0, now);
  s.keepProbes++;
  layer.counters.TcpExt.TCPKeepAlive++;
  timers.schedule(s.keepaliveTimer, now + Math.max(1, s.keepIntvlMs));
}

/** A segment arrived: the peer is alive (the keepalive timer reads this when it fires). */
export function noteHeard(s: TcpSocket, now: Millis): void {
  s.lastRecvAt = now;
  s.keepProbes = 0;
}

/**
 * Return true when the user timeout of `s` (RFC 5482 §2, Linux TCP_USER_TIMEOUT) has
 * passed: data sent has stayed unacknowledged for userTimeoutMs.
 */
export function userTimeoutExpired(s: TcpSocket, now: Millis): boolean {
  return s.userTimeoutMs > 0 && isSynchronized(s.state) && s.sndUna !== s.sndMax && now - s.unackedSince >= s.userTimeoutMs;
}

/** Return `rto` cut so that the timer fires no later than the user timeout (Linux's tcp_clamp_rto_to_user_timeout). */
export function clampToUserTimeout(s: TcpSocket, rto: Millis, now: Millis): Millis {
  if (s.userTimeoutMs <= 0) return rto;
  const left = s.unackedSince + s.userTimeoutMs - now;
  return left < rto ? (left > 1 ? left : 1) : rto;
}

/** The delayed ACK is due (RFC 1122 §4.2.3.2: at most 500 ms; Linux's 40 ms by default): send it. */
export function onDelackTimeout(s: TcpSocket, now: Millis): void {
  if (!isSynchronized(s.state)) return;
  s.layer.counters.TcpExt.DelayedACKs++;
  s.ackNow = true;
  tcpOutput(s, now);
}

/** The cork has held a partial segment for TCP_CORK_LIMIT_MS: send it (Linux's rule). */
export function onCorkTimeout(s: TcpSocket, now: Millis): void {
  if (!isSynchronized(s.state)) return;
  tcpOutput(s, now);
}
