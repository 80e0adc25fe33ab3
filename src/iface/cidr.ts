// Address arguments at the public API: dotted quads and `address/prefix` strings become
// u32 numbers here, once, and bad text throws EINVAL. Hot paths take numbers only.

import { ipv4PrefixMask, ipv4ToString, parseIpv4 } from '../wire/ipv4.js';
import { netchError } from './errors.js';

/** An IPv4 address with its prefix length (`192.0.2.1/24`). */
export interface Ipv4Cidr {
  address: number;
  prefixLen: number;
}

/**
 * Parse `192.0.2.1/24` (a bare address means /32); return address and prefix length.
 * Errors: throws EINVAL for malformed text.
 */
export function parseCidr(text: string, syscall = 'parseCidr'): Ipv4Cidr {
  if (typeof text !== 'string') throw netchError('EINVAL', `expected an address/prefix string, got ${typeof text}`, { syscall });
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIpv4(addrText);
  if (address < 0) throw netchError('EINVAL', `'${text}' is not an IPv4 address/prefix`, { syscall });
  let prefixLen = 32;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(p) || Number(p) > 32) throw netchError('EINVAL', `'${text}' has a bad prefix length`, { syscall });
    prefixLen = Number(p);
  }
  return { address, prefixLen };
}

/** Format an address and prefix as `192.0.2.1/24`. */
export function formatCidr(address: number, prefixLen: number): string {
  return `${ipv4ToString(address)}/${prefixLen}`;
}

/**
 * Return the u32 address of a dotted quad or of a number in range.
 * Errors: throws EINVAL for anything else.
 */
export function toIpv4(addr: string | number, syscall = 'address'): number {
  if (typeof addr === 'number') {
    if (Number.isInteger(addr) && addr >= 0 && addr <= 0xffff_ffff) return addr;
    throw netchError('EINVAL', `${addr} is not an IPv4 address`, { syscall });
  }
  const a = typeof addr === 'string' ? parseIpv4(addr) : -1;
  if (a < 0) throw netchError('EINVAL', `'${String(addr)}' is not an IPv4 address`, { syscall });
  return a;
}

/** Return the network address of `address/prefixLen`. */
export function networkOf(address: number, prefixLen: number): number {
  return (address & ipv4PrefixMask(prefixLen)) >>> 0;
}

/** Return the directed broadcast address of `address/prefixLen` (RFC 919, RFC 922). */
export function broadcastOf(address: number, prefixLen: number): number {
  return (address | ~ipv4PrefixMask(prefixLen)) >>> 0;
}
