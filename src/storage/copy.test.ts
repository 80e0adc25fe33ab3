import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyBytes } from './copy.js';

test('copyBytes copies exactly the range, both ways between a SharedArrayBuffer and an ArrayBuffer, at every size around the loop/memmove switch', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(4096));
  const plain = new Uint8Array(4096);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 31 + 7) & 0xff;
  for (const len of [0, 1, 15, 16, 17, 64, 1500, 4000]) {
    shared.fill(0xee);
    copyBytes(shared, 33, plain, 50, Math.min(len, 4096 - 50));
    const n = Math.min(len, 4096 - 50);
    assert.equal(shared[32], 0xee, `len ${len}: the byte before is untouched`);
    for (let i = 0; i < n; i++) assert.equal(shared[33 + i], plain[50 + i], `len ${len}: byte ${i}`);
    if (33 + n < shared.length) assert.equal(shared[33 + n], 0xee, `len ${len}: the byte after is untouched`);
    const back = new Uint8Array(4096);
    copyBytes(back, 9, shared, 33, n);
    assert.deepEqual(back.subarray(9, 9 + n), plain.subarray(50, 50 + n));
    assert.equal(back[9 + n] ?? 0, 0);
  }
});
