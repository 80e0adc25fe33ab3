// The loopback path: datagrams a host sends to one of its own addresses (or 127.0.0.0/8)
// wait here, as bare IPv4 datagrams, until the next poll delivers them to the input path,
// the way Linux's `lo` defers through its backlog. Delivering later rather than inside the
// send keeps the input path from re-entering the output path that is still writing.
//
// Bounded work: at most `capacity` datagrams are held; a full queue refuses the send.
// Slots are allocated on first use and reused.

import type { Millis } from '../time.js';

/** The receiver of looped-back datagrams. */
export interface LoopbackSink {
  /** Handle one datagram of `len` bytes at `off` (lent for the call). */
  onLoopback(buf: Uint8Array, off: number, len: number, now: Millis): void;
}

/** A bounded FIFO of datagrams addressed to the host itself. */
export class LoopbackQueue {
  private readonly slots: Uint8Array[] = [];
  private readonly lens: Int32Array;
  private head = 0;
  private count = 0;
  /** The slot the last `reserve` returned. */
  reserved = -1;

  constructor(
    readonly capacity: number,
    readonly mtu: number,
  ) {
    this.lens = new Int32Array(capacity);
  }

  /** Return how many datagrams wait. */
  get length(): number {
    return this.count;
  }

  /** Reserve the next slot; return its buffer (the datagram goes at offset 0), or null when full. */
  reserve(): Uint8Array | null {
    if (this.count === this.capacity) return null;
    const slot = (this.head + this.count) % this.capacity;
    let buf = this.slots[slot];
    if (buf === undefined) {
      buf = new Uint8Array(this.mtu);
      this.slots[slot] = buf;
    }
    this.reserved = slot;
    return buf;
  }

  /** Queue the datagram of `len` bytes written into the reserved slot. */
  commit(len: number): void {
    this.lens[this.reserved] = len;
    this.reserved = -1;
    this.count++;
  }

  /**
   * Deliver up to `budget` datagrams to `sink`, oldest first; return how many. A slot stays
   * taken until its datagram has been handled, so a reply sent meanwhile lands elsewhere.
   */
  drain(sink: LoopbackSink, budget: number, now: Millis): number {
    let n = 0;
    while (this.count > 0 && n < budget) {
      const slot = this.head;
      sink.onLoopback(this.slots[slot]!, 0, this.lens[slot]!, now);
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      n++;
    }
    return n;
  }
}
