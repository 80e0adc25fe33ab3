// The virtio_net_hdr of a TAP with offload: what we write before a frame (checked by
// completing the checksum and cutting super-segments the way Linux's tun does:
// skb_checksum_help for NEEDS_CSUM, tcp_gso_segment for GSO TCPV4), what a received header
// means, and the TapDevice's handling of both over a scripted addon (no root needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldSum, sumBytes } from '../wire/checksum.js';
import { ETH_HEADER_LEN, ETH_P_ARP, ETH_P_IPV4, emitEthernet, newEthernetRepr } from '../wire/ethernet.js';
import { IPPROTO_TCP, IPPROTO_UDP, emitIpv4, newIpv4Repr, parseIpv4 } from '../wire/ipv4.js';
import { TCP_ACK, TcpView, emitTcp, newTcpRepr, tcpBufferLen } from '../wire/tcp.js';
import type { FrameSink } from './device.js';
import { TapDevice, type TapAddon } from './tap.js';
import {
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_ECN,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VNET_HDR_LEN,
  VnetRx,
  emitVnetTx,
  formatVnetHdr,
  getLe16,
  vnetIsGso,
  vnetRxKind,
} from './vnet-hdr.js';

const SRC = parseIpv4('192.0.2.2');
const DST = parseIpv4('192.0.2.1');
const MSS = 1448;

/** Write at `off` of a new buffer (`at` bytes of room before it) an Ethernet + IPv4 + TCP frame with timestamps and `dataLen` bytes; return [buffer, frame length]. */
function tcpFrame(dataLen: number, at = VNET_HDR_LEN, protocol = IPPROTO_TCP): [Uint8Array, number] {
  const t = newTcpRepr();
  t.srcPort = 40000;
  t.dstPort = 5001;
  t.seqNumber = 0xfffff000; // wraps inside the super-segment
  t.ackNumber = 77;
  t.flags = TCP_ACK;
  t.windowLen = 1000;
  t.tsPresent = true;
  t.tsVal = 123456;
  t.tsEcr = 654321;
  t.payloadLength = dataLen;
  const thl = tcpBufferLen(t);
  const len = ETH_HEADER_LEN + 20 + thl + dataLen;
  const b = new Uint8Array(at + len);
  const e = newEthernetRepr();
  e.dstAddr = 0x020000000001;
  e.srcAddr = 0x020000000002;
  e.etherType = ETH_P_IPV4;
  emitEthernet(e, b, at);
  const ip = newIpv4Repr();
  ip.srcAddr = SRC;
  ip.dstAddr = DST;
  ip.protocol = protocol;
  ip.dontFrag = true;
  ip.identification = 0x1234;
  ip.payloadLength = thl + dataLen;
  emitIpv4(ip, b, at + ETH_HEADER_LEN);
  const l4 = at + ETH_HEADER_LEN + 20;
  for (let i = 0; i < dataLen; i++) b[l4 + thl + i] = (i * 7 + 3) & 0xff;
  emitTcp(t, b, l4, SRC, DST, true); // checksum left 0, as a host with txChecksumOffload does
  b[l4 + 16] = 0xde; // and garbage there must not matter either
  b[l4 + 17] = 0xad;
  return [b, len];
}

/** Complete a NEEDS_CSUM checksum the way the kernel does (skb_checksum_help): sum from csum_start, store the inverse. */
function completeChecksum(b: Uint8Array, frameOff: number, frameLen: number, start: number, offset: number): void {
  const from = frameOff + start;
  const sum = sumBytes(b, from, frameOff + frameLen - from);
  const c = ~foldSum(sum) & 0xffff;
  b[from + offset] = c >>> 8;
  b[from + offset + 1] = c & 0xff;
}

/** Return true when the TCP checksum of the IPv4 frame at `off` verifies. */
function tcpChecksumOk(b: Uint8Array, off: number, len: number): boolean {
  const l4 = off + ETH_HEADER_LEN + 20;
  return new TcpView().wrap(b, l4, len - ETH_HEADER_LEN - 20).verifyChecksum(SRC, DST);
}

test('emitVnetTx: a TCP frame gets NEEDS_CSUM at the TCP checksum with the pseudo-header seeded; the kernel completes it', () => {
  const [b, len] = tcpFrame(1000);
  assert.equal(emitVnetTx(b, 0, VNET_HDR_LEN, len, 0), true);
  assert.equal(b[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
  assert.equal(b[1], VIRTIO_NET_HDR_GSO_NONE);
  assert.equal(getLe16(b, 6), ETH_HEADER_LEN + 20, 'csum_start: the TCP header, from the frame start');
  assert.equal(getLe16(b, 8), 16, 'csum_offset: the TCP checksum field');
  assert.equal(getLe16(b, 2), ETH_HEADER_LEN + 20 + 32, 'hdr_len: Ethernet + IPv4 + TCP with timestamps');
  assert.equal(tcpChecksumOk(b, VNET_HDR_LEN, len), false, 'partial as written');
  completeChecksum(b, VNET_HDR_LEN, len, getLe16(b, 6), getLe16(b, 8));
  assert.equal(tcpChecksumOk(b, VNET_HDR_LEN, len), true, 'complete after the kernel sums from csum_start');
  assert.match(formatVnetHdr(b, 0), /flags NEEDS_CSUM gso NONE size 0 hdr 66 csum 34\+16/);
});

test('emitVnetTx: a super-segment gets GSO TCPV4 and gso_size; each segment cut as tcp_gso_segment does verifies', () => {
  const data = 5 * MSS + 300;
  const [b, len] = tcpFrame(data);
  assert.equal(emitVnetTx(b, 0, VNET_HDR_LEN, len, MSS), true);
  assert.equal(b[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
  assert.equal(b[1], VIRTIO_NET_HDR_GSO_TCPV4);
  assert.equal(getLe16(b, 4), MSS);
  assert.equal(vnetIsGso(b, 0), true);
  const hdrLen = getLe16(b, 2);
  const start = getLe16(b, 6);
  const thl = hdrLen - start;
  const superL4 = len - start;
  const seed = (b[VNET_HDR_LEN + start + 16]! << 8) | b[VNET_HDR_LEN + start + 17]!;
  const seq0 = new DataView(b.buffer).getUint32(VNET_HDR_LEN + start + 4);
  let segments = 0;
  for (let off = 0; off < data; off += MSS) {
    const n = Math.min(MSS, data - off);
    const seg = new Uint8Array(hdrLen + n);
    seg.set(b.subarray(VNET_HDR_LEN, VNET_HDR_LEN + hdrLen), 0);
    seg.set(b.subarray(VNET_HDR_LEN + hdrLen + off, VNET_HDR_LEN + hdrLen + off + n), hdrLen);
    const dv = new DataView(seg.buffer);
    dv.setUint16(ETH_HEADER_LEN + 2, 20 + thl + n); // IPv4 total length
    dv.setUint32(start + 4, (seq0 + off) >>> 0); // sequence number
    // The seed covers the super-segment's length: swap it for this segment's (one's complement).
    dv.setUint16(start + 16, foldSum(seed + (~superL4 & 0xffff) + thl + n));
    completeChecksum(seg, 0, seg.length, start, 16);
    assert.equal(tcpChecksumOk(seg, 0, seg.length), true, `segment at ${off} verifies`);
    segments++;
  }
  assert.equal(segments, 6);
});

test('emitVnetTx: no GSO when the data fits one segment; plain headers for what is not unfragmented IPv4 TCP', () => {
  const [small, smallLen] = tcpFrame(MSS);
  assert.equal(emitVnetTx(small, 0, VNET_HDR_LEN, smallLen, MSS), true);
  assert.equal(small[1], VIRTIO_NET_HDR_GSO_NONE, 'one MSS of data is not a super-segment');
  assert.equal(getLe16(small, 4), 0);

  const [udp, udpLen] = tcpFrame(200, VNET_HDR_LEN, IPPROTO_UDP);
  udp.fill(0xff, 0, VNET_HDR_LEN);
  assert.equal(emitVnetTx(udp, 0, VNET_HDR_LEN, udpLen, 0), true);
  assert.deepEqual([...udp.subarray(0, VNET_HDR_LEN)], new Array(VNET_HDR_LEN).fill(0), 'UDP keeps its own checksum');
  assert.equal(emitVnetTx(udp, 0, VNET_HDR_LEN, udpLen, MSS), false, 'UDP cannot be segmented as TCP');

  const [frag, fragLen] = tcpFrame(200);
  frag[VNET_HDR_LEN + ETH_HEADER_LEN + 6] = 0x20; // more fragments
  const before = frag.slice();
  assert.equal(emitVnetTx(frag, 0, VNET_HDR_LEN, fragLen, 0), true);
  assert.equal(frag[0], 0);
  assert.deepEqual(frag.subarray(VNET_HDR_LEN), before.subarray(VNET_HDR_LEN), 'a fragment is left as it is');

  const [arp, arpLen] = tcpFrame(0);
  arp[VNET_HDR_LEN + 12] = ETH_P_ARP >>> 8;
  arp[VNET_HDR_LEN + 13] = ETH_P_ARP & 0xff;
  assert.equal(emitVnetTx(arp, 0, VNET_HDR_LEN, arpLen, 0), true);
  assert.equal(arp[0], 0);
});

test('vnetRxKind: NEEDS_CSUM or DATA_VALID skip the check; TCPV4 (with ECN) is taken; other GSO types are not', () => {
  const h = new Uint8Array(VNET_HDR_LEN);
  assert.equal(vnetRxKind(h, 0), VnetRx.Plain);
  h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  assert.equal(vnetRxKind(h, 0), VnetRx.ChecksumOk);
  h[0] = VIRTIO_NET_HDR_F_DATA_VALID;
  assert.equal(vnetRxKind(h, 0), VnetRx.ChecksumOk);
  h[1] = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
  assert.equal(vnetRxKind(h, 0), VnetRx.ChecksumOk);
  assert.equal(vnetIsGso(h, 0), true);
  for (const g of [3, 4, 5, 0x7f]) {
    h[1] = g;
    assert.equal(vnetRxKind(h, 0), VnetRx.Unsupported, `gso_type ${g}`);
  }
});

/** An addon that hands out scripted reads and records writes. */
function scriptedAddon(frames: Uint8Array[]): { addon: TapAddon; writes: Uint8Array[] } {
  const writes: Uint8Array[] = [];
  const addon: TapAddon = {
    open: () => ({ fd: 3, name: 'fake0', vnetHdrLen: VNET_HDR_LEN }),
    read(_fd, buf, stride, max, lens) {
      let n = 0;
      while (n < max && frames.length > 0) {
        const f = frames.shift()!;
        const len = Math.min(f.length, stride);
        buf.set(f.subarray(0, len), n * stride);
        lens[n++] = len;
      }
      return n;
    },
    write(_fd, buf, off, len) {
      writes.push(buf.slice(off, off + len));
      return len;
    },
    close: () => 0,
    waitReadable: () => 0,
    watch: () => ({}),
    arm: () => 0,
    disarm: () => undefined,
    unwatch: () => undefined,
  };
  return { addon, writes };
}

/** A received buffer: a header with `flags` and `gso`, then a frame of `len` bytes. */
function rxFrame(flags: number, gso: number, len: number): Uint8Array {
  const b = new Uint8Array(VNET_HDR_LEN + len);
  b[0] = flags;
  b[1] = gso;
  b[VNET_HDR_LEN + 12] = 0x08; // IPv4
  b[VNET_HDR_LEN + len - 1] = 0x5a;
  return b;
}

test('TapDevice with offload: super-frames beyond the MTU are delivered, rxChecksumOk is per frame, the rest dropped', () => {
  const frames = [
    rxFrame(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 14 + 65535),
    rxFrame(0, VIRTIO_NET_HDR_GSO_NONE, 1514),
    rxFrame(VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_GSO_NONE, 60),
    rxFrame(VIRTIO_NET_HDR_F_NEEDS_CSUM, 3, 3000), // UDP GSO: not asked for
    rxFrame(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 1515), // over the MTU without GSO
    new Uint8Array(VNET_HDR_LEN + 10), // shorter than an Ethernet header
  ];
  const { addon } = scriptedAddon(frames);
  const dev = new TapDevice(addon, 3, 'fake0', 1514, 8, false, true);
  assert.equal(dev.tsoMaxBytes, 65535);
  assert.equal(dev.txChecksumOffload, true);
  const seen: [number, boolean, number][] = [];
  const sink: FrameSink = {
    onFrame(buf, off, len) {
      seen.push([len, dev.rxChecksumOk, buf[off + len - 1]!]);
      assert.equal(buf[off + 12], 0x08, 'the frame starts after the header');
    },
  };
  assert.equal(dev.receive(sink, 16, 0), 3);
  assert.deepEqual(seen, [
    [14 + 65535, true, 0x5a],
    [1514, false, 0x5a],
    [60, true, 0x5a],
  ]);
  assert.equal(dev.rxChecksumOk, false, 'only valid during onFrame');
  assert.equal(dev.rxGsoFrames, 1);
  assert.equal(dev.stats.rxDropped, 3);
  assert.equal(dev.stats.rxBytes, 14 + 65535 + 1514 + 60);
});

test('TapDevice with offload: writes carry the header; TSO super-segments only through transmitCommitTso', () => {
  const { addon, writes } = scriptedAddon([]);
  const dev = new TapDevice(addon, 3, 'fake0', 1514, 8, false, true);
  const [frame, len] = tcpFrame(4 * MSS, 0);
  const at = dev.transmitBegin(len);
  assert.equal(at, VNET_HDR_LEN);
  dev.txBytes.set(frame.subarray(0, len), at);
  dev.transmitCommit(at, len, 0);
  assert.equal(dev.stats.txDropped, 1, 'a frame over maxFrameLen without TSO is dropped');
  assert.equal(writes.length, 0);
  dev.txBytes.set(frame.subarray(0, len), dev.transmitBegin(len));
  dev.transmitCommitTso(at, len, MSS, 0);
  assert.equal(writes.length, 1);
  assert.equal(writes[0]!.length, VNET_HDR_LEN + len);
  assert.equal(writes[0]![1], VIRTIO_NET_HDR_GSO_TCPV4);
  assert.equal(getLe16(writes[0]!, 4), MSS);
  assert.equal(dev.txTsoFrames, 1);
  assert.equal(dev.transmitBegin(14 + 65536), -1, 'past the largest super-frame');

  const plain = new TapDevice(scriptedAddon([]).addon, 3, 'fake1', 1514, 8, false, false);
  assert.equal(plain.transmitBegin(1514), 0, 'no header room without offload');
  assert.equal(plain.transmitBegin(1515), -1);
  assert.equal(plain.tsoMaxBytes, 0);
});
