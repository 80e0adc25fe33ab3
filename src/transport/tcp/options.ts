// TCP options of a connection (RFC 7323, RFC 2018): what the SYN and SYN-ACK negotiate
// (window scale, timestamps, SACK-permitted), the options every later segment carries
// (timestamps, SACK blocks), the timestamp clock, RTT measurement from TSecr (RTTM, RFC
// 7323 §4) and protection against wrapped sequence numbers (PAWS, §5).
//
// The timestamp clock ticks once per millisecond of the `now` the caller passes in, plus
// a per-connection offset (as Linux randomises it), so TSval says nothing about uptime.
// Nothing here allocates.

import type { Millis } from '../../time.js';
import { TCP_ACK, TCP_SYN, type TcpRepr } from '../../wire/tcp.js';
import { TCP_MAX_WSCALE } from '../../wire/tcp-options.js';
import { seqLe } from '../../wire/seq.js';
import type { TcpSocket } from './socket.js';

/** The largest value of the 16-bit window field (RFC 9293 §3.1). */
export const TCP_MAX_WINDOW_FIELD = 65535;
/** RFC 7323 §5.5: a TS.Recent older than 24 days is no longer valid for PAWS. */
const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;
/** Bytes of the timestamps option group as we lay it out (NOP NOP TS). */
const TS_GROUP_LEN = 12;

/**
 * Return TSval at `now` for `s` (RFC 7323 §5.4: a clock tick of 1 ms, within the 1 ms-1 s
 * range). The clock must be monotonic: a `now` older than one already used (an application
 * callback read the clock after the host's loop did) gives the last value again, or the
 * peer's PAWS check (§5.3) would drop the segment as an old duplicate.
 */
export function tsNow(s: TcpSocket, now: Millis): number {
  const v = (Math.floor(now) + s.tsOffset) >>> 0;
  if (((v - s.tsLast) | 0) < 0) return s.tsLast;
  s.tsLast = v;
  return v;
}

/**
 * Return the window shift to offer (RFC 7323 §2.2): the smallest that lets the largest
 * receive buffer this socket may reach fit in the 16-bit field, at most 14.
 */
export function chooseRcvWscale(maxRecvBuf: number): number {
  let shift = 0;
  while (shift < TCP_MAX_WSCALE && TCP_MAX_WINDOW_FIELD * 2 ** shift < maxRecvBuf) shift++;
  return shift;
}

/**
 * Take the peer's SYN or SYN-ACK options (RFC 7323 §2.2, §3.2; RFC 2018 §2): each option
 * is on only when both sides sent it on their SYN. `offered` is what our own SYN carries
 * (for a passive open: what the layer's configuration allows). A shift over 14 counts as
 * 14 (RFC 7323 §2.3).
 */
export function negotiateSynOptions(s: TcpSocket, seg: Readonly<TcpRepr>, now: Millis): void {
  const cfg = s.layer.config;
  s.wsOk = cfg.windowScaling && seg.windowScale >= 0;
  if (s.wsOk) {
    s.sndWscale = seg.windowScale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : seg.windowScale;
  } else {
    s.sndWscale = 0;
    s.rcvWscale = 0;
  }
  s.tsOk = cfg.timestamps && seg.tsPresent;
  if (s.tsOk) {
    s.tsRecent = seg.tsVal;
    s.tsRecentAt = now;
  }
  s.sackOk = cfg.sack && seg.sackPermitted;
}

/**
 * Fill the options of a segment of `s` into `o`: on a SYN, MSS, window scale,
 * SACK-permitted and timestamps as configured (a SYN-ACK only echoes what was negotiated);
 * later, timestamps when negotiated (RFC 7323 §3.2: on every segment), and SACK blocks on
 * ACKs while out-of-order data waits (RFC 2018 §4). `sackMax` limits the blocks (room in
 * the header).
 */
export function fillSegmentOptions(s: TcpSocket, o: TcpRepr, flags: number, now: Millis, scratch: Float64Array, sackMax: number): void {
  const cfg = s.layer.config;
  o.sackCount = 0;
  o.unknownOptCount = 0;
  if (flags & TCP_SYN) {
    const active = !(flags & TCP_ACK);
    o.mss = s.advMss;
    o.windowScale = (active ? cfg.windowScaling : s.wsOk) ? s.rcvWscale : -1;
    o.sackPermitted = active ? cfg.sack : s.sackOk;
    o.tsPresent = active ? cfg.timestamps : s.tsOk;
  } else {
    o.mss = 0;
    o.windowScale = -1;
    o.sackPermitted = false;
    o.tsPresent = s.tsOk;
  }
  if (o.tsPresent) {
    o.tsVal = tsNow(s, now);
    // RFC 7323 §3.2: TSecr is valid only with ACK; a SYN carries 0.
    o.tsEcr = flags & TCP_ACK ? s.tsRecent : 0;
  } else {
    o.tsVal = 0;
    o.tsEcr = 0;
  }
  if (!(flags & TCP_SYN) && flags & TCP_ACK && s.sackOk && sackMax > 0) {
    const ooo = s.ooo;
    if (ooo !== null && !ooo.isEmpty()) {
      const n = ooo.sackBlocks(scratch, sackMax);
      for (let k = 0; k < n; k++) {
        o.sackBlocks[2 * k] = (s.rcvNxt + scratch[2 * k]!) >>> 0;
        o.sackBlocks[2 * k + 1] = (s.rcvNxt + scratch[2 * k + 1]!) >>> 0;
      }
      o.sackCount = n;
    }
  }
}

/**
 * Return the SACK blocks the next ACK of `s` carries: as many as the out-of-order ranges,
 * at most 3 beside timestamps or 4 without (RFC 2018 §3: the 40-byte option space).
 */
export function sackBlocksToSend(s: TcpSocket): number {
  if (!s.sackOk) return 0;
  const ooo = s.ooo;
  if (ooo === null) return 0;
  const n = ooo.count;
  const max = s.tsOk ? 3 : 4;
  return n < max ? n : max;
}

/**
 * Return the most data bytes one segment of `s` may carry now: the send MSS less the
 * options every segment carries (RFC 6691 §2 / RFC 9293 §3.7.1: the MSS counts data only,
 * and the IP datagram must fit the path), timestamps and the SACK blocks owed.
 */
export function segmentMss(s: TcpSocket): number {
  let opt = s.tsOk ? TS_GROUP_LEN : 0;
  const blocks = sackBlocksToSend(s);
  if (blocks > 0) opt += 4 + 8 * blocks;
  const m = s.sendMss - opt;
  return m > 64 ? m : s.sendMss > 64 ? 64 : s.sendMss;
}

/**
 * PAWS (RFC 7323 §5.3, R1): return true when a segment with a timestamp older than
 * TS.Recent must be dropped as an old duplicate. Not for RSTs; and a TS.Recent idle over
 * 24 days is not trusted (§5.5).
 */
export function pawsReject(s: TcpSocket, seg: Readonly<TcpRepr>, now: Millis): boolean {
  if (!s.tsOk || !seg.tsPresent) return false;
  if (((seg.tsVal - s.tsRecent) | 0) >= 0) return false;
  if (now - s.tsRecentAt > PAWS_IDLE_MS) {
    // §5.5: the connection was idle so long that TS.Recent may have wrapped; take the new one.
    s.tsRecent = seg.tsVal;
    s.tsRecentAt = now;
    return false;
  }
  return true;
}

/**
 * RFC 7323 §4.3 (R3 of §5.3): after a segment passed PAWS and the acceptability test, take
 * its TSval as TS.Recent when it is not older and the segment starts at or before
 * Last.ACK.sent (so a delayed ACK echoes the earliest unacknowledged segment's time).
 */
export function updateTsRecent(s: TcpSocket, seg: Readonly<TcpRepr>, segSeq: number, now: Millis): void {
  if (!s.tsOk || !seg.tsPresent) return;
  if (((seg.tsVal - s.tsRecent) | 0) >= 0 && seqLe(segSeq, s.lastAckSent)) {
    s.tsRecent = seg.tsVal;
    s.tsRecentAt = now;
  }
}

/**
 * RTTM (RFC 7323 §4.1-§4.2): return an RTT sample in ms from the TSecr of an ACK that
 * acknowledges new data, or -1 when it has none. Unlike a timed segment, this works
 * during retransmission: TSecr echoes the transmission the ACK answers (no Karn ambiguity).
 */
export function tsRttSample(s: TcpSocket, seg: Readonly<TcpRepr>, now: Millis): number {
  if (!s.tsOk || !seg.tsPresent || !(seg.flags & TCP_ACK) || seg.tsEcr === 0) return -1;
  const r = (tsNow(s, now) - seg.tsEcr) | 0;
  // A TSecr from the future or from before the connection is not ours: no sample.
  return r < 0 || r > 0x7fff_ffff ? -1 : r;
}
