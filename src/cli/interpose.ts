// Interposition on `node:net`, the way OpenOnload interposes on libc's socket calls: after
// `interposeNet(stack)`, an unmodified program's TCP servers listen on the stack and its
// TCP clients connect through it, and through `net` so do `http.createServer().listen()`
// and `http.get()`. Unix sockets, sockets over an existing handle or OS fd (stdio pipes,
// child_process pipes) and the forwards' own kernel listeners (KERNEL_SOCKET) stay on the
// kernel.
//
// How, since `http.Server` calls `net.Server.call(this, ...)` and inherits from the
// original `net.Server.prototype` (fixed when http was loaded): the server constructor is
// left alone and its prototype's listen, close, address, getConnections, ref, unref and
// `listening` are patched: `listen()` creates a stack server and forwards its events
// ('connection', 'listening', 'error', 'drop', 'close') to the Node server, which then
// behaves as it does over a kernel handle. The client side replaces `net.connect`,
// `net.createConnection`, `net.Socket` (and `net.Stream`) on the module object and
// `http.Agent.prototype.createConnection` (copied from net when http was loaded); then
// `syncBuiltinESMExports()` makes `import { connect } from 'node:net'` see the change.
// `restore()` undoes all of it.

import dgram from 'node:dgram';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
// tls (its TLSSocket, and the JSStreamSocket it wraps a handle-less socket in) must inherit
// from the original net.Socket, which it reads when it loads: load it before the patch.
import 'node:tls';
import type { Stack } from '../adapters/api.js';
import type { Server as StackServer, ServerOptions as StackServerOptions } from '../adapters/net-server.js';
import { KERNEL_SOCKET } from './forward.js';

const kInner = Symbol('netchannels.stack-server');
const kUnref = Symbol('netchannels.unref');

type NodeServer = net.Server & { [kInner]?: StackServer | null; [kUnref]?: boolean; [KERNEL_SOCKET]?: boolean; allowHalfOpen?: boolean; pauseOnConnect?: boolean; noDelay?: boolean; keepAlive?: boolean; keepAliveInitialDelay?: number; highWaterMark?: number };
type AnyFn = (...args: unknown[]) => unknown;

/** An installed interposition. */
export interface Interposition {
  /** The stack servers and clients now run on. */
  readonly stack: Stack;
  /** Put `node:net` and `http.Agent` back as they were. Idempotent. */
  restore(): void;
}

let active: Interposition | null = null;

/** Return true when listen's arguments name a Unix socket, a handle or an OS fd (the kernel's business). */
function kernelListen(args: unknown[]): boolean {
  const a = args[0];
  if (typeof a === 'string' && !/^\d+$/.test(a)) return true;
  if (typeof a === 'object' && a !== null) {
    const o = a as { path?: unknown; handle?: unknown; fd?: unknown; _handle?: unknown };
    return typeof o.path === 'string' || o.handle !== undefined || o.fd !== undefined || o._handle !== undefined;
  }
  return false;
}

/**
 * Return true when connect's arguments name a Unix socket: a path, with or without a port.
 * As in Node's net, a path wins over a port: http passes `socketPath` as `path` next to its
 * default port 80 (and `path: null` for TCP).
 */
function kernelConnect(args: unknown[]): boolean {
  const a = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof a === 'string' && !/^\d+$/.test(a)) return true;
  if (typeof a === 'object' && a !== null) {
    const o = a as { path?: unknown };
    // Any path but null or '' (http's TCP requests carry path: null): the kernel's net checks its type.
    return o.path !== undefined && o.path !== null && o.path !== '';
  }
  return false;
}

/**
 * Return true for a tls.Server (https.Server too): TLS stays on the kernel, server and
 * client alike (tls.connect's sockets subclass the original net.Socket), so its listener
 * must be where its clients connect. Checked by shape, the methods only tls.Server has, so
 * that the preload does not load tls into every program.
 */
function isTlsServer(s: object): boolean {
  const t = s as { addContext?: unknown; setSecureContext?: unknown };
  return typeof t.addContext === 'function' && typeof t.setSecureContext === 'function';
}

/** Map IPv6 wildcard and loopback hosts (Node's defaults) to their IPv4 twins: the stack is IPv4 only. */
function v4Host(h: unknown): unknown {
  if (h === '::' || h === '::0' || h === '0:0:0:0:0:0:0:0') return '0.0.0.0';
  if (h === '::1') return '127.0.0.1';
  return h;
}

function listenArgsV4(args: unknown[]): unknown[] {
  const a = [...args];
  if (typeof a[0] === 'object' && a[0] !== null) a[0] = { ...(a[0] as object), host: v4Host((a[0] as { host?: unknown }).host) };
  else if (typeof a[1] === 'string') a[1] = v4Host(a[1]);
  return a;
}

/** The port listen() was asked for, as Node keeps it in _connectionKey. */
function requestedPort(args: unknown[]): number {
  const a = args[0];
  const p = typeof a === 'object' && a !== null ? (a as { port?: unknown }).port : a;
  return Number(p ?? 0) || 0;
}

function alreadyListening(): Error {
  const e = new Error('Listen method has been called more than once without closing.') as Error & { code: string };
  e.code = 'ERR_SERVER_ALREADY_LISTEN';
  return e;
}

/**
 * Make `node:net` (and so `http`) run on `stack`: servers listen on it, clients connect
 * through it. Return the handle that restores the originals.
 * Errors: throws NETCH_ERR_INTERPOSED when an interposition is already installed.
 */
export function interposeNet(stack: Stack): Interposition {
  if (active !== null) {
    const e = new Error('node:net is already interposed; restore() the first one') as Error & { code: string };
    e.code = 'NETCH_ERR_INTERPOSED';
    throw e;
  }
  const proto = net.Server.prototype as unknown as Record<string, AnyFn>;
  const orig = {
    listen: proto.listen!,
    close: proto.close!,
    address: proto.address!,
    getConnections: proto.getConnections!,
    ref: proto.ref!,
    unref: proto.unref!,
    asyncDispose: proto[Symbol.asyncDispose as unknown as string],
    listening: Object.getOwnPropertyDescriptor(net.Server.prototype, 'listening')!,
    connect: net.connect,
    createConnection: net.createConnection,
    Socket: net.Socket,
    Stream: (net as unknown as { Stream: unknown }).Stream,
    agentCreateConnection: (http.Agent.prototype as unknown as { createConnection: AnyFn }).createConnection,
    createSocket: dgram.createSocket,
    DgramSocket: dgram.Socket,
  };
  const innerOf = (s: NodeServer): StackServer | null => s[kInner] ?? null;

  proto.listen = function listen(this: NodeServer, ...args: unknown[]): unknown {
    if (this[KERNEL_SOCKET] === true || kernelListen(args) || isTlsServer(this)) return orig.listen.apply(this, args);
    if (innerOf(this)?.listening === true) throw alreadyListening();
    const cb = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : null;
    const inner = stack.net.createServer({
      allowHalfOpen: this.allowHalfOpen === true,
      pauseOnConnect: this.pauseOnConnect === true,
      noDelay: this.noDelay === true,
      keepAlive: this.keepAlive === true,
      keepAliveInitialDelay: this.keepAliveInitialDelay ?? 0,
      ...(typeof this.highWaterMark === 'number' ? { highWaterMark: this.highWaterMark } : {}),
      ...((this as { blockList?: unknown }).blockList !== undefined ? { blockList: (this as unknown as { blockList: NonNullable<StackServerOptions['blockList']> }).blockList } : {}),
    });
    this[kInner] = inner;
    // The limit is the Node server's, read at each connection: set before or after listen().
    Object.defineProperty(inner, 'maxConnections', {
      configurable: true,
      get: () => (typeof this.maxConnections === 'number' && this.maxConnections >= 0 ? this.maxConnections : undefined),
      set: (v: number | undefined) => void (this.maxConnections = v as number),
    });
    inner.on('connection', (s) => this.emit('connection', s));
    inner.on('listening', () => {
      // Node's key for the listener (`family:address:port`, the port as asked), which cluster and some tests read.
      const a = inner.address();
      (this as unknown as { _connectionKey: string })._connectionKey = `4:${a?.address ?? '0.0.0.0'}:${requestedPort(args)}`;
      this.emit('listening');
    });
    inner.on('error', (e) => this.emit('error', e));
    inner.on('drop', (d) => this.emit('drop', d));
    inner.once('close', () => this.emit('close'));
    if (this[kUnref] === true) inner.unref();
    if (cb !== null) this.once('listening', cb);
    inner.listen(...listenArgsV4(args));
    return this;
  };
  proto.close = function close(this: NodeServer, cb?: unknown): unknown {
    const inner = innerOf(this);
    if (inner === null) return orig.close.call(this, cb);
    inner.close(typeof cb === 'function' ? (cb as (err?: Error) => void) : undefined);
    return this;
  };
  proto.address = function address(this: NodeServer): unknown {
    const inner = innerOf(this);
    return inner === null ? orig.address.call(this) : inner.address();
  };
  proto.getConnections = function getConnections(this: NodeServer, cb: unknown): unknown {
    const inner = innerOf(this);
    if (inner === null) return orig.getConnections.call(this, cb);
    inner.getConnections(cb as (err: Error | null, n: number) => void);
    return this;
  };
  proto.ref = function ref(this: NodeServer): unknown {
    this[kUnref] = false;
    innerOf(this)?.ref();
    return orig.ref.call(this);
  };
  proto.unref = function unref(this: NodeServer): unknown {
    this[kUnref] = true;
    innerOf(this)?.unref();
    return orig.unref.call(this);
  };
  // Node's returns at once without a handle; a stack server closes and resolves on 'close'.
  if (orig.asyncDispose !== undefined) {
    proto[Symbol.asyncDispose as unknown as string] = function asyncDispose(this: NodeServer): unknown {
      const inner = innerOf(this);
      if (inner === null || !inner.listening) return orig.asyncDispose!.call(this);
      return new Promise<void>((resolve, reject) => void this.close((e?: Error) => (e ? reject(e) : resolve())));
    };
  }
  Object.defineProperty(net.Server.prototype, 'listening', {
    configurable: true,
    enumerable: orig.listening.enumerable ?? false,
    get(this: NodeServer): boolean {
      const inner = innerOf(this);
      return inner === null ? (orig.listening.get!.call(this) as boolean) : inner.listening;
    },
  });

  const connect = function connect(...args: unknown[]): unknown {
    if (kernelConnect(args)) return (orig.connect as AnyFn)(...args);
    return stack.net.connect(...args);
  };
  const StackSocket = stack.net.Socket;
  const OrigSocket = orig.Socket as unknown as new (o: unknown) => object;
  // Called with or without `new` (child_process calls net.Socket({ handle })): a socket over
  // a handle or an OS fd is the kernel's; every other one is the stack's. Node's own
  // subclasses of the original (tls.TLSSocket: `net.Socket.call(this, { handle })`) are
  // initialised in place, as the original does; a class extending this one gets a stack
  // socket with its own prototype.
  function Socket(this: unknown, opts?: { handle?: unknown; fd?: unknown }): unknown {
    if (new.target === undefined && this instanceof OrigSocket) {
      (orig.Socket as unknown as AnyFn).call(this, opts);
      return this;
    }
    if (opts !== undefined && opts !== null && (opts.handle !== undefined || opts.fd !== undefined)) return new OrigSocket(opts);
    return Reflect.construct(StackSocket, [opts], new.target ?? Socket);
  }
  Socket.prototype = StackSocket.prototype;
  // `instanceof net.Socket` holds for every stack socket (accepted and connected ones are
  // the adapters' base class) and for the kernel's sockets (stdio, child pipes, tls).
  const BaseSocket = Object.getPrototypeOf(StackSocket.prototype).constructor as new () => object;
  Object.defineProperty(Socket, Symbol.hasInstance, { value: (x: unknown) => x instanceof BaseSocket || x instanceof OrigSocket });
  const m = net as unknown as Record<string, unknown>;
  m.connect = connect;
  m.createConnection = connect;
  m.Socket = Socket;
  m.Stream = Socket;
  const agentProto = http.Agent.prototype as unknown as { createConnection: AnyFn };
  if (agentProto.createConnection === (orig.createConnection as unknown)) agentProto.createConnection = connect;

  // dgram: udp4 sockets on the stack; udp6 stays on the kernel (the stack is IPv4 only).
  const StackDgram = stack.dgram.Socket;
  const OrigDgram = orig.DgramSocket as unknown as new (...a: unknown[]) => object;
  const udp4 = (type: unknown): boolean => type === 'udp4' || (typeof type === 'object' && type !== null && (type as { type?: unknown }).type === 'udp4');
  function DgramSocket(this: unknown, type: unknown, listener?: unknown): unknown {
    if (!udp4(type)) return new OrigDgram(type, listener);
    return Reflect.construct(StackDgram, [type, listener], new.target ?? DgramSocket);
  }
  DgramSocket.prototype = StackDgram.prototype;
  const BaseDgram = Object.getPrototypeOf(StackDgram.prototype).constructor as new () => object;
  Object.defineProperty(DgramSocket, Symbol.hasInstance, { value: (x: unknown) => x instanceof BaseDgram || x instanceof OrigDgram });
  const createSocket = function createSocket(type: unknown, listener?: unknown): unknown {
    return udp4(type) ? new (DgramSocket as unknown as new (t: unknown, l: unknown) => object)(type, listener) : (orig.createSocket as AnyFn)(type, listener);
  };
  const dm = dgram as unknown as Record<string, unknown>;
  dm.createSocket = createSocket;
  dm.Socket = DgramSocket;
  syncBuiltinESMExports();

  let restored = false;
  const handle: Interposition = {
    stack,
    restore() {
      if (restored) return;
      restored = true;
      Object.assign(proto, { listen: orig.listen, close: orig.close, address: orig.address, getConnections: orig.getConnections, ref: orig.ref, unref: orig.unref });
      if (orig.asyncDispose !== undefined) proto[Symbol.asyncDispose as unknown as string] = orig.asyncDispose;
      Object.defineProperty(net.Server.prototype, 'listening', orig.listening);
      m.connect = orig.connect;
      m.createConnection = orig.createConnection;
      m.Socket = orig.Socket;
      m.Stream = orig.Stream;
      if (agentProto.createConnection === connect) agentProto.createConnection = orig.agentCreateConnection;
      dm.createSocket = orig.createSocket;
      dm.Socket = orig.DgramSocket;
      syncBuiltinESMExports();
      active = null;
    },
  };
  active = handle;
  return handle;
}
