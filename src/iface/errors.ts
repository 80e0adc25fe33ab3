// Errors of the host layer, in two tiers (ARCHITECTURE.md "Errors by tier"):
// - result codes (`IpErr`): small integers returned by operations that can fail for
//   reasons of the network, not of the caller (no route, device ring full, would block).
//   They never throw and never allocate; `ipErrErrno` names the errno a POSIX layer maps
//   each one to.
// - `Error` objects shaped like Node's (`code`, `errno`, `syscall`, `address`, `port`)
//   thrown at the public API for bad arguments and impossible requests (EINVAL,
//   EADDRINUSE...). Every code is listed in docs/errors.md; codes are permanent.

import { errnoNumber } from '../errno.js';

/** Result codes of host operations: 0 = ok. Permanent; add new ones at the end. */
export const IpErr = {
  Ok: 0,
  /** Nothing to read now (EAGAIN). */
  WouldBlock: 1,
  /** No route to the destination (ENETUNREACH). */
  NoRoute: 2,
  /** The neighbour did not answer ARP, or an ICMP host unreachable came back (EHOSTUNREACH). */
  HostUnreach: 3,
  /** The datagram does not fit the path MTU and is not fragmented (EMSGSIZE). */
  MsgSize: 4,
  /** The device or a queue had no room (ENOBUFS). */
  NoBufs: 5,
  /** The peer answered ICMP port unreachable (ECONNREFUSED). */
  ConnRefused: 6,
  /** Broadcast without the broadcast option set (EACCES). */
  Access: 7,
  /** No destination given and the socket is not connected (EDESTADDRREQ). */
  DestAddrReq: 8,
  /** The socket is closed (EBADF). */
  Closed: 9,
  /** No local port left to bind (EAGAIN in Linux's autobind; we say EADDRNOTAVAIL). */
  AddrNotAvail: 10,
  /** ICMP time exceeded or parameter problem came back (a generic network error, EPROTO). */
  NetError: 11,
} as const;

/** An IpErr value. */
export type IpErrCode = (typeof IpErr)[keyof typeof IpErr];

const ipErrNames: readonly string[] = Object.keys(IpErr);
const ipErrErrnos: readonly string[] = [
  'OK', 'EAGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EMSGSIZE', 'ENOBUFS', 'ECONNREFUSED',
  'EACCES', 'EDESTADDRREQ', 'EBADF', 'EADDRNOTAVAIL', 'EPROTO',
];

/** Return the name of a result code ("NoRoute"). */
export function ipErrName(code: number): string {
  return ipErrNames[code] ?? `IpErr(${code})`;
}

/** Return the errno name a POSIX layer reports for a result code ("ENETUNREACH"). */
export function ipErrErrno(code: number): string {
  return ipErrErrnos[code] ?? 'EIO';
}

/** A Node-shaped error of the public API. */
export interface NetchError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
}

/** Extra fields of a thrown error. */
export interface NetchErrorFields {
  syscall?: string;
  address?: string;
  port?: number;
}

/**
 * Return an Error with a stable `code` (listed in docs/errors.md) and, for errno codes, a
 * negative `errno` as Node reports it.
 */
export function netchError(code: string, message: string, fields?: NetchErrorFields): NetchError {
  const e = new Error(`${code}: ${message}`) as NetchError;
  e.code = code;
  const n = errnoNumber(code);
  if (n !== 0) e.errno = -n;
  if (fields?.syscall !== undefined) e.syscall = fields.syscall;
  if (fields?.address !== undefined) e.address = fields.address;
  if (fields?.port !== undefined) e.port = fields.port;
  return e;
}
