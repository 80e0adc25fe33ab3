// What the stream link and the WebSocket link share: a guest port over a Node socket.
// Receive: the subclass parses the byte stream into a bounded ring of frame slots
// (`slotAt`, `commitFrame`); while the ring is full the socket is paused (the guest's NIC
// then waits: no frame is lost on a stream) and it resumes once `receive` has taken half.
// Transmit: frames are appended, each behind the header the subclass writes, to a batch
// flushed to the socket once per event-loop turn; the port stops being writable while more
// than `txHighWater` bytes wait in the socket, and wakes the switch on 'drain'.

import type { Socket } from 'node:net';
import type { FrameSink, LinkStats } from '../link/device.js';
import { newLinkStats } from '../link/device.js';
import { copyBytes } from '../storage/copy.js';
import type { Millis } from '../time.js';
import type { GuestPort } from './switch.js';

/** Frame slots of the receive ring. */
export const SOCKET_PORT_RX_SLOTS = 256;
/** Bytes waiting in the socket past which the port stops being writable. */
export const SOCKET_PORT_TX_HIGH_WATER = 512 * 1024;
const BATCH = 256 * 1024;

/** A guest port over a socket; subclasses frame the bytes. */
export abstract class SocketPort implements GuestPort {
  readonly stats: LinkStats = newLinkStats();
  /** Called once when the connection is gone. */
  onClose: (() => void) | null = null;
  protected readonly rxBuf: Uint8Array;
  protected readonly rxLens = new Int32Array(SOCKET_PORT_RX_SLOTS);
  protected rxHead = 0;
  protected rxCount = 0;
  protected paused = false;
  protected closed = false;
  protected notify: (() => void) | null = null;
  private batch: Buffer | null = null;
  private batchLen = 0;
  private flushQueued = false;

  constructor(
    readonly name: string,
    protected readonly sock: Socket,
    readonly maxFrameLen: number,
  ) {
    this.rxBuf = new Uint8Array(SOCKET_PORT_RX_SLOTS * maxFrameLen);
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('drain', () => this.notify?.());
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.closed = true;
      this.onClose?.();
    });
  }

  /** Parse bytes from the socket into frames. */
  protected abstract onData(chunk: Buffer): void;
  /** Return the length of the header in front of a frame of `len` bytes. */
  protected abstract headerLen(len: number): number;
  /** Write the header of a frame of `len` bytes at `b[p]` (headerLen(len) bytes). */
  protected abstract writeHeader(b: Buffer, p: number, len: number): void;
  /** Called when the socket resumes after a pause (a parser holding bytes goes on). */
  protected resumed(): void {}

  receive(sink: FrameSink, budget: number, now: Millis): number {
    let n = 0;
    const stride = this.maxFrameLen;
    while (n < budget && this.rxCount > 0) {
      const k = this.rxHead;
      this.rxHead = k + 1 === SOCKET_PORT_RX_SLOTS ? 0 : k + 1;
      this.rxCount--;
      n++;
      sink.onFrame(this.rxBuf, k * stride, this.rxLens[k]!, now);
    }
    if (this.paused && this.rxCount < SOCKET_PORT_RX_SLOTS / 2 && !this.closed) {
      this.paused = false;
      this.sock.resume();
      this.resumed();
    }
    return n;
  }

  writable(): boolean {
    return !this.closed && this.sock.writableLength < SOCKET_PORT_TX_HIGH_WATER;
  }

  send(buf: Uint8Array, off: number, len: number, _now: Millis): boolean {
    if (this.closed || len > this.maxFrameLen) {
      this.stats.txDropped++;
      return false;
    }
    const hl = this.headerLen(len);
    if (this.batch !== null && this.batchLen + hl + len > this.batch.length) this.flush();
    if (this.batch === null) {
      this.batch = Buffer.allocUnsafe(Math.max(BATCH, hl + len));
      this.batchLen = 0;
    }
    const b = this.batch;
    this.writeHeader(b, this.batchLen, len);
    copyBytes(b, this.batchLen + hl, buf, off, len);
    this.batchLen += hl + len;
    this.stats.txFrames++;
    this.stats.txBytes += len;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  setNotify(cb: (() => void) | null): void {
    this.notify = cb;
  }

  pollAt(): Millis {
    return Infinity;
  }

  abstract close(): void;

  /** Return the ring slot the next frame goes to (its bytes at `slot * maxFrameLen`), or -1 when the ring is full. */
  protected nextSlot(): number {
    if (this.rxCount === SOCKET_PORT_RX_SLOTS) return -1;
    const k = this.rxHead + this.rxCount;
    return k >= SOCKET_PORT_RX_SLOTS ? k - SOCKET_PORT_RX_SLOTS : k;
  }

  /** Hand the frame of `len` bytes in the next slot to `receive`; wake the switch if the ring was empty. */
  protected commitFrame(len: number): void {
    this.rxLens[this.nextSlot()] = len;
    const wasEmpty = this.rxCount === 0;
    this.rxCount++;
    this.stats.rxFrames++;
    this.stats.rxBytes += len;
    if (wasEmpty) this.notify?.();
  }

  /** Pause the socket (the ring is full or nearly). */
  protected pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.sock.pause();
  }

  /** Write the batch to the socket. */
  protected flush(): void {
    this.flushQueued = false;
    const b = this.batch;
    if (b === null || this.batchLen === 0 || this.closed) return;
    this.sock.write(b.subarray(0, this.batchLen));
    this.batch = null;
    this.batchLen = 0;
  }
}
