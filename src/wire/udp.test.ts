import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksumOk, internetChecksum, pseudoHeaderSum } from './checksum.js';
import { WireErr } from './errors.js';
import { LINUX_UDP, LINUX_UDP_CLOSED_PORT, hexToBytes } from './fixtures/linux-frames.js';
import { IPPROTO_UDP } from './ipv4.js';
import { UDP_HEADER_LEN, UdpView, emitUdp, formatUdp, newUdpRepr, parseUdpInto, udpBufferLen } from './udp.js';

const A = 0xc000_0201;
const B = 0xc000_0202;
const UDP_AT = 34;

function udpOf(hex: string): { bytes: Uint8Array; view: UdpView } {
  const bytes = hexToBytes(hex);
  return { bytes, view: new UdpView().wrap(bytes, UDP_AT, bytes.length - UDP_AT) };
}

test('reads every field of the Linux datagrams (values as tshark decodes them)', () => {
  for (const [hex, sport, dport, sum] of [
    [LINUX_UDP, 40000, 9000, 0x7889],
    [LINUX_UDP_CLOSED_PORT, 40001, 9999, 0x74a1],
  ] as const) {
    const { bytes, view } = udpOf(hex);
    assert.equal(view.checkLen(), WireErr.Ok);
    assert.equal(view.srcPort(), sport);
    assert.equal(view.dstPort(), dport);
    assert.equal(view.udpLength(), 14);
    assert.equal(view.checksum(), sum);
    assert.ok(view.verifyChecksum(A, B));
    assert.ok(!view.verifyChecksum(B, A + 2), 'other addresses, other pseudo-header');
    const r = newUdpRepr();
    assert.equal(parseUdpInto(view, r, A, B), WireErr.Ok);
    assert.deepEqual(r, { srcPort: sport, dstPort: dport, checksum: sum, payloadOffset: 42, payloadLength: 6 });
    assert.equal(Buffer.from(bytes.subarray(42, 48)).toString(), 'hello\n');
  }
});

test('emit re-creates the Linux datagrams byte for byte (payload already in place)', () => {
  for (const hex of [LINUX_UDP, LINUX_UDP_CLOSED_PORT]) {
    const { bytes, view } = udpOf(hex);
    const r = newUdpRepr();
    assert.equal(parseUdpInto(view, r, A, B), WireErr.Ok);
    assert.equal(udpBufferLen(r), UDP_HEADER_LEN);
    const out = bytes.slice();
    out.fill(0, UDP_AT, UDP_AT + 8);
    emitUdp(r, out, UDP_AT, A, B);
    assert.deepEqual(out, bytes);
  }
});

test('setters build the header; fillChecksum matches Linux', () => {
  const { bytes } = udpOf(LINUX_UDP);
  const out = bytes.slice(UDP_AT);
  out.fill(0, 0, 8);
  const v = new UdpView().wrap(out, 0, out.length);
  v.setSrcPort(40000);
  v.setDstPort(9000);
  v.setUdpLength(14);
  v.fillChecksum(A, B);
  assert.deepEqual(out, bytes.subarray(UDP_AT));
  v.setChecksum(7);
  assert.equal(v.checksum(), 7);
});

test('checksum 0 means none on receive', () => {
  const { view } = udpOf(LINUX_UDP);
  view.setChecksum(0);
  const r = newUdpRepr();
  assert.equal(parseUdpInto(view, r, A, B), WireErr.Ok);
  assert.equal(r.checksum, 0);
  assert.equal(parseUdpInto(view, r, 1, 2), WireErr.Ok, 'no checksum: any addresses do');
});

test('emit sends a computed checksum of 0 as 0xffff, which still verifies', () => {
  // Choose the last payload word so that the one's-complement sum is 0xffff (checksum 0).
  const b = new Uint8Array(8 + 2);
  const r = newUdpRepr();
  r.srcPort = 1234;
  r.dstPort = 5678;
  r.payloadLength = 2;
  b.set([0, 0], 8);
  emitUdp(r, b, 0, A, B);
  const c0 = b[6]! * 256 + b[7]!; // checksum with payload word 0
  const s0 = ~c0 & 0xffff; // folded sum with payload word 0
  const w = 0xffff - s0;
  b[8] = w >>> 8;
  b[9] = w & 0xff;
  b[6] = b[7] = 0;
  assert.equal(internetChecksum(b, 0, 10, pseudoHeaderSum(A, B, IPPROTO_UDP, 10)), 0, 'the computed sum is 0');
  emitUdp(r, b, 0, A, B);
  assert.equal(b[6], 0xff);
  assert.equal(b[7], 0xff);
  assert.ok(checksumOk(b, 0, 10, pseudoHeaderSum(A, B, IPPROTO_UDP, 10)));
  assert.equal(parseUdpInto(new UdpView().wrap(b, 0, 10), newUdpRepr(), A, B), WireErr.Ok);
});

test('the payload is bounded by the UDP length, not by the bytes that follow', () => {
  const { bytes } = udpOf(LINUX_UDP);
  const longer = new Uint8Array(bytes.length + 10).fill(0x77);
  longer.set(bytes);
  const r = newUdpRepr();
  assert.equal(parseUdpInto(new UdpView().wrap(longer, UDP_AT, 24), r, A, B), WireErr.Ok);
  assert.equal(r.payloadLength, 6);
});

test('formats like tcpdump', () => {
  const r = newUdpRepr();
  parseUdpInto(udpOf(LINUX_UDP).view, r, A, B);
  assert.equal(formatUdp(r, A, B), '192.0.2.1.40000 > 192.0.2.2.9000: UDP, length 6');
});
