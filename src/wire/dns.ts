// DNS messages (RFC 1035 §4.1), as much as a forwarder needs: the 12-byte header (id,
// flags, section counts), the question, the EDNS(0) OPT record's UDP payload size (RFC
// 6891 §6.1.2), and names, compressed or not (§4.1.4), for printing. Resource records are
// walked, never interpreted, except by the pretty-printer. Over TCP each message is
// preceded by its length in two bytes (§4.2.2, RFC 7766 §8); `DNS_TCP_LEN_PREFIX` is that.

import { get16, set16 } from './bytes.js';
import { WireErr } from './errors.js';
import { ipv4ToString } from './ipv4.js';
import { WireView } from './view.js';

/** Length of the DNS header. */
export const DNS_HEADER_LEN = 12;
/** The well-known port. */
export const DNS_PORT = 53;
/** Bytes of the length prefix of a message over TCP. */
export const DNS_TCP_LEN_PREFIX = 2;
/** Largest message over UDP without EDNS (RFC 1035 §4.2.1). */
export const DNS_UDP_MAX = 512;

/** Header flag bits (the 16-bit word at offset 2). */
export const DNS_FLAG_QR = 0x8000;
export const DNS_FLAG_AA = 0x0400;
export const DNS_FLAG_TC = 0x0200;
export const DNS_FLAG_RD = 0x0100;
export const DNS_FLAG_RA = 0x0080;

/** Response codes (RFC 1035 §4.1.1, RFC 6895). */
export const DnsRcode = {
  NoError: 0,
  FormErr: 1,
  ServFail: 2,
  NXDomain: 3,
  NotImp: 4,
  Refused: 5,
} as const;

/** Opcodes: 0 is a standard query. */
export const DNS_OPCODE_QUERY = 0;

export const DNS_TYPE_A = 1;
export const DNS_TYPE_NS = 2;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_SOA = 6;
export const DNS_TYPE_PTR = 12;
export const DNS_TYPE_MX = 15;
export const DNS_TYPE_TXT = 16;
export const DNS_TYPE_AAAA = 28;
export const DNS_TYPE_SRV = 33;
export const DNS_TYPE_OPT = 41;

const ID = 0;
const FLAGS = 2;
const QDCOUNT = 4;
const ANCOUNT = 6;
const NSCOUNT = 8;
const ARCOUNT = 10;
/** Most compression pointers followed in one name (a loop guard). */
const MAX_POINTERS = 32;

/** A re-pointable view of a DNS message; wrap it over the UDP payload or the TCP message after its length. */
export class DnsView extends WireView {
  /** Return WireErr.Ok when the header fits, else Truncated. */
  checkLen(): number {
    return this.length < DNS_HEADER_LEN ? WireErr.Truncated : WireErr.Ok;
  }
  /** Return the message id. */
  id(): number {
    return get16(this.bytes, this.offset + ID);
  }
  /** Return the flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode). */
  flags(): number {
    return get16(this.bytes, this.offset + FLAGS);
  }
  /** Return true for a response (QR set). */
  isResponse(): boolean {
    return (this.flags() & DNS_FLAG_QR) !== 0;
  }
  /** Return the opcode (0: standard query). */
  opcode(): number {
    return (this.flags() >>> 11) & 0xf;
  }
  /** Return true when the answer was truncated (TC). */
  truncated(): boolean {
    return (this.flags() & DNS_FLAG_TC) !== 0;
  }
  /** Return the response code (the low 4 bits; extended codes of EDNS not merged). */
  rcode(): number {
    return this.flags() & 0xf;
  }
  /** Return the number of questions. */
  qdCount(): number {
    return get16(this.bytes, this.offset + QDCOUNT);
  }
  /** Return the number of answers. */
  anCount(): number {
    return get16(this.bytes, this.offset + ANCOUNT);
  }
  /** Return the number of authority records. */
  nsCount(): number {
    return get16(this.bytes, this.offset + NSCOUNT);
  }
  /** Return the number of additional records. */
  arCount(): number {
    return get16(this.bytes, this.offset + ARCOUNT);
  }
  /** Set the message id. */
  setId(v: number): void {
    set16(this.bytes, this.offset + ID, v);
  }
  /** Set the flags word. */
  setFlags(v: number): void {
    set16(this.bytes, this.offset + FLAGS, v);
  }
}

/** The header, the first question and the EDNS size of a message. */
export interface DnsRepr {
  id: number;
  flags: number;
  qdCount: number;
  anCount: number;
  nsCount: number;
  arCount: number;
  /** Offset and length of the first question (name, type, class), or length 0 when there is none. */
  questionOffset: number;
  questionLength: number;
  qtype: number;
  qclass: number;
  /** The UDP payload size an OPT record announces (RFC 6891), or 0 when there is none. */
  ednsUdpSize: number;
  /** Where the last record ends (the message's real length; bytes after it are ignored). */
  end: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newDnsRepr(): DnsRepr {
  return { id: 0, flags: 0, qdCount: 0, anCount: 0, nsCount: 0, arCount: 0, questionOffset: 0, questionLength: 0, qtype: 0, qclass: 0, ednsUdpSize: 0, end: 0 };
}

/**
 * Return the offset after the (possibly compressed) name at `i`, or -1 when it is malformed
 * or runs past `end`: a label over 63 bytes, a reserved label type, or a name over 255 bytes.
 */
export function dnsSkipName(b: Uint8Array, i: number, end: number): number {
  let total = 0;
  while (i < end) {
    const n = b[i]!;
    if (n === 0) return i + 1;
    if ((n & 0xc0) === 0xc0) return i + 2 <= end ? i + 2 : -1;
    if ((n & 0xc0) !== 0) return -1;
    total += n + 1;
    if (total > 255) return -1;
    i += 1 + n;
  }
  return -1;
}

/**
 * Fill `repr` from a view over one whole message; return a WireErr code. Every section is
 * walked (names skipped, record lengths checked), so a message that lies about its counts
 * is Truncated or Malformed. Errors: Truncated (under 12 bytes, or a section runs past the
 * end), Malformed (a bad name).
 */
export function parseDnsInto(view: DnsView, repr: DnsRepr): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  const b = view.bytes;
  const end = view.offset + view.length;
  repr.id = view.id();
  repr.flags = view.flags();
  repr.qdCount = view.qdCount();
  repr.anCount = view.anCount();
  repr.nsCount = view.nsCount();
  repr.arCount = view.arCount();
  repr.questionOffset = view.offset + DNS_HEADER_LEN;
  repr.questionLength = 0;
  repr.qtype = 0;
  repr.qclass = 0;
  repr.ednsUdpSize = 0;
  let i = view.offset + DNS_HEADER_LEN;
  for (let q = 0; q < repr.qdCount; q++) {
    const at = dnsSkipName(b, i, end);
    if (at < 0) return WireErr.Malformed;
    if (at + 4 > end) return WireErr.Truncated;
    if (q === 0) {
      repr.qtype = get16(b, at);
      repr.qclass = get16(b, at + 2);
      repr.questionLength = at + 4 - i;
    }
    i = at + 4;
  }
  const records = repr.anCount + repr.nsCount + repr.arCount;
  const additionalFrom = repr.anCount + repr.nsCount;
  for (let k = 0; k < records; k++) {
    const at = dnsSkipName(b, i, end);
    if (at < 0) return WireErr.Malformed;
    if (at + 10 > end) return WireErr.Truncated;
    const rdlen = get16(b, at + 8);
    if (at + 10 + rdlen > end) return WireErr.Truncated;
    // RFC 6891 §6.1.2: an OPT record's CLASS is the requester's UDP payload size.
    if (k >= additionalFrom && get16(b, at) === DNS_TYPE_OPT && b[i] === 0) repr.ednsUdpSize = get16(b, at + 2);
    i = at + 10 + rdlen;
  }
  repr.end = i;
  return WireErr.Ok;
}

/** Return the name at `i` as text (`www.example.com.`), following pointers within `[start, end)`; `?` when malformed. */
export function dnsNameToString(b: Uint8Array, i: number, start: number, end: number): string {
  let s = '';
  let hops = 0;
  while (i >= start && i < end) {
    const n = b[i]!;
    if (n === 0) return s === '' ? '.' : s;
    if ((n & 0xc0) === 0xc0) {
      if (i + 2 > end || ++hops > MAX_POINTERS) return '?';
      i = start + (get16(b, i) & 0x3fff);
      continue;
    }
    if ((n & 0xc0) !== 0 || i + 1 + n > end) return '?';
    for (let k = 0; k < n; k++) {
      const c = b[i + 1 + k]!;
      s += c > 0x20 && c < 0x7f && c !== 0x2e ? String.fromCharCode(c) : `\\${c.toString().padStart(3, '0')}`;
    }
    s += '.';
    i += 1 + n;
  }
  return '?';
}

const TYPE_NAMES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 41: 'OPT', 255: 'ANY' };
const RCODE_NAMES = ['', 'FormErr', 'ServFail', 'NXDomain', 'NotImp', 'Refused'];

/** Return a type's mnemonic (`A`, `AAAA`) or `TYPE<n>`. */
export function dnsTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE${t}`;
}

/**
 * Return a one-line description in tcpdump's words: a query `4660+ A? example.com. (29)`,
 * a response `4660* 1/0/0 A 192.0.2.1 (45)` (`*` authoritative, `|` truncated, `-` no
 * recursion available, the rcode's name when not NoError, then the first answer).
 * `bytes`/`off`/`len` are the message the record was parsed from.
 */
export function formatDns(r: DnsRepr, bytes: Uint8Array, off: number, len: number): string {
  const end = off + len;
  const op = (r.flags >>> 11) & 0xf;
  const opText = op !== 0 ? ` op${op}` : '';
  const q = r.questionLength > 0 ? ` ${dnsTypeName(r.qtype)}? ${dnsNameToString(bytes, r.questionOffset, off, end)}` : '';
  if ((r.flags & DNS_FLAG_QR) === 0) return `${r.id}${(r.flags & DNS_FLAG_RD) !== 0 ? '+' : ''}${opText}${q} (${len})`;
  let s = `${r.id}${(r.flags & DNS_FLAG_AA) !== 0 ? '*' : ''}${(r.flags & DNS_FLAG_RA) === 0 ? '-' : ''}${(r.flags & DNS_FLAG_TC) !== 0 ? '|' : ''}${opText}`;
  const rc = r.flags & 0xf;
  if (rc !== 0) s += ` ${RCODE_NAMES[rc] ?? `Rcode${rc}`}`;
  s += ` ${r.anCount}/${r.nsCount}/${r.arCount}`;
  if (r.anCount > 0) s += firstAnswer(r, bytes, off, end);
  return `${s} (${len})`;
}

function firstAnswer(r: DnsRepr, b: Uint8Array, start: number, end: number): string {
  let i = r.questionOffset;
  for (let q = 0; q < r.qdCount; q++) {
    i = dnsSkipName(b, i, end);
    if (i < 0) return '';
    i += 4;
  }
  const at = dnsSkipName(b, i, end);
  if (at < 0 || at + 10 > end) return '';
  const type = get16(b, at);
  const rdlen = get16(b, at + 8);
  const rd = at + 10;
  if (rd + rdlen > end) return '';
  if (type === DNS_TYPE_A && rdlen === 4) return ` A ${ipv4ToString(((b[rd]! << 24) | (b[rd + 1]! << 16) | (b[rd + 2]! << 8) | b[rd + 3]!) >>> 0)}`;
  if (type === DNS_TYPE_AAAA && rdlen === 16) {
    const parts: string[] = [];
    for (let k = 0; k < 16; k += 2) parts.push(get16(b, rd + k).toString(16));
    return ` AAAA ${parts.join(':')}`;
  }
  if (type === DNS_TYPE_CNAME || type === DNS_TYPE_PTR || type === DNS_TYPE_NS) return ` ${dnsTypeName(type)} ${dnsNameToString(b, rd, start, end)}`;
  return ` ${dnsTypeName(type)}`;
}
