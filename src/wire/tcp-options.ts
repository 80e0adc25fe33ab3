// TCP options (RFC 9293 §3.1-3.2): MSS, window scale and timestamps (RFC 7323), SACK and
// SACK-permitted (RFC 2018), NOP and end-of-list. Parsed into a fixed-shape record (no
// per-option objects); unknown kinds are counted and their byte range kept, not decoded.
//
// Emit writes a canonical layout, the one Linux's tcp_options_write() uses, so a segment
// Linux sent re-emits byte for byte: MSS; SACK-permitted + timestamps (or NOP NOP +
// timestamps, or NOP NOP + SACK-permitted); NOP + window scale; NOP NOP + SACK blocks.
// Every group is a multiple of 4 bytes, so no padding is ever needed.

import { get16, get32, set16, set32 } from './bytes.js';
import { WireErr } from './errors.js';

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_TIMESTAMP = 10;
/** Bytes of one SACK block (left and right edge). */
export const TCPOLEN_SACK_PERBLOCK = 8;

/** The most option bytes a header can hold (data offset 15 → 60 − 20). */
export const TCP_MAX_OPTIONS_LEN = 40;
/** The most SACK blocks one option can carry (RFC 2018 §3). */
export const TCP_MAX_SACK_BLOCKS = 4;
/** The largest window shift a receiver honours (RFC 7323 §2.3: larger values mean 14). */
export const TCP_MAX_WSCALE = 14;

/** The options of one segment, as fields of the segment's record. */
export interface TcpOptions {
  /** Maximum segment size; 0 = absent. */
  mss: number;
  /** Window shift count as on the wire (not clamped to 14); -1 = absent. */
  windowScale: number;
  sackPermitted: boolean;
  tsPresent: boolean;
  tsVal: number;
  tsEcr: number;
  /** Number of SACK blocks in `sackBlocks` (0..4). */
  sackCount: number;
  /** SACK block i is (sackBlocks[2i], sackBlocks[2i+1]) = (left edge, right edge). Fixed length 8. */
  sackBlocks: Uint32Array;
  /** Options of unknown kind seen on receive; emit never writes them. */
  unknownOptCount: number;
  /** Offset in the parsed bytes of the first unknown option (0 when none). */
  unknownOptOffset: number;
  /** Bytes from the first unknown option to the end of the last one (0 when none). */
  unknownOptLength: number;
}

/** Reset every option field to "absent". */
export function clearTcpOptions(o: TcpOptions): void {
  o.mss = 0;
  o.windowScale = -1;
  o.sackPermitted = false;
  o.tsPresent = false;
  o.tsVal = 0;
  o.tsEcr = 0;
  o.sackCount = 0;
  o.unknownOptCount = 0;
  o.unknownOptOffset = 0;
  o.unknownOptLength = 0;
}

/**
 * Parse `len` option bytes at `off` into `o` (cleared first); return a WireErr code.
 * Stops at end-of-list; what follows it is padding.
 * Errors: BadOption when an option's length is 0 or 1, runs past the options area, or does
 * not fit its kind (MSS 4, window scale 3, SACK-permitted 2, timestamps 10, SACK 2 + 8n
 * with n ≥ 1). RFC 9293 §3.1 (MUST-7) asks receivers to be prepared for such lengths.
 * `lenient` takes them as Linux's tcp_parse_options does and never fails: a length of 0
 * or 1, or one that runs past the area, ends the parse (the options before it stand), and
 * a known option of the wrong size is skipped.
 */
export function parseTcpOptions(b: Uint8Array, off: number, len: number, o: TcpOptions, lenient = false): number {
  const bad = lenient ? WireErr.Ok : WireErr.BadOption;
  clearTcpOptions(o);
  const end = off + len;
  let i = off;
  while (i < end) {
    const kind = b[i]!;
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return bad;
    const olen = b[i + 1]!;
    if (olen < 2 || i + olen > end) return bad;
    if (!optionFits(kind, olen)) {
      if (!lenient) return WireErr.BadOption;
      i += olen;
      continue;
    }
    switch (kind) {
      case TCPOPT_MSS:
        o.mss = get16(b, i + 2);
        break;
      case TCPOPT_WINDOW:
        o.windowScale = b[i + 2]!;
        break;
      case TCPOPT_SACK_PERM:
        o.sackPermitted = true;
        break;
      case TCPOPT_TIMESTAMP:
        o.tsPresent = true;
        o.tsVal = get32(b, i + 2);
        o.tsEcr = get32(b, i + 6);
        break;
      case TCPOPT_SACK: {
        // olen <= 40 here (it fits the options area), so n <= 4.
        const n = (olen - 2) >>> 3;
        for (let k = 0; k < n; k++) {
          o.sackBlocks[2 * k] = get32(b, i + 2 + 8 * k);
          o.sackBlocks[2 * k + 1] = get32(b, i + 6 + 8 * k);
        }
        o.sackCount = n;
        break;
      }
      default:
        if (o.unknownOptCount === 0) o.unknownOptOffset = i;
        o.unknownOptCount++;
        o.unknownOptLength = i + olen - o.unknownOptOffset;
    }
    i += olen;
  }
  return WireErr.Ok;
}

/** Return whether an option of a known kind has that kind's size (any other kind fits). */
function optionFits(kind: number, olen: number): boolean {
  switch (kind) {
    case TCPOPT_MSS:
      return olen === TCPOLEN_MSS;
    case TCPOPT_WINDOW:
      return olen === TCPOLEN_WINDOW;
    case TCPOPT_SACK_PERM:
      return olen === TCPOLEN_SACK_PERM;
    case TCPOPT_TIMESTAMP:
      return olen === TCPOLEN_TIMESTAMP;
    case TCPOPT_SACK:
      return olen >= 2 + TCPOLEN_SACK_PERBLOCK && (olen - 2) % TCPOLEN_SACK_PERBLOCK === 0;
    default:
      return true;
  }
}

/** Return the bytes of the fixed groups (everything but SACK blocks) in the canonical layout. */
function fixedOptionsLen(o: TcpOptions): number {
  let n = o.mss !== 0 ? 4 : 0;
  if (o.tsPresent || o.sackPermitted) n += o.tsPresent ? 12 : 4;
  if (o.windowScale >= 0) n += 4;
  return n;
}

/**
 * Return how many SACK blocks emit writes: `sackCount`, less the blocks that do not fit in
 * the 40-byte options area after the other options (the last ones are dropped).
 */
export function tcpSackBlocksEmitted(o: TcpOptions): number {
  const room = TCP_MAX_OPTIONS_LEN - fixedOptionsLen(o) - 4;
  const fit = room < 0 ? 0 : room >>> 3;
  const want = o.sackCount > TCP_MAX_SACK_BLOCKS ? TCP_MAX_SACK_BLOCKS : o.sackCount;
  return want < fit ? want : fit;
}

/** Return the option bytes `emitTcpOptions` writes (a multiple of 4, at most 40). */
export function tcpOptionsLen(o: TcpOptions): number {
  const blocks = tcpSackBlocksEmitted(o);
  return fixedOptionsLen(o) + (blocks > 0 ? 4 + blocks * TCPOLEN_SACK_PERBLOCK : 0);
}

/** Write the options in the canonical layout at `off`; return the bytes written. */
export function emitTcpOptions(o: TcpOptions, b: Uint8Array, off: number): number {
  let i = off;
  if (o.mss !== 0) {
    b[i] = TCPOPT_MSS;
    b[i + 1] = TCPOLEN_MSS;
    set16(b, i + 2, o.mss);
    i += 4;
  }
  if (o.tsPresent) {
    if (o.sackPermitted) {
      b[i] = TCPOPT_SACK_PERM;
      b[i + 1] = TCPOLEN_SACK_PERM;
    } else {
      b[i] = TCPOPT_NOP;
      b[i + 1] = TCPOPT_NOP;
    }
    b[i + 2] = TCPOPT_TIMESTAMP;
    b[i + 3] = TCPOLEN_TIMESTAMP;
    set32(b, i + 4, o.tsVal);
    set32(b, i + 8, o.tsEcr);
    i += 12;
  } else if (o.sackPermitted) {
    b[i] = TCPOPT_NOP;
    b[i + 1] = TCPOPT_NOP;
    b[i + 2] = TCPOPT_SACK_PERM;
    b[i + 3] = TCPOLEN_SACK_PERM;
    i += 4;
  }
  if (o.windowScale >= 0) {
    b[i] = TCPOPT_NOP;
    b[i + 1] = TCPOPT_WINDOW;
    b[i + 2] = TCPOLEN_WINDOW;
    b[i + 3] = o.windowScale;
    i += 4;
  }
  const blocks = tcpSackBlocksEmitted(o);
  if (blocks > 0) {
    b[i] = TCPOPT_NOP;
    b[i + 1] = TCPOPT_NOP;
    b[i + 2] = TCPOPT_SACK;
    b[i + 3] = 2 + blocks * TCPOLEN_SACK_PERBLOCK;
    i += 4;
    for (let k = 0; k < blocks; k++) {
      set32(b, i, o.sackBlocks[2 * k]!);
      set32(b, i + 4, o.sackBlocks[2 * k + 1]!);
      i += 8;
    }
  }
  return i - off;
}

/**
 * Return the options as tcpdump prints them inside `options [...]`, in the canonical
 * layout (`mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`); '' when there are none.
 */
export function formatTcpOptions(o: TcpOptions): string {
  const parts: string[] = [];
  if (o.mss !== 0) parts.push(`mss ${o.mss}`);
  if (o.tsPresent) {
    parts.push(o.sackPermitted ? 'sackOK' : 'nop,nop');
    parts.push(`TS val ${o.tsVal} ecr ${o.tsEcr}`);
  } else if (o.sackPermitted) {
    parts.push('nop,nop,sackOK');
  }
  if (o.windowScale >= 0) parts.push(`nop,wscale ${o.windowScale}`);
  if (o.sackCount > 0) {
    let s = `nop,nop,sack ${o.sackCount} `;
    for (let k = 0; k < o.sackCount && k < TCP_MAX_SACK_BLOCKS; k++) {
      s += `{${o.sackBlocks[2 * k]}:${o.sackBlocks[2 * k + 1]}}`;
    }
    parts.push(s);
  }
  if (o.unknownOptCount > 0) parts.push(`unknown ${o.unknownOptCount}`);
  return parts.join(',');
}
