// A TCP connection shaped like Node's net.Socket (lib/net.js): a stream.Duplex whose
// reads and writes are recv(2) and send(2) on a non-blocking socket of the stack's
// process, driven by the process's epoll loop (edge-triggered, as libuv drives a stream).
//
// Events as Node emits them: 'lookup' (only for names), 'connect' then 'ready', 'data',
// 'end' (the peer's FIN), 'drain', 'timeout', 'error', then 'close' (hadError).
//
// Backpressure is exact: recv is called only while the readable side wants data (from
// `_read` until `push` returns false), so a paused reader leaves the bytes in the TCP
// receive buffer, the advertised window closes and the sender's send buffer fills; a
// write's callback runs once send(2) took all of it, so `write()` returns false while
// more than the high-water mark is queued above a full send buffer.

import netModule, { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import {
  AF_INET, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP, IPPROTO_TCP, MSG_NOSIGNAL, SHUT_WR, SOCK_CLOEXEC,
  SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_ERROR, SO_KEEPALIVE, SO_LINGER, TCP_KEEPIDLE, TCP_NODELAY,
} from '../posix/constants.js';
import { EAGAIN, EINPROGRESS, ENOTCONN } from '../posix/errno.js';
import { type SockAddrIn, inetAddr, inetNtoa, newSockAddrIn, sockaddrIn } from '../posix/sockaddr.js';
import { errnoException, exceptionWithHostPort, nodeError, validatePort } from './errors.js';
import type { PollHandler } from './poller.js';
import { type KernelTimer, type LookupCallback, type LookupFunction, type StackContext, getDefaultStack } from './stack.js';

/** Options of `new Socket()`. */
export interface SocketOptions {
  /** The stack to run on (default: the default stack). */
  stack?: StackContext;
  /** Keep the writable side open after the peer's FIN (default false: end it too). */
  allowHalfOpen?: boolean;
  /** Adopt this connected fd of the stack's process (what a server does with accept4's fd). */
  fd?: number;
  /** Start paused: 'data' listeners do not start the flow until resume(). */
  pauseOnCreate?: boolean;
  /** Abort the socket when this signal aborts. */
  signal?: AbortSignal;
  /** Readable high-water mark (bytes). */
  readableHighWaterMark?: number;
  /** Writable high-water mark (bytes). */
  writableHighWaterMark?: number;
  /** Both high-water marks (bytes), where the two above are not given (stream.Duplex's option). */
  highWaterMark?: number;
  /** Read into this buffer (or the one the function returns) and call `callback(nread, buffer)` instead of emitting 'data' (Node's onread). */
  onread?: { buffer: Uint8Array | (() => Uint8Array); callback: (nread: number, buf: Uint8Array) => unknown };
}

/** Options of `socket.connect()` / `connect()`. */
export interface TcpConnectOptions {
  port: number | string;
  /** Name or dotted quad (default "localhost"). */
  host?: string;
  localAddress?: string;
  localPort?: number;
  family?: number;
  /** A resolver with dns.lookup's shape (default: the stack's). */
  lookup?: LookupFunction;
  /** Idle timeout in ms (socket.setTimeout). */
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

/** What a socket's connect options may carry besides the connect options (net.connect takes both in one object). */
export type NetConnectOpts = TcpConnectOptions & SocketOptions;

/** An address as address() reports it. */
export interface AddressInfo {
  address: string;
  family: string;
  port: number;
}

/** The server a socket was accepted by (what it tells when it closes). */
export interface ConnectionOwner {
  connectionClosed(s: Socket): void;
}

const READ_CHUNK = 65536;
const SOCKET_EVENTS = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
/** recv calls per readiness event before yielding to the event loop (the receive buffer bounds it anyway). */
const MAX_READS_PER_EVENT = 256;

interface PendingWrite {
  buf: Uint8Array;
  off: number;
  cb: (err?: Error | null) => void;
}

/** A TCP connection compatible with Node's net.Socket. */
export class Socket extends Duplex implements PollHandler {
  /** The stack this socket runs on. */
  readonly #stack: StackContext;
  /** Bytes received. */
  bytesRead = 0;
  /** A connect() is in progress. */
  connecting = false;
  /** The server that accepted this socket, or null (http overwrites it with its own, as with net). */
  server: unknown = null;
  /** Who to tell when this socket closes (the accepting server). */
  owner: ConnectionOwner | null = null;
  /** Null: a stack socket has no libuv handle, so Node's code takes its generic stream paths (tls wraps it in a JS stream). */
  _handle: unknown = null;
  /** The idle timeout last given to setTimeout (ms), undefined before; Node's socket.timeout. */
  timeout: number | undefined = undefined;
  private fd = -1;
  private sent = 0;
  private wantRead = false;
  private wantRef = true;
  private inPump = false;
  /** The write being sent (`pw` while one is), or null. */
  private inflight: PendingWrite | null = null;
  /** The one record a write uses (a stream writes one chunk at a time): no allocation per write. */
  private readonly pw: PendingWrite = { buf: EMPTY, off: 0, cb: noop };
  private finalCb: ((err?: Error | null) => void) | null = null;
  private peerAddr: SockAddrIn | null = null;
  private sockAddr: SockAddrIn | null = null;
  private dialAddr = '';
  private dialPort = 0;
  private noDelay: boolean | null = null;
  private keepAliveOpt: [boolean, number] | null = null;
  private timeoutMs = 0;
  private timer: KernelTimer | null = null;
  private lastActive = 0;
  private refed = false;
  private refCheck = false;
  private onreadBuf: Uint8Array | (() => Uint8Array) | null = null;
  private onreadCb: ((nread: number, buf: Uint8Array) => unknown) | null = null;
  private timeoutListener: (() => void) | null = null;

  /** Create a socket; connect it with connect(), or pass `fd` to adopt a connected one. */
  constructor(opts: SocketOptions = {}) {
    for (const k of ['objectMode', 'readableObjectMode', 'writableObjectMode'] as const) {
      const v = (opts as Record<string, unknown>)[k];
      if (v) throw nodeError('ERR_INVALID_ARG_VALUE', `The property 'options.${k}' is not supported. Received ${String(v)}`, 'TypeError');
    }
    super({
      allowHalfOpen: opts.allowHalfOpen === true,
      emitClose: false,
      autoDestroy: true,
      ...(opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {}),
      ...(opts.readableHighWaterMark !== undefined ? { readableHighWaterMark: opts.readableHighWaterMark } : {}),
      ...(opts.writableHighWaterMark !== undefined ? { writableHighWaterMark: opts.writableHighWaterMark } : {}),
    });
    this.#stack = opts.stack ?? getDefaultStack();
    // As Node's: once the peer's FIN is read, a socket that is not half-open fails later writes with EPIPE.
    this.on('end', onReadableStreamEnd);
    const onread = opts.onread;
    if (onread !== null && typeof onread === 'object') {
      if (typeof onread.callback !== 'function') throw nodeError('ERR_INVALID_ARG_TYPE', 'The "options.onread.callback" property must be of type function', 'TypeError');
      if (typeof onread.buffer !== 'function' && !(onread.buffer instanceof Uint8Array)) throw nodeError('ERR_INVALID_ARG_TYPE', 'The "options.onread.buffer" property must be of type function or an instance of Uint8Array', 'TypeError');
      this.onreadBuf = onread.buffer;
      this.onreadCb = onread.callback;
    }
    if (opts.fd !== undefined) this.adopt(opts.fd);
    if (opts.pauseOnCreate === true) this.pause();
    // Node starts reading an accepted socket at once (read(0) in net.Socket's constructor):
    // an unread connection still sees the peer's FIN, ends and closes.
    else if (opts.fd !== undefined && this.fd >= 0) this.read(0);
    if (opts.signal !== undefined) {
      const sig = opts.signal;
      if (sig.aborted) process.nextTick(() => this.destroy(abortError()));
      else sig.addEventListener('abort', () => this.destroy(abortError()), { once: true });
    }
  }

  /** The fd in the stack's process (-1 before connect and after close). */
  get _fd(): number {
    return this.fd;
  }

  /** Return `connecting` (Node's deprecated alias). */
  get _connecting(): boolean {
    return this.connecting;
  }

  /** Return true before the connection is up (not connected yet, or connecting). */
  get pending(): boolean {
    return this.fd < 0 || this.connecting;
  }

  /** Return "opening", "open", "readOnly", "writeOnly" or "closed", as net.Socket does. */
  get readyState(): string {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  /** Return the bytes written so far, those still queued in the stream included. */
  get bytesWritten(): number {
    if (!Object.prototype.hasOwnProperty.call(this, 'pw')) return undefined as unknown as number; // read on the prototype, as Node's is
    return this.sent + this.writableLength - (this.inflight?.off ?? 0);
  }

  /** Return the peer's address, or undefined before the connection is up. */
  get remoteAddress(): string | undefined {
    const p = this.peer();
    return p === null ? undefined : inetNtoa(p.addr);
  }

  /** Return the peer's port, or undefined. */
  get remotePort(): number | undefined {
    return this.peer()?.port;
  }

  /** Return "IPv4" once connected, or undefined. */
  get remoteFamily(): string | undefined {
    return this.peer() === null ? undefined : 'IPv4';
  }

  /** Return the local address, or undefined before bind/connect. */
  get localAddress(): string | undefined {
    const s = this.sockname();
    return s === null ? undefined : inetNtoa(s.addr);
  }

  /** Return the local port, or undefined. */
  get localPort(): number | undefined {
    return this.sockname()?.port;
  }

  /** Return "IPv4" once bound, or undefined. */
  get localFamily(): string | undefined {
    return this.sockname() === null ? undefined : 'IPv4';
  }

  /** Return the bytes of the send buffer a write is waiting on, as Node's bufferSize (deprecated there). */
  get bufferSize(): number {
    return this.writableLength;
  }

  /** Return the bound address: `{ address, family, port }`, or {} when not bound. */
  address(): AddressInfo | Record<string, never> {
    const s = this.sockname();
    return s === null ? {} : { address: inetNtoa(s.addr), family: 'IPv4', port: s.port };
  }

  /**
   * Connect: `connect(port[, host][, listener])` or `connect(options[, listener])`.
   * Errors: throws ERR_SOCKET_BAD_PORT / ERR_INVALID_ARG_TYPE for a bad port; network
   * errors are emitted ('error' with code ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ENOTFOUND...).
   */
  connect(...args: unknown[]): this {
    const [opts, cb] = normalizeConnectArgs(args);
    const path = (opts as { path?: unknown }).path;
    if (opts.port === undefined && (path === undefined || path === null)) {
      throw nodeError('ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified', 'TypeError');
    }
    // An IPC path means a Unix socket in net; http passes its request path in the same
    // options to createConnection, so a path next to a port is ignored.
    if (typeof path === 'string' && opts.port === undefined) {
      throw nodeError('NETCH_ERR_UNSUPPORTED', 'connect: IPC paths (Unix domain sockets) are not supported by the stack');
    }
    validateConnectOptions(opts);
    const port = validatePort(opts.port);
    if (this.fd >= 0 || this.connecting) throw nodeError('ERR_SOCKET_CONNECTING', 'Socket is already connecting or connected');
    if (this.destroyed) this.reopen();
    if (Object.prototype.hasOwnProperty.call(this, 'write')) delete (this as { write?: unknown }).write; // writeAfterFIN of the last connection
    if (cb !== null) this.once('connect', cb);
    if (opts.timeout !== undefined) this.setTimeout(opts.timeout);
    if (opts.noDelay !== undefined) this.setNoDelay(opts.noDelay);
    if (opts.keepAlive !== undefined) this.setKeepAlive(opts.keepAlive, opts.keepAliveInitialDelay ?? 0);
    this.connecting = true;
    this.#stack.track(this);
    this.updateRef();
    const host = opts.host ?? 'localhost';
    if (inetAddr(host) >= 0) {
      // Node connects on the next tick for a literal address, without a 'lookup' event.
      process.nextTick(() => {
        if (this.connecting && !this.destroyed) this.dial(host, port, opts);
      });
      return this;
    }
    const done = (err: Error | null, address: unknown, family?: unknown): void => {
      // A lookup asked for `all` (Node's does with autoSelectFamily) answers with a list.
      if (err === null && Array.isArray(address)) {
        const first = (address.find((a: { family?: unknown }) => a?.family === 4) ?? address[0]) as { address?: unknown; family?: unknown } | undefined;
        address = first?.address;
        family = first?.family;
      }
      this.emit('lookup', err, address, family, host);
      if (!this.connecting || this.destroyed) return;
      // As Node's emitLookup: errors are emitted on the next tick.
      if (err === null && (typeof address !== 'string' || isIP(address) === 0)) err = nodeError('ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${String(address)}`, 'TypeError');
      else if (err === null && family !== 4 && family !== 6) {
        err = nodeError('ERR_INVALID_ADDRESS_FAMILY', `Invalid address family: ${String(family)} ${host}:${port}`, 'RangeError');
        Object.assign(err, { host, port });
      }
      if (err !== null) {
        const e = err;
        process.nextTick(() => {
          if (!this.connecting) return;
          this.connecting = false;
          this.destroy(e);
        });
        return;
      }
      this.dial(address as string, port, opts);
    };
    if (typeof opts.lookup === 'function') opts.lookup(host, { family: dnsFamily(opts.family), hints: (opts as { hints?: number }).hints ?? 0 }, done as LookupCallback);
    else this.#stack.lookup(host, done as LookupCallback);
    return this;
  }

  /** Set TCP_NODELAY (default true); applied at connect when not connected yet. Return this. */
  setNoDelay(noDelay = true): this {
    this.noDelay = noDelay;
    if (this.fd >= 0) this.#stack.process.sys.setsockopt(this.fd, IPPROTO_TCP, TCP_NODELAY, noDelay ? 1 : 0);
    return this;
  }

  /** Set SO_KEEPALIVE and, with a delay, TCP_KEEPIDLE (whole seconds). Return this. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.keepAliveOpt = [enable, initialDelay];
    if (this.fd >= 0) this.applyKeepAlive();
    return this;
  }

  /** Emit 'timeout' after `ms` without reads or writes (0 turns it off); `cb` is added as a 'timeout' listener. Return this. */
  setTimeout(ms: number, cb?: () => void): this {
    if (typeof ms !== 'number') throw invalidArgType('msecs', 'number', ms, 'argument');
    if (!Number.isFinite(ms) || ms < 0) {
      throw nodeError('ERR_OUT_OF_RANGE', `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${String(ms)}`, 'RangeError');
    }
    if (cb !== undefined && typeof cb !== 'function') throw invalidArgType('callback', 'function', cb, 'argument');
    if (this.destroyed) return this; // as Node's: nothing to time out
    if (this.timeoutListener !== null) {
      this.removeListener('timeout', this.timeoutListener);
      this.timeoutListener = null;
    }
    this.timeoutMs = ms;
    this.timeout = ms;
    if (ms === 0) {
      this.timer?.cancel();
    } else {
      if (cb !== undefined) {
        this.once('timeout', cb);
        this.timeoutListener = cb;
      }
      this.timer ??= this.#stack.timer(() => this.onTimer());
      this.lastActive = this.#stack.kernel.now();
      this.timer.arm(ms);
    }
    return this;
  }

  /** Keep Node's event loop alive while the socket is open (the default). Return this. */
  ref(): this {
    this.wantRef = true;
    this.updateRef();
    return this;
  }

  /** Let Node's event loop exit while only this socket is open. Return this. */
  unref(): this {
    this.wantRef = false;
    this.updateRef();
    return this;
  }

  /** Pause: with an onread buffer, stop reading (no stream buffer to fill), as Node's. Return this. */
  override pause(): this {
    if (this.onreadCb !== null) this.wantRead = false;
    return super.pause();
  }

  /** Resume: with an onread buffer, read again. Return this. */
  override resume(): this {
    super.resume();
    if (this.onreadCb !== null && !this.wantRead && !this.destroyed) {
      this.wantRead = true;
      if (this.fd >= 0 && !this.connecting) this.pumpRead();
    }
    return this;
  }

  /** End the writable side, then destroy once everything was written. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Reset the connection (RST, as SO_LINGER 0 then close does) and destroy the socket. Return this. */
  resetAndDestroy(): this {
    if (this.fd >= 0) this.#stack.process.sys.setsockopt(this.fd, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 });
    else if (!this.connecting) {
      this.destroy(nodeError('ERR_SOCKET_CLOSED', 'Socket is closed'));
      return this;
    }
    this.destroy();
    return this;
  }

  // ---- readiness ----

  /** Handle epoll's report for the fd (PollHandler). */
  onPoll(events: number): void {
    if (this.fd < 0) return;
    if (this.connecting) {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) !== 0) this.finishConnect();
      return;
    }
    if (this.wantRead && (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) !== 0) this.pumpRead();
    if (this.inflight !== null && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) !== 0) this.flushWrite();
  }

  // ---- stream.Duplex implementation ----

  /** Read from the stack while the consumer wants data (stream.Readable). */
  override _read(_n: number): void {
    this.wantRead = true;
    if (this.fd >= 0 && !this.connecting) this.pumpRead();
    else this.updateRef();
  }

  /** Send `chunk`; the callback runs when the stack took all of it (stream.Writable). */
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const p = this.pw;
    p.buf = chunk;
    p.off = 0;
    p.cb = cb;
    this.inflight = p;
    this.updateRef();
    if (this.connecting) return; // sent when the connection is up
    if (this.fd < 0) {
      this.endWrite()(nodeError('ERR_SOCKET_CLOSED', 'Socket is closed'));
      return;
    }
    this.flushWrite();
  }

  /** Send several chunks as one (stream.Writable, after cork/uncork). */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void {
    const bufs: Buffer[] = [];
    for (const c of chunks) bufs.push(c.chunk);
    this._write(Buffer.concat(bufs), 'buffer' as BufferEncoding, cb);
  }

  /** Send the FIN after the queued data (shutdown(SHUT_WR)) (stream.Writable). */
  override _final(cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      this.finalCb = cb;
      return;
    }
    this.shutdownWrite(cb);
    this.updateRef();
  }

  /** Close the fd (stream.Duplex); 'close' follows with hadError. */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.timer?.cancel();
    const wasConnecting = this.connecting;
    this.connecting = false;
    this.wantRead = false;
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      this.#stack.poller.remove(fd);
      this.#stack.process.sys.close(fd);
    }
    // A write waiting for the connection fails with 'close', as Node's does; any other is failed by the stream.
    const pendingWrite = this.inflight !== null ? this.endWrite() : null;
    this.dropRef();
    this.#stack.untrack(this);
    const server = this.owner;
    cb(err);
    if (pendingWrite !== null && wasConnecting) this.once('close', () => pendingWrite(nodeError('ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established')));
    // Node emits 'close' from the handle's close callback, a later phase of the event
    // loop than the 'error' and 'end' ticks: after them, so listeners added then still hear it.
    setImmediate(() => {
      this.emit('close', err !== null && err !== undefined);
      server?.connectionClosed(this);
    });
  }

  // ---- internals ----

  /** Make a closed socket connectable again, as Node's connect() does (stream state undestroyed, addresses forgotten). */
  private reopen(): void {
    (this as unknown as { _undestroy(): void })._undestroy();
    this.bytesRead = 0;
    this.sent = 0;
    this.peerAddr = null;
    this.sockAddr = null;
    this.wantRead = false;
    this.inflight = null;
    this.finalCb = null;
  }

  /**
   * Return true while the socket has work that keeps Node's event loop alive, as a libuv
   * stream handle is active: connecting, reading (until EOF, or until the readable buffer
   * is full), or a write or shutdown pending. An idle socket that is not reading (ended,
   * or paused with a full buffer) lets the process exit, as in Node.
   */
  private active(): boolean {
    if (this.destroyed) return false;
    // As a libuv handle: a name lookup holds nothing of the socket's (a lookup function that
    // never answers lets the program exit); the connect request does.
    if (this.connecting) return this.fd >= 0;
    return this.fd >= 0 && (this.wantRead || this.inflight !== null || this.finalCb !== null);
  }

  /** Hold a ref while active() and ref()'d; give it up when not, after the current turn (so a write chain does not churn it). */
  private updateRef(): void {
    if (this.wantRef && this.active()) {
      if (this.refed) return;
      this.refed = true;
      this.#stack.ref();
      return;
    }
    if (!this.refed || this.refCheck) return;
    this.refCheck = true;
    setImmediate(() => {
      this.refCheck = false;
      if (!(this.wantRef && this.active())) this.dropRef();
    });
  }

  private dropRef(): void {
    if (!this.refed) return;
    this.refed = false;
    this.#stack.unref();
  }

  /** Take a connected fd (accepted by a server). */
  private adopt(fd: number): void {
    this.fd = fd;
    const r = this.#stack.poller.add(fd, SOCKET_EVENTS, this);
    if (r < 0) {
      process.nextTick(() => this.destroy(errnoException(r, 'epoll_ctl')));
      return;
    }
    this.#stack.track(this);
    this.updateRef();
  }

  private dial(address: string, port: number, opts: TcpConnectOptions): void {
    const sys = this.#stack.process.sys;
    const blockList = (opts as { blockList?: { check(a: string, f?: string): boolean } }).blockList;
    if (blockList !== undefined && blockList.check(address, 'ipv4')) {
      return this.failConnect(nodeError('ERR_IP_BLOCKED', `IP(${address}) is blocked by net.BlockList`));
    }
    this.dialAddr = address;
    this.dialPort = port;
    const fd = sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return this.failConnect(errnoException(fd, 'socket'));
    this.fd = fd;
    if (this.noDelay !== null) sys.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, this.noDelay ? 1 : 0);
    if (this.keepAliveOpt !== null) this.applyKeepAlive();
    if (opts.localAddress !== undefined || opts.localPort !== undefined) {
      const la = opts.localAddress ?? '0.0.0.0';
      const lp = opts.localPort ?? 0;
      const a = inetAddr(la);
      const r = a < 0 ? -22 : sys.bind(fd, sockaddrIn(a, lp));
      if (r < 0) return this.failConnect(exceptionWithHostPort(r, 'bind', la, lp));
    }
    // connect first, then epoll_ctl, as libuv does (uv__tcp_connect, then uv__io_start):
    // registered before, a fresh socket is ready at once (POLLOUT|POLLHUP, as on Linux),
    // and the pending epoll_wait would report that stale state as the connect's outcome.
    const r = sys.connect(fd, sockaddrIn(inetAddr(address), port));
    if (r !== 0 && r !== -EINPROGRESS) return this.failConnect(exceptionWithHostPort(r, 'connect', address, port));
    const r0 = this.#stack.poller.add(fd, SOCKET_EVENTS, this);
    if (r0 < 0) return this.failConnect(errnoException(r0, 'epoll_ctl'));
    if (r === 0) this.connected();
    // -EINPROGRESS: epoll reports EPOLLOUT (up) or EPOLLERR (refused, timed out).
  }

  private finishConnect(): void {
    // As libuv does: the outcome of a non-blocking connect is SO_ERROR.
    const err = this.#stack.process.sys.getsockopt(this.fd, SOL_SOCKET, SO_ERROR);
    if (err > 0) return this.failConnect(exceptionWithHostPort(-err, 'connect', this.dialAddr, this.dialPort));
    if (err < 0) return this.failConnect(errnoException(err, 'getsockopt'));
    const p = newSockAddrIn();
    const r = this.#stack.process.sys.getpeername(this.fd, p);
    if (r === -ENOTCONN) return; // still in SYN-SENT: a later event tells
    this.connected();
  }

  private failConnect(err: Error): void {
    this.connecting = false;
    this.destroy(err);
  }

  private connected(): void {
    this.connecting = false;
    this.peerAddr = null;
    this.sockAddr = null;
    this.touch();
    this.emit('connect');
    this.emit('ready');
    if (this.destroyed || this.fd < 0) return;
    if (this.inflight !== null) this.flushWrite();
    if (this.finalCb !== null && this.inflight === null) {
      const cb = this.finalCb;
      this.finalCb = null;
      this.shutdownWrite(cb);
    }
    // As Node's afterConnect: start reading unless paused, so the FIN is seen without a reader.
    if (this.wantRead) this.pumpRead();
    else if (!this.isPaused()) this.read(0);
    this.updateRef();
  }

  private shutdownWrite(cb: (err?: Error | null) => void): void {
    if (this.fd < 0) return cb();
    const r = this.#stack.process.sys.shutdown(this.fd, SHUT_WR);
    if (r < 0 && r !== -ENOTCONN) cb(errnoException(r, 'shutdown'));
    else cb();
  }

  private pumpRead(): void {
    if (this.inPump) return;
    this.inPump = true;
    try {
      const sys = this.#stack.process.sys;
      for (let i = 0; i < MAX_READS_PER_EVENT && this.wantRead && this.fd >= 0; i++) {
        if (this.onreadCb !== null) {
          // Node's onread: the bytes go into the caller's buffer and to its callback, not to 'data';
          // a callback that returns false stops reading until resume().
          const ub = typeof this.onreadBuf === 'function' ? this.onreadBuf() : this.onreadBuf!;
          const r = sys.recv(this.fd, ub, 0, ub.length, 0);
          if (r > 0) {
            this.bytesRead += r;
            this.touch();
            if (this.onreadCb.call(this, r, ub) === false) this.wantRead = false;
            continue;
          }
          if (r === -EAGAIN) return;
          this.wantRead = false;
          if (r === 0) {
            this.push(null);
            this.read(0);
            return;
          }
          this.destroy(errnoException(r, 'read'));
          return;
        }
        // recv(2) fills the thread's spare buffer. A large read is pushed in it as it is
        // (one copy, out of the socket's ring, as Node's reads; the next read takes a new
        // spare); a small one is copied into a chunk of its own size and the spare stays,
        // so a few bytes never pin 64 KiB and a read that finds nothing allocates nothing.
        const buf = spareBuffer();
        const r = sys.recv(this.fd, buf, 0, READ_CHUNK, 0);
        if (r > 0) {
          this.bytesRead += r;
          this.touch();
          let chunk: Buffer;
          if (r >= READ_CHUNK >> 1) {
            chunk = buf.subarray(0, r);
            spare = null;
          } else {
            chunk = Buffer.allocUnsafe(r);
            buf.copy(chunk, 0, 0, r);
          }
          this.wantRead = this.push(chunk);
          continue;
        }
        if (r === -EAGAIN) return;
        this.wantRead = false;
        if (r === 0) {
          // As Node's onStreamRead at EOF: push(null), then read(0) so that 'end' comes
          // even when nothing reads the socket (an empty buffer ends at once).
          this.push(null);
          this.read(0);
          return;
        }
        this.destroy(errnoException(r, 'read'));
        return;
      }
      // Budget spent with data left: continue after other I/O had its turn (edge-triggered: no new event would come).
      if (this.wantRead && this.fd >= 0) setImmediate(() => this.pumpRead());
    } finally {
      this.inPump = false;
      this.updateRef();
    }
  }

  private flushWrite(): void {
    const p = this.inflight;
    if (p === null || this.fd < 0) return;
    const sys = this.#stack.process.sys;
    while (p.off < p.buf.length) {
      const r = sys.send(this.fd, p.buf, p.off, p.buf.length - p.off, MSG_NOSIGNAL);
      if (r > 0) {
        p.off += r;
        this.sent += r;
        this.touch();
        continue;
      }
      if (r === -EAGAIN || r === 0) return; // EPOLLOUT resumes it
      this.endWrite()(errnoException(r, 'write'));
      return;
    }
    this.endWrite()();
    if (this.finalCb !== null && this.inflight === null && !this.connecting) {
      const cb = this.finalCb;
      this.finalCb = null;
      this.shutdownWrite(cb);
    }
  }

  /** Finish the write in flight: forget it (its chunk and callback too); return its callback, which may start the next write. */
  private endWrite(): (err?: Error | null) => void {
    const p = this.pw;
    const cb = p.cb;
    p.buf = EMPTY;
    p.cb = noop;
    this.inflight = null;
    this.updateRef();
    return cb;
  }

  private applyKeepAlive(): void {
    const [enable, delay] = this.keepAliveOpt!;
    const sys = this.#stack.process.sys;
    sys.setsockopt(this.fd, SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0);
    const secs = Math.floor(delay / 1000);
    if (enable && secs >= 1) sys.setsockopt(this.fd, IPPROTO_TCP, TCP_KEEPIDLE, secs);
  }

  private touch(): void {
    if (this.timeoutMs > 0) {
      this.lastActive = this.#stack.kernel.now();
      if (this.timer !== null && !this.timer.armed) this.timer.arm(this.timeoutMs);
    }
  }

  private onTimer(): void {
    if (this.timeoutMs === 0 || this.destroyed) return;
    const idle = this.#stack.kernel.now() - this.lastActive;
    if (idle + 1e-6 < this.timeoutMs) {
      this.timer!.arm(this.timeoutMs - idle);
      return;
    }
    this.emit('timeout');
  }

  private peer(): SockAddrIn | null {
    if (this.peerAddr !== null) return this.peerAddr;
    if (this.fd < 0 || this.connecting) return null;
    const p = newSockAddrIn();
    if (this.#stack.process.sys.getpeername(this.fd, p) < 0) return null;
    this.peerAddr = p;
    return p;
  }

  private sockname(): SockAddrIn | null {
    if (this.sockAddr !== null) return this.sockAddr;
    if (this.fd < 0) return null;
    const s = newSockAddrIn();
    if (this.#stack.process.sys.getsockname(this.fd, s) < 0) return null;
    // Cache once connected (the address no longer changes); before that it may.
    if (!this.connecting && s.port !== 0) this.sockAddr = s;
    return s.port === 0 ? null : s;
  }
}

const EMPTY = new Uint8Array(0);

function onReadableStreamEnd(this: Socket): void {
  if (!this.allowHalfOpen) this.write = writeAfterFIN;
}

/** Node's writeAfterFIN: a write after the peer's FIN on a socket that is not half-open fails with EPIPE. */
function writeAfterFIN(this: Socket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (!this.writableEnded) return (Duplex.prototype.write as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
  if (typeof encoding === 'function') cb = encoding;
  const er = nodeError('EPIPE', 'This socket has been ended by the other party');
  if (typeof cb === 'function') process.nextTick(cb as (e: Error) => void, er);
  this.destroy(er);
  return false;
}

function noop(): void {}

let spare: Buffer | null = null;

/** The buffer recv(2) fills next (one per thread; a large read keeps it and a new one is made). */
function spareBuffer(): Buffer {
  spare ??= Buffer.allocUnsafeSlow(READ_CHUNK);
  return spare;
}

function abortError(): Error {
  const e = new Error('The operation was aborted') as Error & { code: string };
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  return e;
}

/** The mark Node's net._normalizeArgs puts on its result (internal/net's normalizedArgsSymbol), read off one result. */
const normalizedArgsSymbol: symbol | undefined = (() => {
  const f = (netModule as unknown as { _normalizeArgs?: (a: unknown[]) => object })._normalizeArgs;
  return typeof f === 'function' ? Object.getOwnPropertySymbols(f([]))[0] : undefined;
})();

/** Return true for a string that is not a number: an IPC path (Node's isPipeName). */
function isPipeName(s: unknown): boolean {
  return typeof s === 'string' && !(Number(s) >= 0);
}

/**
 * Split net.connect's arguments as Node's normalizeArgs does: `(options[, cb])`,
 * `(path[, cb])` or `(port[, host][, cb])`, or an array Node's `net._normalizeArgs` made.
 */
export function normalizeConnectArgs(args: unknown[]): [NetConnectOpts, (() => void) | null] {
  const a0 = args[0] as unknown[] & Record<symbol, unknown>;
  if (Array.isArray(a0) && normalizedArgsSymbol !== undefined && a0[normalizedArgsSymbol] === true) {
    return [(a0[0] ?? {}) as NetConnectOpts, typeof a0[1] === 'function' ? (a0[1] as () => void) : null];
  }
  if (args.length === 0) return [{} as NetConnectOpts, null];
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as () => void) : null;
  const first = args[0];
  if (typeof first === 'object' && first !== null) return [first as NetConnectOpts, cb];
  if (isPipeName(first)) return [{ path: first } as unknown as NetConnectOpts, cb];
  const opts: NetConnectOpts = { port: first as number };
  if (args.length > 1 && typeof args[1] === 'string') opts.host = args[1];
  return [opts, cb];
}

/** Node's socketToDnsFamily: 'IPv4' and 4 are 4, 'IPv6' and 6 are 6, anything else 0. */
function dnsFamily(f: unknown): number {
  if (f === 'IPv4' || f === 4) return 4;
  if (f === 'IPv6' || f === 6) return 6;
  return 0;
}

/** Throw as Node's lookupAndConnect does for bad connect options (ERR_INVALID_IP_ADDRESS, ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE). */
function validateConnectOptions(o: NetConnectOpts): void {
  const x = o as unknown as Record<string, unknown>;
  if (x.host !== undefined && x.host !== null && typeof x.host !== 'string') throw invalidArgType('options.host', 'string', x.host);
  if (x.localAddress && isIP(String(x.localAddress)) === 0) throw nodeError('ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${String(x.localAddress)}`, 'TypeError');
  if (x.localPort && typeof x.localPort !== 'number') throw invalidArgType('options.localPort', 'number', x.localPort);
  if (x.port !== undefined && typeof x.port !== 'number' && typeof x.port !== 'string') throw invalidArgType('options.port', 'number or string', x.port);
  if (typeof x.hints === 'number' && x.hints !== 0 && (x.hints & ~DNS_HINTS) !== 0) {
    throw nodeError('ERR_INVALID_ARG_VALUE', `The argument 'hints' is invalid. Received ${x.hints}`, 'TypeError');
  }
  if (x.lookup !== undefined && x.lookup !== null && typeof x.lookup !== 'function') throw invalidArgType('options.lookup', 'function', x.lookup);
  if (x.autoSelectFamily !== undefined && x.autoSelectFamily !== null && typeof x.autoSelectFamily !== 'boolean') throw invalidArgType('options.autoSelectFamily', 'boolean', x.autoSelectFamily);
  const t = x.autoSelectFamilyAttemptTimeout;
  if (t !== undefined && t !== null) {
    if (typeof t !== 'number') throw invalidArgType('options.autoSelectFamilyAttemptTimeout', 'number', t);
    if (!Number.isInteger(t) || t < 1 || t > 2 ** 31 - 1) {
      throw nodeError('ERR_OUT_OF_RANGE', `The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be >= 1 && <= 2147483647. Received ${t}`, 'RangeError');
    }
  }
}

/** Node's ERR_INVALID_ARG_TYPE for a property or an argument. */
function invalidArgType(name: string, type: string, got: unknown, what: 'property' | 'argument' = 'property'): Error {
  const received = got === null ? 'null' : typeof got === 'object' ? `an instance of ${(got as object).constructor?.name ?? 'Object'}` : `type ${typeof got} (${String(got)})`;
  return nodeError('ERR_INVALID_ARG_TYPE', `The "${name}" ${what} must be of type ${type}. Received ${received}`, 'TypeError');
}

/** dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL (Linux's AI_* values): the hints a lookup accepts. */
const DNS_HINTS = 0x20 | 0x08 | 0x10;
