import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARP_HEADER_LEN,
  ARP_OP_REPLY,
  ARP_OP_REQUEST,
  ArpView,
  arpBufferLen,
  emitArp,
  formatArp,
  newArpRepr,
  parseArpInto,
} from './arp.js';
import { ETH_HEADER_LEN } from './ethernet.js';
import { WireErr } from './errors.js';
import { LINUX_ARP_REPLY, LINUX_ARP_REQUEST, hexToBytes } from './fixtures/linux-frames.js';
import { parseIpv4 } from './ipv4.js';

const MAC_A = 0x02_00_00_00_00_01;
const MAC_B = 0x02_00_00_00_00_02;
const IP_A = parseIpv4('192.0.2.1');
const IP_B = parseIpv4('192.0.2.2');

function arpOf(hex: string): { bytes: Uint8Array; view: ArpView } {
  const bytes = hexToBytes(hex);
  return { bytes, view: new ArpView().wrap(bytes, ETH_HEADER_LEN, bytes.length - ETH_HEADER_LEN) };
}

test('reads every field of the Linux ARP request (values as tshark decodes them)', () => {
  const { view } = arpOf(LINUX_ARP_REQUEST);
  assert.equal(view.checkLen(), WireErr.Ok);
  assert.equal(view.hardwareType(), 1);
  assert.equal(view.protocolType(), 0x0800);
  assert.equal(view.hardwareLen(), 6);
  assert.equal(view.protocolLen(), 4);
  assert.equal(view.operation(), ARP_OP_REQUEST);
  assert.equal(view.senderHardwareAddr(), MAC_A);
  assert.equal(view.senderProtocolAddr(), IP_A);
  assert.equal(view.targetHardwareAddr(), 0);
  assert.equal(view.targetProtocolAddr(), IP_B);
  const r = newArpRepr();
  assert.equal(parseArpInto(view, r), WireErr.Ok);
  assert.deepEqual(r, {
    operation: ARP_OP_REQUEST,
    senderHardwareAddr: MAC_A,
    senderProtocolAddr: IP_A,
    targetHardwareAddr: 0,
    targetProtocolAddr: IP_B,
  });
});

test('reads every field of the Linux ARP reply', () => {
  const { view } = arpOf(LINUX_ARP_REPLY);
  const r = newArpRepr();
  assert.equal(parseArpInto(view, r), WireErr.Ok);
  assert.deepEqual(r, {
    operation: ARP_OP_REPLY,
    senderHardwareAddr: MAC_B,
    senderProtocolAddr: IP_B,
    targetHardwareAddr: MAC_A,
    targetProtocolAddr: IP_A,
  });
});

test('emit re-creates both Linux packets byte for byte', () => {
  for (const hex of [LINUX_ARP_REQUEST, LINUX_ARP_REPLY]) {
    const { bytes, view } = arpOf(hex);
    const r = newArpRepr();
    assert.equal(parseArpInto(view, r), WireErr.Ok);
    assert.equal(arpBufferLen(r), ARP_HEADER_LEN);
    const out = new Uint8Array(ARP_HEADER_LEN + 4).fill(0xee);
    emitArp(r, out, 2);
    assert.deepEqual(out.subarray(2, 2 + ARP_HEADER_LEN), bytes.subarray(ETH_HEADER_LEN));
    assert.equal(out[1], 0xee);
    assert.equal(out[2 + ARP_HEADER_LEN], 0xee);
  }
});

test('setters build the Linux reply field by field', () => {
  const { bytes } = arpOf(LINUX_ARP_REPLY);
  const out = new Uint8Array(ARP_HEADER_LEN);
  const v = new ArpView().wrap(out, 0, out.length);
  v.setHardwareType(1);
  v.setProtocolType(0x0800);
  v.setHardwareLen(6);
  v.setProtocolLen(4);
  v.setOperation(ARP_OP_REPLY);
  v.setSenderHardwareAddr(MAC_B);
  v.setSenderProtocolAddr(IP_B);
  v.setTargetHardwareAddr(MAC_A);
  v.setTargetProtocolAddr(IP_A);
  assert.deepEqual(out, bytes.subarray(ETH_HEADER_LEN));
});

test('Ethernet padding after the packet is ignored', () => {
  const { bytes } = arpOf(LINUX_ARP_REQUEST);
  const padded = new Uint8Array(60).fill(0x5a);
  padded.set(bytes);
  const r = newArpRepr();
  assert.equal(parseArpInto(new ArpView().wrap(padded, ETH_HEADER_LEN, 46), r), WireErr.Ok);
  assert.equal(r.targetProtocolAddr, IP_B);
});

test('rejects other hardware, other protocols, other address sizes and operations', () => {
  const cases: Array<[number, number, number]> = [
    [1, 6, WireErr.BadVersion], // hardware type 6 (IEEE 802)
    [2, 0x86, WireErr.Unsupported], // protocol 0x86dd
    [5, 16, WireErr.Truncated], // pln 16 announces addresses past the packet
    [5, 2, WireErr.Unsupported], // pln 2 fits, but is not IPv4
    [4, 8, WireErr.Truncated], // hln 8: 8 + 2*(8+4) = 32 > 28
    [7, 3, WireErr.Unsupported], // RARP request
    [7, 0, WireErr.Unsupported],
  ];
  for (const [at, value, code] of cases) {
    const { bytes, view } = arpOf(LINUX_ARP_REQUEST);
    bytes[ETH_HEADER_LEN + at] = value;
    assert.equal(parseArpInto(view, newArpRepr()), code, `byte ${at} = ${value}`);
  }
});

test('formats like tcpdump', () => {
  const r = newArpRepr();
  parseArpInto(arpOf(LINUX_ARP_REQUEST).view, r);
  assert.equal(formatArp(r), 'ARP, Request who-has 192.0.2.2 tell 192.0.2.1');
  parseArpInto(arpOf(LINUX_ARP_REPLY).view, r);
  assert.equal(formatArp(r), 'ARP, Reply 192.0.2.2 is-at 02:00:00:00:00:02');
  r.operation = 9;
  assert.equal(formatArp(r), 'ARP, op 9 192.0.2.2 > 192.0.2.1');
});
