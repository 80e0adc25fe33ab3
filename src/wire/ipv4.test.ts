import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ETH_HEADER_LEN } from './ethernet.js';
import { WireErr } from './errors.js';
import {
  LINUX_ICMP_ECHO_REPLY,
  LINUX_ICMP_ECHO_REQUEST,
  LINUX_ICMP_PORT_UNREACH,
  LINUX_TCP_ACK,
  LINUX_TCP_DATA,
  LINUX_TCP_FIN,
  LINUX_TCP_RST,
  LINUX_TCP_SACK,
  LINUX_TCP_SYN,
  LINUX_TCP_SYN_ACK,
  LINUX_UDP,
  hexToBytes,
} from './fixtures/linux-frames.js';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER_LEN,
  Ipv4View,
  emitIpv4,
  formatIpv4,
  ipProtoName,
  ipv4BufferLen,
  ipv4InSubnet,
  ipv4IsBroadcast,
  ipv4IsLoopback,
  ipv4IsMulticast,
  ipv4IsUnspecified,
  ipv4PrefixMask,
  ipv4ToString,
  isFragment,
  newIpv4Repr,
  parseIpv4,
  parseIpv4Into,
} from './ipv4.js';
import { internetChecksum } from './checksum.js';

const A = 0xc000_0201; // 192.0.2.1
const B = 0xc000_0202; // 192.0.2.2

function ipOf(hex: string): { bytes: Uint8Array; view: Ipv4View } {
  const bytes = hexToBytes(hex);
  return { bytes, view: new Ipv4View().wrap(bytes, ETH_HEADER_LEN, bytes.length - ETH_HEADER_LEN) };
}

test('ipv4ToString and parseIpv4 convert both ways', () => {
  assert.equal(ipv4ToString(A), '192.0.2.1');
  assert.equal(ipv4ToString(0), '0.0.0.0');
  assert.equal(ipv4ToString(0xffff_ffff), '255.255.255.255');
  assert.equal(parseIpv4('192.0.2.1'), A);
  assert.equal(parseIpv4('255.255.255.255'), 0xffff_ffff);
  assert.equal(parseIpv4('0.0.0.0'), 0);
  assert.equal(parseIpv4('10.0.0.10'), 0x0a00_000a);
  for (const bad of [
    '', '1', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '01.2.3.4', '1.2.3.04', '1..3.4',
    '.1.2.3', '1.2.3.', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.-4', 'a.b.c.d', '1.2.3.4/24', '1234.1.1.1',
    '0x1.2.3.4', '1.2.3.4\n',
  ]) {
    assert.equal(parseIpv4(bad), -1, JSON.stringify(bad));
  }
});

test('address helpers', () => {
  assert.equal(ipv4PrefixMask(24), 0xffff_ff00);
  assert.equal(ipv4PrefixMask(32), 0xffff_ffff);
  assert.equal(ipv4PrefixMask(0), 0);
  assert.equal(ipv4PrefixMask(1), 0x8000_0000);
  assert.ok(ipv4InSubnet(A, parseIpv4('192.0.2.0'), 24));
  assert.ok(!ipv4InSubnet(parseIpv4('192.0.3.1'), parseIpv4('192.0.2.0'), 24));
  assert.ok(ipv4InSubnet(parseIpv4('203.0.113.9'), 0, 0));
  assert.ok(ipv4IsMulticast(parseIpv4('224.0.0.1')));
  assert.ok(ipv4IsMulticast(parseIpv4('239.255.255.255')));
  assert.ok(!ipv4IsMulticast(parseIpv4('240.0.0.1')));
  assert.ok(ipv4IsBroadcast(0xffff_ffff));
  assert.ok(ipv4IsLoopback(parseIpv4('127.1.2.3')));
  assert.ok(ipv4IsUnspecified(0));
  assert.equal(ipProtoName(IPPROTO_TCP), 'TCP');
  assert.equal(ipProtoName(132), 'ip-proto-132');
});

// Expected values as tshark decodes the frames.
const cases = [
  { hex: LINUX_ICMP_ECHO_REQUEST, id: 0xb2ed, df: true, proto: IPPROTO_ICMP, sum: 0x03b8, src: A, dst: B, len: 84, dscp: 0 },
  { hex: LINUX_ICMP_ECHO_REPLY, id: 0x3f18, df: false, proto: IPPROTO_ICMP, sum: 0xb78d, src: B, dst: A, len: 84, dscp: 0 },
  { hex: LINUX_UDP, id: 0xb48e, df: true, proto: IPPROTO_UDP, sum: 0x0239, src: A, dst: B, len: 34, dscp: 0 },
  { hex: LINUX_ICMP_PORT_UNREACH, id: 0x3f23, df: false, proto: IPPROTO_ICMP, sum: 0xb6d8, src: B, dst: A, len: 62, dscp: 48 },
  { hex: LINUX_TCP_SYN, id: 0x3da8, df: true, proto: IPPROTO_TCP, sum: 0x7910, src: A, dst: B, len: 60, dscp: 0 },
  { hex: LINUX_TCP_SYN_ACK, id: 0x0000, df: true, proto: IPPROTO_TCP, sum: 0xb6b8, src: B, dst: A, len: 60, dscp: 0 },
  { hex: LINUX_TCP_ACK, id: 0x3da9, df: true, proto: IPPROTO_TCP, sum: 0x7917, src: A, dst: B, len: 52, dscp: 0 },
  { hex: LINUX_TCP_DATA, id: 0x3daa, df: true, proto: IPPROTO_TCP, sum: 0x7910, src: A, dst: B, len: 58, dscp: 0 },
  { hex: LINUX_TCP_FIN, id: 0x3dab, df: true, proto: IPPROTO_TCP, sum: 0x7915, src: A, dst: B, len: 52, dscp: 0 },
  { hex: LINUX_TCP_RST, id: 0x0000, df: true, proto: IPPROTO_TCP, sum: 0xb6cc, src: B, dst: A, len: 40, dscp: 0 },
  { hex: LINUX_TCP_SACK, id: 0xaad7, df: true, proto: IPPROTO_TCP, sum: 0x0bdd, src: B, dst: A, len: 64, dscp: 0 },
];

test('reads every header field of the Linux frames', () => {
  for (const c of cases) {
    const { view } = ipOf(c.hex);
    assert.equal(view.checkLen(), WireErr.Ok);
    assert.equal(view.version(), 4);
    assert.equal(view.ihl(), 5);
    assert.equal(view.headerLen(), 20);
    assert.equal(view.dscp(), c.dscp);
    assert.equal(view.ecn(), 0);
    assert.equal(view.totalLength(), c.len);
    assert.equal(view.identification(), c.id);
    assert.equal(view.dontFrag(), c.df);
    assert.equal(view.moreFrags(), false);
    assert.equal(view.fragOffset(), 0);
    assert.equal(view.isFragment(), false);
    assert.equal(view.ttl(), 64);
    assert.equal(view.protocol(), c.proto);
    assert.equal(view.checksum(), c.sum);
    assert.equal(view.srcAddr(), c.src);
    assert.equal(view.dstAddr(), c.dst);
    assert.ok(view.verifyChecksum());
    const r = newIpv4Repr();
    assert.equal(parseIpv4Into(view, r), WireErr.Ok);
    assert.deepEqual(r, {
      srcAddr: c.src,
      dstAddr: c.dst,
      protocol: c.proto,
      ttl: 64,
      dscp: c.dscp,
      ecn: 0,
      identification: c.id,
      dontFrag: c.df,
      moreFrags: false,
      fragOffset: 0,
      headerLen: 20,
      optionsLen: 0,
      checksum: c.sum,
      payloadOffset: ETH_HEADER_LEN + 20,
      payloadLength: c.len - 20,
    });
    assert.equal(isFragment(r), false);
  }
});

test('emit re-creates every Linux header byte for byte', () => {
  for (const c of cases) {
    const { bytes, view } = ipOf(c.hex);
    const r = newIpv4Repr();
    assert.equal(parseIpv4Into(view, r), WireErr.Ok);
    assert.equal(ipv4BufferLen(r), IPV4_HEADER_LEN);
    const out = new Uint8Array(IPV4_HEADER_LEN);
    emitIpv4(r, out, 0);
    assert.deepEqual(out, bytes.subarray(ETH_HEADER_LEN, ETH_HEADER_LEN + IPV4_HEADER_LEN));
  }
});

test('setters build the port-unreachable header field by field', () => {
  const { bytes } = ipOf(LINUX_ICMP_PORT_UNREACH);
  const out = new Uint8Array(IPV4_HEADER_LEN);
  const v = new Ipv4View().wrap(out, 0, out.length);
  v.setVersion(4);
  v.setIhl(5);
  v.setDscp(48);
  v.setEcn(0);
  v.setTotalLength(62);
  v.setIdentification(0x3f23);
  v.setDontFrag(true);
  v.setDontFrag(false);
  v.setMoreFrags(false);
  v.setFragOffset(0);
  v.setTtl(64);
  v.setProtocol(IPPROTO_ICMP);
  v.setSrcAddr(B);
  v.setDstAddr(A);
  v.fillChecksum();
  assert.equal(v.checksum(), 0xb6d8);
  assert.deepEqual(out, bytes.subarray(ETH_HEADER_LEN, ETH_HEADER_LEN + IPV4_HEADER_LEN));
});

test('the payload ends at the total length: Ethernet padding is excluded', () => {
  const { bytes } = ipOf(LINUX_TCP_RST); // 54-byte frame, total length 40
  const padded = new Uint8Array(60).fill(0xaa);
  padded.set(bytes);
  const r = newIpv4Repr();
  assert.equal(parseIpv4Into(new Ipv4View().wrap(padded, ETH_HEADER_LEN, 46), r), WireErr.Ok);
  assert.equal(r.payloadOffset, 34);
  assert.equal(r.payloadLength, 20);
});

test('fragments are recognised; the offset is in bytes', () => {
  const { bytes, view } = ipOf(LINUX_UDP);
  view.setDontFrag(false);
  view.setMoreFrags(true);
  view.fillChecksum();
  const r = newIpv4Repr();
  assert.equal(parseIpv4Into(view, r), WireErr.Ok);
  assert.ok(r.moreFrags && r.fragOffset === 0 && isFragment(r) && view.isFragment());
  view.setMoreFrags(false);
  view.setFragOffset(1480);
  view.fillChecksum();
  assert.equal(parseIpv4Into(view, r), WireErr.Ok);
  assert.equal(r.fragOffset, 1480);
  assert.equal(bytes[ETH_HEADER_LEN + 6], 0x00);
  assert.equal(bytes[ETH_HEADER_LEN + 7], 185); // 1480 / 8
  assert.ok(!r.moreFrags && isFragment(r));
  // Emit writes them back.
  const out = new Uint8Array(20);
  r.moreFrags = true;
  r.dontFrag = true;
  emitIpv4(r, out, 0);
  assert.equal(out[6], 0x60);
  assert.equal(out[7], 185);
});

test('options are tolerated and skipped; emit writes none', () => {
  // 24-byte header: a Router Alert option (RFC 2113), then the UDP datagram of LINUX_UDP.
  const { bytes } = ipOf(LINUX_UDP);
  const ip = bytes.subarray(ETH_HEADER_LEN);
  const b = new Uint8Array(ip.length + 4);
  b.set(ip.subarray(0, 20), 0);
  b.set([0x94, 0x04, 0x00, 0x00], 20);
  b.set(ip.subarray(20), 24);
  const v = new Ipv4View().wrap(b, 0, b.length);
  v.setIhl(6);
  v.setTotalLength(b.length);
  v.fillChecksum();
  const r = newIpv4Repr();
  assert.equal(parseIpv4Into(v, r), WireErr.Ok);
  assert.equal(r.headerLen, 24);
  assert.equal(r.optionsLen, 4);
  assert.equal(r.payloadOffset, 24);
  assert.equal(r.payloadLength, 14);
  const out = new Uint8Array(20);
  emitIpv4(r, out, 0);
  assert.equal(out[0], 0x45);
  assert.equal(internetChecksum(out, 0, 20), 0);
  assert.match(formatIpv4(r), /options 4 bytes/);
});

test('checksumOffload skips the header checksum', () => {
  const { view } = ipOf(LINUX_UDP);
  view.setChecksum(0x1234);
  const r = newIpv4Repr();
  assert.equal(parseIpv4Into(view, r), WireErr.BadChecksum);
  assert.equal(parseIpv4Into(view, r, true), WireErr.Ok);
  assert.equal(r.checksum, 0x1234);
});

test('formats like tcpdump -v', () => {
  const r = newIpv4Repr();
  parseIpv4Into(ipOf(LINUX_ICMP_PORT_UNREACH).view, r);
  assert.equal(
    formatIpv4(r),
    'IP (tos 0xc0, ttl 64, id 16163, offset 0, flags [none], proto ICMP (1), length 62) 192.0.2.2 > 192.0.2.1',
  );
  parseIpv4Into(ipOf(LINUX_UDP).view, r);
  assert.equal(
    formatIpv4(r),
    'IP (tos 0x0, ttl 64, id 46222, offset 0, flags [DF], proto UDP (17), length 34) 192.0.2.1 > 192.0.2.2',
  );
});
