// A TCP socket as an open file: the socket calls' Linux semantics on top of TcpSocket
// (net/ipv4/af_inet.c and tcp.c are the reference): connect's EINPROGRESS / EALREADY /
// EISCONN sequence and its result through SO_ERROR, EPIPE after the sending side is gone,
// tcp_poll's readiness bits, and the socket options of socket(7) and tcp(7).

import { EAFNOSUPPORT, EALREADY, ECONNABORTED, EFAULT, EINVAL, EISCONN, ENOENT, ENOPROTOOPT, ENOTCONN, EPIPE, tcpErrno } from './errno.js';
import { TcpErr } from '../transport/tcp/errors.js';
import { type TcpInfo, tcpInfoInto } from '../transport/tcp/info.js';
import { SHUT_RD, SHUT_RDWR, SHUT_WR, type TcpSocket } from '../transport/tcp/socket.js';
import { TcpState } from '../transport/tcp/state.js';
import {
  AF_INET, AF_UNSPEC, INT_MAX, IPPROTO_TCP, MSG_PEEK, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, SOCK_STREAM, SOL_SOCKET,
  SO_ACCEPTCONN, SO_DOMAIN, SO_ERROR, SO_KEEPALIVE, SO_LINGER, SO_PROTOCOL, SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF, SO_TYPE,
  TCP_CONGESTION, TCP_CORK, TCP_INFO, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_MAXSEG, TCP_NODELAY, TCP_USER_TIMEOUT,
} from './constants.js';
import { FileKind, OpenFile } from './file.js';
import type { Kernel } from './kernel.js';
import { type SockAddrIn, setSockAddr } from './sockaddr.js';

/** SO_LINGER's `struct linger`. */
export interface Linger {
  /** Nonzero: linger on close. */
  l_onoff: number;
  /** Seconds to linger; 0 with l_onoff set makes close() reset the connection. */
  l_linger: number;
}

/** An out-parameter for string options (TCP_CONGESTION). */
export interface StringOpt {
  value: string;
}

/** What setsockopt takes: an int (booleans count as 0/1), a Linger, or a string (TCP_CONGESTION). */
export type SockOptValue = number | boolean | Linger | string;

/** What getsockopt fills for struct and string options. */
export type SockOptOut = Linger | TcpInfo | StringOpt;

/** Linux's lower bounds of SO_SNDBUF and SO_RCVBUF after doubling (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF on 64-bit). */
const SOCK_MIN_SNDBUF = 4608;
const SOCK_MIN_RCVBUF = 2304;
/** TCP_MAXSEG's bounds (TCP_MIN_MSS 88, MAX_TCP_WINDOW 32767). */
const TCP_MIN_MSS = 88;
const MAX_TCP_WINDOW = 32767;
/** TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT bounds (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT). */
const MAX_KEEP_SECS = 32767;
const MAX_KEEPCNT = 127;
/** The MSS Linux reports for an unconnected socket without TCP_MAXSEG (TCP_MSS_DEFAULT). */
const TCP_MSS_DEFAULT = 536;

/** Return Linux's name of a congestion control ("reno" for our NewReno). */
export function linuxCongestionName(ours: string): string {
  return ours === 'newreno' ? 'reno' : ours;
}

/** A TCP socket open as a file. */
export class TcpFile extends OpenFile {
  /** connect() was called and its outcome not yet reported by a later connect(). */
  connecting = false;
  /** connect() was ever called (a closed socket that tried is "fully shut" for poll, as Linux's tcp_done leaves it). */
  connectTried = false;
  reusePort = false;
  lingerOn = false;
  lingerSecs = 0;
  /** TCP_MAXSEG as set (0: not set). */
  userMss = 0;
  /** SO_SNDBUF / SO_RCVBUF as set, doubled as Linux does (getsockopt reports them once set). */
  sndbuf: number;
  rcvbuf: number;
  // Readiness key bookkeeping (see `onReady`).
  private lastBits = 0;
  private lastRcvNxt = 0;
  private lastSndUna = 0;
  private lastQueued = 0;
  private readonly onReadyBound = (): void => this.onReady();

  /** Wrap `sock` (new, or just accepted); the file owns it from now on. */
  constructor(kernel: Kernel, readonly sock: TcpSocket) {
    super(kernel, FileKind.Tcp);
    sock.onReadiness = this.onReadyBound;
    // Read only once a size is set: here, an accepted socket's, inherited from its listener.
    this.sndbuf = sock.sendBufSize * 2;
    this.rcvbuf = sock.recvBufSize * 2;
    this.lastBits = this.poll();
    this.lastRcvNxt = sock.rcvNxt;
    this.lastSndUna = sock.sndUna;
  }

  /**
   * Return the readiness bits as Linux's tcp_poll computes them: a listener is readable
   * with a connection waiting; POLLHUP when closed or shut both ways; POLLIN|POLLRDHUP once
   * the peer's FIN came (or SHUT_RD); POLLOUT when sending would not block, which includes
   * a never-connected socket and a shut-down sending side (send fails at once with EPIPE).
   */
  poll(): number {
    const s = this.sock;
    const st = s.state;
    if (st === TcpState.Listen) return s.acceptQueue.length > 0 ? POLLIN : 0;
    let m = s.softError !== 0 ? POLLERR : 0;
    const closed = st === TcpState.Closed;
    const dead = closed && (s.wasEstablished || this.connectTried);
    const rdShut = s.finRcvd || s.readShut || dead;
    const wrShut = s.finQueued || dead;
    if (closed || (rdShut && wrShut)) m |= POLLHUP;
    if (rdShut) m |= POLLIN | POLLRDHUP;
    if (st !== TcpState.SynSent && st !== TcpState.SynReceived) {
      if (s.recvBuf.length > 0) m |= POLLIN;
      if (wrShut || closed || s.sendBuf.free > 0) m |= POLLOUT;
    }
    return m;
  }

  /**
   * Called by the TCP layer after input or timers. Tell the watchers, with the events that
   * happened: bits that rose, POLLIN for new data or a new connection even when some was
   * already there, POLLOUT when data was acknowledged (what Linux's wakeups carry, and what
   * an edge-triggered epoll entry is re-armed by).
   */
  private onReady(): void {
    const s = this.sock;
    const bits = this.poll();
    let key = bits & ~this.lastBits;
    if (s.rcvNxt !== this.lastRcvNxt) key |= bits & POLLIN;
    if (s.sndUna !== this.lastSndUna) key |= bits & POLLOUT;
    if (s.acceptQueue.length > this.lastQueued) key |= bits & POLLIN;
    key |= bits & (POLLERR | POLLHUP);
    this.lastBits = bits;
    this.lastRcvNxt = s.rcvNxt;
    this.lastSndUna = s.sndUna;
    this.lastQueued = s.acceptQueue.length;
    this.notify(key);
  }

  /** Tell watchers after a call of our own changed readiness (shutdown, a failed connect). */
  selfNotify(): void {
    this.onReady();
  }

  /** bind(2). */
  bind(addr: SockAddrIn): number {
    if (addr.family !== AF_INET && !(addr.family === AF_UNSPEC && addr.addr === 0)) return -EAFNOSUPPORT;
    const r = this.sock.bind(addr.addr >>> 0, addr.port);
    return r < 0 ? -tcpErrno(r) : 0;
  }

  /**
   * listen(2): the backlog goes to the transport unchanged (it applies the personality's
   * clamp). EINVAL unless the socket is unconnected, as inet_listen checks sock->state: a
   * connect() whose outcome no later connect() reported yet, or a connection that was up
   * (even if it has ended since), rules listen() out.
   */
  listen(backlog: number): number {
    if (this.connecting || this.sock.wasEstablished) return -EINVAL;
    const r = this.sock.listen(backlog | 0);
    if (r < 0) return -tcpErrno(r);
    this.selfNotify();
    return 0;
  }

  /**
   * connect(2), never blocking: -EINPROGRESS when the SYN went out; while it is pending
   * -EALREADY; once established, 0 for the first call after completion and -EISCONN for
   * later ones; after a failure the error, or -ECONNABORTED when SO_ERROR already took it,
   * and the next call starts a new attempt, as __inet_stream_connect does. Unlike Linux, a
   * socket whose connection was once established stays -EISCONN (it is not reused).
   */
  connect(addr: SockAddrIn): number {
    const s = this.sock;
    if (addr.family !== AF_INET) return addr.family === AF_UNSPEC ? this.disconnect() : -EAFNOSUPPORT;
    const st = s.state;
    if (this.connecting) {
      if (st === TcpState.SynSent || st === TcpState.SynReceived) return -EALREADY;
      this.connecting = false;
      if (st !== TcpState.Closed) return 0;
      // sock_error(sk) ?: -ECONNABORTED: the error, or ECONNABORTED when it was taken already.
      const e = s.takeError();
      return e !== 0 ? -tcpErrno(e) : -ECONNABORTED;
    }
    if (st === TcpState.Listen) return -EINVAL;
    if (st !== TcpState.Closed) return -EISCONN;
    if (s.wasEstablished) return -EISCONN;
    this.connectTried = true;
    const r = s.connect(addr.addr >>> 0, addr.port, this.kernel.now());
    if (r === -TcpErr.InProgress) {
      this.connecting = true;
      return -tcpErrno(r);
    }
    this.selfNotify();
    return -tcpErrno(r);
  }

  /** connect(AF_UNSPEC): Linux's tcp_disconnect; we abort the connection (RST) and leave the socket closed. */
  private disconnect(): number {
    const s = this.sock;
    if (s.state !== TcpState.Closed && s.state !== TcpState.Listen) s.abort(this.kernel.now());
    this.connecting = false;
    return 0;
  }

  /** accept(2)'s transport half: the next established connection, or null. */
  acceptSocket(): TcpSocket | null {
    const c = this.sock.accept();
    // The queue shrank: the next connection must raise POLLIN again (edge-triggered epoll).
    this.lastQueued = this.sock.acceptQueue.length;
    this.lastBits = this.poll();
    return c;
  }

  /** Return true when the socket listens. */
  isListening(): boolean {
    return this.sock.state === TcpState.Listen;
  }

  /**
   * send(2), never blocking: the count queued, -EAGAIN when the buffer is full, -EPIPE when
   * there is no connection to send on: never connected, listening, or ended (after its
   * error was reported once), as sk_stream_wait_connect answers outside SYN-SENT/SYN-RECV.
   */
  send(buf: Uint8Array, off: number, len: number): number {
    const r = this.sock.send(buf, off, len, this.kernel.now());
    if (r >= 0) return r;
    if (r === -TcpErr.NotConnected) return -EPIPE;
    return -tcpErrno(r);
  }

  /** recv(2), never blocking: the count, 0 at end of stream, -EAGAIN when nothing waits. MSG_PEEK copies without taking. */
  recv(buf: Uint8Array, off: number, len: number, flags: number): number {
    const s = this.sock;
    if ((flags & MSG_PEEK) !== 0 && s.recvBuf.length > 0) return s.recvBuf.peek(0, buf, off, Math.min(len, s.recvBuf.length));
    if (s.state === TcpState.Listen) return -ENOTCONN;
    if (s.state === TcpState.Closed && !s.wasEstablished && this.connectTried && s.softError === 0) return 0;
    const r = s.recv(buf, off, len, this.kernel.now());
    return r >= 0 ? r : -tcpErrno(r);
  }

  /**
   * shutdown(2) as inet_shutdown does it: ENOTCONN on a closed socket; on a listener,
   * SHUT_RD or SHUT_RDWR stops listening; in SYN-SENT the attempt is abandoned.
   */
  shutdown(how: number): number {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return -EINVAL;
    const s = this.sock;
    const now = this.kernel.now();
    const st = s.state;
    if (st === TcpState.Listen || st === TcpState.SynSent) {
      if (st === TcpState.Listen && how === SHUT_WR) return 0;
      s.abort(now);
      this.connecting = false;
      this.selfNotify();
      return 0;
    }
    // inet_shutdown: a connect still unconfirmed (SS_CONNECTING) whose connection got through
    // counts as connected from here on, so a later connect() is EISCONN, not its outcome.
    if (this.connecting && st !== TcpState.SynReceived && st !== TcpState.Closed) this.connecting = false;
    if (st === TcpState.Closed) return -ENOTCONN;
    const r = s.shutdown(how, now);
    this.selfNotify();
    return r < 0 ? -tcpErrno(r) : 0;
  }

  /** getsockname(2). */
  sockName(out: SockAddrIn): number {
    setSockAddr(out, this.sock.localAddr, this.sock.localPort);
    return 0;
  }

  /** getpeername(2): ENOTCONN when closed, listening or still in SYN-SENT (inet_getname). */
  peerName(out: SockAddrIn): number {
    const st = this.sock.state;
    if (st === TcpState.Closed || st === TcpState.Listen || st === TcpState.SynSent) return -ENOTCONN;
    setSockAddr(out, this.sock.remoteAddr, this.sock.remotePort);
    return 0;
  }

  /** setsockopt(2) for SOL_SOCKET and IPPROTO_TCP. */
  setOpt(level: number, name: number, v: SockOptValue): number {
    if (level === SOL_SOCKET) return this.setSocketOpt(name, v);
    if (level === IPPROTO_TCP) return this.setTcpOpt(name, v);
    return -ENOPROTOOPT;
  }

  private setSocketOpt(name: number, v: SockOptValue): number {
    const s = this.sock;
    if (name === SO_LINGER) {
      if (typeof v !== 'object' || v === null || !Number.isInteger(v.l_onoff) || !Number.isInteger(v.l_linger)) return -EINVAL;
      this.lingerOn = v.l_onoff !== 0;
      // Linux stores a negative l_linger as "forever" (MAX_SCHEDULE_TIMEOUT).
      this.lingerSecs = v.l_linger < 0 ? INT_MAX : v.l_linger;
      return 0;
    }
    const n = intOf(v);
    if (n === null) return -EINVAL;
    switch (name) {
      case SO_REUSEADDR:
        s.reuseAddr = n !== 0;
        return 0;
      case SO_REUSEPORT:
        this.reusePort = n !== 0;
        return 0;
      case SO_KEEPALIVE:
        s.setKeepAlive(n !== 0, this.kernel.now());
        return 0;
      case SO_SNDBUF: {
        // sock_setsockopt: capped at wmem_max, then doubled for the kernel's bookkeeping.
        const val = Math.min(Math.max(n, 0), this.kernel.wmemMax);
        this.sndbuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
        s.sendBufSize = this.sndbuf >>> 1;
        return 0;
      }
      case SO_RCVBUF: {
        const val = Math.min(Math.max(n, 0), this.kernel.rmemMax);
        this.rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
        s.recvBufSize = this.rcvbuf >>> 1;
        return 0;
      }
      case SO_TYPE:
      case SO_ERROR:
      case SO_ACCEPTCONN:
      case SO_PROTOCOL:
      case SO_DOMAIN:
        return -ENOPROTOOPT;
      default:
        return -ENOPROTOOPT;
    }
  }

  private setTcpOpt(name: number, v: SockOptValue): number {
    const s = this.sock;
    if (name === TCP_CONGESTION) {
      if (typeof v !== 'string') return -EINVAL;
      const ours = v === 'reno' ? 'newreno' : v;
      return s.setCongestion(ours) < 0 ? -ENOENT : 0;
    }
    const n = intOf(v);
    if (n === null) return -EINVAL;
    const now = this.kernel.now();
    switch (name) {
      case TCP_NODELAY:
        s.noDelay = n !== 0;
        return 0;
      case TCP_CORK:
        s.cork = n !== 0;
        return 0;
      case TCP_KEEPIDLE:
        if (n < 1 || n > MAX_KEEP_SECS) return -EINVAL;
        s.keepIdleMs = n * 1000;
        if (s.keepAlive) s.setKeepAlive(true, now);
        return 0;
      case TCP_KEEPINTVL:
        if (n < 1 || n > MAX_KEEP_SECS) return -EINVAL;
        s.keepIntvlMs = n * 1000;
        return 0;
      case TCP_KEEPCNT:
        if (n < 1 || n > MAX_KEEPCNT) return -EINVAL;
        s.keepCnt = n;
        return 0;
      case TCP_USER_TIMEOUT:
        if (n < 0) return -EINVAL;
        s.userTimeoutMs = n;
        return 0;
      case TCP_MAXSEG:
        // do_tcp_setsockopt: 0 means "the default"; otherwise [TCP_MIN_MSS, MAX_TCP_WINDOW].
        if (n !== 0 && (n < TCP_MIN_MSS || n > MAX_TCP_WINDOW)) return -EINVAL;
        this.userMss = n;
        // Like Linux's user_mss it applies to connections opened afterwards (and a listener's children).
        s.userMss = n;
        return 0;
      case TCP_INFO:
        return -ENOPROTOOPT;
      default:
        return -ENOPROTOOPT;
    }
  }

  /**
   * getsockopt(2): returns the value of an int option (>= 0), or fills `out` for SO_LINGER
   * (a Linger), TCP_INFO (a TcpInfo) and TCP_CONGESTION (a StringOpt) and returns 0.
   */
  getOpt(level: number, name: number, out: SockOptOut | null): number {
    const s = this.sock;
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_REUSEADDR: return s.reuseAddr ? 1 : 0;
        case SO_REUSEPORT: return this.reusePort ? 1 : 0;
        case SO_KEEPALIVE: return s.keepAlive ? 1 : 0;
        // As set (doubled), or what auto-tuning has grown the buffer to.
        case SO_SNDBUF: return s.sendBufLocked ? this.sndbuf : s.sendBufSize;
        case SO_RCVBUF: return s.recvBufLocked ? this.rcvbuf : s.recvBufSize;
        case SO_ERROR: return tcpErrno(s.takeError());
        case SO_TYPE: return SOCK_STREAM;
        case SO_ACCEPTCONN: return s.state === TcpState.Listen ? 1 : 0;
        case SO_PROTOCOL: return IPPROTO_TCP;
        case SO_DOMAIN: return AF_INET;
        case SO_LINGER: {
          if (!isLinger(out)) return -EFAULT;
          out.l_onoff = this.lingerOn ? 1 : 0;
          out.l_linger = this.lingerSecs;
          return 0;
        }
        default: return -ENOPROTOOPT;
      }
    }
    if (level !== IPPROTO_TCP) return -ENOPROTOOPT;
    switch (name) {
      case TCP_NODELAY: return s.noDelay ? 1 : 0;
      case TCP_CORK: return s.cork ? 1 : 0;
      case TCP_KEEPIDLE: return Math.round(s.keepIdleMs / 1000);
      case TCP_KEEPINTVL: return Math.round(s.keepIntvlMs / 1000);
      case TCP_KEEPCNT: return s.keepCnt;
      case TCP_USER_TIMEOUT: return s.userTimeoutMs;
      case TCP_MAXSEG: {
        const st = s.state;
        const open = st !== TcpState.Closed && st !== TcpState.Listen;
        return open ? s.sendMss : this.userMss !== 0 ? this.userMss : TCP_MSS_DEFAULT;
      }
      case TCP_CONGESTION: {
        if (typeof out !== 'object' || out === null || !('value' in out)) return -EFAULT;
        out.value = linuxCongestionName(s.cc.name);
        return 0;
      }
      case TCP_INFO: {
        if (typeof out !== 'object' || out === null || !('tcpi_state' in out)) return -EFAULT;
        tcpInfoInto(s, out);
        return 0;
      }
      default: return -ENOPROTOOPT;
    }
  }

  /** Return SO_LINGER's timeout in ms when close should linger (l_onoff set, l_linger > 0), else 0. */
  lingerMs(): number {
    return this.lingerOn && this.lingerSecs > 0 ? this.lingerSecs * 1000 : 0;
  }

  /** Return true when the FIN was acknowledged or the connection is gone (what a lingering close waits for). */
  closeDone(): boolean {
    const st = this.sock.state;
    return st === TcpState.Closed || st === TcpState.FinWait2 || st === TcpState.TimeWait;
  }

  /**
   * Release the socket (the last fd closed): SO_LINGER with l_linger 0 resets the
   * connection (tcp_close's "disconnect" path); otherwise the transport closes it
   * gracefully in the background (or resets it when unread data is discarded).
   */
  release(): void {
    const s = this.sock;
    const now = this.kernel.now();
    if (this.lingerOn && this.lingerSecs === 0 && s.state !== TcpState.Listen) {
      s.onReadiness = null;
      s.abort(now);
      s.close(now);
      return;
    }
    s.close(now);
  }

  /** Keep telling watchers after close (a lingering close waits for the FIN's ACK). */
  keepWatching(): void {
    this.sock.onReadiness = this.onReadyBound;
  }
}

/** Return an int option's value (booleans as 0/1), or null when `v` is not one. */
export function intOf(v: SockOptValue): number | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x8000_0000 && v <= INT_MAX) return v;
  return null;
}

function isLinger(o: unknown): o is Linger {
  return typeof o === 'object' && o !== null && 'l_onoff' in o && 'l_linger' in o;
}
