import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireErr } from './errors.js';
import {
  LINUX_TCP_ACK,
  LINUX_TCP_DATA,
  LINUX_TCP_DATA_ACK,
  LINUX_TCP_FIN,
  LINUX_TCP_FIN_PEER,
  LINUX_TCP_LAST_ACK,
  LINUX_TCP_RST,
  LINUX_TCP_SACK,
  LINUX_TCP_SYN,
  LINUX_TCP_SYN_ACK,
  LINUX_TCP_SYN_CLOSED_PORT,
  hexToBytes,
} from './fixtures/linux-frames.js';
import {
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  TcpView,
  emitTcp,
  formatTcp,
  formatTcpFlags,
  newTcpRepr,
  parseTcpInto,
  tcpBufferLen,
  tcpSeqLen,
} from './tcp.js';

const A = 0xc000_0201;
const B = 0xc000_0202;
const TCP_AT = 34;

function tcpOf(hex: string): { bytes: Uint8Array; view: TcpView } {
  const bytes = hexToBytes(hex);
  return { bytes, view: new TcpView().wrap(bytes, TCP_AT, bytes.length - TCP_AT) };
}

// Expected values as tshark decodes the frames (raw sequence numbers).
const cases = [
  {
    name: 'SYN', hex: LINUX_TCP_SYN, src: A, dst: B, sport: 40312, dport: 8080, seq: 451934361, ack: 0,
    hl: 40, flags: TCP_SYN, win: 64240, sum: 0xf506, len: 0,
    mss: 1460, ws: 10, sackOk: true, ts: [610852615, 0], sack: [] as number[],
  },
  {
    name: 'SYN-ACK', hex: LINUX_TCP_SYN_ACK, src: B, dst: A, sport: 8080, dport: 40312, seq: 3193666229, ack: 451934362,
    hl: 40, flags: TCP_SYN | TCP_ACK, win: 65160, sum: 0x1618, len: 0,
    mss: 1460, ws: 10, sackOk: true, ts: [737834554, 610852615], sack: [],
  },
  {
    name: 'ACK', hex: LINUX_TCP_ACK, src: A, dst: B, sport: 40312, dport: 8080, seq: 451934362, ack: 3193666230,
    hl: 32, flags: TCP_ACK, win: 63, sum: 0x4331, len: 0,
    mss: 0, ws: -1, sackOk: false, ts: [610852615, 737834554], sack: [],
  },
  {
    name: 'data', hex: LINUX_TCP_DATA, src: A, dst: B, sport: 40312, dport: 8080, seq: 451934362, ack: 3193666230,
    hl: 32, flags: TCP_PSH | TCP_ACK, win: 63, sum: 0xff46, len: 6,
    mss: 0, ws: -1, sackOk: false, ts: [610852615, 737834554], sack: [],
  },
  {
    name: 'FIN', hex: LINUX_TCP_FIN, src: A, dst: B, sport: 40312, dport: 8080, seq: 451934368, ack: 3193666230,
    hl: 32, flags: TCP_FIN | TCP_ACK, win: 63, sum: 0x432a, len: 0,
    mss: 0, ws: -1, sackOk: false, ts: [610852615, 737834554], sack: [],
  },
  {
    name: 'RST', hex: LINUX_TCP_RST, src: B, dst: A, sport: 8081, dport: 40313, seq: 0, ack: 652869146,
    hl: 20, flags: TCP_RST | TCP_ACK, win: 0, sum: 0x49be, len: 0,
    mss: 0, ws: -1, sackOk: false, ts: null, sack: [],
  },
  {
    name: 'SACK', hex: LINUX_TCP_SACK, src: B, dst: A, sport: 8082, dport: 40314, seq: 2802778950, ack: 2197569346,
    hl: 44, flags: TCP_ACK, win: 64, sum: 0x5be5, len: 0,
    mss: 0, ws: -1, sackOk: false, ts: [723846521, 4026634674], sack: [2197569350, 2197569354],
  },
];

test('reads every field and option of the Linux segments', () => {
  for (const c of cases) {
    const { bytes, view } = tcpOf(c.hex);
    assert.equal(view.checkLen(), WireErr.Ok, c.name);
    assert.equal(view.srcPort(), c.sport);
    assert.equal(view.dstPort(), c.dport);
    assert.equal(view.seqNumber(), c.seq);
    assert.equal(view.ackNumber(), c.ack);
    assert.equal(view.dataOffset(), c.hl / 4);
    assert.equal(view.headerLen(), c.hl);
    assert.equal(view.flags(), c.flags);
    assert.equal(view.fin(), (c.flags & TCP_FIN) !== 0);
    assert.equal(view.syn(), (c.flags & TCP_SYN) !== 0);
    assert.equal(view.rst(), (c.flags & TCP_RST) !== 0);
    assert.equal(view.psh(), (c.flags & TCP_PSH) !== 0);
    assert.equal(view.ack(), (c.flags & TCP_ACK) !== 0);
    assert.equal(view.urg(), false);
    assert.equal(view.ece(), false);
    assert.equal(view.cwr(), false);
    assert.equal(view.windowLen(), c.win);
    assert.equal(view.checksum(), c.sum);
    assert.equal(view.urgentPointer(), 0);
    assert.equal(view.optionsOffset(), TCP_AT + 20);
    assert.equal(view.optionsLength(), c.hl - 20);
    assert.equal(view.payloadOffset(), TCP_AT + c.hl);
    assert.equal(view.payloadLength(), c.len);
    assert.ok(view.verifyChecksum(c.src, c.dst), c.name);
    const r = newTcpRepr();
    assert.equal(parseTcpInto(view, r, c.src, c.dst), WireErr.Ok, c.name);
    assert.equal(r.srcPort, c.sport);
    assert.equal(r.dstPort, c.dport);
    assert.equal(r.seqNumber, c.seq);
    assert.equal(r.ackNumber, c.ack);
    assert.equal(r.flags, c.flags);
    assert.equal(r.windowLen, c.win);
    assert.equal(r.urgentPointer, 0);
    assert.equal(r.checksum, c.sum);
    assert.equal(r.headerLen, c.hl);
    assert.equal(r.payloadOffset, TCP_AT + c.hl);
    assert.equal(r.payloadLength, c.len);
    assert.equal(r.mss, c.mss, c.name);
    assert.equal(r.windowScale, c.ws);
    assert.equal(r.sackPermitted, c.sackOk);
    assert.equal(r.tsPresent, c.ts !== null);
    assert.equal(r.tsVal, c.ts?.[0] ?? 0);
    assert.equal(r.tsEcr, c.ts?.[1] ?? 0);
    assert.equal(r.sackCount, c.sack.length / 2);
    assert.deepEqual([...r.sackBlocks.subarray(0, c.sack.length)], c.sack);
    assert.equal(r.unknownOptCount, 0);
    if (c.len > 0) assert.equal(Buffer.from(bytes.subarray(r.payloadOffset, r.payloadOffset + c.len)).toString(), 'hello\n');
  }
});

test('emit re-creates every Linux segment byte for byte (payload already in place)', () => {
  const all = [
    ...cases.map((c) => [c.hex, c.src, c.dst] as const),
    [LINUX_TCP_DATA_ACK, B, A] as const,
    [LINUX_TCP_FIN_PEER, B, A] as const,
    [LINUX_TCP_LAST_ACK, A, B] as const,
    [LINUX_TCP_SYN_CLOSED_PORT, A, B] as const,
  ];
  for (const [hex, src, dst] of all) {
    const { bytes, view } = tcpOf(hex);
    const r = newTcpRepr();
    assert.equal(parseTcpInto(view, r, src, dst), WireErr.Ok);
    assert.equal(tcpBufferLen(r), r.headerLen, 'Linux lays options out the way emit does');
    const out = bytes.slice();
    out.fill(0, TCP_AT, TCP_AT + r.headerLen);
    emitTcp(r, out, TCP_AT, src, dst);
    assert.deepEqual(out, bytes);
  }
});

test('a SYN built from a fresh record equals the one Linux sent', () => {
  const { bytes } = tcpOf(LINUX_TCP_SYN);
  const r = newTcpRepr();
  r.srcPort = 40312;
  r.dstPort = 8080;
  r.seqNumber = 451934361;
  r.flags = TCP_SYN;
  r.windowLen = 64240;
  r.mss = 1460;
  r.sackPermitted = true;
  r.tsPresent = true;
  r.tsVal = 610852615;
  r.windowScale = 10;
  assert.equal(tcpBufferLen(r), 40);
  const out = new Uint8Array(40);
  emitTcp(r, out, 0, A, B);
  assert.deepEqual(out, bytes.subarray(TCP_AT));
});

test('setters build the RST header; fillChecksum matches Linux', () => {
  const { bytes } = tcpOf(LINUX_TCP_RST);
  const out = new Uint8Array(20);
  const v = new TcpView().wrap(out, 0, 20);
  v.setSrcPort(8081);
  v.setDstPort(40313);
  v.setSeqNumber(0);
  v.setAckNumber(652869146);
  v.setDataOffset(5);
  v.setFlags(TCP_RST | TCP_ACK);
  v.setWindowLen(0);
  v.setUrgentPointer(0);
  v.fillChecksum(B, A);
  assert.deepEqual(out, bytes.subarray(TCP_AT));
  v.setChecksum(1);
  assert.equal(v.checksum(), 1);
  v.setFlags(TCP_URG | TCP_ECE | TCP_CWR);
  assert.ok(v.urg() && v.ece() && v.cwr() && !v.ack());
});

test('checksumOffload skips the checksum; a wrong pseudo-header fails it', () => {
  const { view } = tcpOf(LINUX_TCP_DATA);
  const r = newTcpRepr();
  assert.equal(parseTcpInto(view, r, A, A), WireErr.BadChecksum);
  assert.equal(parseTcpInto(view, r, A, A, true), WireErr.Ok);
});

test('tcpSeqLen counts SYN and FIN', () => {
  const r = newTcpRepr();
  assert.equal(tcpSeqLen(r), 0);
  r.flags = TCP_SYN;
  assert.equal(tcpSeqLen(r), 1);
  r.flags = TCP_SYN | TCP_FIN;
  r.payloadLength = 10;
  assert.equal(tcpSeqLen(r), 12);
});

test('formats like tcpdump -S', () => {
  const r = newTcpRepr();
  parseTcpInto(tcpOf(LINUX_TCP_SYN).view, r, A, B);
  assert.equal(
    formatTcp(r, A, B),
    '192.0.2.1.40312 > 192.0.2.2.8080: Flags [S], seq 451934361, win 64240, options [mss 1460,sackOK,TS val 610852615 ecr 0,nop,wscale 10], length 0',
  );
  parseTcpInto(tcpOf(LINUX_TCP_DATA).view, r, A, B);
  assert.equal(
    formatTcp(r, A, B),
    '192.0.2.1.40312 > 192.0.2.2.8080: Flags [P.], seq 451934362:451934368, ack 3193666230, win 63, options [nop,nop,TS val 610852615 ecr 737834554], length 6',
  );
  // Data that wraps the sequence space prints the end modulo 2^32.
  r.seqNumber = 0xffff_fffe;
  r.flags = TCP_ACK | TCP_URG;
  r.urgentPointer = 3;
  assert.match(formatTcp(r, A, B), /Flags \[\.U\], seq 4294967294:4, ack 3193666230, win 63, urg 3,/);
  assert.equal(formatTcpFlags(0), 'none');
  assert.equal(formatTcpFlags(0xff), 'FSRP.UEW');
});
