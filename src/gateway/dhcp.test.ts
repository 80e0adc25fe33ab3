import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../iface/host.js';
import type { FrameSink } from '../link/device.js';
import { type MemoryLink, memoryLinkPair } from '../link/memory.js';
import { Sim } from '../runtime/sim.js';
import type { Millis } from '../time.js';
import {
  BOOTREPLY,
  BOOTREQUEST,
  DHCP_FLAG_BROADCAST,
  type DhcpRepr,
  DhcpMessageType,
  DhcpView,
  dhcpBufferLen,
  emitDhcp,
  newDhcpRepr,
  parseDhcpInto,
} from '../wire/dhcp.js';
import { emitArp } from '../wire/arp.js';
import { ETH_HEADER_LEN, ETH_P_IPV4, EthernetView, MAC_BROADCAST, emitEthernet } from '../wire/ethernet.js';
import { WireErr } from '../wire/errors.js';
import { DHCP_UDHCPC_DISCOVER, DHCP_UDHCPC_REQUEST } from '../wire/fixtures/dhcp-frames.js';
import { hexToBytes } from '../wire/fixtures/linux-frames.js';
import { IPPROTO_UDP, IPV4_HEADER_LEN, Ipv4View, emitIpv4, newIpv4Repr, parseIpv4, parseIpv4Into } from '../wire/ipv4.js';
import { UDP_HEADER_LEN, UdpView, emitUdp, newUdpRepr, parseUdpInto } from '../wire/udp.js';
import { DhcpServer, type DhcpServerOptions, NETCH_ERR_DHCP_CONFIG } from './dhcp.js';

const GW_MAC = 0x5255_0a00_0202;
const MAC1 = 0x5254_0012_3456;
const MAC2 = 0x5254_0000_0002;
const ip = (s: string): number => parseIpv4(s);

/** The wire's side of the gateway host: captures every frame, injects client frames. */
class Wire implements FrameSink {
  readonly frames: Uint8Array[] = [];
  /** Configured clients: ARP requests for these addresses are answered with the MAC. */
  readonly arp = new Map<number, number>();
  constructor(readonly dev: MemoryLink) {}
  onFrame(buf: Uint8Array, off: number, len: number, now: Millis): void {
    const f = buf.slice(off, off + len);
    if (f[12] === 0x08 && f[13] === 0x06) {
      const v = new DataView(f.buffer);
      const mac = this.arp.get(v.getUint32(38));
      if (v.getUint16(20) === 1 && mac !== undefined) {
        const r = new Uint8Array(42);
        emitEthernet({ dstAddr: GW_MAC, srcAddr: mac, etherType: 0x0806 }, r, 0);
        emitArp({ operation: 2, senderHardwareAddr: mac, senderProtocolAddr: v.getUint32(38), targetHardwareAddr: GW_MAC, targetProtocolAddr: v.getUint32(28) }, r, 14);
        this.inject(r, now);
      }
      return;
    }
    this.frames.push(f);
  }
  poll(now: Millis): number {
    return this.dev.receive(this, 64, now);
  }
  pollAt(): Millis {
    return Infinity;
  }
  inject(frame: Uint8Array, now: Millis): void {
    const at = this.dev.transmitBegin(frame.length);
    this.dev.txBytes.set(frame, at);
    this.dev.transmitCommit(at, frame.length, now);
  }
}

interface Reply {
  dstMac: number;
  src: number;
  dst: number;
  dstPort: number;
  dhcp: DhcpRepr;
}

/** A gateway host (10.0.2.2/24) running a DhcpServer, with the wire in a Sim. */
function setup(opts: Partial<DhcpServerOptions> = {}): { host: Host; wire: Wire; sim: Sim; dhcp: DhcpServer; replies: () => Reply[] } {
  const [a, b] = memoryLinkPair();
  const host = new Host({ name: 'gw' });
  host.addInterface(a, { mac: GW_MAC, address: ['10.0.2.2/24', '10.0.2.3/32'] });
  const wire = new Wire(b);
  const sim = new Sim().add(host, wire);
  const dhcp = new DhcpServer(host, {
    serverAddress: '10.0.2.2',
    subnet: '10.0.2.0/24',
    dns: ['10.0.2.3'],
    domain: 'netch.test',
    mtu: 1500,
    leaseSeconds: 3600,
    rangeStart: '10.0.2.15',
    now: () => sim.now(),
    ...opts,
  }).start();
  const replies = (): Reply[] => {
    sim.settle();
    const out: Reply[] = [];
    for (const f of wire.frames.splice(0)) {
      const eth = new EthernetView().wrap(f, 0, f.length);
      if (eth.etherType() !== ETH_P_IPV4) continue;
      const ipr = newIpv4Repr();
      assert.equal(parseIpv4Into(new Ipv4View().wrap(f, ETH_HEADER_LEN, f.length - ETH_HEADER_LEN), ipr), WireErr.Ok);
      const u = newUdpRepr();
      assert.equal(parseUdpInto(new UdpView().wrap(f, ipr.payloadOffset, ipr.payloadLength), u, ipr.srcAddr, ipr.dstAddr), WireErr.Ok);
      const d = newDhcpRepr();
      assert.equal(parseDhcpInto(new DhcpView().wrap(f, u.payloadOffset, u.payloadLength), d), WireErr.Ok);
      assert.equal(u.srcPort, 67);
      out.push({ dstMac: eth.dstAddr(), src: ipr.srcAddr, dst: ipr.dstAddr, dstPort: u.dstPort, dhcp: d });
    }
    return out;
  };
  return { host, wire, sim, dhcp, replies };
}

interface ClientMsg {
  type: number;
  mac?: number;
  xid?: number;
  flags?: number;
  ciaddr?: number;
  requested?: number;
  serverId?: number;
  clientId?: Uint8Array;
  /** IP source and destination (default: 0.0.0.0 -> 255.255.255.255). */
  src?: number;
  dst?: number;
}

/** Return the Ethernet frame of a client's DHCP message. */
function clientFrame(m: ClientMsg): Uint8Array {
  const r = newDhcpRepr();
  r.op = BOOTREQUEST;
  r.xid = m.xid ?? 0x1234;
  r.flags = m.flags ?? 0;
  r.ciaddr = m.ciaddr ?? 0;
  r.chaddr = m.mac ?? MAC1;
  r.messageType = m.type;
  if (m.requested !== undefined) r.requestedIp = m.requested;
  if (m.serverId !== undefined) r.serverId = m.serverId;
  if (m.clientId !== undefined) {
    r.clientIdBytes = m.clientId;
    r.clientIdLength = m.clientId.length;
  }
  const len = dhcpBufferLen(r);
  const payload = new Uint8Array(len);
  emitDhcp(r, payload, 0);
  return udpFrame(payload, m.mac ?? MAC1, m.src ?? 0, m.dst ?? 0xffff_ffff);
}

function udpFrame(payload: Uint8Array, mac: number, src: number, dst: number): Uint8Array {
  const f = new Uint8Array(ETH_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN + payload.length);
  emitEthernet({ dstAddr: dst === 0xffff_ffff ? MAC_BROADCAST : GW_MAC, srcAddr: mac, etherType: ETH_P_IPV4 }, f, 0);
  const ipr = newIpv4Repr();
  ipr.srcAddr = src;
  ipr.dstAddr = dst;
  ipr.protocol = IPPROTO_UDP;
  ipr.ttl = 64;
  ipr.payloadLength = UDP_HEADER_LEN + payload.length;
  emitIpv4(ipr, f, ETH_HEADER_LEN);
  f.set(payload, ETH_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN);
  emitUdp({ srcPort: 68, dstPort: 67, checksum: 0, payloadOffset: 0, payloadLength: payload.length }, f, ETH_HEADER_LEN + IPV4_HEADER_LEN, src, dst);
  return f;
}

test("udhcpc's captured DISCOVER and REQUEST get an OFFER and an ACK, unicast to the client's MAC and new address (broadcast bit clear)", () => {
  const { wire, sim, dhcp, replies, host } = setup();
  wire.inject(hexToBytes(DHCP_UDHCPC_DISCOVER), sim.now());
  const [offer, ...more] = replies();
  assert.equal(more.length, 0);
  assert.ok(offer);
  const o = offer.dhcp;
  assert.equal(o.op, BOOTREPLY);
  assert.equal(o.messageType, DhcpMessageType.Offer);
  assert.equal(o.xid, 0x3a67c11e);
  assert.equal(o.yiaddr, ip('10.0.2.15'));
  assert.equal(o.chaddr, MAC1);
  assert.equal(offer.dstMac, MAC1, 'no ARP: straight to chaddr');
  assert.equal(offer.dst, ip('10.0.2.15'));
  assert.equal(offer.src, ip('10.0.2.2'));
  assert.equal(offer.dstPort, 68);
  assert.equal(o.serverId, ip('10.0.2.2'));
  assert.equal(o.subnetMask, ip('255.255.255.0'));
  assert.deepEqual(o.routers.slice(0, o.routerCount), [ip('10.0.2.2')]);
  assert.deepEqual(o.dns.slice(0, o.dnsCount), [ip('10.0.2.3')]);
  assert.equal(Buffer.from(o.domainNameBytes.subarray(o.domainNameOffset, o.domainNameOffset + o.domainNameLength)).toString(), 'netch.test');
  assert.equal(o.mtu, 1500);
  assert.equal(o.leaseTime, 3600);
  assert.equal(o.renewalTime, 1800);
  assert.equal(o.rebindingTime, 3150);
  assert.equal(o.clientIdLength, 7, 'client id echoed (RFC 6842)');
  assert.equal(host.lookupNeighbour('10.0.2.15')?.mac, MAC1);
  assert.equal(dhcp.leases()[0]?.state, 'offered');

  wire.inject(hexToBytes(DHCP_UDHCPC_REQUEST), sim.now());
  const [ack] = replies();
  assert.ok(ack);
  assert.equal(ack.dhcp.messageType, DhcpMessageType.Ack);
  assert.equal(ack.dhcp.yiaddr, ip('10.0.2.15'));
  assert.equal(ack.dstMac, MAC1);
  assert.deepEqual(dhcp.leases(), [
    { address: '10.0.2.15', mac: '52:54:00:12:34:56', clientId: '01525400123456', state: 'bound', expiresAt: sim.now() + 3600_000 },
  ]);
  assert.deepEqual(
    { ...dhcp.counters },
    { InMessages: 2, InErrors: 0, InDiscovers: 1, InRequests: 1, InDeclines: 0, InReleases: 0, InInforms: 0, Ignored: 0, OutOffers: 1, OutAcks: 1, OutNaks: 0, NoAddress: 0, OutErrors: 0 },
  );
});

test('the BROADCAST bit gets replies to ff:ff:ff:ff:ff:ff and 255.255.255.255; a second client gets the next address', () => {
  const { wire, sim, replies } = setup();
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, flags: DHCP_FLAG_BROADCAST }), sim.now());
  const [o1] = replies();
  assert.equal(o1?.dstMac, MAC_BROADCAST);
  assert.equal(o1?.dst, 0xffff_ffff);
  assert.equal(o1?.dhcp.flags, DHCP_FLAG_BROADCAST);
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, mac: MAC2, xid: 7 }), sim.now());
  const [o2] = replies();
  assert.equal(o2?.dhcp.yiaddr, ip('10.0.2.16'));
  assert.equal(o2?.dstMac, MAC2);
  // The same client asking again is offered the same address.
  wire.inject(clientFrame({ type: DhcpMessageType.Discover }), sim.now());
  assert.equal(replies()[0]?.dhcp.yiaddr, ip('10.0.2.15'));
});

test('a client identifier, not the MAC, names the lease when present', () => {
  const { wire, sim, replies, dhcp } = setup();
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, clientId: Uint8Array.of(0, 1, 2, 3) }), sim.now());
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, clientId: Uint8Array.of(0, 9, 9, 9) }), sim.now());
  const r = replies();
  assert.deepEqual(r.map((x) => x.dhcp.yiaddr), [ip('10.0.2.15'), ip('10.0.2.16')]);
  assert.deepEqual(dhcp.leases().map((l) => l.clientId), ['00010203', '00090909']);
});

test('a REQUEST naming another server drops our offer; a wrong address is NAKed to broadcast', () => {
  const { wire, sim, replies, dhcp } = setup();
  wire.inject(clientFrame({ type: DhcpMessageType.Discover }), sim.now());
  replies();
  wire.inject(clientFrame({ type: DhcpMessageType.Request, serverId: ip('10.0.2.99'), requested: ip('10.0.2.15') }), sim.now());
  assert.deepEqual(replies(), []);
  assert.equal(dhcp.counters.Ignored, 1);
  assert.deepEqual(dhcp.leases(), []);
  // SELECTING our server for an address we did not offer: NAK.
  wire.inject(clientFrame({ type: DhcpMessageType.Request, serverId: ip('10.0.2.2'), requested: ip('10.0.2.40') }), sim.now());
  const [nak] = replies();
  assert.equal(nak?.dhcp.messageType, DhcpMessageType.Nak);
  assert.equal(nak?.dst, 0xffff_ffff);
  assert.equal(nak?.dstMac, MAC_BROADCAST);
  assert.equal(nak?.dhcp.yiaddr, 0);
  assert.equal(nak?.dhcp.leaseTime, -1);
});

test('INIT-REBOOT: a free address in the pool is kept (after a gateway restart), another client\'s or an off-subnet one is NAKed', () => {
  const { wire, sim, replies } = setup();
  wire.inject(clientFrame({ type: DhcpMessageType.Request, requested: ip('10.0.2.20') }), sim.now());
  const [ack] = replies();
  assert.equal(ack?.dhcp.messageType, DhcpMessageType.Ack);
  assert.equal(ack?.dhcp.yiaddr, ip('10.0.2.20'));
  wire.inject(clientFrame({ type: DhcpMessageType.Request, mac: MAC2, requested: ip('10.0.2.20') }), sim.now());
  assert.equal(replies()[0]?.dhcp.messageType, DhcpMessageType.Nak);
  wire.inject(clientFrame({ type: DhcpMessageType.Request, mac: MAC2, requested: ip('192.168.1.5') }), sim.now());
  assert.equal(replies()[0]?.dhcp.messageType, DhcpMessageType.Nak);
});

test('RENEWING: unicast to the server, the ACK goes to ciaddr and extends the lease; an unrenewed lease expires and its address is reused', () => {
  const { wire, sim, replies, dhcp } = setup();
  wire.arp.set(ip('10.0.2.15'), MAC1);
  wire.inject(clientFrame({ type: DhcpMessageType.Request, requested: ip('10.0.2.15') }), sim.now());
  replies();
  sim.runFor(1800_000);
  wire.inject(clientFrame({ type: DhcpMessageType.Request, ciaddr: ip('10.0.2.15'), src: ip('10.0.2.15'), dst: ip('10.0.2.2') }), sim.now());
  const [ack] = replies();
  assert.equal(ack?.dhcp.messageType, DhcpMessageType.Ack);
  assert.equal(ack?.dst, ip('10.0.2.15'));
  assert.equal(ack?.dhcp.yiaddr, ip('10.0.2.15'));
  assert.equal(dhcp.leases()[0]?.expiresAt, sim.now() + 3600_000);
  sim.runFor(3600_000);
  assert.equal(dhcp.leases()[0]?.state, 'expired');
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, mac: MAC2, requested: ip('10.0.2.15') }), sim.now());
  assert.equal(replies()[0]?.dhcp.yiaddr, ip('10.0.2.15'));
});

test('RELEASE frees the address but the client gets it back; DECLINE takes it out of the pool', () => {
  const { wire, sim, replies, dhcp } = setup();
  wire.inject(clientFrame({ type: DhcpMessageType.Request, requested: ip('10.0.2.15') }), sim.now());
  replies();
  wire.inject(clientFrame({ type: DhcpMessageType.Release, ciaddr: ip('10.0.2.15'), serverId: ip('10.0.2.2'), src: ip('10.0.2.15'), dst: ip('10.0.2.2') }), sim.now());
  assert.deepEqual(replies(), []);
  assert.equal(dhcp.leases()[0]?.state, 'released');
  wire.inject(clientFrame({ type: DhcpMessageType.Discover }), sim.now());
  assert.equal(replies()[0]?.dhcp.yiaddr, ip('10.0.2.15'));
  // The client finds .15 in use (ARP answered): DECLINE. The next offer is another address, to anyone.
  wire.inject(clientFrame({ type: DhcpMessageType.Decline, requested: ip('10.0.2.15'), serverId: ip('10.0.2.2') }), sim.now());
  assert.deepEqual(replies(), []);
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, requested: ip('10.0.2.15') }), sim.now());
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, mac: MAC2, requested: ip('10.0.2.15') }), sim.now());
  const r = replies();
  assert.equal(r.length, 2);
  assert.ok(r.every((x) => x.dhcp.yiaddr !== ip('10.0.2.15')));
  assert.equal(dhcp.counters.InDeclines, 1);
});

test('INFORM gets an ACK to ciaddr with the configuration and no lease', () => {
  const { wire, sim, replies } = setup();
  wire.arp.set(ip('10.0.2.50'), MAC1);
  wire.inject(clientFrame({ type: DhcpMessageType.Inform, ciaddr: ip('10.0.2.50'), src: ip('10.0.2.50'), dst: ip('10.0.2.2') }), sim.now());
  const [ack] = replies();
  assert.equal(ack?.dhcp.messageType, DhcpMessageType.Ack);
  assert.equal(ack?.dst, ip('10.0.2.50'));
  assert.equal(ack?.dhcp.yiaddr, 0);
  assert.equal(ack?.dhcp.ciaddr, ip('10.0.2.50'));
  assert.equal(ack?.dhcp.leaseTime, -1);
  assert.equal(ack?.dhcp.dnsCount, 1);
});

test('an empty pool leaves a DISCOVER unanswered and counts it', () => {
  const { wire, sim, replies, dhcp } = setup({ rangeStart: '10.0.2.15', rangeEnd: '10.0.2.15' });
  wire.inject(clientFrame({ type: DhcpMessageType.Discover }), sim.now());
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, mac: MAC2 }), sim.now());
  assert.equal(replies().length, 1);
  assert.equal(dhcp.counters.NoAddress, 1);
  // The offer lapses after its hold time: the other client can have it.
  sim.runFor(61_000);
  wire.inject(clientFrame({ type: DhcpMessageType.Discover, mac: MAC2 }), sim.now());
  assert.equal(replies()[0]?.dhcp.yiaddr, ip('10.0.2.15'));
});

test('malformed messages are counted and dropped, never answered', () => {
  const { wire, sim, replies, dhcp } = setup();
  const good = hexToBytes(DHCP_UDHCPC_DISCOVER).subarray(42);
  const bad: Uint8Array[] = [
    good.slice(0, 100), // truncated
    (() => { const b = good.slice(); b[236] = 0; return b; })(), // no cookie
    (() => { const b = good.slice(); b[244] = 200; return b; })(), // option past the end
    (() => { const b = good.slice(); b[0] = BOOTREPLY; return b; })(), // a reply
    (() => { const b = good.slice(); b[242] = DhcpMessageType.Ack; return b; })(), // a server's type
    (() => { const b = good.slice(); b[240] = 0; b[241] = 0; b[242] = 0; return b; })(), // plain BOOTP: no type
  ];
  for (const p of bad) wire.inject(udpFrame(p, MAC1, 0, 0xffff_ffff), sim.now());
  assert.deepEqual(replies(), []);
  assert.equal(dhcp.counters.InErrors, bad.length);
  assert.equal(dhcp.counters.InMessages, bad.length);
});

test('close() releases port 67; bad options throw NETCH_ERR_DHCP_CONFIG', () => {
  const { host, dhcp } = setup();
  dhcp.close();
  host.udpSocket().bind('0.0.0.0', 67).close();
  const base: DhcpServerOptions = { serverAddress: '10.0.2.2', subnet: '10.0.2.0/24', dns: [], rangeStart: '10.0.2.15' };
  for (const bad of [
    { subnet: '10.0.2.0' },
    { subnet: '10.0.2.0/31' },
    { serverAddress: '10.0.3.2' },
    { rangeStart: '10.0.2.255' },
    { rangeStart: '10.0.2.30', rangeEnd: '10.0.2.20' },
    { dns: ['nope'] },
    { leaseSeconds: 10 },
    { mtu: 20 },
    { domain: 'bad domain' },
  ] as Partial<DhcpServerOptions>[]) {
    assert.throws(() => new DhcpServer(host, { ...base, ...bad }), { code: NETCH_ERR_DHCP_CONFIG }, JSON.stringify(bad));
  }
});
