import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get16, get32, set16, set32 } from './bytes.js';
import {
  checksumOk,
  checksumUpdate16,
  checksumUpdate32,
  foldSum,
  internetChecksum,
  pseudoHeaderSum,
  sumBytes,
} from './checksum.js';
import { LINUX_TCP_DATA, hexToBytes } from './fixtures/linux-frames.js';
import { IPPROTO_TCP } from './ipv4.js';

test('RFC 1071 §3 worked example', () => {
  const b = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(foldSum(sumBytes(b, 0, 8)), 0xddf2);
  assert.equal(internetChecksum(b, 0, 8), 0x220d);
  // An odd byte counts as the high half of a word padded with zero.
  assert.equal(sumBytes(new Uint8Array([0xab]), 0, 1), 0xab00);
});

test('RFC 1624 §4 example: eqn. 3 gives 0x0000 where eqn. 2 gave 0xffff', () => {
  // The other header words sum to 0xcd7a; with m = 0x5555, HC = ~(0xcd7a + 0x5555) = 0xdd2f.
  // m' = 0x3285 brings the sum to 0xffff, so a full recompute gives HC' = 0x0000.
  assert.equal(checksumUpdate16(0xdd2f, 0x5555, 0x3285), 0x0000);
  const h = new Uint8Array([0xcd, 0x7a, 0x32, 0x85, 0x00, 0x00]);
  assert.equal(internetChecksum(h, 0, 6), 0x0000);
});

// A small seeded PRNG (mulberry32), so failures reproduce.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

test('RFC 1624 incremental update equals a full recompute (random IPv4 headers, seeded)', () => {
  const rnd = prng(1624);
  const h = new Uint8Array(20);
  for (let i = 0; i < 20000; i++) {
    for (let j = 0; j < 20; j += 4) set32(h, j, rnd());
    h[0] = 0x45;
    set16(h, 10, 0);
    set16(h, 10, internetChecksum(h, 0, 20));
    assert.ok(checksumOk(h, 0, 20));
    const hc = get16(h, 10);
    if (i % 2 === 0) {
      // One 16-bit word changes (TTL/protocol, id, length, flags...), never the checksum itself.
      let w = 2 * (rnd() % 10);
      if (w === 10) w = 8;
      const oldWord = get16(h, w);
      const newWord = rnd() & 0xffff;
      set16(h, w, newWord);
      const inc = checksumUpdate16(hc, oldWord, newWord);
      set16(h, 10, 0);
      assert.equal(inc, internetChecksum(h, 0, 20), `word ${w}: ${oldWord} -> ${newWord}, hc ${hc}`);
    } else {
      // An address changes (NAT).
      const at = rnd() & 1 ? 12 : 16;
      const oldAddr = get32(h, at);
      const newAddr = rnd();
      set32(h, at, newAddr);
      const inc = checksumUpdate32(hc, oldAddr, newAddr);
      set16(h, 10, 0);
      assert.equal(inc, internetChecksum(h, 0, 20), `address at ${at}`);
    }
  }
});

test('incremental update of a TCP checksum when the pseudo-header address changes', () => {
  const b = hexToBytes(LINUX_TCP_DATA);
  const seg = b.subarray(34);
  const src = 0xc000_0201;
  const dst = 0xc000_0202;
  const hc = get16(seg, 16);
  const newSrc = 0xcb00_7107; // 203.0.113.7
  const inc = checksumUpdate32(hc, src, newSrc);
  set16(seg, 16, 0);
  assert.equal(inc, internetChecksum(seg, 0, seg.length, pseudoHeaderSum(newSrc, dst, IPPROTO_TCP, seg.length)));
});
