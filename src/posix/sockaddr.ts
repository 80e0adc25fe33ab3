// IPv4 socket addresses (ip(7) `struct sockaddr_in`): a plain record the calls fill in
// place (accept, recvfrom, getsockname, getpeername take one to write into, as C passes a
// pointer), with helpers to and from dotted-quad text.

import { ipv4ToString, parseIpv4 } from '../wire/ipv4.js';
import { AF_INET } from './constants.js';

/** An IPv4 socket address: family AF_INET, port in host order, addr a uint32 (0: INADDR_ANY). */
export interface SockAddrIn {
  family: number;
  port: number;
  addr: number;
}

/** INADDR_ANY (0.0.0.0). */
export const INADDR_ANY = 0;
/** INADDR_LOOPBACK (127.0.0.1). */
export const INADDR_LOOPBACK = 0x7f00_0001;

/** Return a sockaddr_in for `addr` ("a.b.c.d" or a uint32) and `port`. Errors: throws RangeError for malformed text. */
export function sockaddrIn(addr: string | number, port: number): SockAddrIn {
  const a = typeof addr === 'number' ? addr >>> 0 : inetAddr(addr);
  if (a < 0) throw new RangeError(`sockaddrIn: '${String(addr)}' is not an IPv4 address`);
  return { family: AF_INET, port, addr: a };
}

/** Return an empty sockaddr_in (to pass to accept, recvfrom, getsockname). */
export function newSockAddrIn(): SockAddrIn {
  return { family: AF_INET, port: 0, addr: 0 };
}

/** Return the uint32 of dotted-quad text (inet_addr(3)), or -1 when it is not one. */
export function inetAddr(text: string): number {
  return parseIpv4(text);
}

/** Return the dotted-quad text of a uint32 address (inet_ntoa(3)). */
export function inetNtoa(addr: number): string {
  return ipv4ToString(addr >>> 0);
}

/** Return "a.b.c.d:port", as ss and strace print an address. */
export function formatSockAddr(sa: SockAddrIn): string {
  return `${inetNtoa(sa.addr)}:${sa.port}`;
}

/** Return true when `sa` is a usable sockaddr_in record (an object with integer fields in range). */
export function isSockAddrIn(sa: unknown): sa is SockAddrIn {
  if (typeof sa !== 'object' || sa === null) return false;
  const s = sa as SockAddrIn;
  return Number.isInteger(s.family) && Number.isInteger(s.port) && s.port >= 0 && s.port <= 65535 && Number.isInteger(s.addr) && s.addr >= -0x8000_0000 && s.addr <= 0xffff_ffff;
}

/** Fill `out` with family AF_INET, `addr` and `port`. */
export function setSockAddr(out: SockAddrIn, addr: number, port: number): void {
  out.family = AF_INET;
  out.addr = addr >>> 0;
  out.port = port;
}
