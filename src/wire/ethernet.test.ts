import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireErr } from './errors.js';
import {
  ETH_HEADER_LEN,
  ETH_P_ARP,
  ETH_P_IPV4,
  EthernetView,
  MAC_BROADCAST,
  emitEthernet,
  ethernetBufferLen,
  formatEthernet,
  macIsMulticast,
  macToString,
  newEthernetRepr,
  parseEthernetInto,
  parseMac,
} from './ethernet.js';
import { LINUX_ARP_REQUEST, LINUX_TCP_SYN, hexToBytes } from './fixtures/linux-frames.js';

test('reads the Linux frames and emits them back', () => {
  for (const [hex, dst, src, type] of [
    [LINUX_ARP_REQUEST, MAC_BROADCAST, 0x0200_0000_0001, ETH_P_ARP],
    [LINUX_TCP_SYN, 0x0200_0000_0002, 0x0200_0000_0001, ETH_P_IPV4],
  ] as const) {
    const b = hexToBytes(hex);
    const v = new EthernetView().wrap(b, 0, b.length);
    const r = newEthernetRepr();
    assert.equal(parseEthernetInto(v, r), WireErr.Ok);
    assert.deepEqual(r, { dstAddr: dst, srcAddr: src, etherType: type });
    assert.equal(v.payloadOffset(), 14);
    assert.equal(v.payloadLength(), b.length - 14);
    assert.equal(ethernetBufferLen(r), ETH_HEADER_LEN);
    const out = new Uint8Array(14);
    emitEthernet(r, out, 0);
    assert.deepEqual(out, b.subarray(0, 14));
    const set = new EthernetView().wrap(new Uint8Array(14), 0, 14);
    set.setDstAddr(dst);
    set.setSrcAddr(src);
    set.setEtherType(type);
    assert.deepEqual(set.bytes, out);
  }
  assert.equal(new EthernetView().wrap(new Uint8Array(13), 0, 13).checkLen(), WireErr.Truncated);
});

test('MAC helpers', () => {
  assert.equal(macToString(0x0200_0000_0001), '02:00:00:00:00:01');
  assert.equal(parseMac('02:00:00:00:00:01'), 0x0200_0000_0001);
  assert.equal(parseMac('FF-ff-ff-ff-ff-ff'), MAC_BROADCAST);
  assert.equal(parseMac('02:00:00:00:00'), -1);
  assert.equal(parseMac('02:00:00:00:00:001'), -1);
  assert.ok(macIsMulticast(MAC_BROADCAST) && macIsMulticast(0x0100_5e00_0001));
  assert.ok(!macIsMulticast(0x0200_0000_0001));
  const r = newEthernetRepr();
  parseEthernetInto(new EthernetView().wrap(hexToBytes(LINUX_ARP_REQUEST), 0, 42), r);
  assert.equal(formatEthernet(r), '02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806)');
});
