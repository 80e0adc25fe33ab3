// Fuzz targets: each takes bytes and throws only on a bug (an invariant broken). Driven by
// scripts/fuzz.mjs (coverage-guided through V8's precise coverage) and by fuzz.test.ts
// (short runs, and every saved crash input under test/fuzz/crashes/ replayed).
//
//   wire         every wire parser on the bytes: never throws; a record that parses
//                re-emits to bytes that parse and re-emit to themselves (Ethernet, ARP,
//                IPv4, ICMPv4, UDP, TCP); DHCP, DNS and TCP options parse without throwing
//   host         a host with a listener and a live connection: the bytes go in as a frame
//                (addressed to the host half the time, checksums fixed): no throw, the
//                connection's data arrive intact (a prefix of what was sent, in order),
//                counters consistent, heap bounded
//   filter       the bytes as iptables words: parse, compile; the compiled matcher and the
//                interpreter agree on packets derived from the bytes
//   packetdrill  the bytes as a script: the parser throws only PacketdrillSyntaxError

import { createHash } from 'node:crypto';
import { ArpView, emitArp, newArpRepr, parseArpInto, arpBufferLen } from '../../src/wire/arp.js';
import { DhcpView, newDhcpRepr, parseDhcpInto } from '../../src/wire/dhcp.js';
import { DnsView, newDnsRepr, parseDnsInto } from '../../src/wire/dns.js';
import { WireErr } from '../../src/wire/errors.js';
import { EthernetView, emitEthernet, ethernetBufferLen, newEthernetRepr, parseEthernetInto } from '../../src/wire/ethernet.js';
import { Icmpv4View, emitIcmpv4, icmpv4BufferLen, newIcmpv4Repr, parseIcmpv4Into } from '../../src/wire/icmpv4.js';
import { Ipv4View, emitIpv4, ipv4BufferLen, newIpv4Repr, parseIpv4Into } from '../../src/wire/ipv4.js';
import { parseTcpOptions } from '../../src/wire/tcp-options.js';
import { TcpView, emitTcp, newTcpRepr, parseTcpInto, tcpBufferLen } from '../../src/wire/tcp.js';
import { UdpView, emitUdp, newUdpRepr, parseUdpInto, udpBufferLen } from '../../src/wire/udp.js';
import { parseFilterCommand } from '../../src/cli/filter.js';
import { compileRule, FilterHook } from '../../src/iface/filter-rule.js';
import { compileMatcher, interpretRules, P_SLOTS } from '../../src/iface/filter-match.js';
import type { FilterRule } from '../../src/iface/filter-rule.js';
import { PacketdrillSyntaxError } from '../../src/packetdrill/ast.js';
import { parseScript } from '../../src/packetdrill/parser.js';
import { Host } from '../../src/iface/host.js';
import { memoryLinkPair, type MemoryLink } from '../../src/link/memory.js';
import { Sim } from '../../src/runtime/sim.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';

/** A fuzz target. */
export interface FuzzTarget {
  /** Run one input; throw on a broken invariant. */
  run(data: Uint8Array): void;
  /** Seed inputs. */
  seeds(): Uint8Array[];
}

function fail(msg: string): never {
  throw new Error(`invariant: ${msg}`);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- wire ----

const ethV = new EthernetView();
const arpV = new ArpView();
const ipV = new Ipv4View();
const icmpV = new Icmpv4View();
const udpV = new UdpView();
const tcpV = new TcpView();
const dhcpV = new DhcpView();
const dnsV = new DnsView();
const eth = newEthernetRepr();
const arp = newArpRepr();
const ip = newIpv4Repr();
const icmp = newIcmpv4Repr();
const udp = newUdpRepr();
const tcp = newTcpRepr();
const dhcp = newDhcpRepr();
const dns = newDnsRepr();
// A TCP record is a TcpOptions too (the record extends it).
const topts = newTcpRepr();

/** Emit a layer with its payload after the header; return the bytes. */
type Emitter = (src: Uint8Array) => Uint8Array | null;

/** Check that `emit` is a fixed point from its first output on: emit(parse(b2)) == b2. */
function fixedPoint(name: string, b: Uint8Array, emit: Emitter): void {
  const b2 = emit(b);
  if (b2 === null) return;
  const b3 = emit(b2);
  if (b3 === null) fail(`${name}: what we emitted does not parse`);
  if (!same(b2, b3)) fail(`${name}: emit(parse(emit(parse(x)))) differs from emit(parse(x))`);
}

const S = 0xc0000201;
const D = 0xc0000202;

const EMITTERS: Record<string, Emitter> = {
  ethernet: (b) => {
    if (parseEthernetInto(ethV.wrap(b, 0, b.length), eth) !== WireErr.Ok) return null;
    const hl = ethernetBufferLen(eth);
    const out = new Uint8Array(b.length);
    out.set(b.subarray(hl), hl);
    emitEthernet(eth, out, 0);
    return out;
  },
  arp: (b) => {
    if (parseArpInto(arpV.wrap(b, 0, b.length), arp) !== WireErr.Ok) return null;
    const out = new Uint8Array(arpBufferLen(arp));
    emitArp(arp, out, 0);
    return out;
  },
  ipv4: (b) => {
    if (parseIpv4Into(ipV.wrap(b, 0, b.length), ip) !== WireErr.Ok) return null;
    const hl = ipv4BufferLen(ip);
    const out = new Uint8Array(hl + ip.payloadLength);
    out.set(b.subarray(ip.payloadOffset, ip.payloadOffset + ip.payloadLength), hl);
    emitIpv4(ip, out, 0);
    return out;
  },
  icmpv4: (b) => {
    if (parseIcmpv4Into(icmpV.wrap(b, 0, b.length), icmp) !== WireErr.Ok) return null;
    const hl = icmpv4BufferLen(icmp);
    const out = new Uint8Array(hl + icmp.payloadLength);
    out.set(b.subarray(icmp.payloadOffset, icmp.payloadOffset + icmp.payloadLength), hl);
    emitIcmpv4(icmp, out, 0);
    return out;
  },
  udp: (b) => {
    if (parseUdpInto(udpV.wrap(b, 0, b.length), udp, S, D, true) !== WireErr.Ok) return null;
    const hl = udpBufferLen(udp);
    const out = new Uint8Array(hl + udp.payloadLength);
    out.set(b.subarray(udp.payloadOffset, udp.payloadOffset + udp.payloadLength), hl);
    emitUdp(udp, out, 0, S, D);
    return out;
  },
  tcp: (b) => {
    if (parseTcpInto(tcpV.wrap(b, 0, b.length), tcp, S, D, true, true) !== WireErr.Ok) return null;
    const hl = tcpBufferLen(tcp);
    const out = new Uint8Array(hl + tcp.payloadLength);
    out.set(b.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadLength), hl);
    emitTcp(tcp, out, 0, S, D);
    return out;
  },
};

export const wire: FuzzTarget = {
  run(data) {
    // The bytes as each layer, from the start, and as a frame's inner layers.
    for (const [name, emit] of Object.entries(EMITTERS)) fixedPoint(name, data, emit);
    if (data.length > 14) {
      const inner = data.subarray(14);
      fixedPoint('arp@14', inner, EMITTERS['arp']!);
      fixedPoint('ipv4@14', inner, EMITTERS['ipv4']!);
      if (data.length > 34) {
        const l4 = data.subarray(34);
        for (const n of ['icmpv4', 'udp', 'tcp']) fixedPoint(`${n}@34`, l4, EMITTERS[n]!);
      }
    }
    parseDhcpInto(dhcpV.wrap(data, 0, data.length), dhcp);
    parseDnsInto(dnsV.wrap(data, 0, data.length), dns);
    parseTcpOptions(data, 0, Math.min(data.length, 40), topts, false);
    parseTcpOptions(data, 0, Math.min(data.length, 40), topts, true);
  },
  seeds: () => linuxFrames(),
};

let framesCache: Uint8Array[] | null = null;

function linuxFrames(): Uint8Array[] {
  return (framesCache ??= FRAMES_HEX.map(hexBytes));
}

function hexBytes(h: string): Uint8Array {
  const s = h.replace(/\s+/g, '');
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return b;
}

/** Filled from src/wire/fixtures/linux-frames.ts at load (real frames captured from Linux). */
const FRAMES_HEX: string[] = [];

/** Load the seed frames (async import keeps this module's imports static). */
export async function loadSeeds(): Promise<void> {
  if (FRAMES_HEX.length > 0) return;
  const m = (await import('../../src/wire/fixtures/linux-frames.js')) as { LINUX_FRAMES: readonly { hex: string }[] };
  for (const f of m.LINUX_FRAMES) FRAMES_HEX.push(f.hex);
}

// ---- filter ----

const WORDS = ['-A', 'INPUT', 'OUTPUT', 'PREROUTING', 'POSTROUTING', '-p', 'tcp', 'udp', 'icmp', 'all', '!', '-s', '-d', '192.0.2.0/24', '10.0.0.1', '0.0.0.0/0',
  '--dport', '--sport', '80', '1:1024', '65535', '-j', 'DROP', 'ACCEPT', 'REJECT', '-i', '-o', 'eth0', 'eth+', 'lo', '--syn', '--tcp-flags', 'SYN,ACK', 'SYN',
  '--icmp-type', 'echo-request', '8', '--reject-with', 'tcp-reset', 'icmp-port-unreachable', '-m', 'state', '--state', 'NEW'];

export const filter: FuzzTarget = {
  run(data) {
    // Up to 8 rules of words picked by the bytes; the rest of the bytes make packets.
    const rules: FilterRule[] = [];
    let i = 0;
    for (let r = 0; r < 8 && i < data.length; r++) {
      const n = 1 + (data[i++]! % 10);
      const words = ['-A', 'INPUT'];
      for (let k = 0; k < n && i < data.length; k++) words.push(WORDS[data[i++]! % WORDS.length]!);
      let cmd;
      try {
        cmd = parseFilterCommand(words);
      } catch (e) {
        if ((e as { code?: string }).code?.startsWith('NETCH_ERR_') || (e as { code?: string }).code === 'EINVAL') continue;
        throw e;
      }
      if (cmd.op !== 'append') continue;
      try {
        rules.push(compileRule(FilterHook.Input, 'INPUT', cmd.spec, 'filter'));
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== undefined && (code.startsWith('NETCH_ERR_') || /^E[A-Z]+$/.test(code))) continue;
        throw e;
      }
    }
    const m = compileMatcher(rules);
    if (m === null) return;
    const p = new Int32Array(P_SLOTS);
    for (let k = 0; k < 16; k++) {
      for (let s = 0; s < P_SLOTS; s++) {
        const a = data[(i + k * P_SLOTS + s) % Math.max(1, data.length)] ?? 0;
        p[s] = s < 2 ? (a * 0x01010101) | 0 : s === 2 ? [6, 17, 1, a][a & 3]! : a * 257;
      }
      const inName = (data[k] ?? 0) & 1 ? 'eth0' : 'lo';
      const want = interpretRules(rules, p, inName, '');
      const got = m(p, inName, '');
      if (want !== got) fail(`filter: compiled matcher says rule ${got}, the interpreter ${want}`);
    }
  },
  seeds: () => [Uint8Array.from([3, 5, 6, 18, 21, 22, 2, 0, 1]), Uint8Array.from([5, 10, 11, 12, 13, 14, 15])],
};

// ---- packetdrill ----

export const packetdrill: FuzzTarget = {
  run(data) {
    const text = new TextDecoder().decode(data);
    try {
      parseScript(text);
    } catch (e) {
      if (!(e instanceof PacketdrillSyntaxError)) throw e;
    }
  },
  seeds: () => PD_SEEDS.map((s) => new TextEncoder().encode(s)),
};

const PD_SEEDS = [
  `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0...0.2 read(4, ..., 10) = 10
* > P. 1:1001(1000) ack 1 <...>
1~2 > . 1:1(0) ack 1 <nop,nop,TS val 1 ecr 2,sack 1:2 3:4>
+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
+0 \`sysctl -q net.ipv4.tcp_sack=0\`
+0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1
+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
`,
];

// ---- host ----

interface HostRig {
  sim: Sim;
  wire: MemoryLink;
  server: Host;
  client: TcpSocket | null;
  accepted: TcpSocket | null;
  clientTcp: TcpLayer;
  serverTcp: TcpLayer;
  listener: TcpSocket;
  sent: ReturnType<typeof createHash>;
  sentBytes: number;
  recvHash: ReturnType<typeof createHash>;
  recvBytes: number;
  sentLog: Uint8Array[];
  execs: number;
  connections: number;
  /** Bytes the live connections delivered intact, over all of them. */
  checkedBytes: number;
}

const SERVER_IP = parseIpv4('192.0.2.1');
let rig: HostRig | null = null;

function newRig(): HostRig {
  // The server host, a client host sharing its link (the fuzzer also transmits there).
  const [la, lb] = memoryLinkPair({ frames: 512 });
  const server = new Host({ name: 'server' });
  server.addInterface(la, { mac: 0x020000000001, address: '192.0.2.1/24' });
  const client = new Host({ name: 'client' });
  client.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  const sim = new Sim().add(server, client);
  const serverTcp = new TcpLayer(server, { isnKey: new Uint8Array(16).fill(3) });
  const clientTcp = new TcpLayer(client, { isnKey: new Uint8Array(16).fill(5) });
  const listener = serverTcp.socket();
  listener.bind(0, 80);
  listener.listen(16);
  const r: HostRig = {
    sim, wire: lb, server, client: null, accepted: null, clientTcp, serverTcp, listener, sent: createHash('sha256'), sentBytes: 0,
    recvHash: createHash('sha256'), recvBytes: 0, sentLog: [], execs: 0, connections: 0, checkedBytes: 0,
  };
  connectRig(r);
  return r;
}

function connectRig(r: HostRig): void {
  const c = r.clientTcp.socket();
  c.connect(SERVER_IP, 80, r.sim.now());
  r.sim.runUntil(() => r.listener.acceptQueue.length > 0, { maxTime: 10_000 });
  const a = r.listener.accept();
  if (a === null) fail('host: the client could not connect to the listener');
  r.client = c;
  r.accepted = a;
  r.sentLog = [];
  r.sentBytes = 0;
  r.recvBytes = 0;
  r.connections++;
}

const rbuf = new Uint8Array(65536);
let pattern = 0;

/** Send a little on the live connection and read what arrived: it must be what was sent, in order. */
function exchange(r: HostRig): void {
  const c = r.client!;
  const a = r.accepted!;
  const chunk = new Uint8Array(100 + (pattern % 900));
  for (let i = 0; i < chunk.length; i++) chunk[i] = (pattern + i) & 0xff;
  pattern++;
  const n = c.send(chunk, 0, chunk.length, r.sim.now());
  if (n > 0) r.sentLog.push(chunk.subarray(0, n));
  r.sim.runFor(5);
  for (;;) {
    const got = a.recv(rbuf, 0, rbuf.length, r.sim.now());
    if (got <= 0) break;
    // Compare with the sent log, in order.
    let off = 0;
    while (off < got) {
      const head = r.sentLog[0];
      if (head === undefined) fail('host: the connection delivered bytes that were never sent');
      const take = Math.min(head.length, got - off);
      for (let k = 0; k < take; k++) if (rbuf[off + k] !== head[k]) fail(`host: byte ${r.recvBytes + off + k} of the connection differs`);
      off += take;
      if (take === head.length) r.sentLog.shift();
      else r.sentLog[0] = head.subarray(take);
    }
    r.recvBytes += got;
    r.checkedBytes += got;
  }
}

function fixChecksums(f: Uint8Array): void {
  const ihl = (f[14]! & 15) * 4;
  if (ihl < 20 || f.length < 14 + ihl) return;
  const sum = (b: Uint8Array, off: number, len: number, init: number): number => {
    let s = init;
    for (let i = 0; i + 1 < len; i += 2) s += (b[off + i]! << 8) | b[off + i + 1]!;
    if (len & 1) s += b[off + len - 1]! << 8;
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    return s;
  };
  f[24] = 0;
  f[25] = 0;
  const h = ~sum(f, 14, ihl, 0) & 0xffff;
  f[24] = h >> 8;
  f[25] = h & 255;
  const proto = f[23]!;
  const t = 14 + ihl;
  const totalLen = Math.min(((f[16]! << 8) | f[17]!) - ihl, f.length - t);
  const csumAt = proto === 6 ? t + 16 : proto === 17 ? t + 6 : proto === 1 ? t + 2 : -1;
  if (csumAt < 0 || totalLen < csumAt - t + 2) return;
  f[csumAt] = 0;
  f[csumAt + 1] = 0;
  let init = 0;
  if (proto !== 1) {
    init = sum(f, 26, 8, 0) + proto + totalLen;
  }
  const c = ~sum(f, t, totalLen, init) & 0xffff;
  f[csumAt] = c >> 8;
  f[csumAt + 1] = c & 255;
}

export const host: FuzzTarget = {
  run(data) {
    const r = (rig ??= newRig());
    r.execs++;
    // The frame: addressed to the server half the time (MACs, IPv4 destination, and for TCP
    // the live connection's ports), checksums fixed so it reaches the transport.
    const f = new Uint8Array(Math.min(data.length, 1514));
    f.set(data.subarray(0, f.length));
    const aim = f.length > 0 && (f[f.length - 1]! & 1) === 1;
    if (aim && f.length >= 34) {
      f.set([2, 0, 0, 0, 0, 1], 0);
      f[12] = 8;
      f[13] = 0;
      f[14] = (f[14]! & 0x0f) | 0x40;
      f[26] = 192; f[27] = 0; f[28] = 2; f[29] = 2;
      f[30] = 192; f[31] = 0; f[32] = 2; f[33] = 1;
      const ihl = (f[14]! & 15) * 4;
      if (f[23] === 6 && f.length >= 14 + ihl + 4 && (f[f.length - 1]! & 2) === 2 && r.client !== null) {
        const t = 14 + ihl;
        f[t] = r.client.localPort >> 8;
        f[t + 1] = r.client.localPort & 255;
        f[t + 2] = 0;
        f[t + 3] = 80;
      }
      fixChecksums(f);
    }
    if (f.length > 0) {
      const at = r.wire.transmitBegin(f.length);
      if (at >= 0) {
        r.wire.txBytes.set(f, at);
        r.wire.transmitCommit(at, f.length, r.sim.now());
      }
    }
    r.sim.runFor(1);
    const ip = r.server.counters.Ip;
    if (ip.InDelivers > ip.InReceives) fail(`host: Ip InDelivers ${ip.InDelivers} > InReceives ${ip.InReceives}`);
    // The live connection: still carrying intact data, or ended (a RST or FIN the fuzzer
    // managed to aim), in which case a new one is opened.
    if (r.client !== null && r.accepted !== null && r.client.state === 4 && r.accepted.state === 4) {
      if (r.execs % 4 === 0) exchange(r);
    } else {
      r.client?.abort(r.sim.now());
      r.accepted?.abort(r.sim.now());
      r.sim.runFor(1000);
      connectRig(r);
    }
    if (r.execs % 5000 === 0) {
      const heap = process.memoryUsage().heapUsed;
      if (heap > 1024 * 1024 * 1024) fail(`host: heap ${heap} bytes after ${r.execs} inputs`);
    }
  },
  seeds: () => linuxFrames(),
};

/** What the host target did so far: inputs, connections opened, bytes checked intact. */
export function hostStats(): { execs: number; connections: number; checkedBytes: number } {
  return rig === null ? { execs: 0, connections: 0, checkedBytes: 0 } : { execs: rig.execs, connections: rig.connections, checkedBytes: rig.checkedBytes };
}

/** The targets by name. */
export const TARGETS: Record<string, FuzzTarget> = { wire, host, filter, packetdrill };
