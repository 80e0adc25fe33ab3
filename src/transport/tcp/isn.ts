// Initial sequence numbers (RFC 6528 §3): ISN = M + F(localip, localport, remoteip,
// remoteport, secretkey), where M is a clock ticking every 4 microseconds and F a keyed
// pseudo-random function of the connection's 4-tuple. F here is SipHash-2-4 (Aumasson and
// Bernstein, 2012), as Linux uses for the same purpose: a new connection to the same peer
// gets a later ISN than the old one (the clock part), and an off-path attacker cannot
// guess the ISN of someone else's connection (the keyed part). Not Math.random.
//
// SipHash works on 64-bit words; JavaScript numbers hold 53 bits exactly, so each word is
// a pair of unsigned 32-bit halves and every operation is written out on the pair. No
// allocation: the state and the message block live in fields.

import type { Millis } from '../../time.js';

/** SipHash-2-4 over a byte range, with the state in fields (allocate once, reuse). */
export class SipHash24 {
  private v0h = 0; private v0l = 0;
  private v1h = 0; private v1l = 0;
  private v2h = 0; private v2l = 0;
  private v3h = 0; private v3l = 0;
  /** High and low halves of the last result. */
  hi = 0;
  lo = 0;
  private readonly k0h: number;
  private readonly k0l: number;
  private readonly k1h: number;
  private readonly k1l: number;

  /** Create a hasher keyed by 16 bytes. Errors: RangeError when the key is not 16 bytes. */
  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('SipHash24: the key must be 16 bytes');
    this.k0l = le32(key, 0);
    this.k0h = le32(key, 4);
    this.k1l = le32(key, 8);
    this.k1h = le32(key, 12);
  }

  /** Hash `len` bytes of `msg` at `off`; the result is in `hi`/`lo`; return `lo`. */
  hash(msg: Uint8Array, off: number, len: number): number {
    this.v0h = (this.k0h ^ 0x736f6d65) >>> 0; this.v0l = (this.k0l ^ 0x70736575) >>> 0;
    this.v1h = (this.k1h ^ 0x646f7261) >>> 0; this.v1l = (this.k1l ^ 0x6e646f6d) >>> 0;
    this.v2h = (this.k0h ^ 0x6c796765) >>> 0; this.v2l = (this.k0l ^ 0x6e657261) >>> 0;
    this.v3h = (this.k1h ^ 0x74656462) >>> 0; this.v3l = (this.k1l ^ 0x79746573) >>> 0;
    const end = off + len - (len & 7);
    for (let i = off; i < end; i += 8) this.block(le32(msg, i + 4), le32(msg, i));
    // The last block: the remaining 0..7 bytes, little-endian, with len mod 256 in the top byte.
    let mh = (len & 0xff) << 24;
    let ml = 0;
    const rest = len & 7;
    for (let k = 0; k < rest; k++) {
      const b = msg[end + k]!;
      if (k < 4) ml |= b << (8 * k);
      else mh |= b << (8 * (k - 4));
    }
    this.block(mh >>> 0, ml >>> 0);
    this.v2l = (this.v2l ^ 0xff) >>> 0;
    this.round(); this.round(); this.round(); this.round();
    this.hi = (this.v0h ^ this.v1h ^ this.v2h ^ this.v3h) >>> 0;
    this.lo = (this.v0l ^ this.v1l ^ this.v2l ^ this.v3l) >>> 0;
    return this.lo;
  }

  /** Absorb one 64-bit message word with two compression rounds. */
  private block(mh: number, ml: number): void {
    this.v3h = (this.v3h ^ mh) >>> 0; this.v3l = (this.v3l ^ ml) >>> 0;
    this.round(); this.round();
    this.v0h = (this.v0h ^ mh) >>> 0; this.v0l = (this.v0l ^ ml) >>> 0;
  }

  /** One SipRound, each 64-bit add, rotate and xor spelled out on the halves. */
  private round(): void {
    let l: number; let h: number; let t: number;
    // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
    l = (this.v0l + this.v1l) >>> 0; this.v0h = (this.v0h + this.v1h + (l < this.v0l ? 1 : 0)) >>> 0; this.v0l = l;
    h = ((this.v1h << 13) | (this.v1l >>> 19)) >>> 0; l = ((this.v1l << 13) | (this.v1h >>> 19)) >>> 0;
    this.v1h = (h ^ this.v0h) >>> 0; this.v1l = (l ^ this.v0l) >>> 0;
    t = this.v0h; this.v0h = this.v0l; this.v0l = t;
    // v2 += v3; v3 = rotl(v3, 16) ^ v2
    l = (this.v2l + this.v3l) >>> 0; this.v2h = (this.v2h + this.v3h + (l < this.v2l ? 1 : 0)) >>> 0; this.v2l = l;
    h = ((this.v3h << 16) | (this.v3l >>> 16)) >>> 0; l = ((this.v3l << 16) | (this.v3h >>> 16)) >>> 0;
    this.v3h = (h ^ this.v2h) >>> 0; this.v3l = (l ^ this.v2l) >>> 0;
    // v0 += v3; v3 = rotl(v3, 21) ^ v0
    l = (this.v0l + this.v3l) >>> 0; this.v0h = (this.v0h + this.v3h + (l < this.v0l ? 1 : 0)) >>> 0; this.v0l = l;
    h = ((this.v3h << 21) | (this.v3l >>> 11)) >>> 0; l = ((this.v3l << 21) | (this.v3h >>> 11)) >>> 0;
    this.v3h = (h ^ this.v0h) >>> 0; this.v3l = (l ^ this.v0l) >>> 0;
    // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
    l = (this.v2l + this.v1l) >>> 0; this.v2h = (this.v2h + this.v1h + (l < this.v2l ? 1 : 0)) >>> 0; this.v2l = l;
    h = ((this.v1h << 17) | (this.v1l >>> 15)) >>> 0; l = ((this.v1l << 17) | (this.v1h >>> 15)) >>> 0;
    this.v1h = (h ^ this.v2h) >>> 0; this.v1l = (l ^ this.v2l) >>> 0;
    t = this.v2h; this.v2h = this.v2l; this.v2l = t;
  }
}

/** The ISN generator of one TCP layer (one secret key). */
export class IsnGenerator {
  private readonly sip: SipHash24;
  private readonly msg = new Uint8Array(12);

  /** Create a generator keyed by 16 bytes (keep the key secret and fixed for the layer's life). */
  constructor(key: Uint8Array) {
    this.sip = new SipHash24(key);
  }

  /**
   * Return the ISN of a connection at `now` (RFC 6528 §3): a 4-microsecond clock plus
   * SipHash-2-4 of the 4-tuple under the secret key, modulo 2^32.
   */
  isn(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, now: Millis): number {
    const m = this.msg;
    put32(m, 0, localAddr);
    put32(m, 4, remoteAddr);
    put32(m, 8, ((localPort & 0xffff) << 16) | (remotePort & 0xffff));
    const f = this.sip.hash(m, 0, 12);
    const clock = Math.floor(now * 250) % 0x1_0000_0000; // 250 ticks per millisecond = one per 4 µs
    return (clock + f) >>> 0;
  }
}

function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
