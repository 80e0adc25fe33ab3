// The transmission control block of one connection (RFC 9293 §3.3.1) and the transport
// API on it: open (TcpLayer.socket), bind, listen, accept, connect, send, recv, shutdown,
// close, abort (RFC 9293 §3.10.1-3.10.5). Calls return a count (n >= 0) or a negated
// TcpErr code; would-block is `-TcpErr.WouldBlock`. Readiness is a bit mask (`readiness()`)
// and an optional callback, called by the layer after it processed input or timers, never
// from inside a call the application made.
//
// What happens when segments arrive is in input.ts, what to send in output.ts, timer
// expiries in timers.ts; this file holds the state and the user calls.

import { Assembler } from '../../storage/assembler.js';
import { ByteRing } from '../../storage/byte-ring.js';
import { TimerHandle } from '../../storage/timer-wheel.js';
import type { Millis } from '../../time.js';
import { seqAdd, seqDiff } from '../../wire/seq.js';
import type { CongestionControl } from './congestion/congestion.js';
import { Cubic } from './congestion/cubic.js';
import { NewReno } from './congestion/newreno.js';
import { SackScoreboard } from './sack.js';
import { armKeepalive } from './keepalive.js';
import { noteConsumed } from './autotune.js';
import { TcpErr } from './errors.js';
import type { TcpLayer } from './layer.js';
import { listenBacklog } from './listen.js';
import { acceptableSeq, tcpOutput } from './output.js';
import { RttEstimator } from './rtt.js';
import { TcpState, type TcpStateCode, tcpStateName } from './state.js';

/**
 * A zero-copy receiver (channel mode, src/runtime/channel-mode/zero-copy.ts): in-order text
 * is offered to `hold` first; when it keeps the frame the bytes stay where they arrived and
 * the receive buffer only counts them (commit without a copy), so the window still covers
 * every byte the application has not released.
 */
export interface TcpRxHold {
  /** Keep the frame holding `len` payload bytes at `off` of `bytes`, appended at the buffer's tail; return true when kept. */
  hold(bytes: Uint8Array, off: number, len: number): boolean;
  /** recv() on a socket with a holder and bytes buffered: copy them out (held frames and recvBuf). */
  recv(buf: Uint8Array, off: number, len: number, now: Millis): number;
  /** The receive buffer is being emptied (shutdown(SHUT_RD), close): give back every held frame. */
  clear(): void;
}

/** Readiness bits (the meaning of poll(2)'s POLLIN, POLLOUT, POLLERR, POLLHUP). */
export const TcpEvent = {
  /** recv() or accept() will not block: data, end of stream, a connection, or an error. */
  Readable: 1,
  /** send() will not block: the connection is up and the send buffer has room. */
  Writable: 2,
  /** An error is pending (refused, reset, timed out). */
  Error: 4,
  /** The connection is closed in both directions. */
  Hangup: 8,
} as const;

/** `shutdown` directions, as in shutdown(2). */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

/** Timer kinds of a socket's handles. */
export const TimerKind = {
  Retransmit: 0,
  Persist: 1,
  /** TIME-WAIT, and the FIN-WAIT-2 timeout of a closed socket. */
  Linger: 2,
  /** The delayed ACK (RFC 1122 §4.2.3.2). */
  Delack: 3,
  /** Keepalive probes (RFC 1122 §4.2.3.6). */
  Keepalive: 4,
  /** The cork's 200 ms limit (Linux TCP_CORK). */
  Cork: 5,
} as const;

/** The callback told of readiness changes. */
export type TcpReadinessCallback = (s: TcpSocket) => void;

/** The default MSS when the peer sends none (RFC 9293 §3.7.1: 536). */
export const TCP_DEFAULT_MSS = 536;

/** One TCP endpoint: a listener or a connection. */
export class TcpSocket {
  state: TcpStateCode = TcpState.Closed;
  localAddr = 0;
  localPort = 0;
  remoteAddr = 0;
  remotePort = 0;

  // Send sequence variables (RFC 9293 §3.3.1). sndMax is the highest sequence number sent,
  // which passes sndNxt when a timeout makes us send again from sndUna.
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndMax = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** The largest window the peer has offered (sender SWS avoidance, RFC 9293 §3.8.6.2.1). */
  maxSndWnd = 0;
  /** Sequence number of the first byte in sendBuf. */
  sndBufSeq = 0;
  /** Segments sent again, data bytes acknowledged, data bytes received in order (TCP_INFO's totals; no wrap at 2^32). */
  totalRetrans = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  // Receive sequence variables. rcvAdv is the right edge of the window last advertised.
  irs = 0;
  rcvNxt = 0;
  rcvAdv = 0;

  /** Largest segment we send (the peer's MSS option, or 536, within our path MTU). */
  sendMss = TCP_DEFAULT_MSS;
  /** The MSS we advertise (path MTU less 40). */
  advMss = TCP_DEFAULT_MSS;
  /** TCP_MAXSEG: a cap on both MSS values (0: none); set before connect or listen. */
  userMss = 0;
  /** The largest IPv4 datagram the route's device segments for us (TSO, Host.tsoMaxFor), or 0; output.ts sizes segments by it. */
  tsoMaxBytes = 0;

  sendBuf: ByteRing = EMPTY_RING;
  recvBuf: ByteRing = EMPTY_RING;
  ooo: Assembler | null = null;

  /** The application asked for a FIN: it goes after the last byte of sendBuf. */
  finQueued = false;
  /** The peer's FIN has been received (in order): recv returns 0 once the buffer is empty. */
  finRcvd = false;
  /** An ACK must be sent (output sends a pure ACK when no segment carries one). */
  ackNow = false;
  /** Duplicate ACKs in a row (RFC 5681 §2). */
  dupAcks = 0;
  /** Consecutive retransmission timeouts (SYN retries included). */
  retries = 0;
  /** When the first SYN went out (the start of connect()'s time limit). */
  synSentAt: Millis = 0;
  /** Persist timer backoff exponent. */
  persistBackoff = 0;
  /** Congestion window validation (output.ts noteCwndUse): cwnd was used up in the current window, else the most in flight in it; the window ends when SND.UNA passes cwndUsageSeq. */
  cwndLimited = false;
  maxFlight = 0;
  cwndUsageSeq = 0;
  /** Round-trip timing of one segment at a time (Karn: none while retransmitting). */
  rttTiming = false;
  rttSeq = 0;
  rttStart: Millis = 0;
  /** Pending error, a TcpErr code reported by the next call. */
  softError = 0;
  /** The application called close(): it reads no more, and the layer owns the socket. */
  appClosed = false;
  /** The application called shutdown(SHUT_RD). */
  readShut = false;
  /** Nagle's algorithm off (TCP_NODELAY). */
  noDelay = false;
  /** SO_REUSEADDR. */
  reuseAddr = false;
  /** True while the socket is in the layer's 4-tuple table. */
  hashed = false;
  /** True while the socket holds its local port in the layer's port table. */
  portHeld = false;
  /** Reached ESTABLISHED at some point (for counters). */
  wasEstablished = false;

  // Listener side.
  /** The listener a passively opened connection came from, until accepted. */
  parent: TcpSocket | null = null;
  backlog = 0;
  readonly acceptQueue: TcpSocket[] = [];
  /** Children in SYN-RECEIVED. */
  synQueueLen = 0;
  /** Children in SYN-RECEIVED whose SYN-ACK has not been retransmitted (2.6's "young" requests). */
  synQueueYoung = 0;
  /** This child counts among its listener's young requests. */
  young = false;
  /** When this listener last sent a SYN cookie (-1: never). */
  lastCookieAt: Millis = -1;

  readonly rtt: RttEstimator;
  cc: CongestionControl;
  readonly rtxTimer: TimerHandle<TcpSocket>;
  // The timers most connections never arm are made at their first use (the getters below);
  // until then these are null, and cancelling one is a null check (TimerWheel.cancel).
  persistT: TimerHandle<TcpSocket> | null = null;
  lingerT: TimerHandle<TcpSocket> | null = null;
  keepaliveT: TimerHandle<TcpSocket> | null = null;
  corkT: TimerHandle<TcpSocket> | null = null;

  /** Called after input or timers changed the socket's readiness. */
  onReadiness: TcpReadinessCallback | null = null;
  /** A readiness call is due (set by the layer). */
  eventPending = false;
  /** A segment could not go out for want of a device frame; the layer retries (TcpLayer.poll). */
  txBlocked = false;
  /** Chain of the layer's 4-tuple hash bucket. */
  hashNext: TcpSocket | null = null;
  /** Chain of the layer's port table entry. */
  portNext: TcpSocket | null = null;

  // ---- TCP part 2 (issue #5): options, SACK, recovery, delayed ACK, keepalive, buffers ----
  /** Window scaling is in use on this connection (both SYNs carried the option, RFC 7323 §2.2). */
  wsOk = false;
  /** Our window shift (RFC 7323 §2.2), applied to the windows we advertise; 0 without scaling. */
  rcvWscale = 0;
  /** The peer's window shift (RFC 7323 §2.3), applied to the windows it advertises. */
  sndWscale = 0;
  /** Timestamps are in use on this connection (RFC 7323 §3.2). */
  tsOk = false;
  /** TS.Recent: the timestamp to echo (RFC 7323 §4.3). */
  tsRecent = 0;
  /** When TS.Recent was last set, for PAWS's 24-day validity (RFC 7323 §5.5). */
  tsRecentAt: Millis = 0;
  /** Last.ACK.sent: the ACK field of the last segment sent (RFC 7323 §4.3). */
  lastAckSent = 0;
  /** Added to the millisecond clock to make TSval (per connection, keyed, as Linux does). */
  tsOffset = 0;
  /** The last TSval sent: the timestamp clock never goes back (RFC 7323 §5.4), whatever `now` the callers pass. */
  tsLast = 0;
  /** SACK is in use on this connection (RFC 2018 §2). */
  sackOk = false;
  /** The SACK scoreboard of the sender (RFC 6675 §3); preallocated. */
  readonly sb = new SackScoreboard();
  /** RecoveryPoint (RFC 6675 §2) / recover (RFC 6582 §3.2): SND.MAX when recovery began. */
  recover = 0;
  recoverValid = false;
  /** HighRxt (RFC 6675 §2): the highest sequence number retransmitted in this recovery. */
  highRxt = 0;
  /** The largest segment received so far, at most advMss (Linux's rcv_mss, for the every-second-segment ACK). */
  rcvMss = TCP_DEFAULT_MSS;
  /** Segments to acknowledge at once before delayed ACKs begin (Linux's quick-ACK mode). */
  quickAcks = 0;
  /** Hold partial segments until uncorked, a full segment, or 200 ms (Linux TCP_CORK). */
  cork = false;
  /** When the cork started holding a partial segment (for its 200 ms limit); -1 when not. */
  corkSince: Millis = -1;
  /** SO_KEEPALIVE; change it on a live connection with `setKeepAlive`. */
  keepAlive = false;
  /** Idle time before the first keepalive probe (TCP_KEEPIDLE). */
  keepIdleMs: Millis;
  /** Time between keepalive probes (TCP_KEEPINTVL). */
  keepIntvlMs: Millis;
  /** Unanswered probes before the connection is dropped (TCP_KEEPCNT). */
  keepCnt: number;
  /** Abort when sent data stays unacknowledged this long (TCP_USER_TIMEOUT, RFC 5482); 0 = off. */
  userTimeoutMs: Millis = 0;
  /** Keepalive probes sent since the peer was last heard from. */
  keepProbes = 0;
  /** When a segment last arrived (keepalive's idle time). */
  lastRecvAt: Millis = 0;
  /** Since when the oldest unacknowledged data has waited (the user timeout's start). */
  unackedSince: Millis = 0;
  /** Bytes of out-of-order data held ahead in recvBuf (the layer's budget counts them). */
  oooBytes = 0;
  /** Receive-buffer auto-tuning (DRS): bytes read in this measurement, its start time and RCV.NXT then. */
  rcvqSpace = 0;
  rcvqBytes = 0;
  rcvqTime: Millis = 0;
  /** A buffer size was set by the application (SO_RCVBUF): no auto-tuning. */
  recvBufLocked = false;
  /** The application set the send buffer size (SO_SNDBUF): no send-buffer auto-tuning. */
  sendBufLocked = false;
  /** A send found the send buffer full since the last ACK looked (Linux's SOCK_NOSPACE): the buffer, not the network, held the sender back. */
  sendBufFull = false;
  /** Send-buffer auto-tuning: the peer's smallest round trip (PeerRttTable) and this connection's latest, of a timed segment (ms, at the clock's resolution). */
  sendRttMin: Millis = Infinity;
  sendRttLast: Millis = 0;
  /** The zero-copy receiver, when the application attached one (channel mode); null: text is copied into recvBuf. */
  rxHold: TcpRxHold | null = null;
  private sendBufSizeV: number;
  private recvBufSizeV: number;
  readonly delackTimer: TimerHandle<TcpSocket>;

  /** Create a closed socket of `layer`; use `layer.socket()`. */
  constructor(readonly layer: TcpLayer) {
    const c = layer.config;
    this.rtt = new RttEstimator(c.rtoMinMs, c.rtoMaxMs, c.rtoInitialMs);
    this.rtxTimer = new TimerHandle<TcpSocket>(this, TimerKind.Retransmit);
    this.delackTimer = new TimerHandle<TcpSocket>(this, TimerKind.Delack);
    this.cc = c.congestion === 'newreno' ? new NewReno() : new Cubic();
    this.keepIdleMs = c.keepIdleMs;
    this.keepIntvlMs = c.keepIntvlMs;
    this.keepCnt = c.keepCnt;
    this.sendBufSizeV = c.sendBufSize;
    this.recvBufSizeV = c.recvBufSize;
  }

  /** The persist timer (made at its first use). */
  get persistTimer(): TimerHandle<TcpSocket> {
    return (this.persistT ??= new TimerHandle<TcpSocket>(this, TimerKind.Persist));
  }

  /** The TIME-WAIT / FIN-WAIT-2 timer (made at its first use). */
  get lingerTimer(): TimerHandle<TcpSocket> {
    return (this.lingerT ??= new TimerHandle<TcpSocket>(this, TimerKind.Linger));
  }

  /** The keepalive timer (made at its first use). */
  get keepaliveTimer(): TimerHandle<TcpSocket> {
    return (this.keepaliveT ??= new TimerHandle<TcpSocket>(this, TimerKind.Keepalive));
  }

  /** The cork's timer (made at its first use). */
  get corkTimer(): TimerHandle<TcpSocket> {
    return (this.corkT ??= new TimerHandle<TcpSocket>(this, TimerKind.Cork));
  }

  /**
   * The send buffer size (SO_SNDBUF): what auto-tuning has grown it to on an open
   * connection. Setting it turns auto-tuning off, as on Linux, and takes effect when the
   * connection opens.
   */
  get sendBufSize(): number {
    return Math.max(this.sendBufSizeV, this.sendBuf.capacity);
  }

  set sendBufSize(n: number) {
    this.sendBufSizeV = Math.max(1, Math.floor(n));
    this.sendBufLocked = true;
  }

  /** The receive buffer size (SO_RCVBUF), as auto-tuning has grown it; setting it turns auto-tuning off, as on Linux. Takes effect when the connection opens. */
  get recvBufSize(): number {
    return Math.max(this.recvBufSizeV, this.recvBuf.capacity);
  }

  set recvBufSize(n: number) {
    this.recvBufSizeV = Math.max(1, Math.floor(n));
    this.recvBufLocked = true;
  }

  /**
   * Choose the congestion control by name (TCP_CONGESTION): `newreno` or `cubic`. On a
   * live connection the new algorithm starts from the current cwnd and ssthresh, as Linux's
   * tcp_reinit_congestion_control does. Return 0 or -TcpErr.Invalid for an unknown name.
   */
  setCongestion(name: string): number {
    if (name !== 'newreno' && name !== 'cubic') return -TcpErr.Invalid;
    if (name === this.cc.name) return 0;
    const old = this.cc;
    const next: CongestionControl = name === 'newreno' ? new NewReno() : new Cubic();
    if (old.cwnd > 0) {
      next.init(this.sendMss, this.layer.config.initCwnd, 0);
      next.cwnd = old.cwnd;
      next.ssthresh = old.ssthresh;
      next.inRecovery = old.inRecovery;
    }
    this.cc = next;
    return 0;
  }

  /**
   * Turn keepalive on or off (SO_KEEPALIVE) and (re)arm its timer from `now` with the
   * current keepIdleMs; call it after changing keepIdleMs on a live connection. Return 0.
   */
  setKeepAlive(on: boolean, now: Millis): number {
    this.keepAlive = on;
    this.keepProbes = 0;
    armKeepalive(this, now);
    return 0;
  }

  /**
   * Set TCP_CORK and, when it comes off, send what it held at once (Linux pushes on
   * uncork); assigning `cork = false` directly sends it with the next output or within
   * 200 ms. Return 0.
   */
  setCork(on: boolean, now: Millis): number {
    this.cork = on;
    if (!on) {
      this.corkSince = -1;
      this.layer.timers.cancel(this.corkT);
      const st = this.state;
      if (st >= TcpState.Established && st !== TcpState.TimeWait) {
        tcpOutput(this, now);
        this.layer.wake();
      }
    }
    return 0;
  }

  /** Copy the socket options a listener passes to its connections (as Linux's children inherit them). */
  inheritOptions(l: TcpSocket): void {
    this.cork = l.cork;
    this.keepAlive = l.keepAlive;
    this.keepIdleMs = l.keepIdleMs;
    this.keepIntvlMs = l.keepIntvlMs;
    this.keepCnt = l.keepCnt;
    this.userTimeoutMs = l.userTimeoutMs;
    this.userMss = l.userMss;
    this.sendBufSizeV = l.sendBufSizeV;
    this.recvBufSizeV = l.recvBufSizeV;
    this.recvBufLocked = l.recvBufLocked;
    this.sendBufLocked = l.sendBufLocked;
    if (l.cc.name !== this.cc.name) this.setCongestion(l.cc.name);
  }

  /** Return the state's RFC name (`ESTABLISHED`). */
  stateName(): string {
    return tcpStateName(this.state);
  }

  /** The socket has a send ring of its own (from ESTABLISHED until it is dropped). */
  get hasSendBuf(): boolean {
    return this.sendBuf !== EMPTY_RING;
  }

  /** The socket has a receive ring of its own. */
  get hasRecvBuf(): boolean {
    return this.recvBuf !== EMPTY_RING;
  }

  /** Give the send ring's memory back (TIME-WAIT, CLOSED: nothing more is sent). */
  dropSendBuf(): void {
    if (this.sendBuf === EMPTY_RING) return;
    this.sendBuf.dispose();
    this.sendBuf = EMPTY_RING;
  }

  /** Give the receive ring's memory back (CLOSED, nothing unread). */
  dropRecvBuf(): void {
    if (this.recvBuf === EMPTY_RING) return;
    this.recvBuf.dispose();
    this.recvBuf = EMPTY_RING;
  }

  /** Return the bytes waiting to be read. */
  get readable(): number {
    return this.recvBuf.length;
  }

  /** Return the bytes queued to send and not yet acknowledged. */
  get unacked(): number {
    return this.sendBuf.length;
  }

  /** Return the readiness bits (TcpEvent) as they are now. */
  readiness(): number {
    let ev = 0;
    const st = this.state;
    if (this.softError !== 0) ev |= TcpEvent.Error | TcpEvent.Readable | TcpEvent.Writable;
    if (st === TcpState.Listen) return ev | (this.acceptQueue.length > 0 ? TcpEvent.Readable : 0);
    if (this.recvBuf.length > 0 || this.finRcvd || this.readShut) ev |= TcpEvent.Readable;
    if ((st === TcpState.Established || st === TcpState.CloseWait) && !this.finQueued && this.sendBuf.free > 0) ev |= TcpEvent.Writable;
    if (st === TcpState.Closed && this.wasEstablished) ev |= TcpEvent.Hangup | TcpEvent.Readable;
    return ev;
  }

  /**
   * Bind to `addr` (0: any of the host's) and `port` (0: an ephemeral one); return 0 or a
   * negated code: Invalid (already bound, or not closed), AddrNotAvail (not our address,
   * or no ephemeral port left), AddrInUse.
   */
  bind(addr: number, port: number): number {
    if (this.state !== TcpState.Closed || this.portHeld) return -TcpErr.Invalid;
    if (!Number.isInteger(port) || port < 0 || port > 65535) return -TcpErr.Invalid;
    if (addr !== 0 && !this.layer.host.isLocalAddress(addr >>> 0)) return -TcpErr.AddrNotAvail;
    this.localAddr = addr >>> 0;
    return this.layer.bindPort(this, port);
  }

  /**
   * Listen for connections (RFC 9293 §3.10.1, passive OPEN); `backlog` is read as the
   * personality's listen() reads it (listen.ts listenBacklog), and a second call changes
   * it. Binds an ephemeral port when unbound. Return 0 or a negated code (Invalid when
   * connected, AddrNotAvail when no port is free).
   */
  listen(backlog: number): number {
    const cfg = this.layer.config;
    if (this.state === TcpState.Listen) {
      this.backlog = listenBacklog(cfg.personality, backlog, cfg.somaxconn);
      return 0;
    }
    if (this.state !== TcpState.Closed || this.appClosed) return -TcpErr.Invalid;
    if (!this.portHeld) {
      const r = this.layer.bindPort(this, 0);
      if (r < 0) return r;
    }
    this.backlog = listenBacklog(cfg.personality, backlog, cfg.somaxconn);
    this.state = TcpState.Listen;
    return 0;
  }

  /** Return the next established connection from the accept queue, or null (would block). */
  accept(): TcpSocket | null {
    if (this.state !== TcpState.Listen) return null;
    const c = this.acceptQueue.shift();
    if (c === undefined) return null;
    c.parent = null;
    return c;
  }

  /**
   * Open a connection to `addr`:`port` (RFC 9293 §3.10.1, active OPEN): choose the source
   * address and an ephemeral port when unbound, send a SYN, enter SYN-SENT. Return
   * -TcpErr.InProgress (the usual answer: wait for Writable or Error) or a negated code:
   * IsConnected, Invalid, NoRoute, AddrNotAvail, AddrInUse.
   */
  connect(addr: number, port: number, now: Millis): number {
    if (this.state !== TcpState.Closed) return this.state === TcpState.Listen ? -TcpErr.Invalid : -TcpErr.IsConnected;
    if (this.appClosed || !Number.isInteger(port) || port < 1 || port > 65535) return -TcpErr.Invalid;
    return this.layer.openActive(this, addr >>> 0, port, now);
  }

  /**
   * Queue up to `len` bytes of `data` at `off` for sending (RFC 9293 §3.10.2); return how
   * many were taken, or a negated code: WouldBlock (buffer full), NotConnected, Pipe
   * (shut down for writing, or the connection is closing), or the pending error.
   */
  send(data: Uint8Array, off: number, len: number, now: Millis): number {
    const err = this.takeError();
    if (err !== 0) return -err;
    const st = this.state;
    if (st === TcpState.Closed || st === TcpState.Listen) return -TcpErr.NotConnected;
    if (this.finQueued || this.appClosed) return -TcpErr.Pipe;
    if (len <= 0) return 0;
    const n = this.sendBuf.write(data, off, len);
    if (n < len) this.sendBufFull = true;
    if (n === 0) return -TcpErr.WouldBlock;
    if (st !== TcpState.SynSent && st !== TcpState.SynReceived) tcpOutput(this, now);
    this.layer.wake();
    return n;
  }

  /**
   * Move up to `len` received bytes into `buf` at `off` (RFC 9293 §3.10.3); return the
   * count, 0 at the end of the stream (the peer's FIN, or shutdown(SHUT_RD)), or a negated
   * code: WouldBlock, NotConnected, or the error that ended the connection.
   */
  recv(buf: Uint8Array, off: number, len: number, now: Millis): number {
    if (this.appClosed) return -TcpErr.Closed;
    if (this.rxHold !== null && this.recvBuf.length > 0) return this.rxHold.recv(buf, off, len, now);
    if (this.recvBuf.length === 0) {
      const err = this.takeError();
      if (err !== 0) return -err;
      if (this.finRcvd || this.readShut) return 0;
      const st = this.state;
      if (st === TcpState.Listen || (st === TcpState.Closed && !this.wasEstablished)) return -TcpErr.NotConnected;
      if (st === TcpState.Closed) return 0;
      return -TcpErr.WouldBlock;
    }
    return this.consumed(this.recvBuf.read(buf, off, len), now);
  }

  /**
   * Account for `n` bytes the application took from the head of recvBuf (read, or released
   * by a zero-copy receiver after `recvBuf.discard`): auto-tuning and the window update.
   * Return `n`.
   */
  consumed(n: number, now: Millis): number {
    // A drained buffer with nothing out of order ahead gives a small array back (an idle
    // connection holds no receive storage) or starts a large one again at its first byte,
    // where the next segments land in lines still in cache (ByteRing.shrink).
    if (this.recvBuf.length === 0 && (this.ooo === null || this.ooo.isEmpty())) this.recvBuf.shrink();
    // Receive-buffer auto-tuning measures what the application takes per RTT (autotune.ts).
    if (n > 0 && !this.recvBufLocked) noteConsumed(this, n, now);
    // RFC 9293 §3.8.6.2.2: tell the peer about the space once it is worth a segment.
    if (n > 0 && this.layer.windowUpdateDue(this)) {
      this.ackNow = true;
      tcpOutput(this, now);
      this.layer.wake();
    }
    return n;
  }

  /**
   * Shut down reading (SHUT_RD), writing (SHUT_WR: a FIN follows the queued data, RFC 9293
   * §3.10.4) or both; return 0 or a negated code (NotConnected).
   */
  shutdown(how: number, now: Millis): number {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return -TcpErr.Invalid;
    const st = this.state;
    if (st === TcpState.Closed || st === TcpState.Listen || st === TcpState.SynSent) return -TcpErr.NotConnected;
    if (how !== SHUT_WR) {
      this.readShut = true;
      this.recvBuf.clear();
      if (this.rxHold !== null) this.rxHold.clear();
    }
    if (how !== SHUT_RD) this.queueFin(now);
    return 0;
  }

  /**
   * Close the socket (RFC 9293 §3.10.4): the layer sends what is queued, then a FIN, and
   * keeps the connection through its closing states; the application must not use the
   * socket afterwards. As Linux does (RFC 2525 §2.17), unread data makes it a reset instead.
   * A listener stops listening and resets the connections it had not handed out. Return 0.
   */
  close(now: Millis): number {
    if (this.appClosed) return 0;
    this.appClosed = true;
    this.onReadiness = null;
    // Held frames go back now: the application may not touch its views after close.
    if (this.rxHold !== null) {
      this.rxHold.clear();
      this.rxHold = null;
    }
    const st = this.state;
    switch (st) {
      case TcpState.Closed:
        this.layer.release(this);
        return 0;
      case TcpState.Listen:
        this.layer.closeListener(this, now);
        return 0;
      case TcpState.SynSent:
        // §3.10.4 SYN-SENT: delete the TCB.
        this.layer.release(this);
        return 0;
      case TcpState.TimeWait:
        // The connection waits in the layer's TIME-WAIT table; the socket, as Linux's after
        // tcp_time_wait, is done: unread bytes are dropped without a RST.
        this.layer.dropTimeWaitOwner(this);
        return 0;
      default:
        if (this.recvBuf.length > 0) {
          this.layer.counters.TcpExt.TCPAbortOnClose++;
          this.abort(now);
          return 0;
        }
        this.queueFin(now);
        return 0;
    }
  }

  /**
   * Abort the connection (RFC 9293 §3.10.5): send a RST in the synchronized states and
   * SYN-RECEIVED, discard everything, enter CLOSED. Return 0.
   */
  abort(now: Millis): number {
    const st = this.state;
    if (st === TcpState.Listen) {
      this.layer.closeListener(this, now);
      return 0;
    }
    if (st >= TcpState.SynReceived && st !== TcpState.TimeWait) {
      this.layer.sendRst(this.localAddr, this.localPort, this.remoteAddr, this.remotePort, acceptableSeq(this), this.rcvNxt, true, now);
    }
    this.layer.release(this);
    return 0;
  }

  /** Return and clear the pending error (0 when none). */
  takeError(): number {
    const e = this.softError;
    this.softError = 0;
    return e;
  }

  /** Return the sequence number the FIN has (or will have) when queued: right after the last byte of sendBuf. */
  finSeq(): number {
    return seqAdd(this.sndBufSeq, this.sendBuf.length);
  }

  /** Return the bytes sent and not yet acknowledged, SYN and FIN included (RFC 5681 FlightSize). */
  flightSize(): number {
    return seqDiff(this.sndMax, this.sndUna);
  }

  /** Queue a FIN after the data (the state moves as RFC 9293 §3.10.4 says) and try to send. */
  private queueFin(now: Millis): void {
    if (this.finQueued) return;
    const st = this.state;
    if (st === TcpState.Established) this.layer.setState(this, TcpState.FinWait1);
    else if (st === TcpState.CloseWait) this.layer.setState(this, TcpState.LastAck);
    else if (st !== TcpState.SynReceived) return; // closing already
    this.finQueued = true;
    // In SYN-RECEIVED the FIN waits for ESTABLISHED (input.ts moves to FIN-WAIT-1 then).
    if (this.state !== TcpState.SynReceived) tcpOutput(this, now);
    this.layer.wake();
  }
}

const EMPTY_RING = new ByteRing(0);
