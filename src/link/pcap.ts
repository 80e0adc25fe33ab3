// Capture files in the classic libpcap format (tcpdump's `-w`), so anything that crosses a
// link can be opened in Wireshark or tshark, and so tests can replay real captures.
//
// File layout (https://www.tcpdump.org/manpages/pcap-savefile.5.html): a 24-byte header
// (magic, version 2.4, thiszone, sigfigs, snaplen, link type) then, per packet, a 16-byte
// record header (seconds, microseconds or nanoseconds, captured length, original length)
// and the captured bytes. The magic's byte order gives the file's byte order, and its value
// the timestamp resolution: 0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds.
//
// - PcapWriter buffers records and writes them in large chunks (to a file descriptor, or to
//   anything with `write(chunk)` such as a Node stream), and flushes on `close`.
// - PcapReader walks a file's bytes record by record, filling a record in place.
// - PcapTap is link middleware: it records every frame received and transmitted by the
//   device it wraps. Timestamps are the `now` the host passes, plus an epoch base fixed at
//   construction, so a capture of a virtual-clock run is reproducible.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Millis } from '../time.js';
import { type LinkDevice, linkArgError } from './device.js';
import { ObservingDevice } from './observer.js';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** The snapshot length we write: every Ethernet frame whole. */
export const PCAP_DEFAULT_SNAPLEN = 65535;
/** The largest captured length a reader accepts (libpcap's MAXIMUM_SNAPLEN). */
export const PCAP_MAX_CAPLEN = 262144;
/** LINKTYPE_ETHERNET: IEEE 802.3 Ethernet frames without the FCS. */
export const LINKTYPE_ETHERNET = 1;

/** The `code` of the Error thrown when a capture file is not a pcap file. */
export const NETCH_ERR_PCAP_FORMAT = 'NETCH_ERR_PCAP_FORMAT';

/** Result codes of `PcapReader.next`: 0 = a record was read. Permanent; add new ones at the end. */
export const PcapErr = {
  Ok: 0,
  /** No more records: the file ended cleanly at a record boundary. */
  End: 1,
  /** The file ends inside a record header or its data (a capture cut short). */
  Truncated: 2,
  /** A record claims more captured bytes than PCAP_MAX_CAPLEN. */
  BadRecord: 3,
} as const;

export type PcapErrCode = (typeof PcapErr)[keyof typeof PcapErr];

const pcapErrNames: readonly string[] = Object.keys(PcapErr);

/** Return the name of a PcapErr code ("Truncated"). */
export function pcapErrName(code: number): string {
  return pcapErrNames[code] ?? `PcapErr(${code})`;
}

/** An Error of the public API with a stable `code`. */
export interface PcapFormatError extends Error {
  code: typeof NETCH_ERR_PCAP_FORMAT;
}

function formatError(message: string): PcapFormatError {
  const e = new Error(`${NETCH_ERR_PCAP_FORMAT}: ${message}`) as PcapFormatError;
  e.code = NETCH_ERR_PCAP_FORMAT;
  return e;
}

// ---------------------------------------------------------------------------------------
// Writer

/** Anything that takes bytes: a Node Writable stream, an array collector in a test. */
export interface PcapOutput {
  /** Take `chunk`; the writer never touches it again (it is a fresh copy). */
  write(chunk: Uint8Array): unknown;
}

/** Options of a PcapWriter. */
export interface PcapWriterOptions {
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. Default false. */
  nanos?: boolean;
  /** Largest number of bytes kept per frame. Default 65535. */
  snaplen?: number;
  /** The LINKTYPE_* of the frames. Default LINKTYPE_ETHERNET. */
  linkType?: number;
  /** Write the file big-endian (for testing readers). Default false: little-endian. */
  bigEndian?: boolean;
  /** Bytes buffered before a write to the output. Default 64 KiB. */
  bufferSize?: number;
}

/**
 * Write a libpcap capture file. Records are buffered and written in large chunks; call
 * `close()` (or `flush()`) to get them all out.
 * Errors: the record methods never throw; an I/O error stops the writer, is kept in
 * `error`, and is thrown by `flush()` and `close()`.
 */
export class PcapWriter {
  /** Whether timestamps are in nanoseconds. */
  readonly nanos: boolean;
  readonly snaplen: number;
  readonly linkType: number;
  /** Records written (or buffered) so far. */
  records = 0;
  /** Bytes written (or buffered) so far, file header included. */
  bytes = 0;
  /** The first I/O error, after which nothing more is written. */
  error: Error | null = null;

  private readonly out: number | PcapOutput;
  private readonly ownsFd: boolean;
  private readonly le: boolean;
  private readonly buf: Uint8Array;
  private used = 0;
  private closed = false;

  /**
   * Start a capture on `out`: a file descriptor (written with fs.writeSync) or a PcapOutput.
   * The file header is buffered at once. With `ownsFd`, `close()` closes the descriptor.
   */
  constructor(out: number | PcapOutput, opts: PcapWriterOptions = {}, ownsFd = false) {
    this.out = out;
    this.ownsFd = ownsFd;
    this.nanos = opts.nanos ?? false;
    this.snaplen = opts.snaplen ?? PCAP_DEFAULT_SNAPLEN;
    this.linkType = opts.linkType ?? LINKTYPE_ETHERNET;
    this.le = !(opts.bigEndian ?? false);
    const size = opts.bufferSize ?? 65536;
    if (!Number.isInteger(this.snaplen) || this.snaplen < 1 || this.snaplen > PCAP_MAX_CAPLEN) {
      throw linkArgError(`PcapWriter: snaplen ${this.snaplen} is outside 1..${PCAP_MAX_CAPLEN}`);
    }
    if (!Number.isInteger(size) || size < 1 || size > 1 << 30) {
      throw linkArgError(`PcapWriter: bufferSize ${size} is not an integer in 1..${1 << 30}`);
    }
    this.buf = new Uint8Array(Math.max(size, PCAP_FILE_HEADER_LEN + PCAP_RECORD_HEADER_LEN));
    const b = this.buf;
    this.put32(b, 0, this.nanos ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS);
    this.put16(b, 4, PCAP_VERSION_MAJOR);
    this.put16(b, 6, PCAP_VERSION_MINOR);
    this.put32(b, 8, 0); // thiszone: timestamps are UTC
    this.put32(b, 12, 0); // sigfigs: always 0
    this.put32(b, 16, this.snaplen);
    this.put32(b, 20, this.linkType);
    this.used = PCAP_FILE_HEADER_LEN;
    this.bytes = PCAP_FILE_HEADER_LEN;
  }

  /** Create (or truncate) the file at `path` and start a capture in it; `close()` closes the file. */
  static open(path: string, opts: PcapWriterOptions = {}): PcapWriter {
    return new PcapWriter(openSync(path, 'w'), opts, true);
  }

  /**
   * Append a record of `len` bytes at `off` of `bytes` (cut to `snaplen`), stamped `sec`
   * seconds and `sub` micro- or nanoseconds (per `nanos`).
   */
  writeRecord(bytes: Uint8Array, off: number, len: number, sec: number, sub: number): void {
    if (this.closed || this.error !== null) return;
    const cap = len < this.snaplen ? len : this.snaplen;
    const need = PCAP_RECORD_HEADER_LEN + cap;
    if (this.used + need > this.buf.length) this.drain();
    const b = this.buf;
    let at = this.used;
    this.put32(b, at, sec);
    this.put32(b, at + 4, sub);
    this.put32(b, at + 8, cap);
    this.put32(b, at + 12, len);
    at += PCAP_RECORD_HEADER_LEN;
    if (at + cap <= b.length) {
      b.set(bytes.subarray(off, off + cap), at);
      this.used = at + cap;
    } else {
      // A record larger than the buffer: the header goes out, then the data directly.
      this.used = at;
      this.drain();
      this.emit(bytes, off, cap);
    }
    this.records++;
    this.bytes += need;
  }

  /**
   * Append a record stamped `baseSec` seconds plus `ms` milliseconds since the Unix epoch
   * (split this way so nanosecond stamps keep their precision: pass a small `ms`).
   */
  writeFrame(bytes: Uint8Array, off: number, len: number, ms: number, baseSec = 0): void {
    const whole = Math.floor(ms / 1000);
    const perSec = this.nanos ? 1_000_000_000 : 1_000_000;
    let sub = Math.round((ms - whole * 1000) * (perSec / 1000));
    let sec = baseSec + whole;
    if (sub >= perSec) {
      sub -= perSec;
      sec += 1;
    }
    this.writeRecord(bytes, off, len, sec, sub);
  }

  /** Write everything buffered. Errors: throws the writer's I/O error, if any. */
  flush(): void {
    if (!this.closed) this.drain();
    if (this.error !== null) throw this.error;
  }

  /** Flush and, for a file this writer opened, close it. Idempotent. Errors: throws the writer's I/O error, if any. */
  close(): void {
    if (this.closed) return;
    this.drain();
    this.closed = true;
    if (this.ownsFd && typeof this.out === 'number') {
      try {
        closeSync(this.out);
      } catch (e) {
        if (this.error === null) this.error = e as Error;
      }
    }
    if (this.error !== null) throw this.error;
  }

  private drain(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.emit(this.buf, 0, n);
  }

  private emit(bytes: Uint8Array, off: number, len: number): void {
    if (this.error !== null || len === 0) return;
    try {
      if (typeof this.out === 'number') {
        let done = 0;
        while (done < len) done += writeSync(this.out, bytes, off + done, len - done);
      } else {
        this.out.write(bytes.slice(off, off + len));
      }
    } catch (e) {
      this.error = e as Error;
    }
  }

  private put16(b: Uint8Array, at: number, v: number): void {
    if (this.le) {
      b[at] = v & 0xff;
      b[at + 1] = (v >>> 8) & 0xff;
    } else {
      b[at] = (v >>> 8) & 0xff;
      b[at + 1] = v & 0xff;
    }
  }

  private put32(b: Uint8Array, at: number, v: number): void {
    if (this.le) {
      b[at] = v & 0xff;
      b[at + 1] = (v >>> 8) & 0xff;
      b[at + 2] = (v >>> 16) & 0xff;
      b[at + 3] = (v >>> 24) & 0xff;
    } else {
      b[at] = (v >>> 24) & 0xff;
      b[at + 1] = (v >>> 16) & 0xff;
      b[at + 2] = (v >>> 8) & 0xff;
      b[at + 3] = v & 0xff;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reader

/** The fields of a pcap file header. */
export interface PcapHeader {
  /** Whether the file is little-endian. */
  littleEndian: boolean;
  /** Whether timestamps are in nanoseconds (else microseconds). */
  nanos: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  /** The LINKTYPE_* (the low 16 bits of the field; the rest carries FCS information). */
  linkType: number;
}

/** One record's header, and where its bytes lie in the file. */
export interface PcapRecord {
  /** Seconds since the Unix epoch. */
  tsSec: number;
  /** Microseconds or nanoseconds (per the file header) past `tsSec`. */
  tsSub: number;
  /** Bytes present in the file. */
  capLen: number;
  /** The frame's length on the wire. */
  origLen: number;
  /** Offset of the captured bytes in the file's bytes. */
  dataOffset: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newPcapRecord(): PcapRecord {
  return { tsSec: 0, tsSub: 0, capLen: 0, origLen: 0, dataOffset: 0 };
}

/**
 * Read a libpcap capture held in memory, either byte order, either resolution.
 * Errors: the constructor throws an Error with code NETCH_ERR_PCAP_FORMAT when the header is
 * short, has an unknown magic, or a major version other than 2; `next` never throws.
 */
export class PcapReader {
  readonly header: PcapHeader;
  /** The file's bytes. */
  readonly bytes: Uint8Array;
  /** Offset of the next record header; after an error, of the record that failed. */
  offset = PCAP_FILE_HEADER_LEN;
  private readonly le: boolean;

  /** Parse the file header of `bytes`. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    if (bytes.length < PCAP_FILE_HEADER_LEN) throw formatError(`file of ${bytes.length} bytes is shorter than a pcap header`);
    const be = u32be(bytes, 0);
    const le = u32le(bytes, 0);
    let little: boolean;
    let nanos: boolean;
    if (le === PCAP_MAGIC_MICROS || le === PCAP_MAGIC_NANOS) {
      little = true;
      nanos = le === PCAP_MAGIC_NANOS;
    } else if (be === PCAP_MAGIC_MICROS || be === PCAP_MAGIC_NANOS) {
      little = false;
      nanos = be === PCAP_MAGIC_NANOS;
    } else {
      throw formatError(`unknown magic 0x${be.toString(16).padStart(8, '0')} (pcapng and other formats are not read)`);
    }
    this.le = little;
    const versionMajor = this.get16(4);
    if (versionMajor !== PCAP_VERSION_MAJOR) throw formatError(`version ${versionMajor}.${this.get16(6)} is not 2.x`);
    this.header = {
      littleEndian: little,
      nanos,
      versionMajor,
      versionMinor: this.get16(6),
      snaplen: this.get32(16),
      linkType: this.get32(20) & 0xffff,
    };
  }

  /** Read the file at `path` whole and parse its header. Errors: as the constructor, plus fs errors. */
  static open(path: string): PcapReader {
    return new PcapReader(readBytes(path));
  }

  /**
   * Fill `rec` with the next record; return PcapErr.Ok, End at a clean end of file, or
   * Truncated / BadRecord (and stay on that record: every later call returns the same code).
   */
  next(rec: PcapRecord): number {
    const b = this.bytes;
    const at = this.offset;
    if (at === b.length) return PcapErr.End;
    if (at + PCAP_RECORD_HEADER_LEN > b.length) return PcapErr.Truncated;
    const capLen = this.get32(at + 8);
    const origLen = this.get32(at + 12);
    if (capLen > PCAP_MAX_CAPLEN) return PcapErr.BadRecord;
    const data = at + PCAP_RECORD_HEADER_LEN;
    if (data + capLen > b.length) return PcapErr.Truncated;
    rec.tsSec = this.get32(at);
    rec.tsSub = this.get32(at + 4);
    rec.capLen = capLen;
    rec.origLen = origLen;
    rec.dataOffset = data;
    this.offset = data + capLen;
    return PcapErr.Ok;
  }

  /** Return a record's timestamp in milliseconds since the Unix epoch. */
  timeMs(rec: PcapRecord): number {
    return rec.tsSec * 1000 + rec.tsSub / (this.header.nanos ? 1e6 : 1e3);
  }

  private get16(at: number): number {
    const b = this.bytes;
    return this.le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
  }

  private get32(at: number): number {
    return this.le ? u32le(this.bytes, at) : u32be(this.bytes, at);
  }
}

/** One frame of a capture read whole by `readPcap`. */
export interface PcapFrame {
  /** Milliseconds since the Unix epoch. */
  timeMs: number;
  tsSec: number;
  tsSub: number;
  origLen: number;
  /** The captured bytes (a view into the file's bytes). */
  data: Uint8Array;
}

/** A capture read whole: header, frames, and how the record loop ended. */
export interface PcapCapture {
  header: PcapHeader;
  frames: PcapFrame[];
  /** PcapErr.End for a complete file, else Truncated or BadRecord (frames holds what came before). */
  end: number;
  /** Offset of the record that failed (the file length at a clean end). */
  endOffset: number;
}

/**
 * Read every record of a capture held in memory (allocates per frame: for tests and tools).
 * Errors: throws NETCH_ERR_PCAP_FORMAT for a bad file header; a bad or cut record ends the
 * loop and is reported in `end`.
 */
export function readPcap(bytes: Uint8Array): PcapCapture {
  const r = new PcapReader(bytes);
  const rec = newPcapRecord();
  const frames: PcapFrame[] = [];
  let code: number;
  while ((code = r.next(rec)) === PcapErr.Ok) {
    frames.push({
      timeMs: r.timeMs(rec),
      tsSec: rec.tsSec,
      tsSub: rec.tsSub,
      origLen: rec.origLen,
      data: bytes.subarray(rec.dataOffset, rec.dataOffset + rec.capLen),
    });
  }
  return { header: r.header, frames, end: code, endOffset: r.offset };
}

/** Read every record of the capture file at `path` (see `readPcap`). */
export function readPcapFile(path: string): PcapCapture {
  return readPcap(readBytes(path));
}

/** Return a file's bytes as a plain Uint8Array (not a Buffer, whose `slice` shares memory). */
function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

// ---------------------------------------------------------------------------------------
// Tap middleware

/** Options of a PcapTap. */
export interface PcapTapOptions {
  /**
   * Wall-clock time, in milliseconds since the Unix epoch, that `now` = 0 stands for.
   * With a RealClock pass `Date.now() - performance.now()`; with a VirtualClock any fixed
   * value keeps captures reproducible. Default 0 (1970).
   */
  epochBaseMs?: number;
  /** Capture received frames. Default true. */
  rx?: boolean;
  /** Capture transmitted frames. Default true. */
  tx?: boolean;
}

/**
 * Link middleware that writes every frame crossing `inner` (both directions) to a
 * PcapWriter and is otherwise transparent: same name, limits, counters and tx buffer.
 * Ownership: `close()` closes the inner device; the writer stays the caller's to close.
 */
export class PcapTap extends ObservingDevice {
  /** The capture file. */
  readonly writer: PcapWriter;
  /** Whether received / transmitted frames are captured (may be changed at any time). */
  captureRx: boolean;
  captureTx: boolean;

  private readonly baseSec: number;
  private readonly baseMs: number;

  /** Wrap `inner`, capturing into `writer`. */
  constructor(inner: LinkDevice, writer: PcapWriter, opts: PcapTapOptions = {}) {
    super(inner);
    this.writer = writer;
    this.captureRx = opts.rx ?? true;
    this.captureTx = opts.tx ?? true;
    const base = opts.epochBaseMs ?? 0;
    this.baseSec = Math.floor(base / 1000);
    this.baseMs = base - this.baseSec * 1000;
  }

  /** Capture a received frame (when captureRx). */
  observeRx(buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (this.captureRx) this.capture(buf, off, len, now);
  }

  /** Capture a transmitted frame (when captureTx). */
  observeTx(buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (this.captureTx) this.capture(buf, off, len, now);
  }

  /** Write one frame to the capture, stamped with `now` plus the epoch base. */
  capture(buf: Uint8Array, off: number, len: number, now: Millis): void {
    this.writer.writeFrame(buf, off, len, this.baseMs + now, this.baseSec);
  }
}

/** Wrap `inner` so every frame it receives or transmits is written to `writer`. */
export function pcapTap(inner: LinkDevice, writer: PcapWriter, opts: PcapTapOptions = {}): PcapTap {
  return new PcapTap(inner, writer, opts);
}
