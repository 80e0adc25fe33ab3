// What happens when a connection's timers expire: retransmission (RFC 6298 §5.4-5.7, with
// SYN and SYN-ACK retries bounded by tcp_syn_retries and tcp_synack_retries, and data
// retries by tcp_retries2), the persist timer's zero-window probe (RFC 9293 §3.8.6.1),
// TIME-WAIT's end after 2 MSL (RFC 9293 §3.10.7.4) and the FIN-WAIT-2 limit of a closed
// socket (Linux's tcp_fin_timeout). The timers live in the layer's TimerWheel, so an idle
// connection costs nothing per tick.

import type { TimerHandle } from '../../storage/timer-wheel.js';
import type { Millis } from '../../time.js';
import { TCP_ACK } from '../../wire/tcp.js';
import { seqAdd, seqDiff, seqGt } from '../../wire/seq.js';
import { TcpErr } from './errors.js';
import { childAged } from './listen.js';
import { clampToUserTimeout, onCorkTimeout, onDelackTimeout, onKeepaliveTimeout, userTimeoutExpired } from './keepalive.js';
import { persistInterval, sendSegment, tcpOutput } from './output.js';
import { TimerKind, type TcpSocket } from './socket.js';
import { TcpState, isSynchronized } from './state.js';

/** Handle one expired timer of a socket. */
export function onTimer(h: TimerHandle<TcpSocket>, now: Millis): void {
  const s = h.owner;
  switch (h.kind) {
    case TimerKind.Retransmit:
      onRetransmitTimeout(s, now);
      return;
    case TimerKind.Persist:
      onPersistTimeout(s, now);
      return;
    case TimerKind.Linger:
      onLingerTimeout(s);
      return;
    case TimerKind.Delack:
      onDelackTimeout(s, now);
      return;
    case TimerKind.Keepalive:
      onKeepaliveTimeout(s, now);
      return;
    case TimerKind.Cork:
      onCorkTimeout(s, now);
      return;
  }
}

/**
 * RFC 6298 §5.4-5.6: send the earliest unacknowledged segment again, double the RTO,
 * restart the timer; RFC 5681 §3.1: collapse cwnd to one segment. Give up with TimedOut
 * after the configured number of retries.
 */
function onRetransmitTimeout(s: TcpSocket, now: Millis): void {
  const layer = s.layer;
  const c = layer.config;
  const st = s.state;
  if (st === TcpState.Closed || st === TcpState.Listen || st === TcpState.TimeWait) return;
  if (s.sndUna === s.sndMax) return; // nothing outstanding (a stale expiry)
  // SYN-SENT ends by time, as Linux's tcp_write_timeout does: when the doubling schedule of
  // tcp_syn_retries would have run out, however many SYNs the linear start has sent.
  const expired =
    st === TcpState.SynSent ? now - s.synSentAt >= synTimeLimit(c.synRetries, c.rtoInitialMs, c.rtoMaxMs)
    : s.retries >= (st === TcpState.SynReceived ? c.synAckRetries : c.maxRetries);
  // RFC 5482 / Linux TCP_USER_TIMEOUT: data unacknowledged that long ends the connection.
  if (expired || userTimeoutExpired(s, now)) {
    if (isSynchronized(st)) layer.counters.TcpExt.TCPAbortOnTimeout++;
    layer.fail(s, TcpErr.TimedOut);
    return;
  }
  s.retries++;
  if (st === TcpState.SynReceived) childAged(s);
  layer.counters.TcpExt.TCPTimeouts++;
  // Linux >= 6.5 (tcp_retransmit_timer): the first tcp_syn_linear_timeouts SYN
  // retransmissions keep the initial RTO; RFC 6298 §5.5 doubles it every time.
  if (!(st === TcpState.SynSent && s.retries <= c.synLinearTimeouts)) s.rtt.backOff();
  s.rttTiming = false; // Karn's rule
  if (isSynchronized(st)) {
    s.cc.onTimeout(s.flightSize(), s.sendMss, now);
    s.dupAcks = 0;
    // RFC 6582 §3.2 step 1 / RFC 6675 §5.1: after a timeout, recover is the highest
    // sequence number sent, so stale duplicate ACKs start no fast retransmit; RFC 2018 §8:
    // prior SACK information is not trusted to decide what to send again.
    s.recover = s.sndMax;
    s.recoverValid = true;
    s.highRxt = s.sndUna;
    s.sb.clear();
  }
  s.sndNxt = s.sndUna; // go back: send again from the first unacknowledged byte
  tcpOutput(s, now);
  if (s.state === TcpState.Closed) return;
  // Outstanding data the device would not take now keeps the timer (and its retry count)
  // running, so a device that stays full ends the connection as lost segments would.
  if (!s.rtxTimer.isArmed() && (s.sndNxt !== s.sndUna || s.txBlocked)) layer.timers.schedule(s.rtxTimer, now + clampToUserTimeout(s, s.rtt.rto(), now));
}

/**
 * RFC 9293 §3.8.6.1: while the peer's window is zero, send one byte past it now and then
 * (the peer answers with its window); when the window is open but silly-window avoidance
 * held the data back, send it anyway (the override of RFC 1122 §4.2.3.4).
 */
function onPersistTimeout(s: TcpSocket, now: Millis): void {
  const layer = s.layer;
  if (!isSynchronized(s.state) || s.state === TcpState.TimeWait) return;
  const offset = seqDiff(s.sndNxt, s.sndBufSeq);
  if (s.sendBuf.length - offset <= 0) return;
  if (sendSegment(s, now, true, -1)) return; // the window allowed something: the RTO takes over
  // A full device is not a closed window: no probe; the layer retries, this timer stays as a backstop.
  if (s.txBlocked || !layer.emitSegment(s, s.sndNxt, TCP_ACK, offset, 1, now)) {
    layer.timers.schedule(s.persistTimer, now + persistInterval(s));
    return;
  }
  const end = seqAdd(s.sndNxt, 1);
  if (seqGt(end, s.sndMax)) s.sndMax = end;
  layer.counters.TcpExt.TCPWinProbe++;
  s.persistBackoff++;
  layer.timers.schedule(s.persistTimer, now + persistInterval(s));
}

/** TIME-WAIT has lasted 2 MSL, or a closed socket sat in FIN-WAIT-2 too long: delete the TCB. */
function onLingerTimeout(s: TcpSocket): void {
  if (s.state === TcpState.TimeWait) s.layer.counters.TcpExt.TW++;
  if (s.state === TcpState.TimeWait || s.state === TcpState.FinWait2) s.layer.release(s);
}

/**
 * Return how long connect() may take: the sum of a doubling schedule of `retries`
 * retransmissions from `rtoInitial`, each wait capped at `rtoMax` (Linux's
 * tcp_model_timeout): (2^(retries+1) - 1) × rtoInitial while no wait reaches the cap.
 */
export function synTimeLimit(retries: number, rtoInitial: Millis, rtoMax: Millis): Millis {
  let total = 0;
  let rto = rtoInitial;
  for (let i = 0; i <= retries; i++) {
    total += rto;
    rto = Math.min(rto * 2, rtoMax);
  }
  return total;
}
