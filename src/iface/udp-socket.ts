// A UDP socket (RFC 768, RFC 1122 §4.1), shaped after the BSD calls: bind, connect,
// sendTo, recvFrom, close. Received datagrams are copied into the socket's bounded queue
// (a full queue drops and counts RcvbufErrors); recvFrom copies them out into the
// caller's buffer. Results are IpErr codes and byte counts; bad arguments throw
// Node-shaped errors (EINVAL, EADDRINUSE, EADDRNOTAVAIL, EBADF).
//
// ICMP errors reach a connected socket (or any socket with `recvErrors`, Linux's
// IP_RECVERR) as a pending error that the next send or recv returns once (SO_ERROR).

import type { Millis } from '../time.js';
import { ipv4ToString } from '../wire/ipv4.js';
import { toIpv4 } from './cidr.js';
import type { HostContext } from './context.js';
import { DatagramQueue, type UdpPeerInfo } from './datagram-queue.js';
import { IpErr, netchError } from './errors.js';
import { OUT_BROADCAST } from './ipv4-output.js';

/** Options of `host.udpSocket()`. */
export interface UdpSocketOptions {
  /** Receive buffer in payload bytes (SO_RCVBUF; default from the host). */
  recvBufferSize?: number;
  /** Most datagrams queued (default from the host). */
  recvQueueLen?: number;
  /** Allow sending to broadcast addresses (SO_BROADCAST). */
  broadcast?: boolean;
  /** Share the port with other sockets that also set it (SO_REUSEADDR). */
  reuseAddr?: boolean;
  /** Report ICMP errors even when not connected (IP_RECVERR). */
  recvErrors?: boolean;
}

/** A UDP socket of a host. */
export class UdpSocket {
  /** Local address (0: any) and port (0: not bound yet). */
  localAddr = 0;
  localPort = 0;
  /** Peer of a connected socket (port 0: not connected). */
  remoteAddr = 0;
  remotePort = 0;
  readonly reuseAddr: boolean;
  recvErrors: boolean;
  /** Next socket bound to the same port (the host's port table chain). */
  nextInPort: UdpSocket | null = null;
  /** Datagrams dropped because the queue was full. */
  drops = 0;
  closed = false;
  private pendingError = 0;
  private flags: number;
  private readonly queue: DatagramQueue;
  private notify: ((s: UdpSocket) => void) | null = null;

  constructor(
    private readonly ctx: HostContext,
    opts: UdpSocketOptions = {},
  ) {
    const bytes = opts.recvBufferSize ?? ctx.config.udpRcvbufBytes;
    const count = opts.recvQueueLen ?? ctx.config.udpRcvQueueLen;
    if (!Number.isInteger(bytes) || bytes < 1) throw netchError('EINVAL', `recvBufferSize ${bytes} is not a positive integer`, { syscall: 'socket' });
    if (!Number.isInteger(count) || count < 1) throw netchError('EINVAL', `recvQueueLen ${count} is not a positive integer`, { syscall: 'socket' });
    this.queue = new DatagramQueue(bytes, count);
    this.flags = opts.broadcast === true ? OUT_BROADCAST : 0;
    this.reuseAddr = opts.reuseAddr === true;
    this.recvErrors = opts.recvErrors === true;
  }

  /**
   * Bind to `address` (default 0.0.0.0) and `port` (0 or omitted: an ephemeral port from
   * the host's range); return this.
   * Errors: EINVAL (bad arguments, already bound), EADDRNOTAVAIL (not one of our
   * addresses), EADDRINUSE (port taken, or no ephemeral port left), EBADF (closed).
   */
  bind(address: string | number = 0, port = 0): this {
    this.checkOpen('bind');
    const addr = toIpv4(address, 'bind');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw netchError('EINVAL', `port ${port} is not in [0, 65535]`, { syscall: 'bind', port });
    if (this.localPort !== 0) throw netchError('EINVAL', 'socket is already bound', { syscall: 'bind' });
    this.ctx.udp.bind(this, addr, port);
    return this;
  }

  /**
   * Connect to `address`:`port`: sends without a destination go there, and only its
   * datagrams are received. Binds an ephemeral port first when unbound.
   * Errors: EINVAL, EBADF, EADDRINUSE (no ephemeral port left).
   */
  connect(address: string | number, port: number): void {
    this.checkOpen('connect');
    const addr = toIpv4(address, 'connect');
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw netchError('EINVAL', `port ${port} is not in [1, 65535]`, { syscall: 'connect', port });
    if (this.localPort === 0) this.ctx.udp.bind(this, 0, 0);
    this.remoteAddr = addr;
    this.remotePort = port;
  }

  /** Undo `connect`. */
  disconnect(): void {
    this.remoteAddr = 0;
    this.remotePort = 0;
  }

  /**
   * Send `len` bytes at `off` of `bytes` to `dstAddr`:`dstPort`; return an IpErr code
   * (Ok, NoRoute, MsgSize, NoBufs, Access, AddrNotAvail, or a pending ICMP error such as
   * ConnRefused, reported once). Binds an ephemeral port first when unbound.
   * Errors: throws EINVAL for a bad range, address or port; EBADF when closed.
   */
  sendTo(bytes: Uint8Array, off: number, len: number, dstAddr: number | string, dstPort: number, now: Millis): number {
    this.checkOpen('sendto');
    checkRange(bytes, off, len, 'sendto');
    const dst = typeof dstAddr === 'number' ? dstAddr : toIpv4(dstAddr, 'sendto');
    if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) throw netchError('EINVAL', `port ${dstPort} is not in [1, 65535]`, { syscall: 'sendto', port: dstPort });
    return this.ctx.udp.send(this, bytes, off, len, dst, dstPort, this.flags, now);
  }

  /** Send to the connected peer; return an IpErr code (DestAddrReq when not connected). */
  send(bytes: Uint8Array, off: number, len: number, now: Millis): number {
    this.checkOpen('send');
    checkRange(bytes, off, len, 'send');
    if (this.remotePort === 0) return IpErr.DestAddrReq;
    return this.ctx.udp.send(this, bytes, off, len, this.remoteAddr, this.remotePort, this.flags, now);
  }

  /**
   * Take the oldest datagram: copy up to `len` bytes into `buf` at `off`, describe its
   * source in `from` (when given); return the bytes copied, or a negative IpErr code:
   * -WouldBlock when nothing waits, or a pending ICMP error (-ConnRefused...) once.
   * The part of a datagram longer than `len` is discarded (`from.truncated`).
   */
  recvFrom(buf: Uint8Array, off: number, len: number, from: UdpPeerInfo | null = null): number {
    this.checkOpen('recvfrom');
    checkRange(buf, off, len, 'recvfrom');
    const n = this.queue.shift(buf, off, len, from);
    if (n >= 0) return Math.min(n, len);
    const e = this.takeError();
    return e !== IpErr.Ok ? -e : -IpErr.WouldBlock;
  }

  /** Return how many datagrams wait. */
  get pending(): number {
    return this.queue.length;
  }

  /** Return the size of the next datagram (FIONREAD on a datagram socket), or -1 when none. */
  nextSize(): number {
    return this.queue.peekLength();
  }

  /** Return and clear the pending error (getsockopt SO_ERROR); IpErr.Ok when none. */
  takeError(): number {
    const e = this.pendingError;
    this.pendingError = IpErr.Ok;
    return e;
  }

  /** Allow or forbid broadcast destinations (SO_BROADCAST). */
  setBroadcast(on: boolean): void {
    this.flags = on ? this.flags | OUT_BROADCAST : this.flags & ~OUT_BROADCAST;
  }

  /**
   * Call `cb` when the socket becomes readable: the queue goes from empty to non-empty, or
   * an error arrives (edge-triggered). `null` cancels. It may call recvFrom and sendTo.
   */
  setReadableNotify(cb: ((s: UdpSocket) => void) | null): void {
    this.notify = cb;
  }

  /** Return the bound address as `{ address, port }` (like Node's `socket.address()`). */
  address(): { address: string; port: number; family: 'IPv4' } {
    return { address: ipv4ToString(this.localAddr), port: this.localPort, family: 'IPv4' };
  }

  /** Release the port and drop queued datagrams. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.localPort !== 0) this.ctx.udp.unbind(this);
    this.queue.clear();
    this.notify = null;
  }

  /** Queue a received datagram (called by the UDP layer); return false when it did not fit. */
  deliver(bytes: Uint8Array, off: number, len: number, src: number, srcPort: number, dst: number): boolean {
    if (!this.queue.push(bytes, off, len, src, srcPort, dst)) {
      this.drops++;
      return false;
    }
    if (this.queue.length === 1 && this.notify !== null) this.ctx.callUser(this.notify, this);
    return true;
  }

  /** Record an ICMP error (called by the UDP layer). */
  setError(code: number): void {
    this.pendingError = code;
    if (this.notify !== null) this.ctx.callUser(this.notify, this);
  }

  private checkOpen(syscall: string): void {
    if (this.closed) throw netchError('EBADF', 'socket is closed', { syscall });
  }
}

function checkRange(b: Uint8Array, off: number, len: number, syscall: string): void {
  if (!(b instanceof Uint8Array) || !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > b.length) {
    throw netchError('EINVAL', `bad buffer range (offset ${off}, length ${len})`, { syscall });
  }
}
