// One TCP service on the transport API: a listener on a port that accepts every connection
// it is offered and hands each to a handler made by the service (echo, discard, HTTP). The
// handler does its work from the socket's readiness callback, which the TCP layer calls
// after it processed input or timers; nothing polls. The service keeps the connections it
// owns until their handler closes them (the layer then finishes the closing states).
//
// At `maxConnections` open connections it does what Node's `server.maxConnections` does: a
// connection accepted past the limit is closed at once (a FIN, or the RST of a close with
// unread data, as Linux sends it) and counted in `dropped` (Node's 'drop' event). Per
// connection it keeps one context object and one map entry: the readiness callback is one
// function shared by every connection, and the context's methods are on its prototype.

import type { Clock, Millis } from '../../time.js';
import { tcpErrErrno, tcpErrName } from '../../transport/tcp/errors.js';
import type { TcpLayer } from '../../transport/tcp/layer.js';
import type { TcpSocket } from '../../transport/tcp/socket.js';

/** What every service counts. */
export interface ServiceCounters {
  /** Connections accepted. */
  accepted: number;
  /** Connections open now (accepted and not yet closed by the service). */
  active: number;
  /** Connections closed at once because `maxConnections` were open (Node's 'drop' event). */
  dropped: number;
  /** Connections that ended in an error (reset by the peer, timed out). */
  errors: number;
  /** Bytes read from clients. */
  bytesIn: number;
  /** Bytes queued to clients. */
  bytesOut: number;
}

/** Return zeroed service counters. */
export function newServiceCounters(): ServiceCounters {
  return { accepted: 0, active: 0, dropped: 0, errors: 0, bytesIn: 0, bytesOut: 0 };
}

/** The work a service does on one connection. */
export interface ConnectionHandler {
  /** Do what the socket's readiness allows now (read, write, close). */
  step(now: Millis): void;
}

/** What a handler gets from its service. */
export interface ConnectionContext {
  readonly socket: TcpSocket;
  readonly counters: ServiceCounters;
  /** The most loop iterations one `step` may take (see TcpService.stepLimit). */
  readonly stepLimit: number;
  /** Close the socket (the layer sends what is queued, then a FIN) and forget the connection. */
  finish(now: Millis): void;
  /** Count an error (the connection was reset or timed out), close the socket, forget the connection. */
  fail(now: Millis): void;
}

/** Make the handler of a newly accepted connection. */
export type HandlerFactory = (ctx: ConnectionContext) => ConnectionHandler;

/** Options of a TcpService. */
export interface TcpServiceOptions {
  /** The listener's accept queue (default 128). */
  backlog?: number;
  /** Connections open at once; more are closed as they are accepted, as Node's server.maxConnections (default MAX_CONNECTIONS_DEFAULT). */
  maxConnections?: number;
  /**
   * Bytes a handler moves per loop iteration at least (its buffer size), from which the
   * step limit is derived (default 16384).
   */
  chunk?: number;
}

/** The default connection limit of a service: high enough that the stack, not the service, is the limit. */
export const MAX_CONNECTIONS_DEFAULT = 1 << 20;

/**
 * Return `n` when it is a connection limit (an integer, 0 to 2^30). Errors: a RangeError
 * with code `NETCH_ERR_MAX_CONNECTIONS` otherwise.
 */
export function checkMaxConnections(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 1 << 30) {
    const e = new RangeError(`maxConnections ${String(n)} is not an integer in 0..${1 << 30}`) as RangeError & { code: string };
    e.code = 'NETCH_ERR_MAX_CONNECTIONS';
    throw e;
  }
  return n;
}

/** The context of one connection: its socket, and the service it reports to. */
class Connection implements ConnectionContext {
  handler: ConnectionHandler | null = null;
  constructor(
    readonly socket: TcpSocket,
    private readonly service: TcpService,
  ) {}

  get counters(): ServiceCounters {
    return this.service.counters;
  }

  get stepLimit(): number {
    return this.service.stepLimit;
  }

  finish(now: Millis): void {
    this.service.forget(this.socket, now);
  }

  fail(now: Millis): void {
    this.service.counters.errors++;
    this.service.forget(this.socket, now);
  }
}

/** A listener and the connections it accepted. */
export class TcpService {
  readonly counters = newServiceCounters();
  readonly listener: TcpSocket;
  /**
   * The loop bound of a handler's step. Each iteration moves at least `chunk` bytes
   * between a socket buffer and the handler, or fills the send buffer (the next send would
   * block), or ends the step; so a step takes at most about
   * 2 × (receive buffer + send buffer) / chunk iterations. The bound is twice that, so
   * reaching it means a bug, not a stall.
   */
  readonly stepLimit: number;
  private readonly conns = new Map<TcpSocket, Connection>();
  private readonly maxConnections: number;
  private stopped = false;
  /** The readiness callback of every connection (one function, not one per connection). */
  private readonly onConnReadiness = (s: TcpSocket): void => {
    const c = this.conns.get(s);
    if (c !== undefined && c.handler !== null) c.handler.step(this.clock.now());
  };

  /**
   * Listen on `port` of every address of `tcp`'s host. Errors: throws an Error whose
   * `code` is the errno name (`EADDRINUSE`) when the port cannot be bound.
   */
  constructor(
    readonly name: string,
    tcp: TcpLayer,
    readonly port: number,
    private readonly make: HandlerFactory,
    private readonly clock: Clock,
    opts: TcpServiceOptions = {},
  ) {
    this.maxConnections = checkMaxConnections(opts.maxConnections ?? MAX_CONNECTIONS_DEFAULT);
    const chunk = opts.chunk ?? 16384;
    const cfg = tcp.config;
    this.stepLimit = 4 * Math.ceil((cfg.recvBufSize + cfg.sendBufSize) / chunk) + 16;
    const l = tcp.socket();
    const r = l.bind(0, port);
    const r2 = r < 0 ? r : l.listen(opts.backlog ?? 128);
    if (r2 < 0) {
      l.close(clock.now());
      const e = new Error(`${name}: cannot listen on TCP port ${port}: ${tcpErrName(r2)}`) as Error & { code: string; port: number };
      e.code = tcpErrErrno(r2);
      e.port = port;
      throw e;
    }
    l.onReadiness = () => this.acceptAll();
    this.listener = l;
  }

  /** Stop listening and reset every open connection. Idempotent. */
  stop(now: Millis): void {
    if (this.stopped) return;
    this.stopped = true;
    this.listener.close(now);
    for (const s of this.conns.keys()) {
      s.onReadiness = null;
      s.abort(now);
      s.close(now);
    }
    this.counters.active = 0;
    this.conns.clear();
  }

  /** Accept everything queued (bounded by the accept queue's length). */
  private acceptAll(): void {
    const now = this.clock.now();
    for (let n = this.listener.acceptQueue.length; n > 0; n--) {
      const s = this.listener.accept();
      if (s === null) break;
      this.counters.accepted++;
      if (this.conns.size >= this.maxConnections) {
        // Node's server.maxConnections: close the accepted socket at once, count the drop.
        this.counters.dropped++;
        s.close(now);
        continue;
      }
      this.adopt(s, now);
    }
  }

  private adopt(s: TcpSocket, now: Millis): void {
    const c = new Connection(s, this);
    const h = this.make(c);
    c.handler = h;
    this.conns.set(s, c);
    this.counters.active++;
    s.onReadiness = this.onConnReadiness;
    // Data (or even the FIN) may have arrived before the accept: act on it now.
    h.step(now);
  }

  /** Close `s` and forget it (a handler finished or failed). */
  forget(s: TcpSocket, now: Millis): void {
    if (!this.conns.delete(s)) return;
    this.counters.active--;
    s.onReadiness = null;
    s.close(now);
  }
}
