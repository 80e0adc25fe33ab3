// SYN cookies (RFC 4987 §3.6): when a listener cannot keep state for a SYN, it encodes
// what it must remember in the initial sequence number of its SYN-ACK and keeps nothing.
// A returning ACK acknowledges ISS + 1, so the listener gets the cookie back and can
// rebuild the connection from it.
//
// Our cookie, built the way RFC 4987 describes (the layout is ours):
//   cookie = H1(4-tuple) + peer ISN + (t << 24) + ((H2(4-tuple, t) + m) mod 2^24)
// where t is a counter of 64-second periods (the top 8 bits carry its low bits), m the
// index of the MSS in a small table (3 bits), and H1, H2 two keyed SipHash values of the
// connection's addresses and ports. A cookie older than two periods, or whose MSS index
// does not come out below the table size, fails. What the cookie cannot hold (window
// scale, SACK-permitted) rides in the low bits of the SYN-ACK's TSval when the SYN had
// timestamps, which the peer echoes in every TSecr (listen.ts sendCookie, as Linux's
// cookie_init_timestamp); without timestamps they are not offered, so the peer does not
// use them either.

import type { Millis } from '../../time.js';
import { SipHash24 } from './isn.js';

/** MSS values a cookie can carry (the largest not above the peer's is chosen). */
export const COOKIE_MSS_TABLE: readonly number[] = [536, 1220, 1300, 1440, 1460, 4312, 8960, 65495];

/** Length of a cookie period in ms. */
const PERIOD_MS = 64_000;
/** Cookies older than this many periods are refused (Linux: MAX_SYNCOOKIE_AGE, 2). */
const MAX_AGE = 2;

/** Makes and checks the SYN cookies of one TCP layer. No allocation per call. */
export class SynCookies {
  private readonly sip: SipHash24;
  private readonly msg = new Uint8Array(16);

  /** Create a cookie maker keyed by 16 secret bytes. Errors: RangeError when the key is not 16 bytes. */
  constructor(key: Uint8Array) {
    this.sip = new SipHash24(key);
  }

  /** Return the MSS a cookie will carry for a peer that announced `peerMss` (0: none), within `ourMss`. */
  static cookieMss(peerMss: number, ourMss: number): number {
    return COOKIE_MSS_TABLE[mssIndex(Math.min(peerMss === 0 ? 536 : peerMss, ourMss))]!;
  }

  /** Return the ISS for a SYN from `remoteAddr`:`remotePort` with sequence number `peerIsn` and MSS `mss` (a table value). */
  make(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, peerIsn: number, mss: number, now: Millis): number {
    const t = Math.floor(now / PERIOD_MS) >>> 0;
    const h1 = this.h1(localAddr, localPort, remoteAddr, remotePort);
    const h2 = this.h2(localAddr, localPort, remoteAddr, remotePort, t);
    return (h1 + peerIsn + ((t & 0xff) << 24) + ((h2 + mssIndex(mss)) & 0xffffff)) >>> 0;
  }

  /**
   * Check the cookie `iss` (the ACK number less one) of a connection whose peer ISN was
   * `peerIsn` (the sequence number less one); return the MSS it carries, or 0 when it is
   * forged or too old.
   */
  check(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, peerIsn: number, iss: number, now: Millis): number {
    const rest = (iss - this.h1(localAddr, localPort, remoteAddr, remotePort) - peerIsn) >>> 0;
    const now8 = Math.floor(now / PERIOD_MS) >>> 0;
    const age = (now8 - (rest >>> 24)) & 0xff;
    if (age >= MAX_AGE) return 0;
    const t = (now8 - age) >>> 0;
    const m = ((rest & 0xffffff) - this.h2(localAddr, localPort, remoteAddr, remotePort, t)) & 0xffffff;
    return m < COOKIE_MSS_TABLE.length ? COOKIE_MSS_TABLE[m]! : 0;
  }

  private h1(la: number, lp: number, ra: number, rp: number): number {
    this.fill(la, lp, ra, rp);
    return this.sip.hash(this.msg, 0, 12);
  }

  private h2(la: number, lp: number, ra: number, rp: number, t: number): number {
    this.fill(la, lp, ra, rp);
    const m = this.msg;
    m[12] = t >>> 24; m[13] = t >>> 16; m[14] = t >>> 8; m[15] = t;
    return this.sip.hash(m, 0, 16);
  }

  private fill(la: number, lp: number, ra: number, rp: number): void {
    const m = this.msg;
    m[0] = la >>> 24; m[1] = la >>> 16; m[2] = la >>> 8; m[3] = la;
    m[4] = ra >>> 24; m[5] = ra >>> 16; m[6] = ra >>> 8; m[7] = ra;
    m[8] = lp >>> 8; m[9] = lp; m[10] = rp >>> 8; m[11] = rp;
  }
}

/** Return the index of the largest table MSS not above `mss` (0 when all are above). */
function mssIndex(mss: number): number {
  let i = COOKIE_MSS_TABLE.length - 1;
  while (i > 0 && COOKIE_MSS_TABLE[i]! > mss) i--;
  return i;
}
