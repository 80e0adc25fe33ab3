// A TCP listener shaped like Node's net.Server: socket, setsockopt(SO_REUSEADDR) (libuv
// sets it on every TCP listener), bind, listen, then a loop of blocking accept4 calls
// (the syscall table's acceptAsync, which waits on the listener's readiness callbacks),
// handing each connection out as a Socket ('connection'). close() shuts the listener down
// (which wakes the pending accept with EINVAL) and the loop then closes the fd, so the fd
// number cannot be reused under a pending accept.
//
// Why not epoll here, as for connections: the listener's edge-triggered wakeup is lost
// after the accept queue was drained once (TcpFile only re-arms POLLIN when the queue grows
// past its length at the previous wakeup), so a second connection would wait forever. The
// blocking accept's waiter re-checks readiness on every wakeup and is not affected.
//
// As Node does: 'listening' comes on the next tick after listen(), listen errors are
// emitted ('error', syscall "listen", "listen EADDRINUSE: address already in use
// 0.0.0.0:80"), close() stops accepting at once and emits 'close' when the last
// connection has closed, maxConnections closes connections past the limit ('drop').

import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import {
  AF_INET, SHUT_RDWR, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT,
} from '../posix/constants.js';
import { EAGAIN, EBADF, ECONNABORTED, EINTR, EINVAL } from '../posix/errno.js';
import { inetAddr, inetNtoa, newSockAddrIn, sockaddrIn } from '../posix/sockaddr.js';
import { errnoException, nodeError, receivedHelper, uvExceptionWithHostPort, validatePort } from './errors.js';
import { type AddressInfo, type ConnectionOwner, Socket } from './net-socket.js';
import { type StackContext, getDefaultStack } from './stack.js';

/** Options of `createServer()` / `new Server()`. */
export interface ServerOptions {
  /** The stack to run on (default: the default stack). */
  stack?: StackContext;
  /** Accepted sockets keep their writable side open after the peer's FIN. */
  allowHalfOpen?: boolean;
  /** Accepted sockets start paused. */
  pauseOnConnect?: boolean;
  /** Set TCP_NODELAY on accepted sockets. */
  noDelay?: boolean;
  /** Set SO_KEEPALIVE on accepted sockets. */
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** High-water mark of accepted sockets (bytes). */
  highWaterMark?: number;
  /** A net.BlockList: connections from an address it blocks are closed at once, as Node's. */
  blockList?: { check(address: string, family?: string): boolean };
}

/** Options of `server.listen(options)`. */
export interface ListenOptions {
  port?: number | string;
  host?: string;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  signal?: AbortSignal;
  path?: string;
  /** SO_REUSEPORT: several listeners on one port share its connections. */
  reusePort?: boolean;
}

/** Node's default listen() backlog. */
const DEFAULT_BACKLOG = 511;

/** A TCP server compatible with Node's net.Server. */
export class Server extends EventEmitter implements ConnectionOwner {
  /** The stack this server runs on. */
  readonly #stack: StackContext;
  /** Close connections past this many (Node's maxConnections); undefined: no limit. */
  maxConnections: number | undefined = undefined;
  private fd = -1;
  private connections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly opts: ServerOptions;
  private refed = true;
  private holding = false;
  private starting = false;
  /** Counts listen() and close() calls: a lookup answered after a close (or a later listen) is dropped, as Node's _listeningId. */
  private listenId = 0;

  /** Create a server; `listener` is added for 'connection'. */
  constructor(opts?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void) {
    super();
    if (typeof opts === 'function') {
      listener = opts;
      opts = {};
    }
    // The stack stays true-private: nothing reachable from a server leads to its kernel.
    const { stack, ...rest } = opts ?? {};
    this.opts = rest;
    this.#stack = stack ?? getDefaultStack();
    if (listener !== undefined) this.on('connection', listener);
  }

  /** Return true while listening. */
  get listening(): boolean {
    return this.fd >= 0;
  }

  /**
   * Listen: `listen(port[, host][, backlog][, cb])` or `listen(options[, cb])`; `cb` is added
   * for 'listening'. Errors: throws ERR_SERVER_ALREADY_LISTEN, ERR_SOCKET_BAD_PORT;
   * EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND are emitted as 'error'.
   */
  listen(...args: unknown[]): this {
    // Node's Server.prototype.listen: normalizeArgs, then the port (null or absent: any
    // port), host and backlog of `(port[, host][, backlog][, cb])` or `(options[, cb])`.
    const a = args;
    const cb = typeof a[a.length - 1] === 'function' ? (a[a.length - 1] as () => void) : null;
    const first = a[0];
    let o: ListenOptions & Record<string, unknown>;
    if (typeof first === 'object' && first !== null) o = first as ListenOptions & Record<string, unknown>;
    else if (typeof first === 'string' && !(Number(first) >= 0)) o = { path: first };
    else {
      o = { port: first as number };
      if (a.length > 1 && typeof a[1] === 'string') o.host = a[1];
    }
    if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "options.signal" property must be an instance of AbortSignal.${receivedHelper(o.signal)}`, 'TypeError');
    }
    let port: unknown = o.port;
    if (a.length === 0 || typeof first === 'function' || port === null || (port === undefined && (first === undefined || first === null || 'port' in o))) port = 0;
    if (typeof port !== 'number' && typeof port !== 'string') {
      if (typeof o.path === 'string' && o.path !== '') throw nodeError('NETCH_ERR_UNSUPPORTED', 'listen: IPC paths (Unix domain sockets) are not supported by the stack');
      const why = 'port' in o || 'path' in o ? 'is invalid' : 'must have the property "port" or "path"';
      throw nodeError('ERR_INVALID_ARG_VALUE', `The argument 'options' ${why}. Received ${inspect(first)}`, 'TypeError');
    }
    const host = typeof o.host === 'string' && o.host !== '' ? o.host : undefined;
    const numArg = (x: unknown): number | undefined => (typeof x === 'number' && x >= 0 ? x : typeof x === 'string' && Number(x) >= 0 ? Number(x) : undefined);
    const backlog = (typeof o.backlog === 'number' && o.backlog > 0 ? o.backlog : undefined) ?? (a.length > 1 ? numArg(a[1]) || numArg(a[2]) : undefined);
    if (o.signal !== undefined) {
      const sig = o.signal;
      if (sig.aborted) process.nextTick(() => this.close());
      else sig.addEventListener('abort', () => this.close(), { once: true });
    }
    const p = validatePort(port, 'options.port');
    if (this.fd >= 0 || this.starting) throw nodeError('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    if (cb !== null) this.once('listening', cb);
    const bl = backlog ?? DEFAULT_BACKLOG;
    const reusePort = o.reusePort === true;
    if (host === undefined || inetAddr(host) >= 0) {
      this.setup(host ?? '0.0.0.0', p, bl, reusePort);
      return this;
    }
    this.starting = true;
    const id = ++this.listenId;
    this.#stack.lookup(host, (err, address) => {
      if (id !== this.listenId) return; // closed (or listening again) meanwhile
      this.starting = false;
      if (err !== null) {
        this.emit('error', err);
        return;
      }
      this.setup(address, p, bl, reusePort);
    });
    return this;
  }

  /** Return `{ address, family, port }` while listening, else null. */
  address(): AddressInfo | null {
    if (this.fd < 0) return null;
    const s = newSockAddrIn();
    if (this.#stack.process.sys.getsockname(this.fd, s) < 0) return null;
    return { address: inetNtoa(s.addr), family: 'IPv4', port: s.port };
  }

  /**
   * Stop accepting; 'close' follows once every connection has closed. `cb` gets 'close',
   * or ERR_SERVER_NOT_RUNNING when the server was not listening. Return this.
   */
  close(cb?: (err?: Error) => void): this {
    if (typeof cb === 'function') {
      if (this.fd < 0) this.once('close', () => cb(nodeError('ERR_SERVER_NOT_RUNNING', 'Server is not running.')));
      else this.once('close', cb);
    }
    if (this.starting) {
      // listen() still waits for its name: it never listens (Node's close() before the lookup's callback).
      this.starting = false;
      this.listenId++;
    }
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      // Stop listening now; the accept loop wakes with EINVAL and closes the fd.
      this.#stack.process.sys.shutdown(fd, SHUT_RDWR);
      this.release();
      this.#stack.untrack(this);
    }
    this.emitCloseIfDrained();
    return this;
  }

  /** Stop listening and destroy every connection (what the stack's close() does). */
  destroy(): void {
    for (const s of [...this.sockets]) s.destroy();
    if (this.fd >= 0) this.close();
  }

  /** Call `cb(null, count)` with the open connections (asynchronously). Return this. */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this.connections);
    return this;
  }

  /** Keep Node's event loop alive while listening (the default). Return this. */
  ref(): this {
    this.refed = true;
    if (this.fd >= 0) this.hold();
    return this;
  }

  /** Let Node's event loop exit while only this server is open. Return this. */
  unref(): this {
    this.refed = false;
    this.release();
    return this;
  }

  /** Accept connections on `lfd` until the server stops listening on it; then close it. */
  private async acceptLoop(lfd: number): Promise<void> {
    const sys = this.#stack.process.sys;
    for (;;) {
      const fd = await sys.acceptAsync(lfd, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (this.fd !== lfd) {
        // Closed while the call was pending: what it returned is not ours to hand out.
        if (fd >= 0) sys.close(fd);
        break;
      }
      if (fd >= 0) {
        try {
          this.accepted(fd);
        } catch (err) {
          process.nextTick(() => {
            throw err;
          });
        }
        continue;
      }
      if (fd === -EAGAIN || fd === -ECONNABORTED || fd === -EINTR) continue;
      if (fd === -EINVAL || fd === -EBADF) break;
      // EMFILE and the like: report, then wait for the next connection.
      this.emit('error', errnoException(fd, 'accept'));
    }
    sys.close(lfd);
  }

  /** A connection accepted by this server closed (ConnectionOwner). */
  connectionClosed(s: Socket): void {
    if (!this.sockets.delete(s)) return;
    this.connections--;
    this.emitCloseIfDrained();
  }

  private accepted(fd: number): void {
    const sys = this.#stack.process.sys;
    if (this.opts.blockList !== undefined) {
      const remote = newSockAddrIn();
      if (sys.getpeername(fd, remote) === 0 && this.opts.blockList.check(inetNtoa(remote.addr), 'ipv4')) {
        sys.close(fd);
        return;
      }
    }
    if (this.maxConnections !== undefined && this.connections >= this.maxConnections) {
      const local = newSockAddrIn();
      const remote = newSockAddrIn();
      sys.getsockname(fd, local);
      sys.getpeername(fd, remote);
      sys.close(fd);
      this.emit('drop', {
        localAddress: inetNtoa(local.addr), localPort: local.port, localFamily: 'IPv4',
        remoteAddress: inetNtoa(remote.addr), remotePort: remote.port, remoteFamily: 'IPv4',
      });
      return;
    }
    const o = this.opts;
    const s = new Socket({ stack: this.#stack, fd, allowHalfOpen: o.allowHalfOpen === true, pauseOnCreate: o.pauseOnConnect === true, ...(o.highWaterMark !== undefined ? { highWaterMark: o.highWaterMark } : {}) });
    if (o.noDelay === true) s.setNoDelay(true);
    if (o.keepAlive === true) s.setKeepAlive(true, o.keepAliveInitialDelay ?? 0);
    s.server = this;
    s.owner = this;
    this.sockets.add(s);
    this.connections++;
    this.emit('connection', s);
  }

  private setup(address: string, port: number, backlog: number, reusePort = false): void {
    const sys = this.#stack.process.sys;
    const fail = (r: number, syscall: string): void => {
      process.nextTick(() => this.emit('error', uvExceptionWithHostPort(r, syscall, address, port)));
    };
    // A blocking fd: acceptAsync waits on it (accepted fds are non-blocking).
    const fd = sys.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(fd, 'listen');
    sys.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (reusePort) sys.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    const a = inetAddr(address);
    // libuv defers bind errors to listen(), so Node reports them with syscall "listen".
    let r = a < 0 ? -EINVAL : sys.bind(fd, sockaddrIn(a, port));
    if (r >= 0) r = sys.listen(fd, backlog);
    if (r < 0) {
      sys.close(fd);
      return fail(r, 'listen');
    }
    this.fd = fd;
    this.#stack.track(this);
    if (this.refed) this.hold();
    process.nextTick(() => {
      if (this.fd === fd) this.emit('listening');
    });
    void this.acceptLoop(fd);
  }

  private hold(): void {
    if (this.holding) return;
    this.holding = true;
    this.#stack.ref();
  }

  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.#stack.unref();
  }

  private emitCloseIfDrained(): void {
    if (this.fd >= 0 || this.connections > 0) return;
    process.nextTick(() => {
      if (this.fd < 0 && this.connections === 0) this.emit('close');
    });
  }
}
