import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireErr } from './errors.js';
import { newTcpRepr, type TcpRepr } from './tcp.js';
import {
  TCP_MAX_OPTIONS_LEN,
  clearTcpOptions,
  emitTcpOptions,
  formatTcpOptions,
  parseTcpOptions,
  tcpOptionsLen,
  tcpSackBlocksEmitted,
} from './tcp-options.js';

function parse(bytes: number[], r: TcpRepr = newTcpRepr()): [number, TcpRepr] {
  const b = new Uint8Array([0xee, ...bytes, 0xee]); // guard bytes either side
  return [parseTcpOptions(b, 1, bytes.length, r), r];
}

test('NOP runs, end-of-list and the padding after it', () => {
  const [err, r] = parse([1, 1, 2, 4, 0x05, 0xb4, 0, 0x99, 0x99, 0x99]);
  assert.equal(err, WireErr.Ok);
  assert.equal(r.mss, 1460);
  assert.equal(r.windowScale, -1);
  const [e2] = parse([]);
  assert.equal(e2, WireErr.Ok);
});

test('four SACK blocks, the most one option holds', () => {
  const opt = [5, 34];
  for (let i = 1; i <= 8; i++) opt.push(0, 0, i >> 8, i * 16);
  const [err, r] = parse([1, 1, ...opt]);
  assert.equal(err, WireErr.Ok);
  assert.equal(r.sackCount, 4);
  assert.deepEqual([...r.sackBlocks], [16, 32, 48, 64, 80, 96, 112, 128]);
  assert.equal(formatTcpOptions(r), 'nop,nop,sack 4 {16:32}{48:64}{80:96}{112:128}');
});

test('unknown kinds are counted and their byte range kept', () => {
  // MSS, then TFO cookie request (34, len 2), NOP, MPTCP-ish kind 30 len 4, timestamps.
  const bytes = [2, 4, 0x05, 0xb4, 34, 2, 1, 30, 4, 0xab, 0xcd, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
  const [err, r] = parse(bytes);
  assert.equal(err, WireErr.Ok);
  assert.equal(r.unknownOptCount, 2);
  assert.equal(r.unknownOptOffset, 1 + 4);
  assert.equal(r.unknownOptLength, 7); // 34,2 + NOP + 30,4,ab,cd
  assert.equal(r.mss, 1460);
  assert.ok(r.tsPresent && r.tsVal === 1 && r.tsEcr === 2);
  assert.equal(formatTcpOptions(r), 'mss 1460,nop,nop,TS val 1 ecr 2,unknown 2');
});

test('bad option lengths are BadOption', () => {
  const bad: Array<[string, number[]]> = [
    ['length 0', [2, 0, 0, 0]],
    ['length 1', [1, 3, 1, 0]],
    ['length 0 of an unknown kind', [30, 0]],
    ['past the header', [2, 4, 5]],
    ['past the header, unknown kind', [1, 30, 8, 0, 0, 0]],
    ['kind in the last byte, no length', [1, 1, 1, 2]],
    ['MSS of length 3', [2, 3, 5, 1]],
    ['window scale of length 4', [3, 4, 7, 0]],
    ['SACK-permitted of length 3', [4, 3, 0, 1]],
    ['timestamps of length 8', [8, 8, 0, 0, 0, 0, 0, 0]],
    ['SACK without blocks', [5, 2, 1, 1]],
    ['SACK of length 9', [5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ];
  for (const [why, bytes] of bad) assert.equal(parse(bytes)[0], WireErr.BadOption, why);
});

test('lenient parsing takes bad lengths as Linux does: the options before a malformed length stand, a wrong-sized known option is skipped', () => {
  const lenient = (bytes: number[]): [number, TcpRepr] => {
    const b = new Uint8Array([0xee, ...bytes, 0xee]);
    const r = newTcpRepr();
    return [parseTcpOptions(b, 1, bytes.length, r, true), r];
  };
  // Every malformed list of the strict test parses without error.
  for (const bytes of [[2, 0, 0, 0], [1, 3, 1, 0], [30, 0], [2, 4, 5], [1, 1, 1, 2], [5, 2, 1, 1]]) assert.equal(lenient(bytes)[0], WireErr.Ok, JSON.stringify(bytes));
  // MSS, then an option of length 0: the parse ends there; the SACK-permitted after it is not seen.
  let [err, r] = lenient([2, 4, 0x05, 0xb4, 30, 0, 4, 2]);
  assert.equal(err, WireErr.Ok);
  assert.equal(r.mss, 1460);
  assert.equal(r.sackPermitted, false);
  // A window scale of length 4 is skipped; the SACK-permitted and timestamps after it count.
  [err, r] = lenient([3, 4, 7, 0, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0]);
  assert.equal(r.windowScale, -1);
  assert.equal(r.sackPermitted, true);
  assert.ok(r.tsPresent && r.tsVal === 9);
  // A SACK of length 9 is skipped whole; the MSS after it counts.
  [err, r] = lenient([5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 4, 0x02, 0x18]);
  assert.equal(r.sackCount, 0);
  assert.equal(r.mss, 536);
  // An option running past the area ends the parse, keeping the timestamps before it.
  [err, r] = lenient([8, 10, 0, 0, 0, 5, 0, 0, 0, 6, 2, 8, 1, 2]);
  assert.ok(r.tsPresent && r.tsVal === 5 && r.tsEcr === 6);
  assert.equal(r.mss, 0);
});

test('parse clears what an earlier segment left', () => {
  const r = newTcpRepr();
  parse([2, 4, 0x05, 0xb4, 3, 3, 7, 4, 2, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 2], r);
  assert.ok(r.mss && r.windowScale === 7 && r.sackPermitted && r.sackCount === 1 && r.unknownOptCount === 1);
  parse([], r);
  assert.deepEqual(
    [r.mss, r.windowScale, r.sackPermitted, r.tsPresent, r.sackCount, r.unknownOptCount, r.unknownOptOffset],
    [0, -1, false, false, 0, 0, 0],
  );
});

test('emit drops the SACK blocks that do not fit in 40 bytes', () => {
  const r = newTcpRepr();
  r.tsPresent = true;
  r.sackCount = 4;
  r.sackBlocks.set([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(tcpSackBlocksEmitted(r), 3); // 12 + 4 + 3*8 = 40
  assert.equal(tcpOptionsLen(r), 40);
  r.tsPresent = false;
  assert.equal(tcpSackBlocksEmitted(r), 4);
  assert.equal(tcpOptionsLen(r), 36);
  r.mss = 1460;
  r.windowScale = 7;
  r.tsPresent = true;
  r.sackPermitted = true;
  assert.equal(tcpSackBlocksEmitted(r), 2); // 4 + 12 + 4 + 4 + 2*8 = 40
  clearTcpOptions(r);
  assert.equal(tcpOptionsLen(r), 0);
});

// A small seeded PRNG (mulberry32), so failures reproduce.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('emit then parse gives the options back (seeded property test)', () => {
  const rnd = prng(0x5eed);
  const u32 = (): number => Math.floor(rnd() * 2 ** 32);
  const r = newTcpRepr();
  const p = newTcpRepr();
  const buf = new Uint8Array(TCP_MAX_OPTIONS_LEN + 2);
  for (let i = 0; i < 2000; i++) {
    clearTcpOptions(r);
    if (rnd() < 0.5) r.mss = 1 + Math.floor(rnd() * 65535);
    if (rnd() < 0.5) r.windowScale = Math.floor(rnd() * 15);
    r.sackPermitted = rnd() < 0.5;
    if (rnd() < 0.5) {
      r.tsPresent = true;
      r.tsVal = u32();
      r.tsEcr = u32();
    }
    r.sackCount = Math.floor(rnd() * 5);
    for (let k = 0; k < 8; k++) r.sackBlocks[k] = u32();
    const len = tcpOptionsLen(r);
    assert.ok(len % 4 === 0 && len <= TCP_MAX_OPTIONS_LEN);
    buf.fill(0xcc);
    assert.equal(emitTcpOptions(r, buf, 1), len);
    assert.equal(buf[0], 0xcc);
    assert.equal(buf[1 + len], 0xcc);
    assert.equal(parseTcpOptions(buf, 1, len, p), WireErr.Ok);
    const n = tcpSackBlocksEmitted(r);
    assert.deepEqual(
      [p.mss, p.windowScale, p.sackPermitted, p.tsPresent, p.tsVal, p.tsEcr, p.sackCount],
      [r.mss, r.windowScale, r.sackPermitted, r.tsPresent, r.tsVal, r.tsEcr, n],
    );
    assert.deepEqual([...p.sackBlocks.subarray(0, 2 * n)], [...r.sackBlocks.subarray(0, 2 * n)]);
  }
});
