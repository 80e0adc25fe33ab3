import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internetChecksum } from './checksum.js';
import { WireErr } from './errors.js';
import { LINUX_ICMP_ECHO_REPLY, LINUX_ICMP_ECHO_REQUEST, LINUX_ICMP_PORT_UNREACH, LINUX_UDP_CLOSED_PORT, hexToBytes } from './fixtures/linux-frames.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_EXC_TTL,
  ICMP_FRAG_NEEDED,
  ICMP_HEADER_LEN,
  ICMP_PARAMETER_PROB,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  Icmpv4View,
  emitIcmpv4,
  formatIcmpv4,
  icmpIsError,
  icmpv4BufferLen,
  newIcmpv4Repr,
  parseIcmpv4Into,
} from './icmpv4.js';
import { IPPROTO_UDP, Ipv4View, newIpv4Repr, parseIpv4Into } from './ipv4.js';
import { UdpView, newUdpRepr, parseUdpInto } from './udp.js';

const A = 0xc000_0201;
const B = 0xc000_0202;
const ICMP_AT = 34; // Ethernet + IPv4 without options

function icmpOf(hex: string): { bytes: Uint8Array; view: Icmpv4View } {
  const bytes = hexToBytes(hex);
  return { bytes, view: new Icmpv4View().wrap(bytes, ICMP_AT, bytes.length - ICMP_AT) };
}

test('reads every field of the Linux echo request and reply (values as tshark decodes them)', () => {
  const expect = [
    { hex: LINUX_ICMP_ECHO_REQUEST, type: ICMP_ECHO_REQUEST, sum: 0x031b },
    { hex: LINUX_ICMP_ECHO_REPLY, type: ICMP_ECHO_REPLY, sum: 0x0b1b },
  ];
  for (const e of expect) {
    const { bytes, view } = icmpOf(e.hex);
    assert.equal(view.checkLen(), WireErr.Ok);
    assert.equal(view.msgType(), e.type);
    assert.equal(view.msgCode(), 0);
    assert.equal(view.checksum(), e.sum);
    assert.equal(view.identifier(), 15375);
    assert.equal(view.seqNumber(), 1);
    assert.equal(view.restOfHeader(), (15375 << 16) | 1);
    assert.ok(view.verifyChecksum());
    const r = newIcmpv4Repr();
    assert.equal(parseIcmpv4Into(view, r), WireErr.Ok);
    assert.deepEqual(r, {
      msgType: e.type,
      msgCode: 0,
      checksum: e.sum,
      identifier: 15375,
      seqNumber: 1,
      nextHopMtu: 0,
      restOfHeader: ((15375 << 16) | 1) >>> 0,
      payloadOffset: ICMP_AT + 8,
      payloadLength: 56,
    });
    for (let i = 0; i < 56; i++) assert.equal(bytes[r.payloadOffset + i], 0x10 + i);
  }
});

test('reads the port unreachable and the datagram it quotes', () => {
  const { bytes, view } = icmpOf(LINUX_ICMP_PORT_UNREACH);
  const r = newIcmpv4Repr();
  assert.equal(parseIcmpv4Into(view, r), WireErr.Ok);
  assert.equal(r.msgType, ICMP_DEST_UNREACH);
  assert.equal(r.msgCode, ICMP_PORT_UNREACH);
  assert.equal(r.checksum, 0x8120);
  assert.equal(r.nextHopMtu, 0);
  assert.equal(r.identifier, 0);
  assert.equal(r.payloadLength, 34);
  assert.ok(icmpIsError(r.msgType));
  // The quote is the whole offending datagram (LINUX_UDP_CLOSED_PORT's IPv4 part).
  const sent = hexToBytes(LINUX_UDP_CLOSED_PORT);
  assert.deepEqual(bytes.subarray(r.payloadOffset, r.payloadOffset + r.payloadLength), sent.subarray(14));
  const ip = newIpv4Repr();
  assert.equal(parseIpv4Into(new Ipv4View().wrap(bytes, r.payloadOffset, r.payloadLength), ip), WireErr.Ok);
  assert.equal(ip.srcAddr, A);
  assert.equal(ip.dstAddr, B);
  assert.equal(ip.protocol, IPPROTO_UDP);
  assert.equal(ip.identification, 0xb491);
  const udp = newUdpRepr();
  assert.equal(parseUdpInto(new UdpView().wrap(bytes, ip.payloadOffset, ip.payloadLength), udp, A, B), WireErr.Ok);
  assert.equal(udp.srcPort, 40001);
  assert.equal(udp.dstPort, 9999);
});

test('emit re-creates the Linux messages byte for byte (body already in place)', () => {
  for (const hex of [LINUX_ICMP_ECHO_REQUEST, LINUX_ICMP_ECHO_REPLY, LINUX_ICMP_PORT_UNREACH]) {
    const { bytes, view } = icmpOf(hex);
    const r = newIcmpv4Repr();
    assert.equal(parseIcmpv4Into(view, r), WireErr.Ok);
    assert.equal(icmpv4BufferLen(r), ICMP_HEADER_LEN);
    const out = bytes.slice();
    out.fill(0, ICMP_AT, ICMP_AT + ICMP_HEADER_LEN);
    emitIcmpv4(r, out, ICMP_AT);
    assert.deepEqual(out, bytes);
  }
});

test('an echo reply built from the request equals the one Linux sent', () => {
  const { bytes } = icmpOf(LINUX_ICMP_ECHO_REQUEST);
  const req = newIcmpv4Repr();
  parseIcmpv4Into(new Icmpv4View().wrap(bytes, ICMP_AT, bytes.length - ICMP_AT), req);
  const out = bytes.slice(ICMP_AT); // data already in place, as the host would reuse it
  req.msgType = ICMP_ECHO_REPLY;
  emitIcmpv4(req, out, 0);
  assert.deepEqual(out, hexToBytes(LINUX_ICMP_ECHO_REPLY).subarray(ICMP_AT));
});

test('setters build the echo request header', () => {
  const { bytes } = icmpOf(LINUX_ICMP_ECHO_REQUEST);
  const out = bytes.slice(ICMP_AT);
  out.fill(0, 0, 8);
  const v = new Icmpv4View().wrap(out, 0, out.length);
  v.setMsgType(ICMP_ECHO_REQUEST);
  v.setMsgCode(0);
  v.setIdentifier(15375);
  v.setSeqNumber(1);
  v.fillChecksum();
  assert.deepEqual(out, bytes.subarray(ICMP_AT));
  v.setRestOfHeader(0x01020304);
  assert.equal(v.identifier(), 0x0102);
  v.setNextHopMtu(1400);
  assert.equal(v.nextHopMtu(), 1400);
  v.setChecksum(0xbeef);
  assert.equal(v.checksum(), 0xbeef);
});

test('time exceeded and fragmentation needed round-trip', () => {
  const quote = hexToBytes(LINUX_UDP_CLOSED_PORT).subarray(14);
  for (const [type, code, mtu] of [
    [ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0],
    [ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400],
  ] as const) {
    const b = new Uint8Array(8 + quote.length);
    b.set(quote, 8);
    const r = newIcmpv4Repr();
    r.msgType = type;
    r.msgCode = code;
    r.nextHopMtu = mtu;
    r.restOfHeader = 0xffff_ffff; // ignored for these types
    r.payloadLength = quote.length;
    emitIcmpv4(r, b, 0);
    assert.equal(internetChecksum(b, 0, b.length), 0);
    const p = newIcmpv4Repr();
    assert.equal(parseIcmpv4Into(new Icmpv4View().wrap(b, 0, b.length), p), WireErr.Ok);
    assert.equal(p.msgType, type);
    assert.equal(p.msgCode, code);
    assert.equal(p.nextHopMtu, mtu);
    assert.equal(p.restOfHeader, mtu);
    assert.equal(p.payloadLength, quote.length);
  }
});

test('other types keep and re-emit their 4 header bytes verbatim', () => {
  const quote = hexToBytes(LINUX_UDP_CLOSED_PORT).subarray(14);
  const b = new Uint8Array(8 + quote.length);
  b.set(quote, 8);
  const r = newIcmpv4Repr();
  r.msgType = ICMP_PARAMETER_PROB;
  r.restOfHeader = 0x0c00_0000; // pointer 12
  r.payloadLength = quote.length;
  emitIcmpv4(r, b, 0);
  const p = newIcmpv4Repr();
  assert.equal(parseIcmpv4Into(new Icmpv4View().wrap(b, 0, b.length), p), WireErr.Ok);
  assert.equal(p.restOfHeader, 0x0c00_0000);
  assert.equal(formatIcmpv4(p), 'ICMP type 12, code 0, length 42');
});

test('formats like tcpdump', () => {
  const r = newIcmpv4Repr();
  const req = icmpOf(LINUX_ICMP_ECHO_REQUEST);
  parseIcmpv4Into(req.view, r);
  assert.equal(formatIcmpv4(r), 'ICMP echo request, id 15375, seq 1, length 64');
  const un = icmpOf(LINUX_ICMP_PORT_UNREACH);
  parseIcmpv4Into(un.view, r);
  assert.equal(formatIcmpv4(r, un.bytes), 'ICMP 192.0.2.2 udp port 9999 unreachable, length 42');
  assert.equal(formatIcmpv4(r), 'ICMP port unreachable, length 42');
  r.msgCode = ICMP_FRAG_NEEDED;
  r.nextHopMtu = 1280;
  assert.equal(formatIcmpv4(r, un.bytes), 'ICMP 192.0.2.2 unreachable - need to frag (mtu 1280), length 42');
  r.msgType = ICMP_TIME_EXCEEDED;
  r.msgCode = ICMP_EXC_TTL;
  assert.equal(formatIcmpv4(r, un.bytes), 'ICMP 192.0.2.2 time to live exceeded in transit, length 42');
});
