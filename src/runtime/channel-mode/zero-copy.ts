// Zero copy to the application: in channel mode, the in-order TCP payload of a
// socket stays in the arena frame it arrived in, and the application reads it as a view of
// that frame (`bytes`, `offset`, `length`), then releases it; only then does the frame go
// back to the driver (done ring) and the peer. Nothing copies the payload, in any thread.
//
// Window accounting: the socket's receive buffer still counts every byte (TCP commits the
// held bytes without copying them, `TcpRxHold`), and the bytes leave it only when the
// application releases their view, so the advertised window covers the bytes held in
// frames exactly as it covers copied ones. Out-of-order segments are still copied ahead
// in the receive buffer by the assembler, as are segments that arrived before the socket
// was attached, or while the process held its share of frames (half its rx quota) or this
// socket its piece limit: those bytes come out as views of a per-socket scratch buffer
// (one copy, as recv() would make). A view says which: `copied`.
//
// Ownership: a view is valid until it is released, or until the socket is closed or shut
// down for reading (TCP then gives every held frame back); views are released in the order
// they were read (a stream). At most one copied view is outstanding at a time. recv() on the
// socket keeps working (it copies out of the held frames) when no view is outstanding. A
// process that ends while holding frames loses nothing: the driver takes back every frame
// lent to it (driver.ts, detach).
// Bounded work: every call handles one view or one release. No allocation per view.

import { copyBytes } from '../../storage/copy.js';
import type { Millis } from '../../time.js';
import { TcpErr } from '../../transport/tcp/errors.js';
import type { TcpRxHold, TcpSocket } from '../../transport/tcp/socket.js';

/** Where held frames come from and go back to (a process's device), or a holder that never holds. */
export interface FrameHolder {
  /** The arena bytes views point into. */
  readonly bytes: Uint8Array;
  /** Keep the frame now being received that holds the payload at `off`; return its offset, or -1. */
  holdCurrent(bytes: Uint8Array, off: number, len: number): number;
  /** Give back a frame `holdCurrent` kept. */
  release(frame: number): void;
}

/** A holder that never holds (one-thread mode): every view is a copy. */
export const COPY_HOLDER: FrameHolder = {
  bytes: new Uint8Array(0),
  holdCurrent: () => -1,
  release: () => {},
};

/** A received view: `length` bytes of the stream at `offset` of `bytes`. */
export interface RecvView {
  bytes: Uint8Array;
  offset: number;
  length: number;
  /** True when the bytes were copied (out-of-order data, or no frame could be held). */
  copied: boolean;
}

/** Pieces (held frames) one socket may keep before it falls back to copying. */
const PIECES = 1024;
const MASK = PIECES - 1;
const SCRATCH = 65536;
const EMPTY = new Uint8Array(0);

/** The zero-copy reader of one TCP socket. */
export class ZeroCopySocket implements TcpRxHold {
  /** The view `readView` filled (one record, re-pointed by every call). */
  readonly view: RecvView = { bytes: EMPTY, offset: 0, length: 0, copied: false };
  /** Payload bytes handed out as frame views and as copies (counters). */
  framedBytes = 0;
  copiedBytes = 0;
  // Held frames by stream offset: pieces [pHead, pTail); [pHead, pNext) are handed out.
  private readonly pStream = new Float64Array(PIECES);
  private readonly pLen = new Int32Array(PIECES);
  private readonly pFrame = new Int32Array(PIECES);
  private readonly pOff = new Int32Array(PIECES);
  private pHead = 0;
  private pNext = 0;
  private pTail = 0;
  // Views handed out and not released, oldest first: their lengths, and whether a copy.
  private readonly oLen = new Int32Array(PIECES * 2);
  private readonly oCopy = new Uint8Array(PIECES * 2);
  private oHead = 0;
  private oTail = 0;
  private copyOut = false;
  /** Stream offset (since attach) of recvBuf's head, and of the next byte to hand out. */
  private head = 0;
  private cursor = 0;
  private readonly scratch = new Uint8Array(SCRATCH);

  private constructor(readonly socket: TcpSocket, private readonly holder: FrameHolder) {}

  /** Attach a zero-copy reader to `s` (connected or accepted); bytes already buffered come out as copies. Throws TypeError when `s` already has one. */
  static attach(s: TcpSocket, holder: FrameHolder): ZeroCopySocket {
    if (s.rxHold !== null) throw new TypeError('ZeroCopySocket.attach: the socket already has a zero-copy reader');
    const z = new ZeroCopySocket(s, holder);
    s.rxHold = z;
    return z;
  }

  /** Frames this socket holds now (handed out or not). */
  get heldFrames(): number {
    return this.pTail - this.pHead;
  }

  /** Called by TCP for in-order text: keep its frame when possible. */
  hold(bytes: Uint8Array, off: number, len: number): boolean {
    if (this.pTail - this.pHead >= PIECES) return false;
    const frame = this.holder.holdCurrent(bytes, off, len);
    if (frame < 0) return false;
    const i = this.pTail++ & MASK;
    // The bytes go at the receive buffer's tail (TCP commits them after this returns).
    this.pStream[i] = this.head + this.socket.recvBuf.length;
    this.pLen[i] = len;
    this.pFrame[i] = frame;
    this.pOff[i] = off;
    return true;
  }

  /**
   * Fill `view` with the next bytes of the stream; return their count, 0 at the end of the
   * stream, or a negated TcpErr (WouldBlock: nothing new, or a copied view is still out).
   */
  readView(now: Millis): number {
    const s = this.socket;
    const tail = this.head + s.recvBuf.length;
    if (this.cursor >= tail) {
      if (s.recvBuf.length > 0 || this.oTail !== this.oHead) return -TcpErr.WouldBlock; // all handed out
      return s.recv(EMPTY, 0, 0, now); // end of stream, an error, or would-block
    }
    if (this.oTail - this.oHead >= this.oLen.length) return -TcpErr.WouldBlock;
    const v = this.view;
    if (this.pNext !== this.pTail && this.pStream[this.pNext & MASK] === this.cursor) {
      const i = this.pNext++ & MASK;
      v.bytes = this.holder.bytes;
      v.offset = this.pOff[i]!;
      v.length = this.pLen[i]!;
      v.copied = false;
      this.framedBytes += v.length;
    } else {
      if (this.copyOut) return -TcpErr.WouldBlock;
      let n = tail - this.cursor;
      if (this.pNext !== this.pTail) n = Math.min(n, this.pStream[this.pNext & MASK]! - this.cursor);
      if (n > SCRATCH) n = SCRATCH;
      s.recvBuf.peek(this.cursor - this.head, this.scratch, 0, n);
      v.bytes = this.scratch;
      v.offset = 0;
      v.length = n;
      v.copied = true;
      this.copyOut = true;
      this.copiedBytes += n;
    }
    const o = this.oTail++ % this.oLen.length;
    this.oLen[o] = v.length;
    this.oCopy[o] = v.copied ? 1 : 0;
    this.cursor += v.length;
    return v.length;
  }

  /** Release the oldest view not yet released: its frame goes back, its bytes leave the window's count. Return the bytes released (0: none out). */
  release(now: Millis): number {
    if (this.oHead === this.oTail) return 0;
    const o = this.oHead++ % this.oLen.length;
    const n = this.oLen[o]!;
    if (this.oCopy[o] === 1) this.copyOut = false;
    else this.holder.release(this.pFrame[this.pHead++ & MASK]!);
    this.drop(n, now);
    return n;
  }

  /** Copy up to `len` bytes of the stream into `buf` (recv() on a socket with a reader); needs no view out. */
  recv(buf: Uint8Array, off: number, len: number, now: Millis): number {
    if (this.oHead !== this.oTail) return -TcpErr.WouldBlock;
    const s = this.socket;
    const want = Math.min(len, s.recvBuf.length);
    let got = 0;
    while (got < want) {
      const pos = this.head + got;
      if (this.pHead !== this.pTail && this.pStream[this.pHead & MASK] === pos) {
        const i = this.pHead & MASK;
        const k = Math.min(want - got, this.pLen[i]!);
        copyBytes(buf, off + got, this.holder.bytes, this.pOff[i]!, k);
        got += k;
        if (k === this.pLen[i]) {
          this.holder.release(this.pFrame[i]!);
          this.pHead++;
        } else {
          this.pStream[i]! += k;
          this.pOff[i]! += k;
          this.pLen[i]! -= k;
        }
      } else {
        let k = want - got;
        if (this.pHead !== this.pTail) k = Math.min(k, this.pStream[this.pHead & MASK]! - pos);
        got += s.recvBuf.peek(got, buf, off + got, k);
      }
    }
    this.pNext = this.pHead;
    this.cursor = this.head + got;
    this.drop(got, now);
    return got;
  }

  /** Give back every held frame and forget every view (TCP calls it when it empties the receive buffer: shutdown(SHUT_RD), close). */
  clear(): void {
    while (this.pHead !== this.pTail) this.holder.release(this.pFrame[this.pHead++ & MASK]!);
    this.pNext = this.pHead;
    this.oHead = this.oTail;
    this.copyOut = false;
    // recvBuf is empty after a shutdown(SHUT_RD); stream offsets restart from its head.
    this.head = 0;
    this.cursor = 0;
  }

  /** Close the socket (close(2)): every held frame goes back, the views become invalid. Return 0. */
  close(now: Millis): number {
    return this.socket.close(now);
  }

  private drop(n: number, now: Millis): void {
    const s = this.socket;
    // The buffer may have been cleared under us (shutdown(SHUT_RD), a reset): discard clamps.
    s.recvBuf.discard(n);
    this.head += n;
    if (this.cursor < this.head) this.cursor = this.head;
    s.consumed(n, now);
  }
}
