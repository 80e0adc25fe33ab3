// One TCP service on the transport API: a listener on a port that accepts every connection
// it is offered and hands each to a handler made by the service (echo, discard, HTTP). The
// handler does its work from the socket's readiness callback, which the TCP layer calls
// after it processed input or timers; nothing polls. The service keeps the connections it
// owns until their handler closes them (the layer then finishes the closing states).

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
  /** Connections refused because `maxConnections` were open (reset at once). */
  overflow: number;
  /** Connections that ended in an error (reset by the peer, timed out). */
  errors: number;
  /** Bytes read from clients. */
  bytesIn: number;
  /** Bytes queued to clients. */
  bytesOut: number;
}

/** Return zeroed service counters. */
export function newServiceCounters(): ServiceCounters {
  return { accepted: 0, active: 0, overflow: 0, errors: 0, bytesIn: 0, bytesOut: 0 };
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
  /** Connections open at once before new ones are reset (default 1024). */
  maxConnections?: number;
  /**
   * Bytes a handler moves per loop iteration at least (its buffer size), from which the
   * step limit is derived (default 16384).
   */
  chunk?: number;
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
  private readonly conns = new Map<TcpSocket, ConnectionHandler>();
  private readonly maxConnections: number;
  private stopped = false;

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
    this.maxConnections = opts.maxConnections ?? 1024;
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
        this.counters.overflow++;
        s.abort(now);
        s.close(now);
        continue;
      }
      this.adopt(s, now);
    }
  }

  private adopt(s: TcpSocket, now: Millis): void {
    const ctx: ConnectionContext = {
      socket: s,
      counters: this.counters,
      stepLimit: this.stepLimit,
      finish: (t) => this.forget(s, t),
      fail: (t) => {
        this.counters.errors++;
        this.forget(s, t);
      },
    };
    const h = this.make(ctx);
    this.conns.set(s, h);
    this.counters.active++;
    s.onReadiness = () => {
      if (this.conns.has(s)) h.step(this.clock.now());
    };
    // Data (or even the FIN) may have arrived before the accept: act on it now.
    h.step(now);
  }

  private forget(s: TcpSocket, now: Millis): void {
    if (!this.conns.delete(s)) return;
    this.counters.active--;
    s.onReadiness = null;
    s.close(now);
  }
}
