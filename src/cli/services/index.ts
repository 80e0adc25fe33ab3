// The TCP services `netch up` runs on the transport API, so the stack can be tried from
// outside with ordinary tools: echo (RFC 862, port 7), discard (RFC 863, port 9: counts
// and drops) and a small HTTP/1.1 responder (port 80: `GET /`, `GET /bytes/N`).
//
//   const svc = startServices(tcp, { echo: 7, discard: 9, http: 80 }, loop.clock);
//   ...  svc.counters().http.byStatus[200]  ...  svc.stop();
//
// Every service works from readiness callbacks (no polling, no timers of its own), reads
// only as fast as it can answer, and streams what it sends within the send buffer's room.

import type { Clock } from '../../time.js';
import type { TcpLayer } from '../../transport/tcp/layer.js';
import { DiscardConnection } from './discard.js';
import { EchoConnection } from './echo.js';
import { HTTP_MAX_BYTES_DEFAULT, HttpConnection, type HttpStats, newHttpStats } from './http.js';
import { MAX_CONNECTIONS_DEFAULT, type ServiceCounters, TcpService, checkMaxConnections, newServiceCounters } from './service.js';

export { bytesPattern, fillBytesPattern, PATTERN_RECORD } from './bytes-pattern.js';
export { HTTP_HEAD_LIMIT, HTTP_INDEX_BODY, HTTP_MAX_BYTES_DEFAULT, type HttpStats } from './http.js';
export { parseHttpRequest, type HttpParse, type HttpRequest } from './http-request.js';
export { MAX_CONNECTIONS_DEFAULT, TcpService, type ServiceCounters } from './service.js';

/** Which services to start: a port, or false (or 0) to leave one out. */
export interface ServicesOptions {
  /** Echo port (default 7). */
  echo?: number | false;
  /** Discard port (default 9). */
  discard?: number | false;
  /** HTTP port (default 80). */
  http?: number | false;
  /** Largest N of `GET /bytes/N` (default 1 GiB). */
  httpMaxBytes?: number;
  /** Accept queue of each listener (default 128). */
  backlog?: number;
  /**
   * Connections each service keeps open at once; one accepted past it is closed at once and
   * counted in `dropped`, as Node's `server.maxConnections` (default 2^20: the stack, not
   * the service, is the limit). `netch up --max-connections N`.
   */
  maxConnections?: number;
}

/** A snapshot of the services' counters. */
export interface ServicesCounters {
  echo: ServiceCounters;
  discard: ServiceCounters;
  http: ServiceCounters & HttpStats;
}

/** The running services. */
export interface Services {
  /** The echo service, or null when not started. */
  readonly echo: TcpService | null;
  readonly discard: TcpService | null;
  readonly http: TcpService | null;
  /** Return a copy of the counters. */
  counters(): ServicesCounters;
  /** Return one summary line per running service (for `netch up`). */
  format(): string;
  /** Stop listening and reset open connections. Idempotent. */
  stop(): void;
}

/**
 * Start the services on `tcp`'s host; `clock` supplies `now` to the socket calls.
 * Errors: throws an Error with `code` EADDRINUSE (and `port`) when a port is taken (the
 * services already started are stopped first); RangeError for a bad port or limit
 * (`code` NETCH_ERR_MAX_CONNECTIONS for `maxConnections`).
 */
export function startServices(tcp: TcpLayer, opts: ServicesOptions, clock: Clock): Services {
  const port = (v: number | false | undefined, dflt: number, name: string): number => {
    const p = v === undefined ? dflt : v === false ? 0 : v;
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`${name} port ${String(v)} is not in 0..65535`);
    return p;
  };
  const echoPort = port(opts.echo, 7, 'echo');
  const discardPort = port(opts.discard, 9, 'discard');
  const httpPort = port(opts.http, 80, 'http');
  const maxBytes = opts.httpMaxBytes ?? HTTP_MAX_BYTES_DEFAULT;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`httpMaxBytes ${maxBytes} is not a byte count`);
  const svcOpts = { backlog: opts.backlog ?? 128, maxConnections: checkMaxConnections(opts.maxConnections ?? MAX_CONNECTIONS_DEFAULT) };
  const stats = newHttpStats();
  const started: TcpService[] = [];
  const start = (name: string, p: number, make: ConstructorParameters<typeof TcpService>[3]): TcpService | null => {
    if (p === 0) return null;
    try {
      const svc = new TcpService(name, tcp, p, make, clock, svcOpts);
      started.push(svc);
      return svc;
    } catch (err) {
      for (const s of started) s.stop(clock.now());
      throw err;
    }
  };
  const echo = start('echo', echoPort, (ctx) => new EchoConnection(ctx));
  const discard = start('discard', discardPort, (ctx) => new DiscardConnection(ctx));
  const httpOpts = { maxBytes, stats };
  const http = start('http', httpPort, (ctx) => new HttpConnection(ctx, httpOpts));
  const counters = (): ServicesCounters => ({
    echo: { ...(echo?.counters ?? newServiceCounters()) },
    discard: { ...(discard?.counters ?? newServiceCounters()) },
    http: { ...(http?.counters ?? newServiceCounters()), requests: stats.requests, byStatus: { ...stats.byStatus }, bodyBytes: stats.bodyBytes },
  });
  return {
    echo,
    discard,
    http,
    counters,
    format(): string {
      const line = (svc: TcpService): string => {
        const c = svc.counters;
        return `tcp ${svc.name} :${svc.port}: accepted ${c.accepted} active ${c.active}${c.dropped > 0 ? ` dropped ${c.dropped}` : ''} errors ${c.errors} in ${c.bytesIn} out ${c.bytesOut} bytes`;
      };
      const lines = started.map(line);
      if (http !== null) {
        const by = Object.entries(stats.byStatus).map(([k, v]) => `${k}:${v}`).join(' ');
        lines.push(`  http requests ${stats.requests}${by === '' ? '' : ` (${by})`}`);
      }
      return lines.join('\n');
    },
    stop(): void {
      const now = clock.now();
      for (const s of started) s.stop(now);
    },
  };
}
