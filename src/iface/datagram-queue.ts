// A bounded FIFO of datagrams for a socket's receive side: payloads are copied into one
// byte ring (each stored contiguously; a datagram that does not fit before the end starts
// again at 0), and each datagram's source, length and place are kept in parallel typed
// arrays. Both limits (bytes and count) are fixed at construction; a datagram that does
// not fit is refused, and the caller counts the drop (RcvbufErrors).
//
// No allocation after construction.

import { copyBytes } from '../storage/copy.js';

/** A receive queue of datagrams with their source address and port. */
export class DatagramQueue {
  private readonly buf: Uint8Array;
  private readonly offs: Int32Array;
  private readonly lens: Int32Array;
  private readonly addrs: Float64Array;
  private readonly ports: Uint16Array;
  private readonly dsts: Float64Array;
  /** Index of the oldest datagram in the metadata ring, and how many there are. */
  private head = 0;
  private count = 0;
  /** Byte ring: where the oldest datagram starts and where the next one goes. */
  private rd = 0;
  private wr = 0;
  /** Payload bytes queued (not counting space lost at the wrap). */
  bytes = 0;

  constructor(
    readonly capacityBytes: number,
    readonly capacityDatagrams: number,
  ) {
    this.buf = new Uint8Array(capacityBytes);
    this.offs = new Int32Array(capacityDatagrams);
    this.lens = new Int32Array(capacityDatagrams);
    this.addrs = new Float64Array(capacityDatagrams);
    this.ports = new Uint16Array(capacityDatagrams);
    this.dsts = new Float64Array(capacityDatagrams);
  }

  /** Return how many datagrams wait. */
  get length(): number {
    return this.count;
  }

  /** Return the length of the oldest datagram, or -1 when empty. */
  peekLength(): number {
    return this.count === 0 ? -1 : this.lens[this.head]!;
  }

  /**
   * Copy a datagram of `len` bytes at `off` of `src`, from `addr`:`port` to local `dst`;
   * return false when it does not fit (the queue is unchanged).
   */
  push(src: Uint8Array, off: number, len: number, addr: number, port: number, dst: number): boolean {
    if (this.count === this.capacityDatagrams) return false;
    const at = this.place(len);
    if (at < 0) return false;
    copyBytes(this.buf, at, src, off, len);
    const i = (this.head + this.count) % this.capacityDatagrams;
    this.offs[i] = at;
    this.lens[i] = len;
    this.addrs[i] = addr;
    this.ports[i] = port;
    this.dsts[i] = dst;
    this.count++;
    this.wr = at + len;
    this.bytes += len;
    return true;
  }

  /**
   * Take the oldest datagram: copy up to `len` bytes of it to `out` at `off`, fill `from`;
   * return its full length, or -1 when empty. Bytes past `len` are discarded (recvfrom(2)
   * on a datagram socket).
   */
  shift(out: Uint8Array, off: number, len: number, from: UdpPeerInfo | null): number {
    if (this.count === 0) return -1;
    const i = this.head;
    const n = this.lens[i]!;
    copyBytes(out, off, this.buf, this.offs[i]!, Math.min(n, len));
    if (from !== null) {
      from.address = this.addrs[i]!;
      from.port = this.ports[i]!;
      from.localAddress = this.dsts[i]!;
      from.size = n;
      from.truncated = n > len;
    }
    this.head = (this.head + 1) % this.capacityDatagrams;
    this.count--;
    this.bytes -= n;
    if (this.count === 0) {
      this.rd = 0;
      this.wr = 0;
    } else {
      this.rd = this.offs[this.head]!;
    }
    return n;
  }

  /** Drop everything. */
  clear(): void {
    this.head = 0;
    this.count = 0;
    this.rd = 0;
    this.wr = 0;
    this.bytes = 0;
  }

  /** Return where a datagram of `len` bytes goes, or -1 when there is no room. */
  private place(len: number): number {
    const cap = this.capacityBytes;
    if (len > cap) return -1;
    const wr = this.wr;
    // Nothing stored (or only empty datagrams, which take no room): anywhere will do.
    if (this.count === 0) return 0;
    if (this.bytes === 0) return cap - wr >= len ? wr : 0;
    const rd = this.rd;
    if (wr > rd) {
      // Data in [rd, wr): room at the end, or wrap to the start before rd.
      if (cap - wr >= len) return wr;
      return rd >= len ? 0 : -1;
    }
    // Wrapped: data in [rd, cap) and [0, wr); wr === rd means exactly full.
    return wr !== rd && rd - wr >= len ? wr : -1;
  }
}

/** Where a received datagram came from (filled by recvFrom). */
export interface UdpPeerInfo {
  address: number;
  port: number;
  /** The local address it was sent to (IP_PKTINFO's ipi_addr): ours, or a broadcast address. */
  localAddress: number;
  /** Its full length; more than what was copied when `truncated`. */
  size: number;
  truncated: boolean;
}

/** Return a fresh record (allocate once, reuse). */
export function newUdpPeerInfo(): UdpPeerInfo {
  return { address: 0, port: 0, localAddress: 0, size: 0, truncated: false };
}
