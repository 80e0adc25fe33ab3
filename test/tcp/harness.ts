// Test harness for TCP: a host with a TCP layer whose link ends at a raw peer the test
// drives (inject a hand-made segment, expect the segment the host sends, expect none),
// and two hosts with TCP layers on one memory link (connectedPair), all on a virtual clock.
// A checker failure names the field that differed and prints the frame as tcpdump would.

import assert from 'node:assert/strict';
import { IP_A, IP_B, MAC_B, type RawPeer, hostWithRawPeer, ipFrame, twoHosts } from '../iface/harness.js';
import type { Host } from '../../src/iface/host.js';
import type { Sim } from '../../src/runtime/sim.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { ETH_HEADER_LEN, ETH_P_IPV4 } from '../../src/wire/ethernet.js';
import { IPPROTO_TCP, Ipv4View, newIpv4Repr, parseIpv4Into } from '../../src/wire/ipv4.js';
import { formatFrame } from '../../src/wire/pretty.js';
import { TCP_ACK, TcpView, emitTcp, formatTcpFlags, newTcpRepr, parseTcpInto, tcpBufferLen } from '../../src/wire/tcp.js';

export { IP_A, IP_B };
/** The fixed ISN key of test layers, so runs are reproducible. */
export const TEST_ISN_KEY = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);

/** A segment the test injects (peer 192.0.2.2 to host 192.0.2.1 unless said otherwise). */
export interface SegSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  mss?: number;
  payload?: Uint8Array;
  /** Window scale option (RFC 7323 §2). */
  wscale?: number;
  /** SACK-permitted option (RFC 2018 §2). */
  sackPermitted?: boolean;
  /** Timestamps option: [TSval, TSecr] (RFC 7323 §3). */
  ts?: [number, number];
  /** SACK blocks: [left, right] pairs (RFC 2018 §3). */
  sack?: [number, number][];
  /** Option bytes as they go on the wire, malformed ones too, instead of the options above (padded with EOL). */
  rawOptions?: number[];
}

/** Fields a checker compares; unset fields are not checked. */
export interface SegCheck {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  mss?: number;
  len?: number;
}

/** A segment the host sent, decoded. */
export interface SentSeg {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  mss: number;
  len: number;
  payload: Uint8Array;
  /** Window scale option, -1 when absent. */
  wscale: number;
  sackPermitted: boolean;
  /** [TSval, TSecr], or null when absent. */
  ts: [number, number] | null;
  /** SACK blocks as [left, right] pairs. */
  sack: [number, number][];
  /** Virtual time at which the peer received it. */
  time: number;
  text: string;
}

/** A host (192.0.2.1) with a TCP layer, facing a raw peer (192.0.2.2) driven by the test. */
export class TcpHarness {
  readonly host: Host;
  readonly peer: RawPeer;
  readonly sim: Sim;
  readonly tcp: TcpLayer;

  constructor(opts: TcpOptionsInput = {}) {
    const { host, peer, sim } = hostWithRawPeer();
    peer.arpAnswers.set(IP_B, MAC_B);
    this.host = host;
    this.peer = peer;
    this.sim = sim;
    this.tcp = new TcpLayer(host, { isnKey: TEST_ISN_KEY, ...opts });
  }

  /** Return the virtual time. */
  now(): number {
    return this.sim.now();
  }

  /** Send a hand-made segment to the host and let it process it. */
  inject(spec: SegSpec): void {
    const r = newTcpRepr();
    r.srcPort = spec.srcPort;
    r.dstPort = spec.dstPort;
    r.seqNumber = spec.seq >>> 0;
    r.ackNumber = (spec.ack ?? 0) >>> 0;
    r.flags = spec.flags;
    r.windowLen = spec.window ?? 65535;
    r.mss = spec.mss ?? 0;
    r.windowScale = spec.wscale ?? -1;
    r.sackPermitted = spec.sackPermitted ?? false;
    r.tsPresent = spec.ts !== undefined;
    r.tsVal = spec.ts?.[0] ?? 0;
    r.tsEcr = spec.ts?.[1] ?? 0;
    const blocks = spec.sack ?? [];
    r.sackCount = blocks.length;
    blocks.forEach(([l, rr], i) => {
      r.sackBlocks[2 * i] = l >>> 0;
      r.sackBlocks[2 * i + 1] = rr >>> 0;
    });
    const payload = spec.payload ?? new Uint8Array(0);
    r.payloadLength = payload.length;
    const raw = spec.rawOptions;
    const hl = raw === undefined ? tcpBufferLen(r) : 20 + ((raw.length + 3) & ~3);
    const seg = new Uint8Array(hl + payload.length);
    seg.set(payload, hl);
    emitTcp(r, seg, 0, IP_B, IP_A);
    if (raw !== undefined) {
      seg.set(raw, 20);
      seg[12] = (hl / 4) << 4;
      new TcpView().wrap(seg, 0, seg.length).fillChecksum(IP_B, IP_A);
    }
    this.peer.inject(ipFrame(seg, { protocol: IPPROTO_TCP }), this.now());
    this.sim.settle();
  }

  /** Return every TCP segment the host has sent since the last call (ARP is skipped). */
  sent(): SentSeg[] {
    this.sim.settle();
    const out: SentSeg[] = [];
    const frames = this.peer.frames;
    const times = this.peer.times;
    for (let i = 0; i < frames.length; i++) {
      const d = decode(frames[i]!, times[i]!);
      if (d !== null) out.push(d);
    }
    frames.length = 0;
    times.length = 0;
    return out;
  }

  /** Take the next segment the host sent and check the given fields; return it. */
  expectFrame(check: SegCheck): SentSeg {
    this.sim.settle();
    const frames = this.peer.frames;
    while (frames.length > 0) {
      const f = frames.shift()!;
      const t = this.peer.times.shift()!;
      const d = decode(f, t);
      if (d === null) continue;
      for (const k of Object.keys(check) as (keyof SegCheck)[]) {
        const want = check[k];
        const got: number = d[k];
        if (want !== undefined && got !== want) {
          const show = (v: number): string => (k === 'flags' ? `[${formatTcpFlags(v)}]` : String(v));
          assert.fail(`segment field ${k}: expected ${show(want)}, got ${show(got)}\n  ${d.text}`);
        }
      }
      return d;
    }
    return assert.fail(`expected a segment matching ${JSON.stringify(check)}, the host sent none`);
  }

  /** Check that the host sent no TCP segment since the last expectation. */
  expectNoFrame(): void {
    const s = this.sent();
    if (s.length > 0) assert.fail(`expected no segment, the host sent:\n  ${s.map((x) => x.text).join('\n  ')}`);
  }

  /** Run the clock forward `ms` of virtual time. */
  run(ms: number): void {
    this.sim.runFor(ms);
  }

  /**
   * Open a connection from the host's `localPort` side to the peer's port 80 through a
   * handshake played by the test; return the socket and the peer's ISN and next seq.
   */
  connect(peerIss = 5000, peerMss = 1460, window = 65535, synAckOptions: Pick<SegSpec, 'wscale' | 'sackPermitted' | 'ts'> = {}): { s: TcpSocket; iss: number; peerNxt: number; syn: SentSeg } {
    const s = this.tcp.socket();
    s.connect(IP_B, 80, this.now());
    const syn = this.expectFrame({ flags: 0x02, dstPort: 80 });
    this.inject({ srcPort: 80, dstPort: syn.srcPort, seq: peerIss, ack: syn.seq + 1, flags: 0x12, mss: peerMss, window, ...synAckOptions });
    this.expectFrame({ flags: TCP_ACK, seq: syn.seq + 1, ack: peerIss + 1 });
    assert.equal(s.state, TcpState.Established);
    return { s, iss: syn.seq, peerNxt: peerIss + 1, syn };
  }
}

function decode(f: Uint8Array, time: number): SentSeg | null {
  if (f.length < ETH_HEADER_LEN + 20 || ((f[12]! << 8) | f[13]!) !== ETH_P_IPV4) return null;
  const ip = newIpv4Repr();
  if (parseIpv4Into(new Ipv4View().wrap(f, ETH_HEADER_LEN, f.length - ETH_HEADER_LEN), ip) !== 0 || ip.protocol !== IPPROTO_TCP) return null;
  const r = newTcpRepr();
  const err = parseTcpInto(new TcpView().wrap(f, ip.payloadOffset, ip.payloadLength), r, ip.srcAddr, ip.dstAddr);
  if (err !== 0) assert.fail(`the host sent a malformed segment (${err}): ${formatFrame(f, 0, f.length)}`);
  return {
    srcPort: r.srcPort, dstPort: r.dstPort, seq: r.seqNumber, ack: r.ackNumber, flags: r.flags, window: r.windowLen,
    mss: r.mss, len: r.payloadLength, payload: f.slice(r.payloadOffset, r.payloadOffset + r.payloadLength), time,
    wscale: r.windowScale, sackPermitted: r.sackPermitted, ts: r.tsPresent ? [r.tsVal, r.tsEcr] : null,
    sack: Array.from({ length: r.sackCount }, (_, i) => [r.sackBlocks[2 * i]!, r.sackBlocks[2 * i + 1]!] as [number, number]),
    text: formatFrame(f, 0, f.length),
  };
}

/** Two hosts, a and b, each with a TCP layer, on one memory link. */
export function tcpPair(opts: TcpOptionsInput = {}, delay = 0): { a: Host; b: Host; ta: TcpLayer; tb: TcpLayer; sim: Sim } {
  const { a, b, sim } = twoHosts({ delay });
  const ta = new TcpLayer(a, { isnKey: TEST_ISN_KEY, ...opts });
  const tb = new TcpLayer(b, { isnKey: TEST_ISN_KEY.map((x) => x ^ 0xff), ...opts });
  return { a, b, ta, tb, sim };
}

/** Two hosts with a connection from a (client) to b's listener on port 7 (server), established. */
export function connectedPair(opts: TcpOptionsInput = {}, delay = 0): ReturnType<typeof tcpPair> & { client: TcpSocket; server: TcpSocket; listener: TcpSocket } {
  const p = tcpPair(opts, delay);
  const listener = p.tb.socket();
  assert.equal(listener.bind(0, 7), 0);
  assert.equal(listener.listen(16), 0);
  const client = p.ta.socket();
  client.connect(IP_B, 7, p.sim.now());
  let server: TcpSocket | null = null;
  const ok = p.sim.runUntil(() => (server ??= listener.accept()) !== null && client.state === TcpState.Established, { maxTime: 10_000 });
  assert.ok(ok && server !== null, 'the connection did not come up');
  return { ...p, client, server: server!, listener };
}

/** Read everything `s` has into one array. */
export function drain(s: TcpSocket, now: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = s.recv(buf, 0, buf.length, now);
    if (n <= 0) break;
    parts.push(buf.slice(0, n));
  }
  return concat(parts);
}

/** Concatenate byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
