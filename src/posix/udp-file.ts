// A UDP socket as an open file (udp(7)). The host's UdpSocket takes its options
// (SO_REUSEADDR, SO_RCVBUF, SO_BROADCAST) when it is created, so the file creates it at the
// first call that needs a port (bind, connect, sendto): options set before that apply, as
// on Linux where they are set before bind. Errors the host throws for network conditions
// (EADDRINUSE, EADDRNOTAVAIL) come back as -errno; its IpErr results map through ipErrno.

import type { UdpPeerInfo } from '../iface/datagram-queue.js';
import { newUdpPeerInfo } from '../iface/datagram-queue.js';
import { IpErr } from '../iface/errors.js';
import type { UdpSocket } from '../iface/udp-socket.js';
import {
  AF_INET, AF_UNSPEC, IPPROTO_UDP, MSG_TRUNC, POLLERR, POLLIN, POLLOUT, SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_DGRAM, SOL_SOCKET,
  SO_BROADCAST, SO_DOMAIN, SO_ERROR, SO_PROTOCOL, SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF, SO_TYPE,
} from './constants.js';
import { EAFNOSUPPORT, EDESTADDRREQ, EINVAL, EIO, ENOPROTOOPT, ENOTCONN, errnoNumber, ipErrno } from './errno.js';
import { FileKind, OpenFile } from './file.js';
import type { Kernel } from './kernel.js';
import { type SockAddrIn, setSockAddr } from './sockaddr.js';
import { type SockOptOut, type SockOptValue, intOf } from './tcp-file.js';

/** A UDP socket open as a file. */
export class UdpFile extends OpenFile {
  /** The host's socket, created at the first bind, connect or sendto. */
  sock: UdpSocket | null = null;
  reuseAddr = false;
  reusePort = false;
  broadcast = false;
  /** SO_RCVBUF as getsockopt reports it (doubled when set). */
  rcvbuf: number;
  sndbuf = 212992;
  /** SO_RCVBUF was set: the host socket gets half of `rcvbuf` (what was asked) as its buffer. */
  private rcvbufSet = false;
  shutRd = false;
  shutWr = false;
  /** An error taken from the host socket by poll-less paths, reported by SO_ERROR or the next call. */
  private pendingErr = 0;
  private readonly peer: UdpPeerInfo = newUdpPeerInfo();
  private readonly onReadableBound = (): void => this.notify(this.poll() | POLLIN);

  constructor(kernel: Kernel) {
    super(kernel, FileKind.Udp);
    this.rcvbuf = kernel.host.config.udpRcvbufBytes;
  }

  /** Return POLLIN when a datagram waits, POLLOUT always (UDP sends never block here), POLLERR with a pending error. */
  poll(): number {
    let m = POLLOUT;
    const s = this.sock;
    if (s !== null && s.pending > 0) m |= POLLIN;
    if (this.pendingErr !== 0) m |= POLLERR;
    if (this.shutRd) m |= POLLIN;
    return m;
  }

  /** Create the host socket with the options set so far; return -errno on failure. */
  private open(): number {
    if (this.sock !== null) return 0;
    try {
      const s = this.kernel.host.udpSocket({
        reuseAddr: this.reuseAddr || this.reusePort,
        broadcast: this.broadcast,
        recvBufferSize: Math.max(1, this.rcvbuf >>> (this.rcvbufSet ? 1 : 0)),
      });
      s.setReadableNotify(this.onReadableBound);
      this.sock = s;
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  /** bind(2). */
  bind(addr: SockAddrIn): number {
    if (addr.family !== AF_INET) return -EAFNOSUPPORT;
    const r = this.open();
    if (r < 0) return r;
    const s = this.sock!;
    if (s.localPort !== 0) return -EINVAL;
    try {
      s.bind(addr.addr >>> 0, addr.port);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  /** connect(2): set the default destination and filter; AF_UNSPEC dissolves the association. */
  connect(addr: SockAddrIn): number {
    if (addr.family === AF_UNSPEC) {
      this.sock?.disconnect();
      return 0;
    }
    if (addr.family !== AF_INET) return -EAFNOSUPPORT;
    const r = this.open();
    if (r < 0) return r;
    try {
      this.sock!.connect(addr.addr >>> 0, addr.port);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  /** sendto(2) (`to` null: send(2) to the connected peer); return `len` or -errno. */
  sendTo(buf: Uint8Array, off: number, len: number, to: SockAddrIn | null): number {
    if (this.shutWr) return -errnoNumber('EPIPE');
    const r = this.open();
    if (r < 0) return r;
    const s = this.sock!;
    const now = this.kernel.now();
    let code: number;
    if (to === null) {
      if (s.remotePort === 0) return -EDESTADDRREQ;
      code = s.send(buf, off, len, now);
    } else {
      if (to.family !== AF_INET) return -EAFNOSUPPORT;
      if (to.port < 1 || to.port > 65535) return -EINVAL;
      code = s.sendTo(buf, off, len, to.addr >>> 0, to.port, now);
    }
    return code === IpErr.Ok ? len : -ipErrno(code);
  }

  /**
   * recvfrom(2): copy the oldest datagram (the rest of a longer one is discarded), fill
   * `from`; return the bytes copied (the datagram's full size with MSG_TRUNC), -EAGAIN when
   * none waits, or a pending ICMP error once.
   */
  recvFrom(buf: Uint8Array, off: number, len: number, flags: number, from: SockAddrIn | null): number {
    if (this.pendingErr !== 0) {
      const e = this.pendingErr;
      this.pendingErr = 0;
      return -e;
    }
    const s = this.sock;
    if (s === null) return this.shutRd ? 0 : -ipErrno(IpErr.WouldBlock);
    const p = this.peer;
    const n = s.recvFrom(buf, off, len, p);
    if (n < 0) return this.shutRd && n === -IpErr.WouldBlock ? 0 : -ipErrno(n);
    if (from !== null) setSockAddr(from, p.address, p.port);
    return (flags & MSG_TRUNC) !== 0 ? p.size : n;
  }

  /** shutdown(2): ENOTCONN unless connected (Linux's udp behaviour); otherwise records the directions. */
  shutdown(how: number): number {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return -EINVAL;
    if (this.sock === null || this.sock.remotePort === 0) return -ENOTCONN;
    if (how !== SHUT_WR) this.shutRd = true;
    if (how !== SHUT_RD) this.shutWr = true;
    this.notify();
    return 0;
  }

  /** getsockname(2). */
  sockName(out: SockAddrIn): number {
    const s = this.sock;
    setSockAddr(out, s?.localAddr ?? 0, s?.localPort ?? 0);
    return 0;
  }

  /** getpeername(2). */
  peerName(out: SockAddrIn): number {
    const s = this.sock;
    if (s === null || s.remotePort === 0) return -ENOTCONN;
    setSockAddr(out, s.remoteAddr, s.remotePort);
    return 0;
  }

  /** setsockopt(2) at SOL_SOCKET (UDP has no IPPROTO_UDP options here). */
  setOpt(level: number, name: number, v: SockOptValue): number {
    if (level !== SOL_SOCKET) return -ENOPROTOOPT;
    const n = intOf(v);
    if (n === null) return -EINVAL;
    switch (name) {
      case SO_REUSEADDR: this.reuseAddr = n !== 0; return 0;
      case SO_REUSEPORT: this.reusePort = n !== 0; return 0;
      case SO_BROADCAST:
        this.broadcast = n !== 0;
        this.sock?.setBroadcast(this.broadcast);
        return 0;
      case SO_RCVBUF:
        this.rcvbuf = Math.max(Math.min(Math.max(n, 0), this.kernel.rmemMax) * 2, 2304);
        this.rcvbufSet = true;
        return 0;
      case SO_SNDBUF:
        this.sndbuf = Math.max(Math.min(Math.max(n, 0), this.kernel.wmemMax) * 2, 4608);
        return 0;
      default: return -ENOPROTOOPT;
    }
  }

  /** getsockopt(2) at SOL_SOCKET. */
  getOpt(level: number, name: number, _out: SockOptOut | null): number {
    if (level !== SOL_SOCKET) return -ENOPROTOOPT;
    switch (name) {
      case SO_REUSEADDR: return this.reuseAddr ? 1 : 0;
      case SO_REUSEPORT: return this.reusePort ? 1 : 0;
      case SO_BROADCAST: return this.broadcast ? 1 : 0;
      case SO_RCVBUF: return this.rcvbuf;
      case SO_SNDBUF: return this.sndbuf;
      case SO_TYPE: return SOCK_DGRAM;
      case SO_PROTOCOL: return IPPROTO_UDP;
      case SO_DOMAIN: return AF_INET;
      case SO_ERROR: {
        let e = this.pendingErr;
        this.pendingErr = 0;
        if (e === 0 && this.sock !== null) e = ipErrno(this.sock.takeError());
        return e;
      }
      default: return -ENOPROTOOPT;
    }
  }

  /** Release the port and the queued datagrams. */
  release(): void {
    this.sock?.close();
    this.sock = null;
  }
}

/** Return the errno number of a thrown Node-shaped error (EIO when it has none). */
function errnoOf(e: unknown): number {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  const n = typeof code === 'string' ? errnoNumber(code) : 0;
  return n !== 0 ? n : EIO;
}
