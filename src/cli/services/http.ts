// A small HTTP/1.1 responder (RFC 9110, RFC 9112) on the transport API: `GET /` answers a
// short text, `GET /bytes/N` answers N bytes of the position-dependent pattern of
// bytes-pattern.ts, HEAD answers the same heads without bodies. Connections persist
// (HTTP/1.1's default; `Connection: close` and HTTP/1.0 without keep-alive close after the
// response); pipelined requests are answered in order, one at a time. A request that
// cannot be read with certainty gets a 400 and the connection closes; an unknown path a 404.
//
// Bodies are streamed: `/bytes/N` is generated chunk by chunk into the space the send
// buffer has, so memory does not grow with N; when send would block the responder waits
// for the socket's Writable readiness. Requests are not read while a response is being
// sent, so a client that pipelines without reading is slowed by TCP's flow control.

import type { Millis } from '../../time.js';
import { TcpErr } from '../../transport/tcp/errors.js';
import { SHUT_WR } from '../../transport/tcp/socket.js';
import { fillBytesPattern } from './bytes-pattern.js';
import { HTTP_REASON, HttpStatus, type HttpRequest, parseHttpRequest } from './http-request.js';
import type { ConnectionContext, ConnectionHandler } from './service.js';

/** The largest request head read (a longer one gets a 431). */
export const HTTP_HEAD_LIMIT = 8192;
/** The default largest N of `/bytes/N`: 1 GiB. */
export const HTTP_MAX_BYTES_DEFAULT = 1 << 30;
/** Bytes read and dropped after the last response before closing anyway. */
const LINGER_LIMIT = 1 << 20;
/** Bytes of body generated at a time. */
const BODY_CHUNK = 32768;
/** The body of `GET /`. */
export const HTTP_INDEX_BODY = 'netchannels: a user-space TCP/IP stack for Node.js\nGET /bytes/N answers N bytes.\n';

const indexBody = Buffer.from(HTTP_INDEX_BODY, 'latin1');
const scratch = new Uint8Array(BODY_CHUNK);
const BYTES_PATH = /^\/bytes\/(\d{1,10})$/;

/** What the HTTP responder counts, beyond ServiceCounters. */
export interface HttpStats {
  /** Requests read (well-formed or not). */
  requests: number;
  /** Responses completed, by status code. */
  byStatus: Record<number, number>;
  /** Body bytes queued. */
  bodyBytes: number;
}

/** Return zeroed HTTP counters. */
export function newHttpStats(): HttpStats {
  return { requests: 0, byStatus: {}, bodyBytes: 0 };
}

/** Settings of the responder. */
export interface HttpSettings {
  /** Largest N of `/bytes/N` (a larger one gets a 400). */
  maxBytes: number;
  readonly stats: HttpStats;
}

const BodyKind = { None: 0, Static: 1, Pattern: 2 } as const;
type BodyKindCode = (typeof BodyKind)[keyof typeof BodyKind];

/** One HTTP connection. */
export class HttpConnection implements ConnectionHandler {
  private readonly inBuf = new Uint8Array(HTTP_HEAD_LIMIT);
  private inLen = 0;
  /** Request content still to be read and dropped. */
  private skip = 0;
  private eof = false;
  private done = false;
  // The response being sent: its head, then its body.
  private sending = false;
  private status = 0;
  private head: Uint8Array = indexBody;
  private headOff = 0;
  private bodyKind: BodyKindCode = BodyKind.None;
  private body: Uint8Array = indexBody;
  private bodyOff = 0;
  private bodyLen = 0;
  private closeAfter = false;
  /** The response was the last: reading and dropping until the client's FIN. */
  private lingering = false;
  private lingered = 0;

  /** Serve the connection of `ctx`. */
  constructor(
    private readonly ctx: ConnectionContext,
    private readonly settings: HttpSettings,
  ) {}

  /** Send what the response in progress allows, then read and answer the next request. */
  step(now: Millis): void {
    if (this.done) return;
    const s = this.ctx.socket;
    for (let i = 0; i < this.ctx.stepLimit; i++) {
      if (this.sending) {
        const r = this.writeResponse(now);
        if (r === Progress.Blocked) return; // continue on Writable
        if (r === Progress.Failed) return this.end(true, now);
        if (r === Progress.Moved) continue;
        this.sending = false;
        const by = this.settings.stats.byStatus;
        by[this.status] = (by[this.status] ?? 0) + 1;
        if (this.closeAfter) {
          // Unread input (pipelined requests, request content): a close now would be a
          // RST (RFC 2525 §2.17), which can make the client drop the response it has not
          // read yet. Send the FIN and read until the client's, as servers do (a
          // "lingering close"), up to LINGER_LIMIT bytes.
          if (this.inLen === 0 && s.readable === 0) return this.end(false, now);
          s.shutdown(SHUT_WR, now);
          this.lingering = true;
          this.inLen = 0;
        }
        continue;
      }
      if (this.lingering) {
        const n = s.recv(this.inBuf, 0, this.inBuf.length, now);
        if (n === -TcpErr.WouldBlock) return;
        if (n <= 0 || (this.lingered += n) > LINGER_LIMIT) return this.end(false, now);
        this.ctx.counters.bytesIn += n;
        continue;
      }
      if (this.skip > 0 && this.inLen > 0) {
        this.consume(Math.min(this.skip, this.inLen));
        continue;
      }
      if (this.skip === 0 && this.inLen > 0) {
        const p = parseHttpRequest(this.inBuf, this.inLen, HTTP_HEAD_LIMIT);
        if (p.kind === 'request') {
          this.consume(p.req.headLength);
          this.skip = p.req.contentLength;
          this.respond(p.req);
          continue;
        }
        if (p.kind === 'error') {
          this.settings.stats.requests++;
          this.startResponse(p.status, `${p.status} ${HTTP_REASON[p.status]}: ${p.why}\n`, false, 1, true);
          continue;
        }
      }
      if (this.eof) return this.end(false, now); // a partial request at the end is dropped
      const n = s.recv(this.inBuf, this.inLen, this.inBuf.length - this.inLen, now);
      if (n === -TcpErr.WouldBlock) return; // continue on Readable
      if (n < 0) return this.end(true, now);
      if (n === 0) {
        this.eof = true;
        continue;
      }
      this.inLen += n;
      this.ctx.counters.bytesIn += n;
    }
  }

  /** Choose the response to a well-formed request. */
  private respond(req: HttpRequest): void {
    this.settings.stats.requests++;
    const headOnly = req.method === 'HEAD';
    if (req.method !== 'GET' && !headOnly) {
      this.startResponse(HttpStatus.MethodNotAllowed, 'only GET and HEAD are served\n', headOnly, req.minor, !req.keepAlive, 'Allow: GET, HEAD\r\n');
      return;
    }
    if (req.path === '/') {
      this.startResponse(HttpStatus.Ok, indexBody, headOnly, req.minor, !req.keepAlive, '', 'text/plain; charset=utf-8');
      return;
    }
    const m = BYTES_PATH.exec(req.path);
    if (m === null) {
      this.startResponse(HttpStatus.NotFound, `no ${req.path} here; try / or /bytes/N\n`, headOnly, req.minor, !req.keepAlive);
      return;
    }
    const n = Number(m[1]);
    if (n > this.settings.maxBytes) {
      this.startResponse(HttpStatus.BadRequest, `N is at most ${this.settings.maxBytes}\n`, headOnly, req.minor, !req.keepAlive);
      return;
    }
    this.startResponse(HttpStatus.Ok, null, headOnly, req.minor, !req.keepAlive, '', 'application/octet-stream', n);
  }

  /**
   * Start a response: `body` text or bytes, or null for `patternLen` bytes of the pattern;
   * `close` says the connection ends after it (RFC 9112 §9.6: the head then says so).
   */
  private startResponse(
    status: number,
    body: string | Uint8Array | null,
    headOnly: boolean,
    minor: number,
    close: boolean,
    extra = '',
    type = 'text/plain; charset=utf-8',
    patternLen = 0,
  ): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
    const length = bytes === null ? patternLen : bytes.length;
    let h = `HTTP/1.1 ${status} ${HTTP_REASON[status]}\r\nDate: ${new Date().toUTCString()}\r\nServer: netchannels\r\n`;
    h += `Content-Type: ${type}\r\nContent-Length: ${length}\r\n${extra}`;
    if (close) h += 'Connection: close\r\n';
    else if (minor === 0) h += 'Connection: keep-alive\r\n';
    this.head = Buffer.from(h + '\r\n', 'latin1');
    this.headOff = 0;
    this.status = status;
    this.closeAfter = close;
    this.bodyOff = 0;
    this.bodyLen = headOnly ? 0 : length;
    this.bodyKind = headOnly || length === 0 ? BodyKind.None : bytes === null ? BodyKind.Pattern : BodyKind.Static;
    if (bytes !== null) this.body = bytes;
    this.sending = true;
  }

  /** Make one send of the response in progress. */
  private writeResponse(now: Millis): ProgressCode {
    const s = this.ctx.socket;
    const c = this.ctx.counters;
    if (this.headOff < this.head.length) {
      const n = s.send(this.head, this.headOff, this.head.length - this.headOff, now);
      if (n < 0) return n === -TcpErr.WouldBlock ? Progress.Blocked : Progress.Failed;
      this.headOff += n;
      c.bytesOut += n;
      return Progress.Moved;
    }
    const left = this.bodyLen - this.bodyOff;
    if (this.bodyKind === BodyKind.None || left === 0) return Progress.Done;
    let n: number;
    if (this.bodyKind === BodyKind.Static) {
      n = s.send(this.body, this.bodyOff, left, now);
    } else {
      // Generate no more than the send buffer can take now (at least one byte, so a full
      // buffer answers would-block).
      const len = Math.min(left, BODY_CHUNK, Math.max(1, s.sendBuf.free));
      fillBytesPattern(scratch, 0, len, this.bodyOff);
      n = s.send(scratch, 0, len, now);
    }
    if (n < 0) return n === -TcpErr.WouldBlock ? Progress.Blocked : Progress.Failed;
    this.bodyOff += n;
    c.bytesOut += n;
    this.settings.stats.bodyBytes += n;
    return Progress.Moved;
  }

  /** Drop `n` bytes from the front of the input buffer (request content counts against `skip`). */
  private consume(n: number): void {
    if (this.skip > 0) this.skip -= Math.min(this.skip, n);
    this.inBuf.copyWithin(0, n, this.inLen);
    this.inLen -= n;
  }

  private end(error: boolean, now: Millis): void {
    this.done = true;
    if (error) this.ctx.fail(now);
    else this.ctx.finish(now);
  }
}

const Progress = { Blocked: 0, Failed: 1, Moved: 2, Done: 3 } as const;
type ProgressCode = (typeof Progress)[keyof typeof Progress];
