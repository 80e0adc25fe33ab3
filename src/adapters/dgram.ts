// A UDP socket shaped like Node's dgram.Socket: socket(SOCK_DGRAM), bind, connect,
// sendto and recvfrom through the stack's process, readiness from its epoll loop. Datagrams
// are drained on each readiness event and emitted as 'message' (msg, rinfo); sends complete
// synchronously in the stack, their callbacks run on the next tick, as Node's do.
//
// Events: 'listening' (after bind, explicit or implicit), 'connect', 'message', 'error',
// 'close'. IPv4 only ('udp4'); no multicast, no TTL setting.

import { EventEmitter } from 'node:events';
import {
  AF_INET, AF_UNSPEC, EPOLLET, EPOLLIN, MSG_TRUNC, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOL_SOCKET, SO_BROADCAST, SO_RCVBUF,
  SO_REUSEADDR, SO_SNDBUF,
} from '../posix/constants.js';
import { EADDRNOTAVAIL, EAGAIN, EBADF, EINVAL } from '../posix/errno.js';
import { type SockAddrIn, inetAddr, inetNtoa, newSockAddrIn, sockaddrIn } from '../posix/sockaddr.js';
import { errnoException, exceptionWithHostPort, invalidArgType, nodeError, validatePort } from './errors.js';
import type { PollHandler } from './poller.js';
import { type StackContext, getDefaultStack } from './stack.js';

/** Options of `createSocket()`. */
export interface DgramSocketOptions {
  /** Only 'udp4' is supported. */
  type: 'udp4' | 'udp6';
  /** SO_REUSEADDR. */
  reuseAddr?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
  /** The stack to run on (default: the default stack). */
  stack?: StackContext;
  signal?: AbortSignal;
  /** Resolve names with this instead of the stack's table: `lookup(name, 4, cb)`, as dgram calls it. */
  lookup?: (name: string, family: number, cb: (err: Error | null, address: string, family?: number) => void) => void;
}

/** Where a datagram came from, as 'message' reports it. */
export interface RemoteInfo {
  address: string;
  family: 'IPv4';
  port: number;
  size: number;
}

/** Options of `bind(options)`. */
export interface DgramBindOptions {
  port?: number;
  address?: string;
  exclusive?: boolean;
}

type SendCallback = (err: Error | null, bytes: number) => void;
type Msg = string | Uint8Array | DataView | readonly (string | Uint8Array)[];

const MAX_DATAGRAM = 65536;
const MAX_RECVS_PER_EVENT = 1024;

/** A UDP socket compatible with Node's dgram.Socket (udp4). */
export class DgramSocket extends EventEmitter implements PollHandler {
  /** The stack this socket runs on. */
  readonly #stack: StackContext;
  readonly type = 'udp4';
  private fd: number;
  private bound = false;
  private binding = false;
  /** connect() was called (connecting or connected). */
  private connected = false;
  /** The connect finished ('connect' emitted): disconnect() and remoteAddress() need it, as in Node. */
  private connectDone = false;
  private closed = false;
  private refed = false;
  private wantRef = true;
  private readonly from: SockAddrIn = newSockAddrIn();
  private queued: (() => void)[] = [];
  private readonly lookupFn: DgramSocketOptions['lookup'] | undefined;
  private sendQueueSize = 0;
  private sendQueueCount = 0;

  /** Create a socket; use createSocket(). Errors: ERR_SOCKET_BAD_TYPE for anything but udp4. */
  constructor(opts: DgramSocketOptions | string, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) {
    super();
    const o: DgramSocketOptions = typeof opts === 'string' ? { type: opts as 'udp4' } : opts;
    if (o.type !== 'udp4') {
      throw nodeError(o.type === 'udp6' ? 'NETCH_ERR_UNSUPPORTED' : 'ERR_SOCKET_BAD_TYPE', `Bad socket type specified. Valid types are: udp4 (the stack has no IPv6); got ${String(o.type)}`, 'TypeError');
    }
    if (o.lookup !== undefined && typeof o.lookup !== 'function') throw invalidArgType('lookup', 'function', o.lookup);
    for (const k of ['recvBufferSize', 'sendBufferSize'] as const) {
      const v = o[k];
      if (v !== undefined && typeof v !== 'number') throw invalidArgType(`options.${k}`, 'number', v, 'property');
    }
    if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalidArgType('options.signal', 'AbortSignal', o.signal, 'property');
    this.lookupFn = o.lookup;
    this.#stack = o.stack ?? getDefaultStack();
    const sys = this.#stack.process.sys;
    const fd = sys.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw errnoException(fd, 'socket');
    this.fd = fd;
    this.#stack.track(this);
    if (o.reuseAddr === true) sys.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (o.recvBufferSize !== undefined) sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, o.recvBufferSize);
    if (o.sendBufferSize !== undefined) sys.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, o.sendBufferSize);
    if (listener !== undefined) this.on('message', listener);
    if (o.signal !== undefined) {
      const sig = o.signal;
      if (sig.aborted) process.nextTick(() => this.close());
      else sig.addEventListener('abort', () => { if (!this.closed) this.close(); }, { once: true });
    }
  }

  /**
   * Bind: `bind([port][, address][, cb])` or `bind(options[, cb])`; 'listening' follows.
   * Errors: throws ERR_SOCKET_ALREADY_BOUND; EADDRINUSE, EADDRNOTAVAIL are emitted as 'error'.
   */
  bind(...args: unknown[]): this {
    this.checkOpen();
    if (this.bound || this.binding) throw nodeError('ERR_SOCKET_ALREADY_BOUND', 'Socket is already bound');
    const cb = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as () => void) : null;
    let port: unknown = 0;
    let address: string | undefined;
    const first = args[0];
    if (typeof first === 'object' && first !== null) {
      const o = first as DgramBindOptions;
      port = o.port ?? 0;
      address = o.address;
    } else if (typeof first === 'number' || typeof first === 'string') {
      port = first;
      if (typeof args[1] === 'string') address = args[1];
    }
    const p = validatePort(port);
    if (cb !== null) this.once('listening', cb);
    this.binding = true;
    const host = address ?? '0.0.0.0';
    this.resolve(host, (err, ip) => {
      this.binding = false;
      if (this.closed) return;
      if (err !== null) {
        this.emit('error', err);
        return;
      }
      const a = inetAddr(ip);
      const r = this.#stack.process.sys.bind(this.fd, sockaddrIn(a, p));
      if (r < 0) {
        this.emit('error', exceptionWithHostPort(r, 'bind', ip, p));
        return;
      }
      this.startReceiving();
      this.emit('listening');
      this.flushQueued();
    });
    return this;
  }

  /**
   * Send: `send(msg[, offset, length], port[, address][, cb])`, or without port and address
   * on a connected socket. An unbound socket is bound to an ephemeral port first. `cb(err,
   * bytes)` runs on a later tick; without it an error is emitted.
   */
  send(msg: Msg, ...rest: unknown[]): void {
    this.checkOpen();
    const cb = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as SendCallback) : null;
    let buf = toBuffer(msg);
    if (typeof rest[0] === 'number' && typeof rest[1] === 'number' && (rest.length >= 3 || (this.connected && rest.length === 2))) {
      // As Node's sliceBuffer: offset and length as unsigned 32-bit, then bounds checked.
      const off = (rest.shift() as number) >>> 0;
      const len = (rest.shift() as number) >>> 0;
      if (off > buf.length) throw nodeError('ERR_BUFFER_OUT_OF_BOUNDS', '"offset" is outside of buffer bounds', 'RangeError');
      if (off + len > buf.length) throw nodeError('ERR_BUFFER_OUT_OF_BOUNDS', '"length" is outside of buffer bounds', 'RangeError');
      buf = buf.subarray(off, off + len);
    }
    let port: number | null = null;
    let address: string | undefined;
    if (rest[0] !== undefined && rest[0] !== null) {
      if (this.connected) throw nodeError('ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
      port = validatePort(rest[0], 'Port', false);
      if (rest[1] !== undefined && rest[1] !== null && typeof rest[1] !== 'string') throw invalidArgType('address', 'string', rest[1]);
      if (typeof rest[1] === 'string' && rest[1] !== '') address = rest[1];
    } else if (!this.connected) {
      throw badPortError();
    }
    // Counted until the send completes (its callback's tick), as libuv's send queue is.
    this.sendQueueSize += buf.length;
    this.sendQueueCount++;
    const go = (): void => {
      const finish = (r: number, dst: string): void => {
        const err = r < 0 ? exceptionWithHostPort(r, 'send', dst, port ?? 0) : null;
        process.nextTick(() => {
          this.sendQueueSize -= buf.length;
          this.sendQueueCount--;
          if (cb !== null) cb(err, r < 0 ? 0 : r);
          else if (err !== null) this.emit('error', err);
        });
      };
      if (port === null) {
        finish(this.#stack.process.sys.sendto(this.fd, buf, 0, buf.length, 0, null), '');
        return;
      }
      this.resolve(address ?? '127.0.0.1', (err, ip) => {
        if (this.closed) return;
        if (err !== null) {
          if (cb !== null) cb(err, 0);
          else this.emit('error', err);
          return;
        }
        finish(this.#stack.process.sys.sendto(this.fd, buf, 0, buf.length, 0, sockaddrIn(inetAddr(ip), port!)), ip);
      });
    };
    if (this.bound) go();
    else {
      this.queued.push(go);
      if (!this.binding) this.bind({ port: 0 });
    }
  }

  /** Connect to `port` at `address` (default 127.0.0.1); 'connect' follows. Errors: throws ERR_SOCKET_DGRAM_IS_CONNECTED. */
  connect(port: number, address?: string | (() => void), cb?: () => void): void {
    this.checkOpen();
    if (typeof address === 'function') {
      cb = address;
      address = undefined;
    }
    const p = validatePort(port, 'Port', false);
    if (this.connected) throw nodeError('ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
    if (cb !== undefined) this.once('connect', cb);
    this.connected = true;
    const go = (): void => {
      this.resolve(address ?? '127.0.0.1', (err, ip) => {
        if (this.closed) return;
        const r = err !== null ? -EINVAL : this.#stack.process.sys.connect(this.fd, sockaddrIn(inetAddr(ip), p));
        if (err !== null || r < 0) {
          this.connected = false;
          this.emit('error', err ?? exceptionWithHostPort(r, 'connect', ip, p));
          return;
        }
        this.connectDone = true;
        this.emit('connect');
      });
    };
    if (this.bound) go();
    else {
      this.queued.push(go);
      if (!this.binding) this.bind({ port: 0 });
    }
  }

  /** Dissolve the association made by connect(). Errors: throws ERR_SOCKET_DGRAM_NOT_CONNECTED. */
  disconnect(): void {
    this.checkOpen();
    if (!this.connectDone) throw nodeError('ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
    this.#stack.process.sys.connect(this.fd, { family: AF_UNSPEC, port: 0, addr: 0 });
    this.connected = false;
    this.connectDone = false;
  }

  /** Return the connected peer `{ address, family, port }`. Errors: throws ERR_SOCKET_DGRAM_NOT_CONNECTED. */
  remoteAddress(): { address: string; family: string; port: number } {
    this.checkOpen();
    const s = newSockAddrIn();
    if (!this.connectDone || this.#stack.process.sys.getpeername(this.fd, s) < 0) throw nodeError('ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
    return { address: inetNtoa(s.addr), family: 'IPv4', port: s.port };
  }

  /** Return the bound `{ address, family, port }`. Errors: throws ERR_SOCKET_DGRAM_NOT_RUNNING when closed, EBADF (getsockname) when unbound, as Node's. */
  address(): { address: string; family: string; port: number } {
    if (this.closed) throw nodeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    if (!this.bound) throw errnoException(-EBADF, 'getsockname');
    const s = newSockAddrIn();
    this.#stack.process.sys.getsockname(this.fd, s);
    return { address: inetNtoa(s.addr), family: 'IPv4', port: s.port };
  }

  /** Close the socket; 'close' follows. Errors: throws ERR_SOCKET_DGRAM_NOT_RUNNING when closed already. Return this. */
  close(cb?: () => void): this {
    if (this.closed) throw nodeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    if (typeof cb === 'function') this.once('close', cb); // anything else is ignored, as by Node
    this.closed = true;
    this.queued = [];
    this.#stack.poller.remove(this.fd);
    this.#stack.process.sys.close(this.fd);
    this.fd = -1;
    this.dropRef();
    this.#stack.untrack(this);
    process.nextTick(() => this.emit('close'));
    return this;
  }

  /** Close unless closed (what the stack's close() does). */
  destroy(): void {
    if (!this.closed) this.close();
  }

  /** Close, resolving once closed (`await using`); an already closed socket resolves at once. */
  [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.close(() => resolve()));
  }

  /** SO_BROADCAST. Errors: EBADF (setBroadcast) before bind, as Node's (libuv opens the fd at bind). */
  setBroadcast(flag: boolean): void {
    this.checkBound('setBroadcast');
    this.sockopt(SO_BROADCAST, flag ? 1 : 0, 'setBroadcast');
  }

  /** Set the unicast TTL (1..255) and return it; kept, the stack's IP layer sends with its default. Errors: EINVAL out of range, EBADF before bind. */
  setTTL(ttl: number): number {
    return this.ttlOption(ttl, 'setTTL', 1);
  }

  /** Set the multicast TTL (0..255) and return it (the stack does not send multicast). Errors as setTTL. */
  setMulticastTTL(ttl: number): number {
    return this.ttlOption(ttl, 'setMulticastTTL', 0);
  }

  /** Set multicast loopback and return the flag (the stack does not send multicast). Errors: EBADF before bind. */
  setMulticastLoopback(flag: boolean): boolean {
    this.checkBound('setMulticastLoopback');
    return flag;
  }

  /** Set the outgoing multicast interface (accepted; the stack does not send multicast). Errors: ERR_INVALID_ARG_TYPE, EBADF before bind. */
  setMulticastInterface(interfaceAddress: string): void {
    if (typeof interfaceAddress !== 'string') throw invalidArgType('interfaceAddress', 'string', interfaceAddress);
    this.checkBound('setMulticastInterface');
    // As Linux's IP_MULTICAST_IF: not an address, EINVAL; a multicast group, EADDRNOTAVAIL.
    if (inetAddr(interfaceAddress) < 0) throw errnoException(-EINVAL, 'setMulticastInterface');
    if (isMulticast(interfaceAddress)) throw errnoException(-EADDRNOTAVAIL, 'setMulticastInterface');
  }

  /**
   * Join a multicast group: checked as Node's (ERR_MISSING_ARGS, EINVAL for an address that
   * is not an IPv4 multicast group), then accepted; the stack delivers no multicast.
   */
  addMembership(multicastAddress: string, interfaceAddress?: string): void {
    this.membership('addMembership', multicastAddress, interfaceAddress);
  }

  /** Leave a multicast group (checked as addMembership). */
  dropMembership(multicastAddress: string, interfaceAddress?: string): void {
    this.membership('dropMembership', multicastAddress, interfaceAddress);
  }

  /** Join a source-specific multicast group (checked as Node's; accepted, no multicast). */
  addSourceSpecificMembership(sourceAddress: string, groupAddress: string, interfaceAddress?: string): void {
    this.sourceMembership('addSourceSpecificMembership', sourceAddress, groupAddress, interfaceAddress);
  }

  /** Leave a source-specific multicast group. */
  dropSourceSpecificMembership(sourceAddress: string, groupAddress: string, interfaceAddress?: string): void {
    this.sourceMembership('dropSourceSpecificMembership', sourceAddress, groupAddress, interfaceAddress);
  }

  /** Node's deprecated sendto(buffer, offset, length, port, address[, cb]). */
  sendto(buffer: Msg, offset: number, length: number, port: number, address: string, cb?: SendCallback): void {
    for (const [v, n] of [[offset, 'offset'], [length, 'length'], [port, 'port']] as const) {
      if (typeof v !== 'number') throw invalidArgType(n, 'number', v);
    }
    if (typeof address !== 'string') throw invalidArgType('address', 'string', address);
    if (cb !== undefined) this.send(buffer, offset, length, port, address, cb);
    else this.send(buffer, offset, length, port, address);
  }

  /** Return the bytes of sends not completed yet. */
  getSendQueueSize(): number {
    return this.sendQueueSize;
  }

  /** Return the sends not completed yet. */
  getSendQueueCount(): number {
    return this.sendQueueCount;
  }

  /** SO_RCVBUF. */
  setRecvBufferSize(size: number): void {
    this.sockopt(SO_RCVBUF, size, 'setRecvBufferSize');
  }

  /** SO_SNDBUF. */
  setSendBufferSize(size: number): void {
    this.sockopt(SO_SNDBUF, size, 'setSendBufferSize');
  }

  /** Return SO_RCVBUF (doubled, as Linux reports it). */
  getRecvBufferSize(): number {
    this.checkOpen();
    return this.#stack.process.sys.getsockopt(this.fd, SOL_SOCKET, SO_RCVBUF);
  }

  /** Return SO_SNDBUF. */
  getSendBufferSize(): number {
    this.checkOpen();
    return this.#stack.process.sys.getsockopt(this.fd, SOL_SOCKET, SO_SNDBUF);
  }

  /** Keep Node's event loop alive while bound (the default). Return this. */
  ref(): this {
    this.wantRef = true;
    if (this.bound && !this.closed && !this.refed) {
      this.refed = true;
      this.#stack.ref();
    }
    return this;
  }

  /** Let Node's event loop exit while only this socket is open. Return this. */
  unref(): this {
    this.wantRef = false;
    this.dropRef();
    return this;
  }

  /** Drain the receive queue (PollHandler). */
  onPoll(_events: number): void {
    const sys = this.#stack.process.sys;
    const scratch = dgramScratch();
    const from = this.from;
    for (let i = 0; i < MAX_RECVS_PER_EVENT && this.fd >= 0; i++) {
      const r = sys.recvfrom(this.fd, scratch, 0, MAX_DATAGRAM, MSG_TRUNC, from);
      if (r === -EAGAIN) return;
      if (r < 0) {
        this.emit('error', errnoException(r, 'recvmsg'));
        continue;
      }
      const n = Math.min(r, MAX_DATAGRAM);
      const msg = Buffer.allocUnsafe(n);
      scratch.copy(msg, 0, 0, n);
      this.emit('message', msg, { address: inetNtoa(from.addr), family: 'IPv4', port: from.port, size: n });
    }
    if (this.fd >= 0) setImmediate(() => this.onPoll(0));
  }

  /** Resolve `name` with the socket's lookup option (called for addresses too, as Node's dgram does), else the stack's names. */
  private resolve(name: string, cb: (err: Error | null, address: string) => void): void {
    if (this.lookupFn === undefined) {
      this.#stack.lookup(name, cb);
      return;
    }
    this.lookupFn(name, 4, (err, address) => cb(err ?? null, address));
  }

  private startReceiving(): void {
    this.bound = true;
    const r = this.#stack.poller.add(this.fd, EPOLLIN | EPOLLET, this);
    if (r < 0) this.emit('error', errnoException(r, 'epoll_ctl'));
    if (this.wantRef) this.ref();
  }

  private flushQueued(): void {
    const q = this.queued;
    this.queued = [];
    for (const f of q) f();
  }

  private dropRef(): void {
    if (!this.refed) return;
    this.refed = false;
    this.#stack.unref();
  }

  private sockopt(name: number, v: number, what: string): void {
    this.checkOpen();
    const r = this.#stack.process.sys.setsockopt(this.fd, SOL_SOCKET, name, v);
    if (r < 0) throw errnoException(r, what);
  }

  private membership(what: string, group: unknown, iface: unknown): void {
    this.checkOpen();
    if (!group) throw nodeError('ERR_MISSING_ARGS', 'The "multicastAddress" argument must be specified', 'TypeError');
    if (!isMulticast(group) || (iface !== undefined && (typeof iface !== 'string' || inetAddr(iface) < 0))) throw errnoException(-EINVAL, what);
  }

  private sourceMembership(what: string, source: unknown, group: unknown, iface: unknown): void {
    if (typeof source !== 'string') throw invalidArgType('sourceAddress', 'string', source);
    if (typeof group !== 'string') throw invalidArgType('groupAddress', 'string', group);
    this.checkOpen();
    if (inetAddr(source) < 0 || !isMulticast(group) || (iface !== undefined && (typeof iface !== 'string' || inetAddr(iface) < 0))) throw errnoException(-EINVAL, what);
  }

  private ttlOption(ttl: number, what: string, min: number): number {
    if (typeof ttl !== 'number') throw invalidArgType('ttl', 'number', ttl);
    this.checkBound(what);
    if (!Number.isInteger(ttl) || ttl < min || ttl > 255) throw errnoException(-EINVAL, what);
    return ttl;
  }

  private checkBound(what: string): void {
    this.checkOpen();
    if (!this.bound) throw errnoException(-EBADF, what);
  }

  private checkOpen(): void {
    if (this.closed) throw nodeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
  }
}

let scratch: Buffer | null = null;

function dgramScratch(): Buffer {
  scratch ??= Buffer.allocUnsafeSlow(MAX_DATAGRAM);
  return scratch;
}

function badPortError(): Error {
  return nodeError('ERR_SOCKET_BAD_PORT', 'Port should be > 0 and < 65536. Received undefined.', 'RangeError');
}

/** Return true for a dotted quad in 224.0.0.0/4. */
function isMulticast(a: unknown): boolean {
  if (typeof a !== 'string') return false;
  const n = inetAddr(a);
  return n >= 0 && n >>> 28 === 0xe;
}

function badBuffer(got: unknown, name = 'buffer'): never {
  throw invalidArgType(name, 'string or an instance of Buffer, TypedArray, or DataView', got);
}

function toBuffer(msg: Msg): Buffer {
  if (typeof msg === 'string') return Buffer.from(msg);
  if (Array.isArray(msg)) return Buffer.concat(msg.map((m: string | Uint8Array) => (typeof m === 'string' ? Buffer.from(m) : ArrayBuffer.isView(m) ? Buffer.from(m.buffer, m.byteOffset, m.byteLength) : badBuffer(msg, 'buffer list arguments'))));
  if (ArrayBuffer.isView(msg)) return Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  return badBuffer(msg);
}

/** Create a UDP socket: `createSocket('udp4'[, onMessage])` or `createSocket({ type: 'udp4', ... }[, onMessage])`. */
export function createSocket(type: 'udp4' | DgramSocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): DgramSocket {
  return new DgramSocket(type, listener);
}
