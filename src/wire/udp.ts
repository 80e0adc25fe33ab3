// UDP datagrams (RFC 768, RFC 1122 §4.1). The checksum covers an IPv4 pseudo-header, so
// parse and emit take the source and destination addresses. The payload is bounded by the
// UDP length field, never by the bytes that happen to follow.

import { get16, set16 } from './bytes.js';
import { checksumOk, internetChecksum, pseudoHeaderSum } from './checksum.js';
import { WireErr } from './errors.js';
import { IPPROTO_UDP, ipv4ToString } from './ipv4.js';
import { WireView } from './view.js';

/** Length of the UDP header. */
export const UDP_HEADER_LEN = 8;

const SRC_PORT = 0;
const DST_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;

/** A re-pointable view of a UDP datagram; wrap it over the whole IPv4 payload. */
export class UdpView extends WireView {
  /**
   * Check the lengths; return a WireErr code. Errors: Truncated (under 8 bytes, or the
   * length field claims more than the view holds), BadLength (length field under 8).
   */
  checkLen(): number {
    if (this.length < UDP_HEADER_LEN) return WireErr.Truncated;
    const len = this.udpLength();
    if (len < UDP_HEADER_LEN) return WireErr.BadLength;
    if (len > this.length) return WireErr.Truncated;
    return WireErr.Ok;
  }

  /** Return the source port. */
  srcPort(): number {
    return get16(this.bytes, this.offset + SRC_PORT);
  }
  /** Return the destination port. */
  dstPort(): number {
    return get16(this.bytes, this.offset + DST_PORT);
  }
  /** Return the length field (header and data). */
  udpLength(): number {
    return get16(this.bytes, this.offset + LENGTH);
  }
  /** Return the checksum as it is on the wire (0: the sender computed none). */
  checksum(): number {
    return get16(this.bytes, this.offset + CHECKSUM);
  }
  /** Return the offset of the payload in `bytes`. */
  payloadOffset(): number {
    return this.offset + UDP_HEADER_LEN;
  }
  /** Return the payload length, from the length field. */
  payloadLength(): number {
    return this.udpLength() - UDP_HEADER_LEN;
  }
  /** Return true when the checksum is absent (0) or verifies with the pseudo-header. */
  verifyChecksum(srcAddr: number, dstAddr: number): boolean {
    if (this.checksum() === 0) return true;
    const len = this.udpLength();
    return checksumOk(this.bytes, this.offset, len, pseudoHeaderSum(srcAddr, dstAddr, IPPROTO_UDP, len));
  }

  /** Set the source port. */
  setSrcPort(v: number): void {
    set16(this.bytes, this.offset + SRC_PORT, v);
  }
  /** Set the destination port. */
  setDstPort(v: number): void {
    set16(this.bytes, this.offset + DST_PORT, v);
  }
  /** Set the length field. */
  setUdpLength(v: number): void {
    set16(this.bytes, this.offset + LENGTH, v);
  }
  /** Set the checksum field. */
  setChecksum(v: number): void {
    set16(this.bytes, this.offset + CHECKSUM, v);
  }
  /** Recompute and store the checksum over the datagram as it is now (0 is sent as 0xffff). */
  fillChecksum(srcAddr: number, dstAddr: number): void {
    set16(this.bytes, this.offset + CHECKSUM, 0);
    set16(this.bytes, this.offset + CHECKSUM, udpChecksum(this.bytes, this.offset, this.udpLength(), srcAddr, dstAddr));
  }
}

/** The fields of a UDP header, plus where its payload lies. */
export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** Checksum as received (0 = none); emit computes its own. */
  checksum: number;
  /** Offset of the payload in the parsed bytes; emit ignores it. */
  payloadOffset: number;
  /** Payload length (length field less 8). Emit writes the length field as 8 + this. */
  payloadLength: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newUdpRepr(): UdpRepr {
  return { srcPort: 0, dstPort: 0, checksum: 0, payloadOffset: 0, payloadLength: 0 };
}

/**
 * Fill `repr` from a view wrapped over the IPv4 payload; return a WireErr code.
 * `srcAddr`/`dstAddr` are the IPv4 addresses, for the pseudo-header.
 * Errors: Truncated, BadLength (see checkLen), BadChecksum (a non-zero checksum that does
 * not verify; not checked when `checksumOffload` says the device did).
 */
export function parseUdpInto(
  view: UdpView,
  repr: UdpRepr,
  srcAddr: number,
  dstAddr: number,
  checksumOffload = false,
): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  // RFC 768: an all-zero checksum means the sender computed none.
  if (!checksumOffload && !view.verifyChecksum(srcAddr, dstAddr)) return WireErr.BadChecksum;
  repr.srcPort = view.srcPort();
  repr.dstPort = view.dstPort();
  repr.checksum = view.checksum();
  repr.payloadOffset = view.payloadOffset();
  repr.payloadLength = view.payloadLength();
  return WireErr.Ok;
}

/** Return the header length `emitUdp` writes (always UDP_HEADER_LEN). */
export function udpBufferLen(_repr: UdpRepr): number {
  return UDP_HEADER_LEN;
}

/**
 * Write the 8-byte header at `off` and the checksum over header, payload and pseudo-header.
 * Expects: the payload (`repr.payloadLength` bytes) is already in place at
 * `off + UDP_HEADER_LEN`; `repr.payloadOffset` is ignored. A computed checksum of 0 is sent
 * as 0xffff (RFC 768), since 0 would mean "none".
 */
export function emitUdp(repr: UdpRepr, b: Uint8Array, off: number, srcAddr: number, dstAddr: number): void {
  const len = UDP_HEADER_LEN + repr.payloadLength;
  set16(b, off + SRC_PORT, repr.srcPort);
  set16(b, off + DST_PORT, repr.dstPort);
  set16(b, off + LENGTH, len);
  set16(b, off + CHECKSUM, 0);
  set16(b, off + CHECKSUM, udpChecksum(b, off, len, srcAddr, dstAddr));
}

/** Return the UDP checksum of `len` bytes at `off` (its checksum field zero), never 0. */
function udpChecksum(b: Uint8Array, off: number, len: number, src: number, dst: number): number {
  const c = internetChecksum(b, off, len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len));
  return c === 0 ? 0xffff : c;
}

/** Return a one-line description in tcpdump's words: `192.0.2.1.40000 > 192.0.2.2.9: UDP, length 5`. */
export function formatUdp(repr: UdpRepr, srcAddr: number, dstAddr: number): string {
  return `${ipv4ToString(srcAddr)}.${repr.srcPort} > ${ipv4ToString(dstAddr)}.${repr.dstPort}: UDP, length ${repr.payloadLength}`;
}
