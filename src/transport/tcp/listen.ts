// A listener's two queues and what listen()'s backlog means, as the kernels define it.
// A SYN makes a half-open connection in the SYN queue (a child in SYN-RECEIVED); the
// final ACK of the handshake moves it to the accept queue, where it waits for accept().
// The rules differ by personality (TcpConfig.personality); docs/backlog.md explains them
// and cites the kernel source each comes from:
//
// - linux (the kernels since 5.4, with the SYN-queue test of 6.14): the backlog is an
//   unsigned int clamped to net.core.somaxconn (net/socket.c __sys_listen); the accept
//   queue is full when its length is GREATER than the backlog (include/net/sock.h
//   sk_acceptq_is_full), so backlog N holds N + 1; a SYN that finds it full is dropped
//   and counted (net/ipv4/tcp_input.c tcp_conn_request); a final ACK that finds it full
//   is dropped, so the client's retransmission or our SYN-ACK retransmission gives it
//   another chance, unless tcp_abort_on_overflow answers with RST
//   (net/ipv4/tcp_minisocks.c tcp_check_req); a full SYN queue sends SYN cookies when
//   tcp_syncookies allows, else drops the SYN.
// - linux-2.6 (2.6.32): the same clamp (somaxconn 128); the SYN queue is a hash table of
//   roundup_pow_of_two(max(8, min(backlog, tcp_max_syn_backlog)) + 1) entries
//   (net/core/request_sock.c reqsk_queue_alloc; 2.6 sized it at the first listen() only,
//   we size it from the current backlog, so a second listen() resizes it too); a SYN is
//   dropped for a full accept queue
//   only while more than one "young" request (no SYN-ACK retransmitted yet) waits
//   (net/ipv4/tcp_ipv4.c tcp_v4_conn_request).
// - freebsd: a negative backlog, or one above kern.ipc.soacceptqueue (128), means the
//   maximum (sys/kern/uipc_socket.c solisten_proto); the queue is over its limit only past
//   3/2 of it (sonewconn), which is checked when the handshake completes; the SYN cache
//   answers every SYN, and a connection that does not fit is reset
//   (net.inet.tcp.sc_rst_sock_fail, 1: our abortOnOverflow).

import type { Millis } from '../../time.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpRepr } from '../../wire/tcp.js';
import { seqAdd } from '../../wire/seq.js';
import type { TcpPersonality } from './config.js';
import type { BareOptions } from './layer.js';
import { tcpInput } from './input.js';
import { tcpOutput } from './output.js';
import type { TcpSocket } from './socket.js';
import { SynCookies } from './syncookie.js';

/** How long after the last cookie was sent ACKs are checked for cookies (Linux TCP_SYNCOOKIE_VALID, 2 min). */
const COOKIE_VALID_MS = 120_000;

/**
 * Return the backlog a listen(fd, `requested`) keeps under `personality` with the
 * host's somaxconn. `requested` is taken as a C int.
 */
export function listenBacklog(personality: TcpPersonality, requested: number, somaxconn: number): number {
  const b = Number.isFinite(requested) ? Math.trunc(requested) | 0 : -1;
  if (personality === 'freebsd') return b < 0 || b > somaxconn ? somaxconn : b;
  // Linux: `if ((unsigned int)backlog > somaxconn) backlog = somaxconn;`
  const u = b >>> 0;
  return u > somaxconn ? somaxconn : u;
}

/** Return true when listener `l`'s accept queue cannot take another connection. */
export function acceptQueueFull(l: TcpSocket): boolean {
  const q = l.acceptQueue.length;
  if (l.layer.config.personality === 'freebsd') return q > Math.floor((3 * l.backlog) / 2);
  return q > l.backlog;
}

/** Return true when listener `l`'s SYN queue cannot take another half-open connection. */
export function synQueueFull(l: TcpSocket): boolean {
  const cfg = l.layer.config;
  switch (cfg.personality) {
    case 'linux':
      // inet_csk_reqsk_queue_is_full(): `>` since 6.14, `>=` from 4.4 to 6.13.
      return l.synQueueLen > l.backlog;
    case 'linux-2.6':
      return l.synQueueLen >= synTableSize(l.backlog, cfg.maxSynBacklog);
    case 'freebsd':
      // The SYN cache is per host in FreeBSD; tcp_max_syn_backlog stands in for its limit.
      return l.synQueueLen >= cfg.maxSynBacklog;
  }
}

/** Return the size of a 2.6 kernel's SYN table for `backlog` (reqsk_queue_alloc). */
export function synTableSize(backlog: number, maxSynBacklog: number): number {
  const n = Math.max(8, Math.min(backlog, maxSynBacklog)) + 1;
  let size = 8;
  while (size < n) size *= 2;
  return size;
}

/**
 * LISTEN (RFC 9293 §3.10.7.2), with the queue rules of the personality: ignore a RST;
 * check an ACK for a SYN cookie, else answer it with <SEQ=SEG.ACK><CTL=RST>; drop a SYN
 * that also has FIN (as Linux does); for a SYN,
 * make a child in SYN-RECEIVED and send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, or send a
 * cookie, or drop it. Data on a SYN is dropped (the peer sends it again).
 */
export function onListen(l: TcpSocket, seg: TcpRepr, bytes: Uint8Array, localAddr: number, remoteAddr: number, now: Millis): void {
  const layer = l.layer;
  const cfg = layer.config;
  const x = layer.counters.TcpExt;
  const flags = seg.flags;
  if (flags & TCP_RST) return;
  if (flags & TCP_ACK) {
    if (!(flags & TCP_SYN) && cookiesAccepted(l, now)) onCookieAck(l, seg, bytes, localAddr, remoteAddr, now);
    else layer.sendRst(localAddr, seg.dstPort, remoteAddr, seg.srcPort, seg.ackNumber, 0, false, now);
    return;
  }
  if (!(flags & TCP_SYN)) return;
  // A SYN with FIN is not a connection request (a scanner's probe): tcp_rcv_state_process
  // discards it in LISTEN, with no answer and no half-open connection.
  if (flags & TCP_FIN) return;
  const personality = cfg.personality;
  let wantCookie = cfg.syncookies === 2;
  if (!wantCookie && synQueueFull(l)) {
    if (cfg.syncookies === 0) {
      x.TCPReqQFullDrop++;
      x.ListenDrops++;
      return;
    }
    x.TCPReqQFullDoCookies++;
    wantCookie = true;
  }
  const overflow = personality === 'linux' ? acceptQueueFull(l) : personality === 'linux-2.6' ? acceptQueueFull(l) && l.synQueueYoung > 1 : false;
  if (overflow) {
    x.ListenOverflows++;
    x.ListenDrops++;
    return;
  }
  // Without cookies, Linux keeps the last quarter of tcp_max_syn_backlog for peers it has
  // seen before; we have no such memory, so the quarter is simply kept free.
  if (!wantCookie && cfg.syncookies === 0 && personality !== 'freebsd' && cfg.maxSynBacklog - l.synQueueLen < cfg.maxSynBacklog >> 2) {
    x.ListenDrops++;
    return;
  }
  if (wantCookie) {
    sendCookie(l, seg, localAddr, remoteAddr, now);
    return;
  }
  const c = layer.openPassive(l, localAddr, remoteAddr, seg, now);
  if (c === null) {
    x.ListenDrops++;
    return;
  }
  c.young = true;
  l.synQueueYoung++;
  tcpOutput(c, now);
}

/**
 * The final ACK of child `s` arrived: return true when it may enter ESTABLISHED and the
 * accept queue. When the queue is full it is counted and dropped, so a later ACK or our
 * SYN-ACK's retransmission tries again; with abortOnOverflow the child is reset instead.
 */
export function admitChild(s: TcpSocket, seg: TcpRepr, now: Millis): boolean {
  const l = s.parent;
  if (l === null || !acceptQueueFull(l)) return true;
  const layer = s.layer;
  layer.counters.TcpExt.ListenOverflows++;
  layer.counters.TcpExt.ListenDrops++;
  if (layer.config.abortOnOverflow) {
    layer.sendRst(s.localAddr, s.localPort, s.remoteAddr, s.remotePort, seg.ackNumber, 0, false, now);
    layer.release(s);
  }
  return false;
}

/** Child `s` leaves the SYN queue or retransmits its SYN-ACK: it is no longer young (2.6 accounting). */
export function childAged(s: TcpSocket): void {
  if (!s.young) return;
  s.young = false;
  if (s.parent !== null) s.parent.synQueueYoung--;
}

/** Return true when an ACK to listener `l` should be checked for a cookie (Linux tcp_synq_no_recent_overflow). */
function cookiesAccepted(l: TcpSocket, now: Millis): boolean {
  const mode = l.layer.config.syncookies;
  if (mode === 0) return false;
  return mode === 2 || (l.lastCookieAt >= 0 && now - l.lastCookieAt < COOKIE_VALID_MS);
}

/** The options of a cookie SYN-ACK (one record, reused). */
const cookieOpt: BareOptions = { mss: 0, windowScale: -1, sackPermitted: false, tsPresent: false, tsVal: 0, tsEcr: 0 };
/** The low TSval bits of a cookie SYN-ACK: the peer's window scale (15: none) and SACK-permitted (Linux's TS_OPT_*). */
const TS_OPT_WSCALE = 0x0f;
const TS_OPT_SACK = 0x10;
const TS_OPT_BITS = 0x3f;

/**
 * Answer a SYN with a cookie SYN-ACK: no child, no state but the time (RFC 4987 §3.6).
 * When the SYN has timestamps, the options the cookie cannot hold ride in the low bits of
 * our TSval, which the peer echoes in every TSecr (Linux's cookie_init_timestamp): the
 * connection keeps window scaling and SACK. Without timestamps they are not offered.
 */
function sendCookie(l: TcpSocket, seg: TcpRepr, localAddr: number, remoteAddr: number, now: Millis): void {
  const layer = l.layer;
  const cfg = layer.config;
  const ourMss = layer.advMssFor(remoteAddr);
  if (ourMss <= 0) return;
  const mss = SynCookies.cookieMss(seg.mss, ourMss);
  const iss = layer.cookies.make(localAddr, seg.dstPort, remoteAddr, seg.srcPort, seg.seqNumber, mss, now);
  const o = cookieOpt;
  o.mss = ourMss;
  o.tsPresent = cfg.timestamps && seg.tsPresent;
  if (o.tsPresent) {
    const ws = cfg.windowScaling && seg.windowScale >= 0 ? Math.min(seg.windowScale, 14) : TS_OPT_WSCALE;
    const sack = cfg.sack && seg.sackPermitted;
    const nowTs = (Math.floor(now) + layer.tsOffsetFor(localAddr, seg.dstPort, remoteAddr, seg.srcPort)) >>> 0;
    let ts = ((nowTs & ~TS_OPT_BITS) | ws | (sack ? TS_OPT_SACK : 0)) >>> 0;
    if (((ts - nowTs) | 0) > 0) ts = (ts - (TS_OPT_BITS + 1)) >>> 0; // never ahead of the clock
    o.tsVal = ts;
    o.tsEcr = seg.tsVal;
    o.windowScale = ws === TS_OPT_WSCALE ? -1 : layer.rcvWscaleFor(l);
    o.sackPermitted = sack;
  } else {
    o.windowScale = -1;
    o.sackPermitted = false;
  }
  layer.sendBare(localAddr, seg.dstPort, remoteAddr, seg.srcPort, iss, seqAdd(seg.seqNumber, 1), TCP_SYN | TCP_ACK, cookieWindow(layer), o, now);
  l.lastCookieAt = now;
  layer.counters.TcpExt.SyncookiesSent++;
}

/** Return the window a cookie SYN-ACK offers: the receive buffer, unscaled (the cookie cannot carry a window scale). */
function cookieWindow(layer: TcpSocket['layer']): number {
  return Math.min(layer.config.recvBufSize, 65535);
}

/** An ACK reached the listener: rebuild the connection from its cookie, or reset. */
function onCookieAck(l: TcpSocket, seg: TcpRepr, bytes: Uint8Array, localAddr: number, remoteAddr: number, now: Millis): void {
  const layer = l.layer;
  const x = layer.counters.TcpExt;
  const irs = seqAdd(seg.seqNumber, -1);
  const iss = seqAdd(seg.ackNumber, -1);
  const mss = layer.cookies.check(localAddr, seg.dstPort, remoteAddr, seg.srcPort, irs, iss, now);
  if (mss === 0) {
    x.SyncookiesFailed++;
    layer.sendRst(localAddr, seg.dstPort, remoteAddr, seg.srcPort, seg.ackNumber, 0, false, now);
    return;
  }
  if (acceptQueueFull(l)) {
    x.ListenOverflows++;
    x.ListenDrops++;
    return;
  }
  const c = layer.openPassive(l, localAddr, remoteAddr, seg, now);
  if (c === null) {
    x.ListenDrops++;
    return;
  }
  x.SyncookiesRecv++;
  c.irs = irs;
  c.rcvNxt = seg.seqNumber;
  c.rcvAdv = seqAdd(c.rcvNxt, cookieWindow(layer));
  c.iss = iss;
  c.sndUna = seg.ackNumber;
  c.sndNxt = seg.ackNumber;
  c.sndMax = seg.ackNumber;
  c.sndBufSeq = seg.ackNumber;
  layer.setPeerMss(c, mss);
  // The options our cookie SYN-ACK offered come back in TSecr's low bits (sendCookie).
  const cfg = layer.config;
  if (cfg.timestamps && seg.tsPresent) {
    const bits = seg.tsEcr & TS_OPT_BITS;
    c.tsOk = true;
    c.tsRecent = seg.tsVal;
    c.tsRecentAt = now;
    c.lastAckSent = c.rcvNxt;
    const ws = bits & TS_OPT_WSCALE;
    c.wsOk = cfg.windowScaling && ws !== TS_OPT_WSCALE;
    c.sndWscale = c.wsOk ? ws : 0;
    c.rcvWscale = c.wsOk ? layer.rcvWscaleFor(c) : 0;
    c.sackOk = cfg.sack && (bits & TS_OPT_SACK) !== 0;
  }
  c.sndWnd = seg.windowLen * 2 ** c.sndWscale; // not a SYN: the field is scaled (RFC 7323 §2.3)
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = seg.seqNumber;
  c.sndWl2 = seg.ackNumber;
  layer.enterEstablished(c);
  // The ACK may carry data and a FIN: process it as the connection's first segment.
  tcpInput(c, seg, bytes, now);
}
