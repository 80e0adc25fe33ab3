// The TSO size goal of output.ts: whole MSS up to the device's largest datagram, only where
// the device offers TSO; slow start then counts a whole super-segment's ACK. End to end
// (the kernel segmenting our super-segments) in test/interop/tcp-offload.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sizeGoal } from './output.js';
import type { TcpSocket } from './socket.js';

function fakeSocket(tsoMaxBytes: number): TcpSocket {
  return { tsoMaxBytes, cc: { abcLimit: 1 } } as unknown as TcpSocket;
}

test('sizeGoal: one MSS without TSO, and abcLimit stays 1', () => {
  const s = fakeSocket(0);
  assert.equal(sizeGoal(s, 1448), 1448);
  assert.equal(s.cc.abcLimit, 1);
});

test('sizeGoal: with TSO, as many whole MSS as fit a 65535-byte datagram with the largest headers', () => {
  const s = fakeSocket(65535);
  const goal = sizeGoal(s, 1448);
  assert.equal(goal % 1448, 0);
  assert.equal(goal, 45 * 1448);
  assert.ok(goal + 20 + 60 <= 65535, 'IPv4 + TCP headers with 40 bytes of options still fit');
  assert.equal(s.cc.abcLimit, 45);
  assert.equal(sizeGoal(fakeSocket(65535), 536), 122 * 536);
  const tiny = fakeSocket(2000);
  assert.equal(sizeGoal(tiny, 1448), 1448, 'a device that takes less than two MSS: no super-segments');
  assert.equal(tiny.cc.abcLimit, 1);
});
