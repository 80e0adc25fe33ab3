// The UDP tunnel link: Ethernet frames carried one per UDP datagram, with no header of our
// own: the datagram's payload is the whole frame (no FCS). This is what QEMU's
//   -netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=P1,remote.type=inet,remote.host=127.0.0.1,remote.port=P2
//   -netdev socket,id=n0,udp=127.0.0.1:P2,localaddr=127.0.0.1:P1
// backends send and expect, so a guest's NIC and a netch host talk through a pair of ports
// on loopback, with no root and no TAP device. Two tunnels pointed at each other make a
// cable between two processes.
//
// Receive: node:dgram hands each datagram to a 'message' listener; the frame is copied into
// a bounded ring of slots (a full ring drops and counts rxDropped, as a NIC's rx ring does)
// and `receive` lends the slots to the sink in arrival order. Datagrams from any source but
// the configured remote are dropped (unless `acceptAnySource`), and so are those shorter
// than an Ethernet header or longer than maxFrameLen.
//
// Transmit: `transmitBegin` hands out a slot of a tx ring; `transmitCommit` passes it to
// socket.send, which may keep the bytes until the kernel takes them: a slot is reused only
// after its send completed (sends complete in order), so at most `txSlots` frames are in
// flight and a full ring returns -1. txFrames counts frames the kernel accepted.
//
// Allocation: node:dgram allocates a Buffer per received datagram and a request per send;
// this link adds nothing per frame of its own (no closures, no copies beyond one into the
// ring). The TAP link is the allocation-free path.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Millis } from '../time.js';
import { newLinkStats, type FrameSink, type LinkDevice, type LinkStats } from './device.js';

/** The `code` of the Error thrown for bad tunnel options. */
export const NETCH_ERR_TUNNEL_CONFIG = 'NETCH_ERR_TUNNEL_CONFIG';

/** The default largest frame: a 1500-byte MTU plus the 14-byte Ethernet header. */
export const UDP_TUNNEL_MAX_FRAME_DEFAULT = 1514;
/** The default number of received frames held until `receive` takes them. */
export const UDP_TUNNEL_RX_QUEUE_DEFAULT = 256;
/** The default number of frames in flight to the kernel. */
export const UDP_TUNNEL_TX_SLOTS_DEFAULT = 64;

/** Options of `openUdpTunnel`. */
export interface UdpTunnelOptions {
  /** Where the other end listens (an IP literal). */
  remoteAddress: string;
  remotePort: number;
  /** Local address to bind (default 127.0.0.1; same family as remoteAddress). */
  localAddress?: string;
  /** Local port to bind (default 0: an ephemeral port; see `localPort`). */
  localPort?: number;
  /** Device name for traces (default `udp0`). */
  name?: string;
  /** Largest frame, Ethernet header included (default 1514). */
  maxFrameLen?: number;
  /** Received frames held (default 256). */
  rxQueueLen?: number;
  /** Frames in flight to the kernel (default 64). */
  txSlots?: number;
  /** Take frames from any source, not only the remote (default false). */
  acceptAnySource?: boolean;
  /** Keep the event loop alive while the tunnel is open (default true). */
  keepAlive?: boolean;
}

/** An Error of this module with a stable `code`. */
export interface UdpTunnelError extends Error {
  code: string;
}

function configError(message: string): UdpTunnelError {
  const e = new Error(`${NETCH_ERR_TUNNEL_CONFIG}: ${message}`) as UdpTunnelError;
  e.code = NETCH_ERR_TUNNEL_CONFIG;
  return e;
}

function checkPort(p: number, what: string, zeroOk: boolean): void {
  if (!Number.isInteger(p) || p < (zeroOk ? 0 : 1) || p > 65535) throw configError(`${what} ${p} is not a port number`);
}

function checkCount(v: number, what: string, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw configError(`${what} ${v} must be an integer in [1, ${max}]`);
}

/**
 * Bind a UDP socket and return the tunnel once it is listening.
 * Errors: NETCH_ERR_TUNNEL_CONFIG (bad options); the socket's own errors on bind
 * (EADDRINUSE, EADDRNOTAVAIL) as Node reports them.
 */
export async function openUdpTunnel(opts: UdpTunnelOptions): Promise<UdpTunnel> {
  const family = isIP(opts.remoteAddress);
  if (family === 0) throw configError(`remoteAddress ${JSON.stringify(opts.remoteAddress)} is not an IP address`);
  checkPort(opts.remotePort, 'remotePort', false);
  const localAddress = opts.localAddress ?? (family === 6 ? '::1' : '127.0.0.1');
  if (isIP(localAddress) !== family) throw configError(`localAddress ${localAddress} is not an IPv${family} address like the remote`);
  const localPort = opts.localPort ?? 0;
  checkPort(localPort, 'localPort', true);
  const maxFrameLen = opts.maxFrameLen ?? UDP_TUNNEL_MAX_FRAME_DEFAULT;
  if (!Number.isInteger(maxFrameLen) || maxFrameLen < 60 || maxFrameLen > 65507) {
    throw configError(`maxFrameLen ${maxFrameLen} must be an integer in [60, 65507] (the largest UDP payload)`);
  }
  const rxQueueLen = opts.rxQueueLen ?? UDP_TUNNEL_RX_QUEUE_DEFAULT;
  checkCount(rxQueueLen, 'rxQueueLen', 65536);
  const txSlots = opts.txSlots ?? UDP_TUNNEL_TX_SLOTS_DEFAULT;
  checkCount(txSlots, 'txSlots', 65536);

  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind(localPort, localAddress, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  const t = new UdpTunnel(socket, opts.name ?? 'udp0', maxFrameLen, rxQueueLen, txSlots, opts.remoteAddress, opts.remotePort, opts.acceptAnySource === true);
  if (opts.keepAlive === false) socket.unref();
  return t;
}

/** One end of a UDP tunnel: a LinkDevice over a UDP socket. */
export class UdpTunnel implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  readonly txBytes: Uint8Array;
  /** Where frames go. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Datagrams dropped because they came from another source. */
  foreignDropped = 0;
  /** The last error a send completed with (its `code`), or null. */
  lastSendError: string | null = null;

  private readonly socket: Socket;
  private readonly acceptAny: boolean;
  // Receive ring: frame k (mod rxQueueLen) at k * rxStride, length in rxLens.
  private readonly rxBuf: Uint8Array;
  private readonly rxLens: Int32Array;
  private readonly rxStride: number;
  private readonly rxCap: number;
  private rxHead = 0; // next to deliver
  private rxCount = 0;
  // Transmit ring: slots of maxFrameLen bytes, reused in order after their send completed.
  private readonly txCap: number;
  private txNext = 0; // the slot the next begin hands out
  private txInFlight = 0;
  private reserved = -1;
  private readonly pendingLens: Int32Array; // length of each in-flight slot, for the counters
  private txDone = 0; // the oldest in-flight slot

  private rxNotify: (() => void) | null = null;
  private armed = false;
  private closed = false;
  private readonly onMessageBound = (msg: Buffer, rinfo: RemoteInfo): void => this.onMessage(msg, rinfo);
  private readonly onSentBound = (err: Error | null): void => this.onSent(err);
  private readonly onErrorBound = (err: Error): void => {
    this.lastSendError = (err as NodeJS.ErrnoException).code ?? err.message;
  };

  /** Wrap a bound socket; use openUdpTunnel instead. */
  constructor(
    socket: Socket,
    name: string,
    maxFrameLen: number,
    rxQueueLen: number,
    txSlots: number,
    remoteAddress: string,
    remotePort: number,
    acceptAnySource: boolean,
  ) {
    this.socket = socket;
    this.name = name;
    this.maxFrameLen = maxFrameLen;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.acceptAny = acceptAnySource;
    this.rxStride = maxFrameLen;
    this.rxCap = rxQueueLen;
    this.rxBuf = new Uint8Array(rxQueueLen * maxFrameLen);
    this.rxLens = new Int32Array(rxQueueLen);
    this.txCap = txSlots;
    this.txBytes = new Uint8Array(txSlots * maxFrameLen);
    this.pendingLens = new Int32Array(txSlots);
    socket.on('message', this.onMessageBound);
    socket.on('error', this.onErrorBound); // never an unhandled 'error' event
  }

  /** Return the bound local address and port. */
  address(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Return the bound local port. */
  get localPort(): number {
    return this.socket.address().port;
  }

  /** Frames received and not yet taken by `receive`. */
  get rxQueued(): number {
    return this.rxCount;
  }

  /** Deliver up to `budget` queued frames to `sink` in arrival order; return how many. */
  receive(sink: FrameSink, budget: number, now: Millis): number {
    if (this.closed || !(budget > 0)) return 0;
    let n = 0;
    while (n < budget && this.rxCount > 0) {
      const k = this.rxHead;
      this.rxHead = k + 1 === this.rxCap ? 0 : k + 1;
      this.rxCount--;
      n++;
      // The slot is free again once onFrame returns: no datagram can arrive during the
      // call (this thread is busy), so the lent bytes stay intact.
      sink.onFrame(this.rxBuf, k * this.rxStride, this.rxLens[k]!, now);
      if (this.closed) return n;
    }
    if (this.rxCount === 0 && this.rxNotify !== null) this.armed = true;
    return n;
  }

  /** Reserve a tx slot for up to `len` bytes; return its offset in `txBytes`, or -1. */
  transmitBegin(len: number): number {
    if (this.closed || !(len >= 0 && len <= this.maxFrameLen)) return -1;
    if (this.reserved >= 0) return this.reserved * this.maxFrameLen;
    if (this.txInFlight >= this.txCap) return -1;
    this.reserved = this.txNext;
    return this.reserved * this.maxFrameLen;
  }

  /** Send the frame of `len` bytes at `off` (from `transmitBegin`) to the remote. */
  transmitCommit(off: number, len: number, _now: Millis): void {
    const slot = this.reserved;
    if (this.closed || slot < 0 || off !== slot * this.maxFrameLen || !(len >= 14 && len <= this.maxFrameLen)) {
      this.stats.txDropped++;
      return;
    }
    this.reserved = -1;
    this.txNext = slot + 1 === this.txCap ? 0 : slot + 1;
    this.pendingLens[slot] = len;
    this.txInFlight++;
    this.socket.send(this.txBytes, off, len, this.remotePort, this.remoteAddress, this.onSentBound);
  }

  /** Ask for `cb` when a frame arrives while the queue is empty; null cancels. */
  setRxNotify(cb: (() => void) | null): void {
    this.rxNotify = cb;
    if (cb === null || this.closed) {
      this.armed = false;
      return;
    }
    if (this.rxCount > 0) {
      this.armed = false;
      setImmediate(cb); // frames are waiting: that is the transition, reported from a fresh task
    } else {
      this.armed = true;
    }
  }

  /** Return Infinity: a tunnel never holds frames back. */
  pollAt(): Millis {
    return Number.POSITIVE_INFINITY;
  }

  /** Close the socket; queued frames are discarded. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rxNotify = null;
    this.armed = false;
    this.rxCount = 0;
    this.socket.off('message', this.onMessageBound);
    this.socket.close();
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    if (!this.acceptAny && (rinfo.port !== this.remotePort || rinfo.address !== this.remoteAddress)) {
      this.foreignDropped++;
      this.stats.rxDropped++;
      return;
    }
    const len = msg.length;
    if (len < 14 || len > this.maxFrameLen || this.rxCount === this.rxCap) {
      this.stats.rxDropped++;
      return;
    }
    let k = this.rxHead + this.rxCount;
    if (k >= this.rxCap) k -= this.rxCap;
    this.rxBuf.set(msg, k * this.rxStride);
    this.rxLens[k] = len;
    this.rxCount++;
    this.stats.rxFrames++;
    this.stats.rxBytes += len;
    if (this.armed && this.rxNotify !== null) {
      this.armed = false;
      this.rxNotify(); // already a fresh task (a socket event); the callback only schedules
    }
  }

  private onSent(err: Error | null): void {
    const slot = this.txDone;
    this.txDone = slot + 1 === this.txCap ? 0 : slot + 1;
    this.txInFlight--;
    if (err !== null) {
      this.lastSendError = (err as NodeJS.ErrnoException).code ?? err.message;
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += this.pendingLens[slot]!;
  }
}
