import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINUX_FRAMES, LINUX_TCP_DATA, LINUX_UDP, hexToBytes } from './fixtures/linux-frames.js';
import { Ipv4View } from './ipv4.js';
import { formatFrame, formatIpv4Packet } from './pretty.js';

test('formatFrame prints every Linux frame exactly as tcpdump -e -S -nn did', () => {
  for (const f of LINUX_FRAMES) {
    const b = hexToBytes(f.hex);
    assert.equal(formatFrame(b, 0, b.length), f.tcpdump, f.name);
  }
});

test('formatFrame honours the offset and length it is given', () => {
  const f = LINUX_FRAMES[0]!;
  const inner = hexToBytes(f.hex);
  const b = new Uint8Array(inner.length + 20).fill(0xff);
  b.set(inner, 7);
  assert.equal(formatFrame(b, 7, inner.length), f.tcpdump);
});

test('formatFrame names the layer that failed and why', () => {
  const b = hexToBytes(LINUX_TCP_DATA);
  b[b.length - 1] ^= 1;
  assert.match(formatFrame(b, 0, b.length), /length 72: 192\.0\.2\.1 > 192\.0\.2\.2: \[TCP BadChecksum\]$/);
  assert.match(formatFrame(b, 0, 30), /length 30: \[IPv4 Truncated\]$/);
  assert.equal(formatFrame(b, 0, 10), '[Ethernet Truncated], length 10');
  b[12] = 0x88;
  b[13] = 0xcc; // LLDP
  assert.match(formatFrame(b, 0, b.length), /ethertype unknown \(0x88cc\), length 72: payload 58 bytes$/);
});

test('fragments print their id and offset', () => {
  const b = hexToBytes(LINUX_UDP);
  const v = new Ipv4View().wrap(b, 14, b.length - 14);
  v.setFragOffset(1480);
  v.fillChecksum();
  assert.equal(formatIpv4Packet(b, 14, b.length - 14), '192.0.2.1 > 192.0.2.2: frag id 46222, offset 1480, length 14');
  v.setFragOffset(0);
  v.setMoreFrags(true);
  v.fillChecksum();
  assert.equal(
    formatIpv4Packet(b, 14, b.length - 14),
    '192.0.2.1.40000 > 192.0.2.2.9000: UDP, length 6 (frag id 46222, offset 0, length 14, more)',
  );
});
