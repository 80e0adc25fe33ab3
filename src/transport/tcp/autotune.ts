// Buffer auto-tuning, both directions.
//
// Receive: after Linux's dynamic right-sizing (tcp_rcv_space_adjust,
// itself after Fisher's DRS): once per round trip, look at how many bytes the application
// read in it; when that grew, make the buffer hold about twice as much (the sender needs
// a window of one RTT's worth of data plus room to grow in slow start), up to recvBufMax
// (tcp_rmem[2], 6 MiB). The advertised window then follows the consumption rate. A
// buffer size the application set (SO_RCVBUF) turns this off, as on Linux.
//
// Send: after Linux's tcp_sndbuf_expand. A sender keeps its in-flight bytes until they
// are acknowledged, and needs as much again queued so that the application's next write
// lands while the ACKs come back (Linux: 2 × cwnd). The buffer starts at sendBufSize
// (tcp_wmem[1]); at ESTABLISHED it holds at least 2 × the initial window; when an ACK
// frees room after a send found it full (Linux's SOCK_NOSPACE) and nothing waits unsent,
// it doubles, up to 2 × the window the network allows and sendBufMax (tcp_wmem[2], 4 MiB).
// Two differences from Linux. The bound is min(cwnd, the peer's largest window): cwnd
// alone in slow start may be twice what was in flight (output.ts noteCwndUse). And Linux
// grows whenever cwnd is not full: over a memory link nothing is lost, cwnd never stops,
// and sent bytes wait in the link and the peer's queues, so every flow grows to the
// maximum, and a ring that large is cold by the time its bytes are sent (one-thread bulk in
// the channels bench: 38 → 15-18 Gbit/s). So growth also stops while the timed segment's
// round trip is over twice the smallest to that peer in the last 10 s (PeerRttTable): half
// of what is in flight then waits in a queue, and a larger buffer only lengthens it (TCP
// Vegas' reading of delay). Round trips are taken at the clock's full resolution, not
// TSecr's 1 ms. SO_SNDBUF turns it off.
//
// Bounded work: O(1) per recv() call and per ACK; the growth only raises the ring's
// capacity, and the ring's memory follows as bytes arrive (ByteRing doubles its backing
// array, at most log2(max / 4 KiB) times per connection: not the steady data path).

import type { Millis } from '../../time.js';
import type { TcpSocket } from './socket.js';
import type { TcpLayer } from './layer.js';
import { seqDiff } from '../../wire/seq.js';
import { isSynchronized } from './state.js';

/** Segments acknowledged at once at the start and after out-of-order data (Linux's TCP_MAX_QUICKACKS). */
export const TCP_MAX_QUICKACKS = 16;
/** The measurement interval when no RTT sample exists yet. */
const DEFAULT_RTT_MS = 100;

/** Account `n` bytes the application read from `s` at `now`; grow the receive buffer once per RTT when the rate grew. */
export function noteConsumed(s: TcpSocket, n: number, now: Millis): void {
  s.rcvqBytes += n;
  const rtt = s.rtt.hasSample ? Math.max(1, s.rtt.srtt) : DEFAULT_RTT_MS;
  if (now - s.rcvqTime < rtt) return;
  const copied = s.rcvqBytes;
  s.rcvqBytes = 0;
  s.rcvqTime = now;
  if (copied <= s.rcvqSpace || !isSynchronized(s.state)) return;
  s.rcvqSpace = copied;
  // tcp_rcv_space_adjust: rcvwin = 2 × copied + 16 × advmss... kept within the configured maximum.
  const max = s.layer.config.recvBufMax;
  let want = 2 * copied + 16 * s.advMss;
  if (want > max) want = max;
  const ring = s.recvBuf;
  if (want <= ring.capacity) return;
  ring.grow(want);
  s.layer.counters.TcpExt.TCPRcvBufGrow++;
}

/** At ESTABLISHED: give `s`'s send buffer room for twice the initial window (Linux's tcp_init_buffer_space) unless SO_SNDBUF set it. */
export function initSendBuf(s: TcpSocket, layer: TcpLayer): void {
  if (s.sendBufLocked) return;
  growSendBuf(s, layer, 2 * layer.config.initCwnd * s.sendMss);
}

/**
 * An ACK freed room in `s`'s send buffer after a send found it full. When nothing queued
 * waits to be sent (less than a segment), the buffer alone held the sender back: double
 * it, up to twice the window the network allows (cwnd, the peer's largest window) and
 * sendBufMax. When bytes wait (cwnd, the peer's window or a full device hold them), a
 * larger buffer would only queue more of them.
 */
export function expandSendBuf(s: TcpSocket, layer: TcpLayer): void {
  if (s.sendBufLocked) return;
  const ring = s.sendBuf;
  if (ring.length - seqDiff(s.sndMax, s.sndBufSeq) >= s.sendMss) return;
  // Round trips over twice the peer's shortest: half of what is in flight waits in a queue
  // (a device's, the peer's), and more of it would only wait longer (TCP Vegas' reading of delay).
  if (s.sendRttLast > 2 * s.sendRttMin) return;
  let wnd = s.cc.cwnd;
  if (wnd > s.maxSndWnd) wnd = s.maxSndWnd;
  const iw = layer.config.initCwnd * s.sendMss;
  if (wnd < iw) wnd = iw;
  growSendBuf(s, layer, Math.min(2 * ring.capacity, 2 * wnd));
}

/** Record the round trip `r` (ms) of `s`'s timed segment at `now` for send-buffer auto-tuning. */
export function noteSendRtt(s: TcpSocket, r: Millis, now: Millis): void {
  s.sendRttLast = r;
  s.sendRttMin = s.layer.peerRtt.note(peerRttKey(s.remoteAddr, s.remotePort), r, now);
}

/** How long a peer's smallest round trip stands before a larger one may replace it (BBR's min_rtt window). */
export const PEER_RTT_WINDOW_MS = 10_000;
/** Peers a table remembers; when full it starts over (a bound, not an LRU). */
export const PEER_RTT_MAX = 4096;

/**
 * The key of a peer in PeerRttTable: its address and port. Connections to one service
 * (address and port) share their smallest round trip; connections from one address but
 * different ports do not, since those are often different clients behind one NAT, with
 * round trips of their own (one client's 10 ms must not stop another's 100 ms flow).
 */
export function peerRttKey(addr: number, port: number): number {
  return (addr >>> 0) * 65536 + port;
}

/**
 * The smallest round trip to each peer (peerRttKey) in the last PEER_RTT_WINDOW_MS, shared
 * by the layer's connections to it (Linux keeps per-destination RTTs too, tcp_metrics). One
 * connection's own minimum depends on what its first segments met: 16 flows opened at once
 * over a memory link saw minima from 0 to 3.6 ms, and those that saw 3 ms grew their
 * buffers to 4 MiB. An entry is made once per peer and updated in place after that.
 */
export class PeerRttTable {
  /** By peer: the smallest round trip (ms) and when it was taken. */
  private readonly byPeer = new Map<number, { min: Millis; at: Millis }>();

  /** Take the sample `r` (ms) to the peer `key` at `now`; return the peer's current minimum (ms). */
  note(key: number, r: Millis, now: Millis): Millis {
    const e = this.byPeer.get(key);
    if (e === undefined) {
      if (this.byPeer.size >= PEER_RTT_MAX) this.byPeer.clear();
      this.byPeer.set(key, { min: r, at: now });
      return r;
    }
    if (r < e.min || now - e.at > PEER_RTT_WINDOW_MS) {
      e.min = r;
      e.at = now;
    }
    return e.min;
  }

  /** The peers remembered. */
  get size(): number {
    return this.byPeer.size;
  }
}

function growSendBuf(s: TcpSocket, layer: TcpLayer, want: number): void {
  const max = layer.config.sendBufMax;
  if (want > max) want = max;
  const ring = s.sendBuf;
  if (want <= ring.capacity) return;
  ring.grow(want);
  layer.counters.TcpExt.TCPSndBufGrow++;
}
