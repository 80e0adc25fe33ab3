import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Millis } from '../time.js';
import { ARP_OP_REQUEST, emitArp, newArpRepr } from '../wire/arp.js';
import { ETH_HEADER_LEN, ETH_P_ARP, ETH_P_IPV4, MAC_BROADCAST, emitEthernet, newEthernetRepr } from '../wire/ethernet.js';
import { IPPROTO_UDP, IPV4_HEADER_LEN, emitIpv4, newIpv4Repr } from '../wire/ipv4.js';
import { UDP_HEADER_LEN, emitUdp, newUdpRepr } from '../wire/udp.js';
import { type FrameSink, type LinkDevice, newLinkStats, transmitCopy } from './device.js';
import {
  LINKTYPE_ETHERNET,
  NETCH_ERR_PCAP_FORMAT,
  PcapErr,
  PcapReader,
  PcapWriter,
  newPcapRecord,
  pcapTap,
  readPcap,
  readPcapFile,
} from './pcap.js';
import { skipOrFail } from '../../test/require-all.js';

/** A queue-backed fake device: `inject` queues a received frame, `sent` logs transmitted ones. */
class FakeLink implements LinkDevice {
  readonly name = 'fake0';
  readonly maxFrameLen = 1514;
  readonly stats = newLinkStats();
  readonly txBytes = new Uint8Array(1514);
  readonly rxQueue: Uint8Array[] = [];
  readonly sent: Array<{ bytes: Uint8Array; now: Millis }> = [];
  closed = false;
  inject(frame: Uint8Array): void {
    this.rxQueue.push(frame.slice());
  }
  receive(sink: FrameSink, budget: number, now: Millis): number {
    let n = 0;
    while (n < budget && this.rxQueue.length > 0) {
      const f = this.rxQueue.shift()!;
      this.stats.rxFrames++;
      this.stats.rxBytes += f.length;
      sink.onFrame(f, 0, f.length, now);
      n++;
    }
    return n;
  }
  transmitBegin(len: number): number {
    return this.closed || len > this.maxFrameLen ? -1 : 0;
  }
  transmitCommit(off: number, len: number, now: Millis): void {
    this.stats.txFrames++;
    this.stats.txBytes += len;
    this.sent.push({ bytes: this.txBytes.slice(off, off + len), now });
  }
  setRxNotify(): void {}
  pollAt(): Millis {
    return Infinity;
  }
  close(): void {
    this.closed = true;
  }
}

const MAC_A = 0x0200_0000_0001;
const MAC_B = 0x0200_0000_0002;
const IP_A = 0xc000_0201; // 192.0.2.1
const IP_B = 0xc000_0202; // 192.0.2.2

/** Return a broadcast ARP request (who-has 192.0.2.2 tell 192.0.2.1), padded to 60 bytes. */
function arpFrame(): Uint8Array {
  const f = new Uint8Array(60);
  const eth = newEthernetRepr();
  eth.dstAddr = MAC_BROADCAST;
  eth.srcAddr = MAC_A;
  eth.etherType = ETH_P_ARP;
  emitEthernet(eth, f, 0);
  const arp = newArpRepr();
  arp.operation = ARP_OP_REQUEST;
  arp.senderHardwareAddr = MAC_A;
  arp.senderProtocolAddr = IP_A;
  arp.targetHardwareAddr = 0;
  arp.targetProtocolAddr = IP_B;
  emitArp(arp, f, ETH_HEADER_LEN);
  return f;
}

/** Return a UDP datagram 192.0.2.1:40000 > 192.0.2.2:7 carrying `payload`. */
function udpFrame(payload: string): Uint8Array {
  const data = new TextEncoder().encode(payload);
  const f = new Uint8Array(ETH_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN + data.length);
  const eth = newEthernetRepr();
  eth.dstAddr = MAC_B;
  eth.srcAddr = MAC_A;
  eth.etherType = ETH_P_IPV4;
  emitEthernet(eth, f, 0);
  const ip = newIpv4Repr();
  ip.srcAddr = IP_A;
  ip.dstAddr = IP_B;
  ip.protocol = IPPROTO_UDP;
  ip.payloadLength = UDP_HEADER_LEN + data.length;
  emitIpv4(ip, f, ETH_HEADER_LEN);
  const udpOff = ETH_HEADER_LEN + IPV4_HEADER_LEN;
  f.set(data, udpOff + UDP_HEADER_LEN);
  const udp = newUdpRepr();
  udp.srcPort = 40000;
  udp.dstPort = 7;
  udp.payloadLength = data.length;
  emitUdp(udp, f, udpOff, IP_A, IP_B);
  return f;
}

/** A PcapOutput that keeps every chunk. */
function collector(): { chunks: Uint8Array[]; write(c: Uint8Array): void; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    write(c: Uint8Array) {
      chunks.push(c);
    },
    bytes() {
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

test('the file header is classic pcap 2.4, little-endian, Ethernet, snaplen 65535', () => {
  const out = collector();
  new PcapWriter(out).close();
  assert.equal(Buffer.from(out.bytes()).toString('hex'), 'd4c3b2a1' + '02000400' + '00000000' + '00000000' + 'ffff0000' + '01000000');
  const nanos = collector();
  new PcapWriter(nanos, { nanos: true, bigEndian: true }).close();
  assert.equal(Buffer.from(nanos.bytes()).subarray(0, 8).toString('hex'), 'a1b23c4d' + '00020004');
});

test('frames written come back byte-exact with their timestamps (µs, little-endian)', () => {
  const out = collector();
  const w = new PcapWriter(out);
  const frames = [arpFrame(), udpFrame('hello'), udpFrame('x'.repeat(1472))];
  w.writeFrame(frames[0]!, 0, frames[0]!.length, 1_700_000_000_123.456);
  w.writeFrame(frames[1]!, 0, frames[1]!.length, 0.001);
  w.writeRecord(frames[2]!, 0, frames[2]!.length, 42, 999_999);
  assert.equal(out.chunks.length, 0, 'buffered until flush');
  w.close();
  assert.equal(w.records, 3);
  const cap = readPcap(out.bytes());
  assert.equal(cap.end, PcapErr.End);
  assert.equal(cap.header.linkType, LINKTYPE_ETHERNET);
  assert.equal(cap.header.nanos, false);
  assert.equal(cap.header.littleEndian, true);
  assert.equal(cap.frames.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(cap.frames[i]!.data, frames[i]);
    assert.equal(cap.frames[i]!.origLen, frames[i]!.length);
  }
  assert.equal(cap.frames[0]!.tsSec, 1_700_000_000);
  assert.equal(cap.frames[0]!.tsSub, 123_456);
  assert.equal(cap.frames[1]!.tsSec, 0);
  assert.equal(cap.frames[1]!.tsSub, 1);
  assert.equal(cap.frames[2]!.tsSec, 42);
  assert.equal(cap.frames[2]!.tsSub, 999_999);
});

test('nanosecond, big-endian files round-trip; the reader handles both byte orders', () => {
  const out = collector();
  const w = new PcapWriter(out, { nanos: true, bigEndian: true });
  const f = udpFrame('nanos');
  w.writeFrame(f, 0, f.length, 5.000001, 1_000);
  w.writeFrame(f, 0, f.length, 1999.9999999, 0); // rounds up into the next second
  w.close();
  const cap = readPcap(out.bytes());
  assert.equal(cap.header.nanos, true);
  assert.equal(cap.header.littleEndian, false);
  assert.equal(cap.frames[0]!.tsSec, 1_000);
  assert.equal(cap.frames[0]!.tsSub, 5_000_001);
  assert.equal(cap.frames[1]!.tsSec, 2);
  assert.equal(cap.frames[1]!.tsSub, 0);
  assert.deepEqual(cap.frames[0]!.data, f);
});

test('frames longer than snaplen are cut, keeping the original length', () => {
  const out = collector();
  const w = new PcapWriter(out, { snaplen: 64 });
  const f = udpFrame('y'.repeat(200));
  w.writeFrame(f, 0, f.length, 0);
  w.close();
  const cap = readPcap(out.bytes());
  assert.equal(cap.header.snaplen, 64);
  assert.equal(cap.frames[0]!.data.length, 64);
  assert.equal(cap.frames[0]!.origLen, f.length);
  assert.deepEqual(cap.frames[0]!.data, f.subarray(0, 64));
});

test('records larger than the buffer, and many small ones, go out in order', () => {
  const out = collector();
  const w = new PcapWriter(out, { bufferSize: 100 });
  const big = udpFrame('z'.repeat(1000));
  const small = arpFrame();
  for (let i = 0; i < 10; i++) {
    const f = i % 3 === 0 ? big : small;
    w.writeRecord(f, 0, f.length, i, 0);
  }
  w.close();
  assert.ok(out.chunks.length > 1);
  const cap = readPcap(out.bytes());
  assert.equal(cap.frames.length, 10);
  cap.frames.forEach((fr, i) => {
    assert.equal(fr.tsSec, i);
    assert.deepEqual(fr.data, i % 3 === 0 ? big : small);
  });
});

test('a bad file header throws NETCH_ERR_PCAP_FORMAT', () => {
  const good = collector();
  new PcapWriter(good).close();
  const header = good.bytes();
  assert.throws(() => new PcapReader(header.subarray(0, 23)), { code: NETCH_ERR_PCAP_FORMAT });
  const pcapng = header.slice();
  pcapng.set([0x0a, 0x0d, 0x0d, 0x0a], 0);
  assert.throws(() => readPcap(pcapng), { code: NETCH_ERR_PCAP_FORMAT });
  const v3 = header.slice();
  v3[4] = 3;
  assert.throws(() => readPcap(v3), { code: NETCH_ERR_PCAP_FORMAT });
  // A header alone is a valid, empty capture.
  const cap = readPcap(header);
  assert.equal(cap.frames.length, 0);
  assert.equal(cap.end, PcapErr.End);
});

test('a cut or bad record ends the loop with a code, keeping the frames before it', () => {
  const out = collector();
  const w = new PcapWriter(out);
  const f = udpFrame('cut');
  w.writeFrame(f, 0, f.length, 0);
  w.writeFrame(f, 0, f.length, 1);
  w.close();
  const whole = out.bytes();
  for (const cut of [whole.length - 1, whole.length - f.length, whole.length - f.length - 10]) {
    const cap = readPcap(whole.subarray(0, cut));
    assert.equal(cap.end, PcapErr.Truncated, `cut at ${cut}`);
    assert.equal(cap.frames.length, 1);
    assert.equal(cap.endOffset, 24 + 16 + f.length);
  }
  const bad = whole.slice();
  const second = 24 + 16 + f.length;
  bad.set([0xff, 0xff, 0xff, 0x7f], second + 8); // caplen 2^31 - 1
  const cap = readPcap(bad);
  assert.equal(cap.end, PcapErr.BadRecord);
  assert.equal(cap.frames.length, 1);
  // The reader stays on the failed record.
  const r = new PcapReader(bad);
  const rec = newPcapRecord();
  assert.equal(r.next(rec), PcapErr.Ok);
  assert.equal(r.next(rec), PcapErr.BadRecord);
  assert.equal(r.next(rec), PcapErr.BadRecord);
});

test('an output error stops the writer without throwing from the record path', () => {
  let calls = 0;
  const w = new PcapWriter({
    write() {
      calls++;
      throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    },
  }, { bufferSize: 64 });
  const f = udpFrame('e'.repeat(100));
  for (let i = 0; i < 5; i++) w.writeFrame(f, 0, f.length, i);
  assert.equal(calls, 1);
  assert.throws(() => w.close(), { code: 'ENOSPC' });
  assert.doesNotThrow(() => w.close()); // idempotent
});

test('the tap captures both directions, stamped with now plus the epoch base, and is transparent', () => {
  const link = new FakeLink();
  const out = collector();
  const w = new PcapWriter(out);
  const dev = pcapTap(link, w, { epochBaseMs: 1_600_000_000_000 });
  assert.equal(dev.name, 'fake0');
  assert.equal(dev.stats, link.stats);
  assert.equal(dev.txBytes, link.txBytes);
  const rx = arpFrame();
  link.inject(rx);
  const got: Uint8Array[] = [];
  const sink: FrameSink = { onFrame: (b, off, len) => got.push(b.slice(off, off + len)) };
  assert.equal(dev.receive(sink, 8, 1500.25), 1);
  assert.deepEqual(got, [rx]);
  const tx = udpFrame('reply');
  assert.ok(transmitCopy(dev, tx, 0, tx.length, 2000));
  assert.deepEqual(link.sent.map((s) => s.bytes), [tx]);
  assert.equal(dev.transmitBegin(5000), -1);
  dev.close();
  assert.ok(link.closed);
  w.close();
  const cap = readPcap(out.bytes());
  assert.equal(cap.frames.length, 2);
  assert.deepEqual(cap.frames[0]!.data, rx);
  assert.equal(cap.frames[0]!.tsSec, 1_600_000_001);
  assert.equal(cap.frames[0]!.tsSub, 500_250);
  assert.deepEqual(cap.frames[1]!.data, tx);
  assert.equal(cap.frames[1]!.tsSec, 1_600_000_002);
  assert.equal(cap.frames[1]!.tsSub, 0);
});

test('the tap can capture one direction only', () => {
  const link = new FakeLink();
  const out = collector();
  const w = new PcapWriter(out);
  const dev = pcapTap(link, w, { rx: false });
  link.inject(arpFrame());
  dev.receive({ onFrame() {} }, 8, 0);
  const tx = udpFrame('only tx');
  transmitCopy(dev, tx, 0, tx.length, 1);
  w.close();
  const cap = readPcap(out.bytes());
  assert.equal(cap.frames.length, 1);
  assert.deepEqual(cap.frames[0]!.data, tx);
});

test('a capture file written with PcapWriter.open decodes in tshark', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netch-pcap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const frames = [arpFrame(), udpFrame('hello tshark'), udpFrame('second')];
  for (const nanos of [false, true]) {
    const path = join(dir, nanos ? 'ns.pcap' : 'us.pcap');
    const w = PcapWriter.open(path, { nanos });
    frames.forEach((f, i) => w.writeFrame(f, 0, f.length, 1_700_000_000_000 + i * 1.5));
    w.close();
    const back = readPcapFile(path);
    assert.deepEqual(back.frames.map((f) => f.data), frames);
    if (!hasTool('tshark')) continue;
    const r = spawnSync('tshark', ['-r', path, '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=,', '-e', 'frame.len', '-e', 'eth.type', '-e', 'arp.dst.proto_ipv4', '-e', 'udp.dstport', '-e', 'udp.checksum.status', '-e', '_ws.malformed'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    // Fields: frame length, EtherType, ARP target, UDP port, UDP checksum status (1 = good), malformed.
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      '60,0x0806,192.0.2.2,,,',
      `${frames[1]!.length},0x0800,,7,1,`,
      `${frames[2]!.length},0x0800,,7,1,`,
    ]);
  }
  if (!hasTool('tshark')) skipOrFail(t, 'tshark is not installed (apt-get install tshark); decoding not checked');
});

test('a descriptor-backed writer writes through fs and leaves the descriptor open', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netch-pcap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fd.pcap');
  const fd = openSync(path, 'w');
  const w = new PcapWriter(fd);
  const f = arpFrame();
  w.writeFrame(f, 0, f.length, 0);
  w.close();
  closeSync(fd); // still open: the writer did not own it
  assert.equal(readFileSync(path).length, 24 + 16 + 60);
  assert.equal(readPcapFile(path).frames[0]!.data.constructor, Uint8Array);
});

test('a bad snaplen throws a RangeError with the stable code EINVAL', () => {
  assert.throws(() => new PcapWriter({ write() {} }, { snaplen: 0 }), { name: 'RangeError', code: 'EINVAL' });
});

test('a bad bufferSize (NaN, fractional, zero, huge) throws EINVAL instead of making a writer with no buffer', () => {
  for (const bufferSize of [Number.NaN, 100.5, 0, -1, 2 ** 31]) {
    assert.throws(() => new PcapWriter({ write() {} }, { bufferSize }), { name: 'RangeError', code: 'EINVAL' }, `bufferSize ${bufferSize}`);
  }
});
