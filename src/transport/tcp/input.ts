// Segment arrival (RFC 9293 §3.10.7), one handler per state. LISTEN creates a connection
// (onListen, in listen.ts); SYN-SENT has its own rules (onSynSent); every other state runs the common
// sequence of §3.10.7.4: (1) the acceptability test and trimming to the window, (2) RST,
// (4) SYN, (5) ACK, (6) URG, ignored, (7) text, (8) FIN, where steps 5 and 8 differ by
// state. The third step (security) does not apply. Segments to no connection are answered
// by the layer (§3.10.7.1).
//
// The segment record is the layer's scratch record: trimming edits its seqNumber, flags,
// payloadOffset and payloadLength in place. Nothing here allocates.

import type { Millis } from '../../time.js';
import { StoreErr } from '../../storage/errors.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpRepr, tcpSeqLen } from '../../wire/tcp.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt } from '../../wire/seq.js';
import { TcpErr } from './errors.js';
import { admitChild } from './listen.js';
import { armKeepalive, clampToUserTimeout, noteHeard } from './keepalive.js';
import { negotiateSynOptions, pawsReject, tsRttSample, updateTsRecent } from './options.js';
import { tcpOutput } from './output.js';
import { onDupAck, onNewAck } from './recovery.js';
import { TCP_MAX_QUICKACKS, expandSendBuf, noteSendRtt } from './autotune.js';
import { TCP_DEFAULT_MSS, type TcpSocket } from './socket.js';
import { TcpState, acceptsText } from './state.js';

/** The sequence number of the segment being processed, before trimming (for SND.WL1). */
let segSeq = 0;

/** Process a segment that arrived for connection `s` (not a listener). */
export function tcpInput(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  segSeq = seg.seqNumber;
  // RFC 7323 §2.3: the window field of every segment but a SYN is scaled by the peer's shift.
  if (s.sndWscale > 0 && !(seg.flags & TCP_SYN)) seg.windowLen *= 2 ** s.sndWscale;
  noteHeard(s, now);
  switch (s.state) {
    case TcpState.SynSent: onSynSent(s, seg, bytes, now); break;
    case TcpState.SynReceived: onSynReceived(s, seg, bytes, now); break;
    case TcpState.Established: onEstablished(s, seg, bytes, now); break;
    case TcpState.FinWait1: onFinWait1(s, seg, bytes, now); break;
    case TcpState.FinWait2: onFinWait2(s, seg, bytes, now); break;
    case TcpState.CloseWait: onCloseWait(s, seg, now); break;
    case TcpState.Closing: onClosing(s, seg, now); break;
    case TcpState.LastAck: onLastAck(s, seg, now); break;
    case TcpState.TimeWait: onTimeWait(s, seg, now); break;
    default: return;
  }
  // A handler may have closed the connection (the type checker cannot see that).
  if ((s.state as number) !== TcpState.Closed) tcpOutput(s, now);
  // Once the ACK of the FIN is out, a compact entry replaces the socket (time-wait.ts).
  if ((s.state as number) === TcpState.TimeWait) s.layer.moveToTimeWait(s, now);
}

/** SYN-SENT (RFC 9293 §3.10.7.3). */
function onSynSent(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  const layer = s.layer;
  const flags = seg.flags;
  const ack = seg.ackNumber;
  let ackOk = false;
  if (flags & TCP_ACK) {
    // First: an ACK outside (ISS, SND.NXT] gets <SEQ=SEG.ACK><CTL=RST>, unless it is a RST.
    if (seqLe(ack, s.iss) || seqGt(ack, s.sndMax)) {
      if (!(flags & TCP_RST)) layer.sendRst(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, ack, 0, false, now);
      return;
    }
    ackOk = true;
  }
  if (flags & TCP_RST) {
    // Second: a RST is believed only with an acceptable ACK; then "connection reset".
    if (ackOk) layer.fail(s, TcpErr.Refused);
    return;
  }
  if (!(flags & TCP_SYN)) return; // Fifth: neither SYN nor RST.
  // Fourth: RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ; the peer's MSS option.
  s.irs = seg.seqNumber;
  s.rcvNxt = seqAdd(seg.seqNumber, 1);
  s.rcvAdv = s.rcvNxt;
  layer.setPeerMss(s, seg.mss);
  // RFC 7323 §2.2, §3.2, RFC 2018 §2: what the peer's SYN offers decides the options.
  negotiateSynOptions(s, seg, now);
  s.sndWnd = seg.windowLen;
  s.maxSndWnd = seg.windowLen;
  s.sndWl1 = seg.seqNumber;
  s.sndWl2 = ack;
  if (ackOk) {
    takeRttSample(s, seg, ack, now);
    s.sndUna = ack;
    s.retries = 0;
    s.rtt.resetBackoff();
    layer.timers.cancel(s.rtxTimer);
    layer.enterEstablished(s);
    startEstablished(s, now);
    // "Data or controls that were queued for transmission MAY be included": the ACK (and
    // any queued data) goes out from tcpOutput. Text on the SYN-ACK continues at step 6.
    s.ackNow = true;
    seg.flags &= ~TCP_SYN;
    seg.seqNumber = s.rcvNxt;
    processText(s, seg, bytes, now);
    processFin(s, seg, now);
    return;
  }
  // Simultaneous open (§3.10.7.3, Figure 8): SYN-RECEIVED, and the SYN again with an ACK.
  layer.setState(s, TcpState.SynReceived);
  s.sndNxt = s.iss;
}

/** SYN-RECEIVED: the common sequence, with its own step 5 (ACK of our SYN). */
function onSynReceived(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  const layer = s.layer;
  if ((seg.flags & (TCP_SYN | TCP_RST)) === TCP_SYN && seg.seqNumber === s.irs) {
    if ((seg.flags & TCP_ACK) && seqGt(seg.ackNumber, s.sndUna) && seqLe(seg.ackNumber, s.sndMax)) {
      // The peer's SYN-ACK of a simultaneous open: its SYN is old news (acknowledge it
      // again, as Linux does), its ACK is not.
      seg.flags &= ~TCP_SYN;
      s.ackNow = true;
      seg.seqNumber = seqAdd(seg.seqNumber, 1);
    } else {
      // The peer's SYN again: our SYN-ACK was lost, send it again.
      s.sndNxt = s.iss;
      return;
    }
  }
  if (!checkSequence(s, seg, now)) return;
  if (seg.flags & TCP_RST) {
    onRst(s, seg, now);
    return;
  }
  if (seg.flags & TCP_SYN) {
    // §3.10.7.4 step 4: a passive connection returns to LISTEN (is deleted); an active one
    // answers like a synchronized state, with a challenge ACK.
    if (s.parent !== null) layer.release(s);
    else challengeAck(s, now);
    return;
  }
  if (!(seg.flags & TCP_ACK)) return;
  // Step 5, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT enters ESTABLISHED; otherwise
  // <SEQ=SEG.ACK><CTL=RST>.
  const ack = seg.ackNumber;
  if (!(seqLt(s.sndUna, ack) && seqLe(ack, s.sndMax))) {
    layer.sendRst(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, ack, 0, false, now);
    return;
  }
  // A passive child enters the accept queue only when it has room (listen.ts).
  if (!admitChild(s, seg, now)) return;
  s.sndWnd = seg.windowLen;
  s.maxSndWnd = seg.windowLen;
  s.sndWl1 = segSeq;
  s.sndWl2 = ack;
  s.retries = 0;
  s.rtt.resetBackoff();
  layer.enterEstablished(s);
  startEstablished(s, now);
  onEstablishedAfterChecks(s, seg, bytes, now);
}

/** ESTABLISHED: ACK, text, FIN. */
function onEstablished(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  if (!commonChecks(s, seg, now)) return;
  onEstablishedAfterChecks(s, seg, bytes, now);
}

function onEstablishedAfterChecks(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  if (!processAck(s, seg, now)) return;
  processText(s, seg, bytes, now);
  processFin(s, seg, now);
}

/** FIN-WAIT-1: as ESTABLISHED, and the ACK of our FIN moves to FIN-WAIT-2. */
function onFinWait1(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  if (!commonChecks(s, seg, now)) return;
  if (!processAck(s, seg, now)) return;
  if (finAcked(s)) s.layer.enterFinWait2(s, now);
  processText(s, seg, bytes, now);
  processFin(s, seg, now);
}

/** FIN-WAIT-2: as ESTABLISHED; the peer's FIN will move to TIME-WAIT. */
function onFinWait2(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  if (!commonChecks(s, seg, now)) return;
  if (!processAck(s, seg, now)) return;
  processText(s, seg, bytes, now);
  processFin(s, seg, now);
}

/** CLOSE-WAIT: ACKs only; text is ignored (the peer has sent its FIN). */
function onCloseWait(s: TcpSocket, seg: TcpRepr, now: Millis): void {
  if (!commonChecks(s, seg, now)) return;
  processAck(s, seg, now);
}

/** CLOSING: the ACK of our FIN moves to TIME-WAIT. */
function onClosing(s: TcpSocket, seg: TcpRepr, now: Millis): void {
  if (!commonChecks(s, seg, now)) return;
  if (!processAck(s, seg, now)) return;
  if (finAcked(s)) s.layer.enterTimeWait(s, now);
}

/** LAST-ACK: the ACK of our FIN deletes the TCB. */
function onLastAck(s: TcpSocket, seg: TcpRepr, now: Millis): void {
  if (!commonChecks(s, seg, now)) return;
  if (!processAck(s, seg, now)) return;
  if (finAcked(s)) s.layer.release(s);
}

/**
 * TIME-WAIT: the only thing that can arrive is the peer's FIN again; acknowledge it and
 * restart the 2 MSL timeout (§3.10.7.4 steps 5 and 8). A RST ends TIME-WAIT (step 2).
 */
function onTimeWait(s: TcpSocket, seg: TcpRepr, now: Millis): void {
  const layer = s.layer;
  if (seg.flags & TCP_FIN && !(seg.flags & TCP_RST) && seqAdd(seg.seqNumber, seg.payloadLength + 1) === s.rcvNxt) {
    s.ackNow = true;
    layer.timers.schedule(s.lingerTimer, now + layer.config.timeWaitMs);
    return;
  }
  if (!checkSequence(s, seg, now)) return;
  if (seg.flags & TCP_RST) {
    onRst(s, seg, now);
    return;
  }
  if (seg.flags & TCP_SYN) challengeAck(s, now);
}

/**
 * Steps 1, 2, 4 and the start of 5 for the synchronized states; return false when the
 * segment was consumed (unacceptable, RST, SYN, or no ACK bit).
 */
function commonChecks(s: TcpSocket, seg: TcpRepr, now: Millis): boolean {
  if (!checkSequence(s, seg, now)) return false;
  if (seg.flags & TCP_RST) {
    onRst(s, seg, now);
    return false;
  }
  if (seg.flags & TCP_SYN) {
    // Step 4 (RFC 5961 §4): a SYN in a synchronized state gets a challenge ACK.
    challengeAck(s, now);
    return false;
  }
  return (seg.flags & TCP_ACK) !== 0;
}

/**
 * Step 1: the acceptability test (§3.10.7.4, the four cases of segment length and receive
 * window), then trimming to the window. An unacceptable segment gets
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (not when it is a RST) and is dropped. When the window
 * is zero, a segment at RCV.NXT is kept for its ACK and RST with its text removed.
 * As Linux does, a zero-length segment exactly at the right edge is acceptable.
 */
function checkSequence(s: TcpSocket, seg: TcpRepr, now: Millis): boolean {
  if (!(seg.flags & TCP_RST) && pawsReject(s, seg, now)) {
    // RFC 7323 §5.3 R1: an old duplicate; acknowledge it and drop it.
    s.layer.counters.TcpExt.PAWSEstab++;
    s.ackNow = true;
    return false;
  }
  const wnd = Math.max(0, seqDiff(s.rcvAdv, s.rcvNxt));
  const len = tcpSeqLen(seg);
  const seq = seg.seqNumber;
  const nxt = s.rcvNxt;
  let ok: boolean;
  if (len === 0) ok = wnd === 0 ? seq === nxt : seqGe(seq, nxt) && seqLe(seq, seqAdd(nxt, wnd));
  else ok = wnd > 0 && (seqInWindow(seq, nxt, wnd) || seqInWindow(seqAdd(seq, len - 1), nxt, wnd));
  if (!ok) {
    if (wnd === 0 && seq === nxt) {
      // A bare FIN is kept, as Linux keeps it: it needs no buffer space.
      if (seg.payloadLength > 0) seg.flags &= ~TCP_FIN;
      seg.payloadLength = 0;
      seg.flags &= ~TCP_SYN;
      s.ackNow = true;
      updateTsRecent(s, seg, segSeq, now);
      return true;
    }
    s.layer.counters.TcpExt.TCPOutOfWindow++;
    if (!(seg.flags & TCP_RST)) s.ackNow = true;
    return false;
  }
  // RFC 7323 §5.3 R3 / §4.3: remember the timestamp to echo.
  updateTsRecent(s, seg, segSeq, now);
  trimToWindow(s, seg, wnd);
  return true;
}

/** Cut off what lies before RCV.NXT and past RCV.NXT + RCV.WND (§3.10.7.4, after the test). */
function trimToWindow(s: TcpSocket, seg: TcpRepr, wnd: number): void {
  let drop = seqDiff(s.rcvNxt, seg.seqNumber);
  if (drop > 0) {
    if (seg.flags & TCP_SYN) {
      seg.flags &= ~TCP_SYN;
      seg.seqNumber = seqAdd(seg.seqNumber, 1);
      drop--;
    }
    if (drop >= seg.payloadLength) {
      // All the text is old; a FIN right after it is old too when drop passes it.
      if (drop > seg.payloadLength) seg.flags &= ~TCP_FIN;
      drop = seg.payloadLength;
    }
    seg.payloadOffset += drop;
    seg.payloadLength -= drop;
    seg.seqNumber = seqAdd(seg.seqNumber, drop);
  }
  const right = seqAdd(s.rcvNxt, wnd);
  const over = seqDiff(seqAdd(seg.seqNumber, seg.payloadLength), right);
  if (over > 0) {
    seg.payloadLength -= over;
    seg.flags &= ~TCP_FIN;
  }
}

/**
 * Step 2: RFC 5961 §3.2: a RST exactly at RCV.NXT resets the connection; one elsewhere in
 * the window gets a challenge ACK.
 */
function onRst(s: TcpSocket, seg: TcpRepr, now: Millis): void {
  const layer = s.layer;
  if (seg.seqNumber !== s.rcvNxt) {
    challengeAck(s, now);
    return;
  }
  switch (s.state) {
    case TcpState.SynReceived:
      // Passive: back to LISTEN (the half-open connection is deleted); active: refused.
      if (s.parent !== null) layer.release(s);
      else layer.fail(s, TcpErr.Refused);
      return;
    case TcpState.Established:
    case TcpState.FinWait1:
    case TcpState.FinWait2:
    case TcpState.CloseWait:
      layer.fail(s, TcpErr.Reset);
      return;
    default:
      // CLOSING, LAST-ACK, TIME-WAIT: enter CLOSED, delete the TCB.
      layer.release(s);
  }
}

/**
 * Send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> as a challenge (RFC 5961 §3.2, §4.2, §5.2), at
 * most challengeAckLimit per second for the whole layer (RFC 5961 §7; Linux's
 * tcp_challenge_ack_limit, counted in TCPChallengeACK, the ones held back in
 * TCPChallengeACKLimited).
 */
function challengeAck(s: TcpSocket, now: Millis): void {
  const layer = s.layer;
  const sec = Math.floor(now / 1000);
  if (sec !== layer.challengeSecond) {
    layer.challengeSecond = sec;
    layer.challengeCount = 0;
  }
  if (layer.challengeCount >= layer.config.challengeAckLimit) {
    layer.counters.TcpExt.TCPChallengeACKLimited++;
    return;
  }
  layer.challengeCount++;
  layer.counters.TcpExt.TCPChallengeACK++;
  s.ackNow = true;
}

/** Set up what ESTABLISHED starts with: quick-ACK mode (Linux's), the keepalive timer. */
function startEstablished(s: TcpSocket, now: Millis): void {
  s.quickAcks = TCP_MAX_QUICKACKS;
  s.rcvMss = Math.min(s.advMss, TCP_DEFAULT_MSS);
  s.lastRecvAt = now;
  s.rcvqTime = now;
  if (s.keepAlive) armKeepalive(s, now);
}

/**
 * Step 5 for ESTABLISHED and the states after it: advance SND.UNA, take RTT samples,
 * count duplicate ACKs, update the send window. Return false when the segment must be
 * dropped (it acknowledges something not yet sent).
 */
function processAck(s: TcpSocket, seg: TcpRepr, now: Millis): boolean {
  const ack = seg.ackNumber;
  if (seqGt(ack, s.sndMax)) {
    s.ackNow = true;
    return false;
  }
  // RFC 5961 §5.2: an ACK below SND.UNA − MAX.SND.WND is too old to be real; challenge it
  // and drop the segment.
  if (seqLt(ack, seqAdd(s.sndUna, -Math.max(s.maxSndWnd, 1)))) {
    challengeAck(s, now);
    return false;
  }
  const oldWnd = s.sndWnd;
  // RFC 2018 §5 / RFC 6675 §3: record the SACK blocks before SND.UNA moves.
  const sacked = s.sackOk && seg.sackCount > 0 ? s.sb.update(seg, s.sndUna, s.sndMax) : 0;
  if (seqGt(ack, s.sndUna)) {
    newAck(s, seg, ack, now);
  } else if (
    ack === s.sndUna && s.sndMax !== s.sndUna && (seg.flags & (TCP_SYN | TCP_FIN)) === 0 &&
    ((seg.payloadLength === 0 && seg.windowLen === oldWnd) || sacked > 0)
  ) {
    // RFC 5681 §2's duplicate ACK, or RFC 6675 §2's: one that SACKs something new.
    s.dupAcks++;
    onDupAck(s, now);
  }
  // SND.UNA =< SEG.ACK =< SND.NXT: update the window unless the segment is older than the
  // last one that did (SND.WL1, SND.WL2).
  if (seqGe(ack, s.sndUna) && (seqLt(s.sndWl1, segSeq) || (s.sndWl1 === segSeq && seqLe(s.sndWl2, ack)))) {
    s.sndWnd = seg.windowLen;
    s.sndWl1 = segSeq;
    s.sndWl2 = ack;
    if (seg.windowLen > s.maxSndWnd) s.maxSndWnd = seg.windowLen;
    if (seg.windowLen > oldWnd) {
      s.persistBackoff = 0;
      s.layer.markEvent(s);
    }
  }
  return true;
}

/** A cumulative ACK of new data: free the send buffer, sample the RTT, grow cwnd, re-arm the timer. */
function newAck(s: TcpSocket, seg: TcpRepr, ack: number, now: Millis): void {
  const layer = s.layer;
  const acked = seqDiff(ack, s.sndUna);
  let data = seqDiff(ack, s.sndBufSeq);
  if (data < 0) data = 0;
  if (data > s.sendBuf.length) data = s.sendBuf.length;
  if (data > 0) {
    s.sendBuf.discard(data);
    // All acknowledged: a small ring gives its array back (an idle connection holds no
    // send storage), a large one starts over at its first, still-cached lines.
    s.sendBuf.shrink();
    s.sndBufSeq = seqAdd(s.sndBufSeq, data);
    s.bytesAcked += data;
    layer.markEvent(s);
    if (s.sendBufFull) {
      s.sendBufFull = false;
      expandSendBuf(s, layer);
    }
  }
  takeRttSample(s, seg, ack, now);
  s.sndUna = ack;
  if (seqLt(s.sndNxt, ack)) s.sndNxt = ack;
  s.sb.advance(ack);
  s.retries = 0;
  s.rtt.resetBackoff();
  s.unackedSince = now;
  s.dupAcks = 0;
  // RFC 6298 §5.2-5.3: stop the timer when everything is acknowledged, else restart it.
  if (s.sndUna === s.sndMax) layer.timers.cancel(s.rtxTimer);
  else layer.timers.schedule(s.rtxTimer, now + clampToUserTimeout(s, s.rtt.rto(), now));
  // Grow cwnd, or go on with (or end) fast recovery (recovery.ts).
  onNewAck(s, acked, now);
}

/**
 * Take an RTT sample for an ACK of new data: from its TSecr when timestamps are on (RTTM,
 * RFC 7323 §4: valid during retransmission too), else when the timed segment is
 * acknowledged (RFC 6298 §3; Karn's rule upstream). The timed segment is timed with
 * timestamps on too, for send-buffer auto-tuning.
 */
function takeRttSample(s: TcpSocket, seg: TcpRepr, ack: number, now: Millis): void {
  // The timed segment's round trip, at the clock's full resolution (TSecr's is 1 ms).
  let timed = -1;
  if (s.rttTiming && seqGe(ack, s.rttSeq)) {
    timed = now - s.rttStart;
    s.rttTiming = false;
    noteSendRtt(s, timed, now);
  }
  const r = tsRttSample(s, seg, now);
  if (r >= 0) s.rtt.sample(r);
  else if (timed >= 0) s.rtt.sample(timed);
}

/** Return true when our FIN has been sent and acknowledged. */
function finAcked(s: TcpSocket): boolean {
  return s.finQueued && seqGt(s.sndUna, s.finSeq());
}

/**
 * Step 7: text in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 goes into the receive buffer; in
 * order, it advances RCV.NXT (with whatever the assembler holds contiguously after it); out
 * of order, it is placed ahead and recorded in the assembler, within the layer's budget
 * for out-of-order bytes. The ACK is immediate for out-of-order text, a filled hole, in
 * quick-ACK mode, or once more than one full segment waits; otherwise it is delayed
 * (ackPolicy). Text after close() resets the connection, as Linux does (RFC 1122 §4.2.2.13).
 */
function processText(s: TcpSocket, seg: TcpRepr, bytes: Uint8Array, now: Millis): void {
  const len = seg.payloadLength;
  if (len <= 0 || !acceptsText(s.state)) return;
  const layer = s.layer;
  if (s.appClosed) {
    layer.counters.TcpExt.TCPAbortOnData++;
    s.abort(now);
    return;
  }
  // The assembler exists only while out-of-order bytes wait (layer.assemblerFor).
  const ooo = s.ooo;
  if (seg.seqNumber === s.rcvNxt) {
    // A zero-copy receiver keeps the frame: the buffer counts the bytes without copying them.
    const h = s.rxHold;
    const n = s.readShut ? len
      : h !== null && len <= s.recvBuf.free && h.hold(bytes, seg.payloadOffset, len) ? s.recvBuf.commit(len)
      : s.recvBuf.write(bytes, seg.payloadOffset, len);
    s.rcvNxt = seqAdd(s.rcvNxt, n);
    s.bytesReceived += n;
    let more = 0;
    if (ooo !== null) {
      ooo.advance(n);
      more = ooo.removeFront();
    }
    if (more > 0) {
      // The bytes were placed ahead of the tail when they arrived; make them readable.
      if (!s.readShut) s.recvBuf.commit(more);
      s.rcvNxt = seqAdd(s.rcvNxt, more);
      s.bytesReceived += more;
    } else if (ooo === null || ooo.isEmpty()) {
      layer.counters.TcpExt.TCPHPHits++;
    }
    if (s.readShut) s.recvBuf.clear();
    layer.markEvent(s);
    if (len > s.rcvMss) s.rcvMss = len > s.advMss ? s.advMss : len;
    const holeFilled = more > 0 || (ooo !== null && !ooo.isEmpty());
    if (s.oooBytes > 0) accountOoo(s);
    if (ooo !== null && ooo.isEmpty()) layer.releaseAssembler(s);
    ackPolicy(s, holeFilled, now);
    return;
  }
  const off = seqDiff(seg.seqNumber, s.rcvNxt);
  // The bytes must fit ahead in the buffer (RCV.ADV never passes its free space), and the
  // layer's out-of-order budget must hold them (Linux drops and counts TCPOFODrop).
  const budget = layer.config.oooHostBudget;
  if (off + len > s.recvBuf.free || (budget > 0 && layer.oooBytes + len > budget) || layer.assemblerFor(s).add(off, len) !== StoreErr.Ok) {
    layer.counters.TcpExt.TCPOFODrop++;
    if (s.ooo !== null && s.ooo.isEmpty()) layer.releaseAssembler(s);
  } else {
    if (!s.readShut) s.recvBuf.writeAhead(off, bytes, seg.payloadOffset, len);
    layer.counters.TcpExt.TCPOFOQueue++;
    accountOoo(s);
  }
  // RFC 5681 §4.2: out-of-order data is acknowledged at once (the duplicate ACK the sender's
  // fast retransmit counts, with SACK blocks), and quick-ACK mode follows (Linux).
  s.quickAcks = TCP_MAX_QUICKACKS;
  s.ackNow = true;
}

/** Recount the out-of-order bytes `s` holds, and the layer's total with them. */
function accountOoo(s: TcpSocket): void {
  const ooo = s.ooo!;
  let held = 0;
  for (let i = 0; i < ooo.count; i++) held += ooo.rangeEnd(i) - ooo.rangeStart(i);
  s.layer.oooBytes += held - s.oooBytes;
  s.oooBytes = held;
}

/**
 * Decide when in-order text is acknowledged (RFC 1122 §4.2.3.2, RFC 5681 §4.2, RFC 9293
 * §3.8.6.3): at once when it filled a hole, in quick-ACK mode (the first segments of a
 * connection and after out-of-order data), when delayed ACKs are off, or when more than
 * one full-sized segment is unacknowledged (an ACK for at least every second full
 * segment); else within delAckMs (Linux's 40 ms minimum), by the delayed-ACK timer.
 */
function ackPolicy(s: TcpSocket, holeFilled: boolean, now: Millis): void {
  const delay = s.layer.config.delAckMs;
  if (holeFilled || delay <= 0 || seqDiff(s.rcvNxt, s.lastAckSent) > s.rcvMss) {
    s.ackNow = true;
    return;
  }
  if (s.quickAcks > 0) {
    s.quickAcks--;
    s.ackNow = true;
    return;
  }
  if (!s.delackTimer.isArmed()) s.layer.timers.schedule(s.delackTimer, now + delay);
}

/**
 * Step 8: a FIN in order (all text before it received) advances RCV.NXT over it, is
 * acknowledged, and moves the state: SYN-RECEIVED and ESTABLISHED to CLOSE-WAIT, FIN-WAIT-1
 * to TIME-WAIT (our FIN acknowledged) or CLOSING, FIN-WAIT-2 to TIME-WAIT. A FIN that is
 * not in order is dropped; the peer sends it again.
 */
function processFin(s: TcpSocket, seg: TcpRepr, now: Millis): void {
  if (!(seg.flags & TCP_FIN) || s.state === TcpState.Closed) return;
  if (seqAdd(seg.seqNumber, seg.payloadLength) !== s.rcvNxt) return;
  const layer = s.layer;
  s.rcvNxt = seqAdd(s.rcvNxt, 1);
  s.finRcvd = true;
  s.ackNow = true;
  layer.markEvent(s);
  switch (s.state) {
    case TcpState.SynReceived:
    case TcpState.Established:
      layer.setState(s, TcpState.CloseWait);
      return;
    case TcpState.FinWait1:
      if (finAcked(s)) layer.enterTimeWait(s, now);
      else layer.setState(s, TcpState.Closing);
      return;
    case TcpState.FinWait2:
      layer.enterTimeWait(s, now);
      return;
    default:
      return;
  }
}
