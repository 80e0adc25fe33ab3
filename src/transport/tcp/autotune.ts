// Receive-buffer auto-tuning, after Linux's dynamic right-sizing (tcp_rcv_space_adjust,
// itself after Fisher's DRS): once per round trip, look at how many bytes the application
// read in it; when that grew, make the buffer hold about twice as much (the sender needs
// a window of one RTT's worth of data plus room to grow in slow start), up to recvBufMax
// (tcp_rmem[2], 6 MiB). The advertised window then follows the consumption rate. A
// buffer size the application set (SO_RCVBUF) turns this off, as on Linux.
//
// Bounded work: O(1) per recv() call; the growth only raises the ring's capacity, and the
// ring's memory follows as bytes arrive (ByteRing doubles its backing array, at most
// log2(max / 4 KiB) times per connection: not the steady data path).

import type { Millis } from '../../time.js';
import type { TcpSocket } from './socket.js';
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
