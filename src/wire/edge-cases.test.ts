// Malformed input: every truncation, lying length fields, bad header lengths, bad options,
// bad checksums, random corruption. Parsers must return a code, never throw, and never
// look past the (offset, length) they were given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArpView, newArpRepr, parseArpInto } from './arp.js';
import { WireErr } from './errors.js';
import { ETH_P_ARP, ETH_P_IPV4, EthernetView, newEthernetRepr, parseEthernetInto } from './ethernet.js';
import {
  LINUX_FRAMES,
  LINUX_ICMP_ECHO_REQUEST,
  LINUX_TCP_ACK,
  LINUX_TCP_DATA,
  LINUX_TCP_SYN,
  LINUX_UDP,
  hexToBytes,
} from './fixtures/linux-frames.js';
import { Icmpv4View, newIcmpv4Repr, parseIcmpv4Into } from './icmpv4.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Ipv4View, newIpv4Repr, parseIpv4Into } from './ipv4.js';
import { formatFrame } from './pretty.js';
import { TcpView, newTcpRepr, parseTcpInto } from './tcp.js';
import { UdpView, newUdpRepr, parseUdpInto } from './udp.js';

const ethV = new EthernetView();
const arpV = new ArpView();
const ipV = new Ipv4View();
const icmpV = new Icmpv4View();
const udpV = new UdpView();
const tcpV = new TcpView();
const eth = newEthernetRepr();
const arp = newArpRepr();
const ip = newIpv4Repr();
const icmp = newIcmpv4Repr();
const udp = newUdpRepr();
const tcp = newTcpRepr();

/** Decode a frame through every layer; return the first non-Ok code (tagged by layer), or 0. */
function decode(b: Uint8Array, off: number, len: number): number {
  let e = parseEthernetInto(ethV.wrap(b, off, len), eth);
  if (e !== 0) return 100 + e;
  const p = off + 14;
  if (eth.etherType === ETH_P_ARP) {
    e = parseArpInto(arpV.wrap(b, p, len - 14), arp);
    return e === 0 ? 0 : 200 + e;
  }
  if (eth.etherType !== ETH_P_IPV4) return 0;
  e = parseIpv4Into(ipV.wrap(b, p, len - 14), ip);
  if (e !== 0) return 300 + e;
  switch (ip.protocol) {
    case IPPROTO_ICMP:
      e = parseIcmpv4Into(icmpV.wrap(b, ip.payloadOffset, ip.payloadLength), icmp);
      return e === 0 ? 0 : 400 + e;
    case IPPROTO_UDP:
      e = parseUdpInto(udpV.wrap(b, ip.payloadOffset, ip.payloadLength), udp, ip.srcAddr, ip.dstAddr);
      return e === 0 ? 0 : 500 + e;
    case IPPROTO_TCP:
      e = parseTcpInto(tcpV.wrap(b, ip.payloadOffset, ip.payloadLength), tcp, ip.srcAddr, ip.dstAddr);
      return e === 0 ? 0 : 600 + e;
    default:
      return 0;
  }
}

/** Return everything decode filled in, for comparing two runs. */
function snapshot(code: number): string {
  return JSON.stringify({ code, eth, arp, ip, icmp, udp, tcp: { ...tcp, sackBlocks: [...tcp.sackBlocks] } });
}

test('every truncation of every frame returns a code and reads nothing past the end', () => {
  for (const f of LINUX_FRAMES) {
    const full = hexToBytes(f.hex);
    assert.equal(decode(full, 0, full.length), 0, f.name);
    for (let n = 0; n < full.length; n++) {
      // The same n bytes, followed by two different kinds of junk, at an odd offset: if a
      // parser looked past n, the two runs could differ.
      const zeros = new Uint8Array(full.length + 8);
      const ones = new Uint8Array(full.length + 8).fill(0xff);
      zeros.set(full.subarray(0, n), 3);
      ones.set(full.subarray(0, n), 3);
      const c1 = decode(zeros, 3, n);
      const s1 = snapshot(c1);
      const c2 = decode(ones, 3, n);
      assert.notEqual(c1, 0, `${f.name} cut to ${n} bytes parsed`);
      assert.equal(snapshot(c2), s1, `${f.name} cut to ${n}: the bytes past the end made a difference`);
      formatFrame(zeros, 3, n);
    }
  }
});

test('each transport parser, given every shorter length, returns a code', () => {
  for (const f of LINUX_FRAMES) {
    const b = hexToBytes(f.hex);
    if (decode(b, 0, b.length) !== 0 || eth.etherType !== ETH_P_IPV4) continue;
    const at = ip.payloadOffset;
    for (let n = 0; n < ip.payloadLength; n++) {
      let e: number;
      if (ip.protocol === IPPROTO_ICMP) e = parseIcmpv4Into(icmpV.wrap(b, at, n), newIcmpv4Repr());
      else if (ip.protocol === IPPROTO_UDP) e = parseUdpInto(udpV.wrap(b, at, n), newUdpRepr(), ip.srcAddr, ip.dstAddr);
      else e = parseTcpInto(tcpV.wrap(b, at, n), newTcpRepr(), ip.srcAddr, ip.dstAddr);
      assert.notEqual(e, WireErr.Ok, `${f.name} transport cut to ${n}`);
    }
  }
});

function ipOf(hex: string): { b: Uint8Array; v: Ipv4View } {
  const b = hexToBytes(hex);
  return { b, v: new Ipv4View().wrap(b, 14, b.length - 14) };
}

test('IPv4: bad version and bad IHL', () => {
  // The checksum is left stale on purpose: version and lengths are checked before it.
  for (const [first, code] of [
    [0x65, WireErr.BadVersion],
    [0x05, WireErr.BadVersion],
    [0x44, WireErr.BadHeaderLen],
    [0x40, WireErr.BadHeaderLen],
    [0x4f, WireErr.BadHeaderLen], // 60 bytes of header in a 34-byte datagram
  ] as const) {
    const { b, v } = ipOf(LINUX_UDP);
    b[14] = first;
    assert.equal(parseIpv4Into(v, newIpv4Repr()), code, `first byte 0x${first.toString(16)}`);
    assert.equal(parseIpv4Into(v, newIpv4Repr(), true), code, 'checksumOffload changes nothing');
  }
  // IHL 6 in a datagram whose total length is 20: total length < IHL * 4.
  const { v } = ipOf(LINUX_UDP);
  v.setIhl(6);
  v.setTotalLength(20);
  assert.equal(parseIpv4Into(v, newIpv4Repr()), WireErr.BadLength);
});

test('IPv4: total length that lies', () => {
  const r = newIpv4Repr();
  {
    const { v } = ipOf(LINUX_UDP);
    v.setTotalLength(35); // one byte more than present
    v.fillChecksum();
    assert.equal(parseIpv4Into(v, r), WireErr.Truncated);
    v.setTotalLength(19); // less than the header
    v.fillChecksum();
    assert.equal(parseIpv4Into(v, r), WireErr.BadLength);
    v.setTotalLength(0); // what a capture of a TSO frame shows
    v.fillChecksum();
    assert.equal(parseIpv4Into(v, r), WireErr.BadLength);
  }
  {
    // Smaller but plausible: IPv4 accepts it, and the short UDP datagram is caught.
    const { b, v } = ipOf(LINUX_UDP);
    v.setTotalLength(30);
    v.fillChecksum();
    assert.equal(parseIpv4Into(v, r), WireErr.Ok);
    assert.equal(r.payloadLength, 10);
    assert.equal(parseUdpInto(new UdpView().wrap(b, r.payloadOffset, r.payloadLength), newUdpRepr(), r.srcAddr, r.dstAddr), WireErr.Truncated);
  }
  {
    // A TCP segment whose datagram claims 4 bytes less: the TCP checksum catches it.
    const { b, v } = ipOf(LINUX_TCP_DATA);
    v.setTotalLength(v.totalLength() - 4);
    v.fillChecksum();
    assert.equal(parseIpv4Into(v, r), WireErr.Ok);
    assert.equal(parseTcpInto(new TcpView().wrap(b, r.payloadOffset, r.payloadLength), newTcpRepr(), r.srcAddr, r.dstAddr), WireErr.BadChecksum);
  }
});

test('UDP: length field that lies', () => {
  const b = hexToBytes(LINUX_UDP);
  const v = new UdpView().wrap(b, 34, 14);
  for (const [len, code] of [[15, WireErr.Truncated], [7, WireErr.BadLength], [0, WireErr.BadLength], [13, WireErr.BadChecksum]] as const) {
    v.setUdpLength(len);
    assert.equal(parseUdpInto(v, newUdpRepr(), 0xc000_0201, 0xc000_0202), code, `length ${len}`);
  }
});

test('TCP: data offset below 5 or past the end', () => {
  const b = hexToBytes(LINUX_TCP_ACK); // 32-byte segment
  const v = new TcpView().wrap(b, 34, 32);
  for (const [doff, code] of [[4, WireErr.BadHeaderLen], [0, WireErr.BadHeaderLen], [9, WireErr.BadHeaderLen], [15, WireErr.BadHeaderLen]] as const) {
    v.setDataOffset(doff);
    v.fillChecksum(0xc000_0201, 0xc000_0202);
    assert.equal(v.checkLen(), code);
    assert.equal(parseTcpInto(v, newTcpRepr(), 0xc000_0201, 0xc000_0202), code, `data offset ${doff}`);
  }
});

test('TCP: option length 0, 1 and past the header (checksum fixed, so the options are what fails)', () => {
  // LINUX_TCP_SYN options: mss(20..23) sackOK(24..25) TS(26..35) nop(36) wscale(37..39).
  for (const [at, value, why] of [
    [21, 0, 'MSS length 0'],
    [25, 1, 'SACK-permitted length 1'],
    [27, 0, 'timestamps length 0'],
    [38, 4, 'window scale length 4: one byte past the header'],
    [27, 200, 'timestamps length 200'],
  ] as const) {
    const b = hexToBytes(LINUX_TCP_SYN);
    b[34 + at] = value;
    const v = new TcpView().wrap(b, 34, 40);
    v.fillChecksum(0xc000_0201, 0xc000_0202);
    assert.equal(parseTcpInto(v, newTcpRepr(), 0xc000_0201, 0xc000_0202), WireErr.BadOption, why);
  }
});

test('every single-bit error in an IPv4 frame is caught by some checksum', () => {
  for (const f of LINUX_FRAMES) {
    const b = hexToBytes(f.hex);
    if (decode(b, 0, b.length) !== 0 || eth.etherType !== ETH_P_IPV4) continue;
    for (let i = 14; i < b.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        b[i] ^= 1 << bit;
        assert.notEqual(decode(b, 0, b.length), 0, `${f.name}: byte ${i} bit ${bit}`);
        b[i] ^= 1 << bit;
      }
    }
  }
});

test('checksum errors are reported as BadChecksum at the right layer', () => {
  const e = hexToBytes(LINUX_ICMP_ECHO_REQUEST);
  e[e.length - 1] ^= 0x80;
  assert.equal(decode(e, 0, e.length), 400 + WireErr.BadChecksum);
  const u = hexToBytes(LINUX_UDP);
  u[u.length - 1] ^= 0x80;
  assert.equal(decode(u, 0, u.length), 500 + WireErr.BadChecksum);
  const t = hexToBytes(LINUX_TCP_DATA);
  t[t.length - 1] ^= 0x80;
  assert.equal(decode(t, 0, t.length), 600 + WireErr.BadChecksum);
  const i = hexToBytes(LINUX_TCP_DATA);
  i[14 + 8] ^= 0x80; // TTL
  assert.equal(decode(i, 0, i.length), 300 + WireErr.BadChecksum);
});

test('random corruption never throws (seeded)', () => {
  let s = 0x2545f491;
  const rnd = (n: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  for (const f of LINUX_FRAMES) {
    const orig = hexToBytes(f.hex);
    for (let k = 0; k < 300; k++) {
      const b = orig.slice();
      const flips = 1 + rnd(6);
      for (let j = 0; j < flips; j++) b[rnd(b.length)] = rnd(256);
      const len = rnd(4) === 0 ? rnd(b.length + 1) : b.length;
      const code = decode(b, 0, len);
      assert.equal(typeof code, 'number');
      assert.equal(typeof formatFrame(b, 0, len), 'string');
    }
  }
});
