// The public face of the adapters: `createStack()` returns a stack whose `net` and `dgram`
// objects have the shape of Node's modules (so `const { net } = createStack(...)` drops
// into code written for `node:net`), and the module-level functions that use the default
// stack (`setDefaultStack`).

import { isIP, isIPv4, isIPv6 } from 'node:net';
import { type DgramSocketOptions, DgramSocket, type RemoteInfo } from './dgram.js';
import { Server, type ServerOptions } from './net-server.js';
import { type NetConnectOpts, type SocketOptions, Socket, normalizeConnectArgs } from './net-socket.js';
import { StackContext, type StackOptions, getDefaultStack, setDefaultStack } from './stack.js';

/** The `node:net`-shaped functions and classes of one stack. */
export interface NetApi {
  /** Create a server on this stack. */
  createServer(opts?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void): Server;
  /** Open a connection on this stack: `(port[, host][, cb])` or `(options[, cb])`. */
  connect(...args: unknown[]): Socket;
  /** The same as connect. */
  createConnection(...args: unknown[]): Socket;
  /** Socket bound to this stack (`new net.Socket()`). */
  Socket: new (opts?: SocketOptions) => Socket;
  /** Server bound to this stack (`new net.Server()`). */
  Server: new (opts?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void) => Server;
  isIP: typeof isIP;
  isIPv4: typeof isIPv4;
  isIPv6: typeof isIPv6;
}

/** The `node:dgram`-shaped functions of one stack. */
export interface DgramApi {
  /** Create a UDP socket on this stack. */
  createSocket(type: 'udp4' | DgramSocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): DgramSocket;
  /** DgramSocket bound to this stack. */
  Socket: new (type: 'udp4' | DgramSocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) => DgramSocket;
}

/** A stack context with Node-shaped `net` and `dgram` objects. */
export class Stack extends StackContext {
  /** `node:net` on this stack. */
  readonly net: NetApi;
  /** `node:dgram` on this stack. */
  readonly dgram: DgramApi;

  /** Build the context; see StackOptions. */
  constructor(opts: StackOptions) {
    super(opts);
    this.net = netApi(this);
    this.dgram = dgramApi(this);
  }

  /** Create a server on this stack (net.createServer). */
  createServer(opts?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void): Server {
    return this.net.createServer(opts, listener);
  }

  /** Open a connection on this stack (net.connect). */
  connect(...args: unknown[]): Socket {
    return this.net.connect(...args);
  }

  /** Open a connection on this stack (net.createConnection). */
  createConnection(...args: unknown[]): Socket {
    return this.net.connect(...args);
  }

  /** Create a UDP socket on this stack (dgram.createSocket). */
  createSocket(type: 'udp4' | DgramSocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): DgramSocket {
    return this.dgram.createSocket(type, listener);
  }
}

function netApi(stack: StackContext): NetApi {
  class BoundSocket extends Socket {
    constructor(opts: SocketOptions = {}) {
      super({ ...opts, stack });
    }
  }
  class BoundServer extends Server {
    constructor(opts?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void) {
      if (typeof opts === 'function') super({ stack }, opts);
      else super({ ...opts, stack }, listener);
    }
  }
  const connect = (...args: unknown[]): Socket => connectOn(stack, args, BoundSocket);
  return {
    createServer: (opts, listener) => new BoundServer(opts, listener),
    connect,
    createConnection: connect,
    Socket: BoundSocket,
    Server: BoundServer,
    isIP,
    isIPv4,
    isIPv6,
  };
}

function dgramApi(stack: StackContext): DgramApi {
  class BoundDgramSocket extends DgramSocket {
    constructor(type: 'udp4' | DgramSocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) {
      super(typeof type === 'string' ? { type, stack } : { ...type, stack }, listener);
    }
  }
  return {
    createSocket: (type, listener) => new BoundDgramSocket(type, listener),
    Socket: BoundDgramSocket,
  };
}

/** net.connect: `new Socket(options)` (of `Ctor`, so a patched `Socket.prototype.connect` is the one called), then connect. */
function connectOn(stack: StackContext, args: unknown[], Ctor: new (o: SocketOptions) => Socket = Socket): Socket {
  const [opts] = normalizeConnectArgs(args);
  // The socket's own options come from the same object, as in Node (an fd there is not one of the stack's).
  const { fd: _fd, ...o } = opts as NetConnectOpts;
  const s = new Ctor({ ...o, stack });
  return s.connect(...args);
}

/**
 * Create a stack context: `createStack({ host, loop })` builds a kernel for the host, adds
 * it to the loop and starts it; `createStack({ process })` adopts a process whose kernel a
 * driver (Loop or Sim) already polls. Errors: NETCH_ERR_STACK_CONFIG without process, kernel or host.
 */
export function createStack(opts: StackOptions): Stack {
  return new Stack(opts);
}

/** Create a server on the default stack (net.createServer). */
export function createServer(opts?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void): Server {
  return new Server(typeof opts === 'function' ? { stack: getDefaultStack() } : { ...opts, stack: opts?.stack ?? getDefaultStack() }, typeof opts === 'function' ? opts : listener);
}

/** Open a connection on the default stack (net.connect); `{ stack }` in the options picks another. */
export function connect(...args: unknown[]): Socket {
  const [opts] = normalizeConnectArgs(args);
  return connectOn((opts as SocketOptions).stack ?? getDefaultStack(), args);
}

/** The same as connect (net.createConnection). */
export const createConnection = connect;

export { setDefaultStack, getDefaultStack };
