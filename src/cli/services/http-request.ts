// Parsing of one HTTP/1.x request head (RFC 9112 §2-§3, §5-§6, §9.3): the request line,
// the header fields the responder needs (Host, Connection, Content-Length,
// Transfer-Encoding), and whether the connection persists. Strict where the RFC lets a
// server be: anything it cannot read with certainty is a 400.

/** Status codes the parser can ask for. */
export const HttpStatus = {
  Ok: 200,
  BadRequest: 400,
  NotFound: 404,
  MethodNotAllowed: 405,
  HeaderTooLarge: 431,
  NotImplemented: 501,
  VersionNotSupported: 505,
} as const;

/** The reason phrases of the codes the responder sends. */
export const HTTP_REASON: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

/** A parsed request head. */
export interface HttpRequest {
  /** Bytes of the head, the empty line included. */
  headLength: number;
  method: string;
  /** The path, without query or fragment; absolute-form targets are reduced to it. */
  path: string;
  /** The minor version of HTTP/1.x. */
  minor: number;
  /** The connection persists after the response (RFC 9112 §9.3). */
  keepAlive: boolean;
  /** Bytes of request content that follow the head (Content-Length, or 0). */
  contentLength: number;
}

/** The outcome of parsing: a request, more bytes needed, or an error status (the connection then closes). */
export type HttpParse = { kind: 'request'; req: HttpRequest } | { kind: 'incomplete' } | { kind: 'error'; status: number; why: string };

const INCOMPLETE: HttpParse = { kind: 'incomplete' };
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const LF = 0x0a;
/** Empty lines tolerated before the request line (RFC 9112 §2.2: at least one SHOULD be). */
const MAX_LEADING_EMPTY = 8;

function error(status: number, why: string): HttpParse {
  return { kind: 'error', status, why };
}

/**
 * Parse the request head at the start of `buf[0, len)`; `limit` is the largest head
 * accepted (a longer one is a 431). Lines end in CRLF, or a bare LF (RFC 9112 §2.2 allows
 * it). Bounded work: one pass over at most `limit` bytes.
 */
export function parseHttpRequest(buf: Uint8Array, len: number, limit: number): HttpParse {
  // Skip empty lines before the request line.
  let start = 0;
  for (let k = 0; k < MAX_LEADING_EMPTY; k++) {
    if (start < len && buf[start] === LF) start++;
    else if (start + 1 < len && buf[start] === 0x0d && buf[start + 1] === LF) start += 2;
    else break;
  }
  // Find the empty line that ends the head.
  const lines: string[] = [];
  let lineStart = start;
  let end = -1;
  const scanTo = Math.min(len, limit);
  for (let i = start; i < scanTo; i++) {
    if (buf[i] !== LF) continue;
    let stop = i;
    if (stop > lineStart && buf[stop - 1] === 0x0d) stop--;
    if (stop === lineStart) {
      end = i + 1;
      break;
    }
    lines.push(Buffer.from(buf.buffer, buf.byteOffset + lineStart, stop - lineStart).toString('latin1'));
    lineStart = i + 1;
  }
  if (end < 0) return len >= limit ? error(HttpStatus.HeaderTooLarge, `no end of the request head in ${limit} bytes`) : INCOMPLETE;
  if (lines.length === 0) return error(HttpStatus.BadRequest, 'no request line');

  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
  const parts = lines[0]!.split(' ');
  if (parts.length !== 3) return error(HttpStatus.BadRequest, 'request line is not METHOD SP TARGET SP VERSION');
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return error(HttpStatus.BadRequest, 'bad method');
  const v = VERSION.exec(version);
  if (v === null) return error(HttpStatus.BadRequest, 'bad HTTP version');
  if (v[1] !== '1') return error(HttpStatus.VersionNotSupported, `HTTP/${v[1]}.${v[2]}`);
  const minor = Number(v[2]);
  const path = targetPath(target);
  if (path === null) return error(HttpStatus.BadRequest, 'bad request target');

  let hosts = 0;
  let contentLength = -1;
  let chunked = false;
  let close = false;
  let keepAliveToken = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // RFC 9112 §5.2: obsolete line folding may be rejected with 400.
    if (line[0] === ' ' || line[0] === '\t') return error(HttpStatus.BadRequest, 'obsolete line folding');
    const colon = line.indexOf(':');
    if (colon <= 0) return error(HttpStatus.BadRequest, 'header line without a field name');
    const name = line.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon; 400 when there is.
    if (!TOKEN.test(name)) return error(HttpStatus.BadRequest, `bad field name ${JSON.stringify(name)}`);
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case 'host':
        hosts++;
        break;
      case 'connection':
        for (const t of value.toLowerCase().split(',')) {
          const tok = t.trim();
          if (tok === 'close') close = true;
          else if (tok === 'keep-alive') keepAliveToken = true;
        }
        break;
      case 'content-length': {
        // RFC 9112 §6.3: a list of identical values may be taken as one; anything else is a 400.
        const vals = new Set(value.split(',').map((x) => x.trim()));
        if (vals.size !== 1) return error(HttpStatus.BadRequest, 'conflicting Content-Length');
        const only = [...vals][0]!;
        if (!/^\d{1,15}$/.test(only)) return error(HttpStatus.BadRequest, 'bad Content-Length');
        const n = Number(only);
        if (contentLength >= 0 && contentLength !== n) return error(HttpStatus.BadRequest, 'conflicting Content-Length');
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
        chunked = true;
        break;
      default:
        break;
    }
  }
  // RFC 9112 §3.2: a 1.1 request without exactly one Host is a 400.
  if (hosts > 1 || (minor >= 1 && hosts === 0)) return error(HttpStatus.BadRequest, hosts > 1 ? 'more than one Host' : 'no Host');
  // Request content in chunks is not read by this small responder (RFC 9112 §6.1: 501).
  if (chunked) return error(HttpStatus.NotImplemented, 'Transfer-Encoding in a request');
  // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
  const keepAlive = minor >= 1 ? !close : keepAliveToken && !close;
  return { kind: 'request', req: { headLength: end, method, path, minor, keepAlive, contentLength: contentLength < 0 ? 0 : contentLength } };
}

/**
 * Return the path of an origin-form (`/a?b`) or absolute-form (`http://h/a`) target
 * without query or fragment, or null when the target is neither (RFC 9112 §3.2).
 */
function targetPath(target: string): string | null {
  let t = target;
  const abs = /^https?:\/\/[^/?#]*/i.exec(t);
  if (abs !== null) {
    t = t.slice(abs[0].length);
    if (t === '' || t[0] === '?') t = '/' + t;
  }
  if (t[0] !== '/') return null;
  const q = t.search(/[?#]/);
  return q < 0 ? t : t.slice(0, q);
}
