// Node-shaped errors of the adapters, built the way Node's lib/internal/errors.js builds
// them, so code that inspects `err.code`, `err.errno`, `err.syscall`, `err.address` and
// `err.port` (undici's retry logic, http's ECONNRESET handling) sees what it expects:
// - errnoException: "read ECONNRESET" (no address);
// - exceptionWithHostPort: "connect ECONNREFUSED 192.0.2.2:81" (connect, bind);
// - uvExceptionWithHostPort: "listen EADDRINUSE: address already in use 0.0.0.0:80";
// - nodeError: Node's own ERR_* codes for argument and state errors (ERR_SOCKET_BAD_PORT).
// `errno` is negative, as Node reports it; the number is Linux's (src/errno.ts).

import { inspect } from 'node:util';
import { errnoName, strerror } from '../errno.js';

/** A Node-shaped error. */
export interface NodeSystemError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

// libuv's wording where it differs from glibc's (uv_strerror), for the messages Node prints.
const UV_MESSAGES: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EACCES: 'permission denied',
  EINVAL: 'invalid argument',
  EMFILE: 'too many open files',
};

function build(message: string, code: string, errno: number | undefined, syscall: string | undefined): NodeSystemError {
  const e = new Error(message) as NodeSystemError;
  e.code = code;
  if (errno !== undefined) e.errno = errno;
  if (syscall !== undefined) e.syscall = syscall;
  return e;
}

/** Return the errno name of a negated (or positive) errno number ("ECONNRESET"). */
export function codeOf(neg: number): string {
  return errnoName(neg < 0 ? -neg : neg);
}

/** Return Node's `errnoException(err, syscall)`: message "<syscall> <CODE>". */
export function errnoException(neg: number, syscall: string): NodeSystemError {
  const n = neg < 0 ? neg : -neg;
  const code = codeOf(n);
  return build(`${syscall} ${code}`, code, n, syscall);
}

/** Return Node's `exceptionWithHostPort`: "<syscall> <CODE> <address>:<port>", with `address` and `port`. */
export function exceptionWithHostPort(neg: number, syscall: string, address: string, port: number): NodeSystemError {
  const n = neg < 0 ? neg : -neg;
  const code = codeOf(n);
  const e = build(`${syscall} ${code} ${address}${port > 0 ? `:${port}` : ''}`, code, n, syscall);
  e.address = address;
  if (port > 0) e.port = port;
  return e;
}

/** Return Node's `UVExceptionWithHostPort`: "<syscall> <CODE>: <message> <address>:<port>". */
export function uvExceptionWithHostPort(neg: number, syscall: string, address: string, port: number): NodeSystemError {
  const n = neg < 0 ? neg : -neg;
  const code = codeOf(n);
  const desc = UV_MESSAGES[code] ?? strerror(n).toLowerCase();
  const e = build(`${syscall} ${code}: ${desc} ${address}:${port}`, code, n, syscall);
  e.address = address;
  e.port = port;
  return e;
}

/** Return the error of a failed name lookup, as dns.lookup reports it ("getaddrinfo ENOTFOUND name"). */
export function lookupError(hostname: string): NodeSystemError {
  // libuv's UV_EAI_NONAME is -3008; Node puts it in errno.
  const e = build(`getaddrinfo ENOTFOUND ${hostname}`, 'ENOTFOUND', -3008, 'getaddrinfo');
  e.hostname = hostname;
  return e;
}

/** Return an error with one of Node's own codes (ERR_SOCKET_BAD_PORT, ERR_SERVER_NOT_RUNNING, ...) or ours (NETCH_ERR_*). */
export function nodeError(code: string, message: string, kind: 'Error' | 'TypeError' | 'RangeError' = 'Error'): NodeSystemError {
  const Ctor = kind === 'TypeError' ? TypeError : kind === 'RangeError' ? RangeError : Error;
  const e = new Ctor(message) as NodeSystemError;
  e.code = code;
  return e;
}

/** Return ERR_SOCKET_BAD_PORT for `port`, as Node's validatePort throws it. */
export function badPort(name: string, port: unknown, allowZero = true): NodeSystemError {
  return nodeError('ERR_SOCKET_BAD_PORT', `${name} should be ${allowZero ? '>=' : '>'} 0 and < 65536. Received ${typeof port} (${String(port)}).`, 'RangeError');
}

/** Return a valid port number from `p` (number or numeric string), or throw ERR_SOCKET_BAD_PORT for anything else, as Node's validatePort. */
export function validatePort(p: unknown, name = 'Port', allowZero = true): number {
  const n = typeof p === 'number' ? p : typeof p === 'string' && p.trim() !== '' ? Number(p) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535 || (n === 0 && !allowZero)) throw badPort(name, p, allowZero);
  return n;
}

/** Node's invalidArgTypeHelper: the " Received ..." tail of an ERR_INVALID_ARG_TYPE message. */
export function receivedHelper(input: unknown): string {
  if (input === null || input === undefined) return ` Received ${String(input)}`;
  if (typeof input === 'function' && input.name) return ` Received function ${input.name}`;
  if (typeof input === 'object') {
    const name = (input as object).constructor?.name;
    return name ? ` Received an instance of ${name}` : ` Received ${inspect(input, { depth: -1 })}`;
  }
  let shown = inspect(input, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof input} (${shown})`;
}

/** Node's ERR_INVALID_ARG_TYPE: `The "name" argument (or property) must be of type T. Received ...`. */
export function invalidArgType(name: string, type: string, got: unknown, what: 'argument' | 'property' = 'argument'): NodeSystemError {
  return nodeError('ERR_INVALID_ARG_TYPE', `The "${name}" ${what} must be of type ${type}.${receivedHelper(got)}`, 'TypeError');
}

