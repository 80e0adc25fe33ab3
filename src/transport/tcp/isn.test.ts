import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsnGenerator, SipHash24 } from './isn.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);

function hex(s: SipHash24): string {
  return s.hi.toString(16).padStart(8, '0') + s.lo.toString(16).padStart(8, '0');
}

test('SipHash-2-4 matches the reference vectors of the paper', () => {
  const s = new SipHash24(KEY);
  const msg = Uint8Array.from({ length: 64 }, (_, i) => i);
  s.hash(msg, 0, 0);
  assert.equal(hex(s), '726fdb47dd0e0e31');
  s.hash(msg, 0, 15);
  assert.equal(hex(s), 'a129ca6149be45e5');
  s.hash(msg, 0, 8);
  assert.equal(hex(s), '93f5f5799a932462');
  s.hash(msg, 0, 63);
  assert.equal(hex(s), '958a324ceb064572');
});

test('the ISN moves with the 4 µs clock and depends on every part of the 4-tuple', () => {
  const g = new IsnGenerator(KEY);
  const a = g.isn(0xc0000201, 40000, 0xc0000202, 80, 0);
  assert.equal(g.isn(0xc0000201, 40000, 0xc0000202, 80, 1), (a + 250) >>> 0);
  assert.equal(g.isn(0xc0000201, 40000, 0xc0000202, 80, 0), a);
  const others = [
    g.isn(0xc0000203, 40000, 0xc0000202, 80, 0),
    g.isn(0xc0000201, 40001, 0xc0000202, 80, 0),
    g.isn(0xc0000201, 40000, 0xc0000203, 80, 0),
    g.isn(0xc0000201, 40000, 0xc0000202, 81, 0),
    new IsnGenerator(new Uint8Array(16)).isn(0xc0000201, 40000, 0xc0000202, 80, 0),
  ];
  for (const o of others) assert.notEqual(o, a);
});
