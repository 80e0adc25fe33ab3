// TCP segments (RFC 9293 §3.1). The view reads the fixed header; options go through
// tcp-options.ts into the same record. The checksum covers an IPv4 pseudo-header, so parse
// and emit take the addresses. Sequence numbers are unsigned 32-bit and compared only
// through seq.ts.

import { get16, get32, set16, set32 } from './bytes.js';
import { checksumOk, internetChecksum, pseudoHeaderSum } from './checksum.js';
import { WireErr } from './errors.js';
import { IPPROTO_TCP, ipv4ToString } from './ipv4.js';
import { seqAdd } from './seq.js';
import {
  type TcpOptions,
  TCP_MAX_SACK_BLOCKS,
  emitTcpOptions,
  formatTcpOptions,
  parseTcpOptions,
  tcpOptionsLen,
} from './tcp-options.js';
import { WireView } from './view.js';

/** Length of the header without options (data offset 5). */
export const TCP_HEADER_LEN = 20;
/** Largest header: data offset 15. */
export const TCP_MAX_HEADER_LEN = 60;

// Control bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1).
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ = 4;
const ACK = 8;
const DATA_OFF = 12;
const FLAGS = 13;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;

/**
 * A re-pointable view of a TCP segment; wrap it over the whole IPv4 payload (the segment
 * length is the view's length). Call the accessors only after `checkLen()` returned Ok.
 */
export class TcpView extends WireView {
  /**
   * Check the lengths; return a WireErr code. Errors: Truncated (under 20 bytes),
   * BadHeaderLen (data offset < 5, or pointing past the view).
   */
  checkLen(): number {
    if (this.length < TCP_HEADER_LEN) return WireErr.Truncated;
    const hl = this.headerLen();
    if (hl < TCP_HEADER_LEN || hl > this.length) return WireErr.BadHeaderLen;
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
  /** Return the sequence number. */
  seqNumber(): number {
    return get32(this.bytes, this.offset + SEQ);
  }
  /** Return the acknowledgment number. */
  ackNumber(): number {
    return get32(this.bytes, this.offset + ACK);
  }
  /** Return the data offset in 32-bit words. */
  dataOffset(): number {
    return this.bytes[this.offset + DATA_OFF]! >>> 4;
  }
  /** Return the header length in bytes (data offset × 4), options included. */
  headerLen(): number {
    return (this.bytes[this.offset + DATA_OFF]! >>> 4) * 4;
  }
  /** Return the 8 control bits (TCP_FIN ... TCP_CWR). */
  flags(): number {
    return this.bytes[this.offset + FLAGS]!;
  }
  /** Return the FIN bit. */
  fin(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_FIN) !== 0;
  }
  /** Return the SYN bit. */
  syn(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_SYN) !== 0;
  }
  /** Return the RST bit. */
  rst(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_RST) !== 0;
  }
  /** Return the PSH bit. */
  psh(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_PSH) !== 0;
  }
  /** Return the ACK bit. */
  ack(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_ACK) !== 0;
  }
  /** Return the URG bit. */
  urg(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_URG) !== 0;
  }
  /** Return the ECE bit. */
  ece(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_ECE) !== 0;
  }
  /** Return the CWR bit. */
  cwr(): boolean {
    return (this.bytes[this.offset + FLAGS]! & TCP_CWR) !== 0;
  }
  /** Return the window field (not scaled). */
  windowLen(): number {
    return get16(this.bytes, this.offset + WINDOW);
  }
  /** Return the checksum as it is on the wire. */
  checksum(): number {
    return get16(this.bytes, this.offset + CHECKSUM);
  }
  /** Return the urgent pointer. */
  urgentPointer(): number {
    return get16(this.bytes, this.offset + URGENT);
  }
  /** Return the offset of the options in `bytes`. */
  optionsOffset(): number {
    return this.offset + TCP_HEADER_LEN;
  }
  /** Return the length of the options area (header length less 20). */
  optionsLength(): number {
    return this.headerLen() - TCP_HEADER_LEN;
  }
  /** Return the offset of the payload in `bytes`. */
  payloadOffset(): number {
    return this.offset + this.headerLen();
  }
  /** Return the payload length (the view's length less the header). */
  payloadLength(): number {
    return this.length - this.headerLen();
  }
  /** Return true when the checksum over the segment and pseudo-header verifies. */
  verifyChecksum(srcAddr: number, dstAddr: number): boolean {
    const len = this.length;
    return checksumOk(this.bytes, this.offset, len, pseudoHeaderSum(srcAddr, dstAddr, IPPROTO_TCP, len));
  }

  /** Set the source port. */
  setSrcPort(v: number): void {
    set16(this.bytes, this.offset + SRC_PORT, v);
  }
  /** Set the destination port. */
  setDstPort(v: number): void {
    set16(this.bytes, this.offset + DST_PORT, v);
  }
  /** Set the sequence number. */
  setSeqNumber(v: number): void {
    set32(this.bytes, this.offset + SEQ, v);
  }
  /** Set the acknowledgment number. */
  setAckNumber(v: number): void {
    set32(this.bytes, this.offset + ACK, v);
  }
  /** Set the data offset in 32-bit words (the reserved bits are cleared). */
  setDataOffset(v: number): void {
    this.bytes[this.offset + DATA_OFF] = (v & 0x0f) << 4;
  }
  /** Set the 8 control bits. */
  setFlags(v: number): void {
    this.bytes[this.offset + FLAGS] = v;
  }
  /** Set the window field. */
  setWindowLen(v: number): void {
    set16(this.bytes, this.offset + WINDOW, v);
  }
  /** Set the checksum field. */
  setChecksum(v: number): void {
    set16(this.bytes, this.offset + CHECKSUM, v);
  }
  /** Set the urgent pointer. */
  setUrgentPointer(v: number): void {
    set16(this.bytes, this.offset + URGENT, v);
  }
  /** Recompute and store the checksum over the whole view (segment) as it is now. */
  fillChecksum(srcAddr: number, dstAddr: number): void {
    const len = this.length;
    set16(this.bytes, this.offset + CHECKSUM, 0);
    const c = internetChecksum(this.bytes, this.offset, len, pseudoHeaderSum(srcAddr, dstAddr, IPPROTO_TCP, len));
    set16(this.bytes, this.offset + CHECKSUM, c);
  }
}

/** The fields of a TCP header and its options, plus where its payload lies. */
export interface TcpRepr extends TcpOptions {
  srcPort: number;
  dstPort: number;
  seqNumber: number;
  ackNumber: number;
  /** Control bits, TCP_FIN | TCP_SYN | ... */
  flags: number;
  /** Window field as on the wire (not scaled). */
  windowLen: number;
  urgentPointer: number;
  /** Checksum as received; emit computes its own. */
  checksum: number;
  /** Header length in bytes as received; emit uses tcpBufferLen(repr) instead. */
  headerLen: number;
  /** Offset of the payload in the parsed bytes; emit ignores it. */
  payloadOffset: number;
  /** Payload length (segment length less the header). */
  payloadLength: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newTcpRepr(): TcpRepr {
  return {
    srcPort: 0,
    dstPort: 0,
    seqNumber: 0,
    ackNumber: 0,
    flags: 0,
    windowLen: 0,
    urgentPointer: 0,
    checksum: 0,
    headerLen: TCP_HEADER_LEN,
    payloadOffset: 0,
    payloadLength: 0,
    mss: 0,
    windowScale: -1,
    sackPermitted: false,
    tsPresent: false,
    tsVal: 0,
    tsEcr: 0,
    sackCount: 0,
    sackBlocks: new Uint32Array(2 * TCP_MAX_SACK_BLOCKS),
    unknownOptCount: 0,
    unknownOptOffset: 0,
    unknownOptLength: 0,
  };
}

/**
 * Fill `repr` from a view wrapped over the whole IPv4 payload; return a WireErr code.
 * `srcAddr`/`dstAddr` are the IPv4 addresses, for the pseudo-header.
 * Errors: Truncated, BadHeaderLen (see checkLen), BadChecksum (not checked when
 * `checksumOffload` says the device did), BadOption (see parseTcpOptions; never with
 * `lenientOptions`, which parses options as Linux does). Flag combinations and port values
 * are the transport's business, not checked here.
 */
export function parseTcpInto(
  view: TcpView,
  repr: TcpRepr,
  srcAddr: number,
  dstAddr: number,
  checksumOffload = false,
  lenientOptions = false,
): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  // RFC 9293 §3.1: the checksum covers pseudo-header, header and data; a segment that
  // fails it is dropped (RFC 9293 §3.10.7.4 never sees it).
  if (!checksumOffload && !view.verifyChecksum(srcAddr, dstAddr)) return WireErr.BadChecksum;
  const hl = view.headerLen();
  const optErr = parseTcpOptions(view.bytes, view.offset + TCP_HEADER_LEN, hl - TCP_HEADER_LEN, repr, lenientOptions);
  if (optErr !== WireErr.Ok) return optErr;
  repr.srcPort = view.srcPort();
  repr.dstPort = view.dstPort();
  repr.seqNumber = view.seqNumber();
  repr.ackNumber = view.ackNumber();
  repr.flags = view.flags();
  repr.windowLen = view.windowLen();
  repr.urgentPointer = view.urgentPointer();
  repr.checksum = view.checksum();
  repr.headerLen = hl;
  repr.payloadOffset = view.offset + hl;
  repr.payloadLength = view.length - hl;
  return WireErr.Ok;
}

/** Return the header length `emitTcp` writes: 20 + the options, a multiple of 4, at most 60. */
export function tcpBufferLen(repr: TcpRepr): number {
  return TCP_HEADER_LEN + tcpOptionsLen(repr);
}

/**
 * Write the header and options at `off`, then the checksum over pseudo-header, header and
 * payload — unless `checksumOffload` says the link needs none, which leaves the field 0.
 * Expects: `tcpBufferLen(repr) + repr.payloadLength` bytes of room at `off`, with the
 * payload (`repr.payloadLength` bytes) already in place at `off + tcpBufferLen(repr)`;
 * `repr.payloadOffset`, `headerLen` and `checksum` are ignored. Options are written in the
 * canonical layout (see tcp-options.ts); unknown options are not re-emitted; SACK blocks
 * that do not fit in 40 bytes are dropped. The reserved bits are written as zero.
 */
export function emitTcp(repr: TcpRepr, b: Uint8Array, off: number, srcAddr: number, dstAddr: number, checksumOffload = false): void {
  set16(b, off + SRC_PORT, repr.srcPort);
  set16(b, off + DST_PORT, repr.dstPort);
  set32(b, off + SEQ, repr.seqNumber);
  set32(b, off + ACK, repr.ackNumber);
  const hl = TCP_HEADER_LEN + emitTcpOptions(repr, b, off + TCP_HEADER_LEN);
  b[off + DATA_OFF] = (hl >>> 2) << 4;
  b[off + FLAGS] = repr.flags;
  set16(b, off + WINDOW, repr.windowLen);
  set16(b, off + CHECKSUM, 0);
  set16(b, off + URGENT, repr.urgentPointer);
  if (checksumOffload) return; // the link guarantees integrity (Linux loopback's CHECKSUM_PARTIAL); the field stays 0
  const len = hl + repr.payloadLength;
  set16(b, off + CHECKSUM, internetChecksum(b, off, len, pseudoHeaderSum(srcAddr, dstAddr, IPPROTO_TCP, len)));
}

/** Return the sequence space the segment occupies: payload, plus one each for SYN and FIN. */
export function tcpSeqLen(repr: TcpRepr): number {
  return repr.payloadLength + (repr.flags & TCP_SYN ? 1 : 0) + (repr.flags & TCP_FIN ? 1 : 0);
}

/** Return the control bits as tcpdump prints them between brackets (`S.`, `P.`, `none`). */
export function formatTcpFlags(flags: number): string {
  let s = '';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_ACK) s += '.';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ECE) s += 'E';
  if (flags & TCP_CWR) s += 'W';
  return s === '' ? 'none' : s;
}

/**
 * Return a one-line description in tcpdump's `-S` words (absolute sequence numbers):
 * `192.0.2.1.40312 > 192.0.2.2.80: Flags [S], seq 1, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0`.
 * As tcpdump does, `seq` is shown when there is data or SYN/FIN/RST (as `seq a:b` with
 * data), `ack` when ACK is set, `urg` when URG is set.
 */
export function formatTcp(repr: TcpRepr, srcAddr: number, dstAddr: number): string {
  let s = `${ipv4ToString(srcAddr)}.${repr.srcPort} > ${ipv4ToString(dstAddr)}.${repr.dstPort}: Flags [${formatTcpFlags(repr.flags)}]`;
  if (repr.payloadLength > 0) {
    s += `, seq ${repr.seqNumber}:${seqAdd(repr.seqNumber, repr.payloadLength)}`;
  } else if (repr.flags & (TCP_SYN | TCP_FIN | TCP_RST)) {
    s += `, seq ${repr.seqNumber}`;
  }
  if (repr.flags & TCP_ACK) s += `, ack ${repr.ackNumber}`;
  s += `, win ${repr.windowLen}`;
  if (repr.flags & TCP_URG) s += `, urg ${repr.urgentPointer}`;
  const opts = formatTcpOptions(repr);
  if (opts !== '') s += `, options [${opts}]`;
  return `${s}, length ${repr.payloadLength}`;
}
