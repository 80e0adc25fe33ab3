// IPv4 headers (RFC 791) and IPv4 addresses. Addresses are unsigned 32-bit integers
// (`>>> 0`), so comparing, hashing or masking one allocates nothing; `ipv4ToString` and
// `parseIpv4` convert at the edges. Options are tolerated on receive (their length is kept)
// and never emitted; fragments are recognised, not reassembled.

import { get16, get32, set16, set32 } from './bytes.js';
import { checksumOk, internetChecksum } from './checksum.js';
import { WireErr } from './errors.js';
import { WireView } from './view.js';

/** Length of a header without options (IHL 5). */
export const IPV4_HEADER_LEN = 20;
/** Largest header: IHL 15. */
export const IPV4_MAX_HEADER_LEN = 60;
export const IPV4_VERSION = 4;
/** Default TTL of Linux (`net.ipv4.ip_default_ttl`). */
export const IPV4_DEFAULT_TTL = 64;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const IPV4_ANY = 0;
export const IPV4_BROADCAST = 0xffff_ffff;
export const IPV4_LOOPBACK = 0x7f00_0001;

const VER_IHL = 0;
const TOS = 1;
const TOTAL_LEN = 2;
const IDENT = 4;
const FLAGS_FRAG = 6;
const TTL = 8;
const PROTOCOL = 9;
const CHECKSUM = 10;
const SRC = 12;
const DST = 16;

const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const FRAG_MASK = 0x1fff;

/**
 * A re-pointable view of an IPv4 header and its payload. Call the accessors only after
 * `checkLen()` returned Ok (the payload accessors rely on the checked lengths).
 */
export class Ipv4View extends WireView {
  /**
   * Check the lengths the header claims against the view; return a WireErr code.
   * Errors: Truncated (under 20 bytes, or fewer bytes than the total length claims),
   * BadHeaderLen (IHL < 5 or IHL past the view), BadLength (total length < IHL × 4).
   */
  checkLen(): number {
    if (this.length < IPV4_HEADER_LEN) return WireErr.Truncated;
    const hl = this.headerLen();
    if (hl < IPV4_HEADER_LEN || hl > this.length) return WireErr.BadHeaderLen;
    const total = this.totalLength();
    if (total < hl) return WireErr.BadLength;
    if (total > this.length) return WireErr.Truncated;
    return WireErr.Ok;
  }

  /** Return the version field (4 for IPv4). */
  version(): number {
    return this.bytes[this.offset + VER_IHL]! >>> 4;
  }
  /** Return the Internet Header Length in 32-bit words. */
  ihl(): number {
    return this.bytes[this.offset + VER_IHL]! & 0x0f;
  }
  /** Return the header length in bytes (IHL × 4), options included. */
  headerLen(): number {
    return (this.bytes[this.offset + VER_IHL]! & 0x0f) * 4;
  }
  /** Return the Differentiated Services Code Point (RFC 2474), the upper 6 bits of the old TOS. */
  dscp(): number {
    return this.bytes[this.offset + TOS]! >>> 2;
  }
  /** Return the ECN field (RFC 3168), the lower 2 bits of the old TOS. */
  ecn(): number {
    return this.bytes[this.offset + TOS]! & 0x03;
  }
  /** Return the total length (header and data) in bytes. */
  totalLength(): number {
    return get16(this.bytes, this.offset + TOTAL_LEN);
  }
  /** Return the identification. */
  identification(): number {
    return get16(this.bytes, this.offset + IDENT);
  }
  /** Return the Don't Fragment flag. */
  dontFrag(): boolean {
    return (get16(this.bytes, this.offset + FLAGS_FRAG) & FLAG_DF) !== 0;
  }
  /** Return the More Fragments flag. */
  moreFrags(): boolean {
    return (get16(this.bytes, this.offset + FLAGS_FRAG) & FLAG_MF) !== 0;
  }
  /** Return the fragment offset in bytes (the field counts 8-byte units). */
  fragOffset(): number {
    return (get16(this.bytes, this.offset + FLAGS_FRAG) & FRAG_MASK) * 8;
  }
  /** Return true when this datagram is a fragment (MF set or a non-zero offset). */
  isFragment(): boolean {
    return (get16(this.bytes, this.offset + FLAGS_FRAG) & (FLAG_MF | FRAG_MASK)) !== 0;
  }
  /** Return the time to live. */
  ttl(): number {
    return this.bytes[this.offset + TTL]!;
  }
  /** Return the protocol of the payload (IPPROTO_*). */
  protocol(): number {
    return this.bytes[this.offset + PROTOCOL]!;
  }
  /** Return the header checksum as it is on the wire. */
  checksum(): number {
    return get16(this.bytes, this.offset + CHECKSUM);
  }
  /** Return the source address. */
  srcAddr(): number {
    return get32(this.bytes, this.offset + SRC);
  }
  /** Return the destination address. */
  dstAddr(): number {
    return get32(this.bytes, this.offset + DST);
  }
  /** Return the offset of the payload in `bytes`. */
  payloadOffset(): number {
    return this.offset + this.headerLen();
  }
  /** Return the payload length: total length less the header (link padding excluded). */
  payloadLength(): number {
    return this.totalLength() - this.headerLen();
  }
  /** Return true when the header checksum verifies. */
  verifyChecksum(): boolean {
    return checksumOk(this.bytes, this.offset, this.headerLen());
  }

  /** Set the version field. */
  setVersion(v: number): void {
    const o = this.offset + VER_IHL;
    this.bytes[o] = ((v & 0x0f) << 4) | (this.bytes[o]! & 0x0f);
  }
  /** Set the IHL in 32-bit words. */
  setIhl(v: number): void {
    const o = this.offset + VER_IHL;
    this.bytes[o] = (this.bytes[o]! & 0xf0) | (v & 0x0f);
  }
  /** Set the DSCP. */
  setDscp(v: number): void {
    const o = this.offset + TOS;
    this.bytes[o] = ((v & 0x3f) << 2) | (this.bytes[o]! & 0x03);
  }
  /** Set the ECN field. */
  setEcn(v: number): void {
    const o = this.offset + TOS;
    this.bytes[o] = (this.bytes[o]! & 0xfc) | (v & 0x03);
  }
  /** Set the total length. */
  setTotalLength(v: number): void {
    set16(this.bytes, this.offset + TOTAL_LEN, v);
  }
  /** Set the identification. */
  setIdentification(v: number): void {
    set16(this.bytes, this.offset + IDENT, v);
  }
  /** Set or clear the Don't Fragment flag. */
  setDontFrag(v: boolean): void {
    const o = this.offset + FLAGS_FRAG;
    const w = get16(this.bytes, o);
    set16(this.bytes, o, v ? w | FLAG_DF : w & ~FLAG_DF);
  }
  /** Set or clear the More Fragments flag. */
  setMoreFrags(v: boolean): void {
    const o = this.offset + FLAGS_FRAG;
    const w = get16(this.bytes, o);
    set16(this.bytes, o, v ? w | FLAG_MF : w & ~FLAG_MF);
  }
  /** Set the fragment offset in bytes (a multiple of 8; the low 3 bits are dropped). */
  setFragOffset(v: number): void {
    const o = this.offset + FLAGS_FRAG;
    set16(this.bytes, o, (get16(this.bytes, o) & ~FRAG_MASK) | ((v >>> 3) & FRAG_MASK));
  }
  /** Set the time to live. */
  setTtl(v: number): void {
    this.bytes[this.offset + TTL] = v;
  }
  /** Set the protocol. */
  setProtocol(v: number): void {
    this.bytes[this.offset + PROTOCOL] = v;
  }
  /** Set the header checksum field. */
  setChecksum(v: number): void {
    set16(this.bytes, this.offset + CHECKSUM, v);
  }
  /** Set the source address. */
  setSrcAddr(v: number): void {
    set32(this.bytes, this.offset + SRC, v);
  }
  /** Set the destination address. */
  setDstAddr(v: number): void {
    set32(this.bytes, this.offset + DST, v);
  }
  /** Recompute and store the header checksum over the header as it is now. */
  fillChecksum(): void {
    set16(this.bytes, this.offset + CHECKSUM, 0);
    set16(this.bytes, this.offset + CHECKSUM, internetChecksum(this.bytes, this.offset, this.headerLen()));
  }
}

/** The fields of an IPv4 header, plus where its payload lies. */
export interface Ipv4Repr {
  srcAddr: number;
  dstAddr: number;
  /** IPPROTO_*. */
  protocol: number;
  ttl: number;
  dscp: number;
  ecn: number;
  identification: number;
  dontFrag: boolean;
  moreFrags: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  /** Header length in bytes as received (20 + optionsLen); emit ignores it. */
  headerLen: number;
  /** Bytes of options received; emit writes none. */
  optionsLen: number;
  /** Header checksum as received; emit computes its own. */
  checksum: number;
  /** Offset of the payload in the parsed bytes; emit ignores it. */
  payloadOffset: number;
  /** Payload length: total length less the header. Emit writes total = 20 + this. */
  payloadLength: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newIpv4Repr(): Ipv4Repr {
  return {
    srcAddr: 0,
    dstAddr: 0,
    protocol: 0,
    ttl: IPV4_DEFAULT_TTL,
    dscp: 0,
    ecn: 0,
    identification: 0,
    dontFrag: false,
    moreFrags: false,
    fragOffset: 0,
    headerLen: IPV4_HEADER_LEN,
    optionsLen: 0,
    checksum: 0,
    payloadOffset: 0,
    payloadLength: 0,
  };
}

/**
 * Fill `repr` from a view; return a WireErr code. The payload is bounded by the total
 * length, so Ethernet padding after it is excluded.
 * Errors: Truncated, BadVersion (version != 4), BadHeaderLen, BadLength (see checkLen),
 * BadChecksum (header checksum, not checked when `checksumOffload` says the device did).
 */
export function parseIpv4Into(view: Ipv4View, repr: Ipv4Repr, checksumOffload = false): number {
  if (view.length < IPV4_HEADER_LEN) return WireErr.Truncated;
  if (view.version() !== IPV4_VERSION) return WireErr.BadVersion;
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  // RFC 791 §3.1 / RFC 1122 §3.2.1.2: a datagram whose header checksum fails is discarded.
  if (!checksumOffload && !view.verifyChecksum()) return WireErr.BadChecksum;
  const hl = view.headerLen();
  repr.srcAddr = view.srcAddr();
  repr.dstAddr = view.dstAddr();
  repr.protocol = view.protocol();
  repr.ttl = view.ttl();
  repr.dscp = view.dscp();
  repr.ecn = view.ecn();
  repr.identification = view.identification();
  repr.dontFrag = view.dontFrag();
  repr.moreFrags = view.moreFrags();
  repr.fragOffset = view.fragOffset();
  repr.headerLen = hl;
  repr.optionsLen = hl - IPV4_HEADER_LEN;
  repr.checksum = view.checksum();
  repr.payloadOffset = view.offset + hl;
  repr.payloadLength = view.totalLength() - hl;
  return WireErr.Ok;
}

/** Return true when the parsed datagram is a fragment (MF set or a non-zero offset). */
export function isFragment(repr: Ipv4Repr): boolean {
  return repr.moreFrags || repr.fragOffset !== 0;
}

/** Return the header length `emitIpv4` writes (always IPV4_HEADER_LEN: no options). */
export function ipv4BufferLen(_repr: Ipv4Repr): number {
  return IPV4_HEADER_LEN;
}

/**
 * Write a 20-byte header (no options) at `off` and its checksum; the caller guarantees
 * the room. Total length is 20 + `repr.payloadLength`; the payload itself is not touched.
 */
export function emitIpv4(repr: Ipv4Repr, b: Uint8Array, off: number): void {
  b[off + VER_IHL] = (IPV4_VERSION << 4) | (IPV4_HEADER_LEN >>> 2);
  b[off + TOS] = ((repr.dscp & 0x3f) << 2) | (repr.ecn & 0x03);
  set16(b, off + TOTAL_LEN, IPV4_HEADER_LEN + repr.payloadLength);
  set16(b, off + IDENT, repr.identification);
  let ff = (repr.fragOffset >>> 3) & FRAG_MASK;
  if (repr.dontFrag) ff |= FLAG_DF;
  if (repr.moreFrags) ff |= FLAG_MF;
  set16(b, off + FLAGS_FRAG, ff);
  b[off + TTL] = repr.ttl;
  b[off + PROTOCOL] = repr.protocol;
  set16(b, off + CHECKSUM, 0);
  set32(b, off + SRC, repr.srcAddr);
  set32(b, off + DST, repr.dstAddr);
  set16(b, off + CHECKSUM, internetChecksum(b, off, IPV4_HEADER_LEN));
}

/** Format an address as dotted quad (`192.0.2.1`). */
export function ipv4ToString(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/**
 * Parse a dotted quad (`192.0.2.1`); return the address, or -1 when malformed. Exactly
 * four decimal parts 0..255, no leading zeros (like Node's `net.isIPv4`), no spaces.
 */
export function parseIpv4(text: string): number {
  let addr = 0;
  let parts = 0;
  let i = 0;
  const n = text.length;
  while (parts < 4) {
    const start = i;
    let v = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
      if (i - start > 3) return -1;
    }
    const digits = i - start;
    if (digits === 0 || v > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
    addr = addr * 256 + v;
    parts++;
    if (parts < 4) {
      if (i >= n || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === n ? addr : -1;
}

/** Return the netmask of a prefix length 0..32 (`24` → 0xffffff00). */
export function ipv4PrefixMask(prefixLen: number): number {
  return prefixLen <= 0 ? 0 : (0xffff_ffff << (32 - Math.min(prefixLen, 32))) >>> 0;
}

/** Return true when `addr` lies in `net/prefixLen`. */
export function ipv4InSubnet(addr: number, net: number, prefixLen: number): boolean {
  const m = ipv4PrefixMask(prefixLen);
  return ((addr & m) >>> 0) === ((net & m) >>> 0);
}

/** Return true for a multicast address (224.0.0.0/4, RFC 5771). */
export function ipv4IsMulticast(addr: number): boolean {
  return addr >>> 28 === 0xe;
}

/** Return true for the limited broadcast address 255.255.255.255. */
export function ipv4IsBroadcast(addr: number): boolean {
  return addr >>> 0 === IPV4_BROADCAST;
}

/** Return true for a loopback address (127.0.0.0/8). */
export function ipv4IsLoopback(addr: number): boolean {
  return addr >>> 24 === 127;
}

/** Return true for the unspecified address 0.0.0.0. */
export function ipv4IsUnspecified(addr: number): boolean {
  return addr >>> 0 === 0;
}

/** Return the conventional name of an IP protocol number (`TCP`), or `ip-proto-N`. */
export function ipProtoName(p: number): string {
  switch (p) {
    case IPPROTO_ICMP: return 'ICMP';
    case IPPROTO_TCP: return 'TCP';
    case IPPROTO_UDP: return 'UDP';
    default: return `ip-proto-${p}`;
  }
}

/**
 * Return a one-line description in tcpdump's `-v` words:
 * `IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 33) 192.0.2.1 > 192.0.2.2`.
 */
export function formatIpv4(repr: Ipv4Repr): string {
  const tos = (repr.dscp << 2) | repr.ecn;
  const flags = repr.dontFrag ? (repr.moreFrags ? 'DF+' : 'DF') : repr.moreFrags ? '+' : 'none';
  const opts = repr.optionsLen > 0 ? `, options ${repr.optionsLen} bytes` : '';
  return `IP (tos 0x${tos.toString(16)}, ttl ${repr.ttl}, id ${repr.identification}, offset ${repr.fragOffset}, flags [${flags}], proto ${ipProtoName(repr.protocol)} (${repr.protocol}), length ${repr.headerLen + repr.payloadLength}${opts}) ${ipv4ToString(repr.srcAddr)} > ${ipv4ToString(repr.dstAddr)}`;
}
