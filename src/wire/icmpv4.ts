// ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2, RFC 1191 for "fragmentation needed"). Every
// message is an 8-byte header (type, code, checksum, 4 type-specific bytes) and a body
// that runs to the end of the IPv4 payload: the echo data, or, in error messages, the
// quoted head of the datagram that caused the error (its IPv4 header and at least the first
// 8 bytes of its payload). The body is described as (offset, length), never copied.

import { get16, get32, set16, set32 } from './bytes.js';
import { checksumOk, internetChecksum } from './checksum.js';
import { WireErr } from './errors.js';
import { IPPROTO_TCP, IPPROTO_UDP, IPV4_HEADER_LEN, ipv4ToString, ipProtoName } from './ipv4.js';
import { WireView } from './view.js';

/** Length of the ICMP header (type, code, checksum and the 4 type-specific bytes). */
export const ICMP_HEADER_LEN = 8;
/** Smallest quoted datagram in an error message: an IPv4 header and 8 bytes (RFC 792). */
export const ICMP_MIN_QUOTE_LEN = IPV4_HEADER_LEN + 8;

// Types (Linux's names, <linux/icmp.h>).
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETER_PROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMP_REPLY = 14;

// Codes of ICMP_DEST_UNREACH (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1).
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
/** Fragmentation needed and DF set; the message carries the next-hop MTU (RFC 1191). */
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_NET_UNKNOWN = 6;
export const ICMP_HOST_UNKNOWN = 7;
export const ICMP_HOST_ISOLATED = 8;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_NET_UNR_TOS = 11;
export const ICMP_HOST_UNR_TOS = 12;
/** Communication administratively prohibited (a filter's REJECT). */
export const ICMP_PKT_FILTERED = 13;

// Codes of ICMP_TIME_EXCEEDED.
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const REST = 4;
const IDENT = 4;
const SEQ = 6;
const MTU = 6;

/** A re-pointable view of an ICMP message; wrap it over the whole IPv4 payload. */
export class Icmpv4View extends WireView {
  /** Return WireErr.Ok when the 8-byte header fits in the view, else WireErr.Truncated. */
  checkLen(): number {
    return this.length < ICMP_HEADER_LEN ? WireErr.Truncated : WireErr.Ok;
  }

  /** Return the message type (ICMP_*). */
  msgType(): number {
    return this.bytes[this.offset + TYPE]!;
  }
  /** Return the message code. */
  msgCode(): number {
    return this.bytes[this.offset + CODE]!;
  }
  /** Return the checksum as it is on the wire. */
  checksum(): number {
    return get16(this.bytes, this.offset + CHECKSUM);
  }
  /** Return the 4 type-specific bytes as one unsigned 32-bit number. */
  restOfHeader(): number {
    return get32(this.bytes, this.offset + REST);
  }
  /** Return the echo identifier (echo request/reply). */
  identifier(): number {
    return get16(this.bytes, this.offset + IDENT);
  }
  /** Return the echo sequence number (echo request/reply). */
  seqNumber(): number {
    return get16(this.bytes, this.offset + SEQ);
  }
  /** Return the next-hop MTU of a "fragmentation needed" message (RFC 1191 §4). */
  nextHopMtu(): number {
    return get16(this.bytes, this.offset + MTU);
  }
  /** Return the offset of the body (echo data or quoted datagram) in `bytes`. */
  payloadOffset(): number {
    return this.offset + ICMP_HEADER_LEN;
  }
  /** Return the length of the body. */
  payloadLength(): number {
    return this.length - ICMP_HEADER_LEN;
  }
  /** Return true when the checksum over the whole message verifies. */
  verifyChecksum(): boolean {
    return checksumOk(this.bytes, this.offset, this.length);
  }

  /** Set the message type. */
  setMsgType(v: number): void {
    this.bytes[this.offset + TYPE] = v;
  }
  /** Set the message code. */
  setMsgCode(v: number): void {
    this.bytes[this.offset + CODE] = v;
  }
  /** Set the checksum field. */
  setChecksum(v: number): void {
    set16(this.bytes, this.offset + CHECKSUM, v);
  }
  /** Set the 4 type-specific bytes. */
  setRestOfHeader(v: number): void {
    set32(this.bytes, this.offset + REST, v);
  }
  /** Set the echo identifier. */
  setIdentifier(v: number): void {
    set16(this.bytes, this.offset + IDENT, v);
  }
  /** Set the echo sequence number. */
  setSeqNumber(v: number): void {
    set16(this.bytes, this.offset + SEQ, v);
  }
  /** Set the next-hop MTU. */
  setNextHopMtu(v: number): void {
    set16(this.bytes, this.offset + MTU, v);
  }
  /** Recompute and store the checksum over the whole message as it is now. */
  fillChecksum(): void {
    set16(this.bytes, this.offset + CHECKSUM, 0);
    set16(this.bytes, this.offset + CHECKSUM, internetChecksum(this.bytes, this.offset, this.length));
  }
}

/** The fields of an ICMP message, plus where its body lies. */
export interface Icmpv4Repr {
  /** ICMP_* type. */
  msgType: number;
  msgCode: number;
  /** Checksum as received; emit computes its own. */
  checksum: number;
  /** Echo identifier (echo request/reply only, else 0). */
  identifier: number;
  /** Echo sequence number (echo request/reply only, else 0). */
  seqNumber: number;
  /** Next-hop MTU (destination unreachable only; non-zero only with ICMP_FRAG_NEEDED). */
  nextHopMtu: number;
  /** The 4 type-specific bytes as received; emit writes them for types it has no fields for. */
  restOfHeader: number;
  /** Offset of the body (echo data, or the quoted datagram in error messages). */
  payloadOffset: number;
  /** Length of the body. */
  payloadLength: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newIcmpv4Repr(): Icmpv4Repr {
  return {
    msgType: 0,
    msgCode: 0,
    checksum: 0,
    identifier: 0,
    seqNumber: 0,
    nextHopMtu: 0,
    restOfHeader: 0,
    payloadOffset: 0,
    payloadLength: 0,
  };
}

/** Return true for the error types whose body quotes the offending datagram. */
export function icmpIsError(msgType: number): boolean {
  return (
    msgType === ICMP_DEST_UNREACH ||
    msgType === ICMP_TIME_EXCEEDED ||
    msgType === ICMP_PARAMETER_PROB ||
    msgType === ICMP_SOURCE_QUENCH ||
    msgType === ICMP_REDIRECT
  );
}

/**
 * Fill `repr` from a view wrapped over the whole IPv4 payload; return a WireErr code.
 * Any type parses (the caller decides what to answer); for error types the body must hold
 * at least an IPv4 header and 8 bytes.
 * Errors: Truncated (under 8 bytes, or an error message quoting under 28 bytes),
 * BadChecksum (checksum over the whole message, skipped when `checksumOffload`).
 */
export function parseIcmpv4Into(view: Icmpv4View, repr: Icmpv4Repr, checksumOffload = false): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  // RFC 792: the checksum covers the whole ICMP message.
  if (!checksumOffload && !view.verifyChecksum()) return WireErr.BadChecksum;
  const t = view.msgType();
  if (icmpIsError(t) && view.payloadLength() < ICMP_MIN_QUOTE_LEN) return WireErr.Truncated;
  const echo = t === ICMP_ECHO_REQUEST || t === ICMP_ECHO_REPLY;
  repr.msgType = t;
  repr.msgCode = view.msgCode();
  repr.checksum = view.checksum();
  repr.identifier = echo ? view.identifier() : 0;
  repr.seqNumber = echo ? view.seqNumber() : 0;
  repr.nextHopMtu = t === ICMP_DEST_UNREACH ? view.nextHopMtu() : 0;
  repr.restOfHeader = view.restOfHeader();
  repr.payloadOffset = view.payloadOffset();
  repr.payloadLength = view.payloadLength();
  return WireErr.Ok;
}

/** Return the header length `emitIcmpv4` writes (always ICMP_HEADER_LEN). */
export function icmpv4BufferLen(_repr: Icmpv4Repr): number {
  return ICMP_HEADER_LEN;
}

/**
 * Write the 8-byte header at `off` and the checksum over header and body.
 * Expects: the body (`repr.payloadLength` bytes: echo data, or the quoted datagram) is
 * already in place at `off + ICMP_HEADER_LEN`; `repr.payloadOffset` is ignored. The 4
 * type-specific bytes come from identifier/seqNumber for echo types, from nextHopMtu for
 * destination unreachable (upper half zero), and zero for time exceeded; other types get
 * `restOfHeader` verbatim.
 */
export function emitIcmpv4(repr: Icmpv4Repr, b: Uint8Array, off: number): void {
  const t = repr.msgType;
  b[off + TYPE] = t;
  b[off + CODE] = repr.msgCode;
  set16(b, off + CHECKSUM, 0);
  if (t === ICMP_ECHO_REQUEST || t === ICMP_ECHO_REPLY) {
    set16(b, off + IDENT, repr.identifier);
    set16(b, off + SEQ, repr.seqNumber);
  } else if (t === ICMP_DEST_UNREACH) {
    set16(b, off + REST, 0);
    set16(b, off + MTU, repr.nextHopMtu);
  } else if (t === ICMP_TIME_EXCEEDED) {
    set32(b, off + REST, 0);
  } else {
    set32(b, off + REST, repr.restOfHeader);
  }
  set16(b, off + CHECKSUM, internetChecksum(b, off, ICMP_HEADER_LEN + repr.payloadLength));
}

/**
 * Return a one-line description in tcpdump's words: `ICMP echo request, id 1, seq 2, length 64`.
 * With `bytes` (the buffer the repr was parsed from) an error message also names what it
 * quotes: `ICMP 192.0.2.2 udp port 9 unreachable, length 36`.
 */
export function formatIcmpv4(repr: Icmpv4Repr, bytes?: Uint8Array): string {
  const len = ICMP_HEADER_LEN + repr.payloadLength;
  switch (repr.msgType) {
    case ICMP_ECHO_REQUEST:
    case ICMP_ECHO_REPLY: {
      const what = repr.msgType === ICMP_ECHO_REQUEST ? 'request' : 'reply';
      return `ICMP echo ${what}, id ${repr.identifier}, seq ${repr.seqNumber}, length ${len}`;
    }
    case ICMP_DEST_UNREACH:
      return `ICMP ${unreachText(repr, bytes)}, length ${len}`;
    case ICMP_TIME_EXCEEDED: {
      const what = repr.msgCode === ICMP_EXC_TTL ? 'time to live exceeded in transit' : 'ip reassembly time exceeded';
      return `ICMP ${quotedDst(repr, bytes)}${what}, length ${len}`;
    }
    default:
      return `ICMP type ${repr.msgType}, code ${repr.msgCode}, length ${len}`;
  }
}

function unreachText(repr: Icmpv4Repr, bytes: Uint8Array | undefined): string {
  const q = repr.payloadOffset;
  const ok = bytes !== undefined && repr.payloadLength >= ICMP_MIN_QUOTE_LEN && q + ICMP_MIN_QUOTE_LEN <= bytes.length;
  const dst = ok ? ipv4ToString(get32(bytes, q + 16)) : '';
  const proto = ok ? bytes[q + 9]! : -1;
  switch (repr.msgCode) {
    case ICMP_PORT_UNREACH: {
      const hl = ok ? (bytes[q]! & 0x0f) * 4 : 0;
      if (ok && (proto === IPPROTO_UDP || proto === IPPROTO_TCP) && hl >= IPV4_HEADER_LEN && hl + 4 <= repr.payloadLength) {
        const name = proto === IPPROTO_UDP ? 'udp' : 'tcp';
        return `${dst} ${name} port ${get16(bytes, q + hl + 2)} unreachable`;
      }
      return ok ? `${dst} port unreachable` : 'port unreachable';
    }
    case ICMP_PROT_UNREACH:
      return ok ? `${dst} protocol ${ipProtoName(proto)} unreachable` : 'protocol unreachable';
    case ICMP_HOST_UNREACH:
      return ok ? `host ${dst} unreachable` : 'host unreachable';
    case ICMP_NET_UNREACH:
      return ok ? `net ${dst} unreachable` : 'net unreachable';
    case ICMP_FRAG_NEEDED:
      return `${ok ? dst + ' ' : ''}unreachable - need to frag (mtu ${repr.nextHopMtu})`;
    case ICMP_PKT_FILTERED:
      return `${ok ? 'host ' + dst + ' ' : ''}unreachable - admin prohibited filter`;
    default:
      return `${ok ? dst + ' ' : ''}unreachable code ${repr.msgCode}`;
  }
}

function quotedDst(repr: Icmpv4Repr, bytes: Uint8Array | undefined): string {
  const q = repr.payloadOffset;
  if (bytes === undefined || repr.payloadLength < ICMP_MIN_QUOTE_LEN || q + ICMP_MIN_QUOTE_LEN > bytes.length) return '';
  return `${ipv4ToString(get32(bytes, q + 16))} `;
}
