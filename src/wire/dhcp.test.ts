import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOOTREPLY,
  BOOTREQUEST,
  DHCP_FLAG_BROADCAST,
  DHCP_MIN_LEN,
  DHCP_OPT_CLIENT_ID,
  DHCP_OPT_DNS,
  DHCP_OPT_MESSAGE_TYPE,
  DHCP_OPT_ROUTER,
  DHCP_OPT_SUBNET_MASK,
  DhcpMessageType,
  DhcpView,
  dhcpBufferLen,
  dhcpRequests,
  emitDhcp,
  formatDhcp,
  newDhcpRepr,
  parseDhcpInto,
} from './dhcp.js';
import { WireErr } from './errors.js';
import { DHCP_SLIRP_ACK, DHCP_SLIRP_OFFER, DHCP_TCPDUMP, DHCP_UDHCPC_DISCOVER, DHCP_UDHCPC_REQUEST } from './fixtures/dhcp-frames.js';
import { hexToBytes } from './fixtures/linux-frames.js';
import { parseIpv4 } from './ipv4.js';

const AT = 42; // Ethernet 14 + IPv4 20 + UDP 8
const MAC = 0x5254_0012_3456;
const XID = 0x3a67c11e;
const ip = (s: string): number => parseIpv4(s);

function msgOf(hex: string): { bytes: Uint8Array; view: DhcpView } {
  const bytes = hexToBytes(hex);
  return { bytes, view: new DhcpView().wrap(bytes, AT, bytes.length - AT) };
}

function text(b: Uint8Array, off: number, len: number): string {
  return Buffer.from(b.subarray(off, off + len)).toString('latin1');
}

test('reads every field of udhcpc DISCOVER and REQUEST (values as tshark decodes them)', () => {
  for (const [hex, type] of [
    [DHCP_UDHCPC_DISCOVER, DhcpMessageType.Discover],
    [DHCP_UDHCPC_REQUEST, DhcpMessageType.Request],
  ] as const) {
    const { view } = msgOf(hex);
    assert.equal(view.checkLen(), WireErr.Ok);
    assert.equal(view.op(), BOOTREQUEST);
    assert.equal(view.htype(), 1);
    assert.equal(view.hlen(), 6);
    assert.equal(view.xid(), XID);
    assert.equal(view.flags() & DHCP_FLAG_BROADCAST, 0, 'udhcpc asks for unicast replies');
    assert.equal(view.chaddr(), MAC);
    const r = newDhcpRepr();
    assert.equal(parseDhcpInto(view, r), WireErr.Ok);
    assert.equal(r.messageType, type);
    assert.equal(r.maxMessageSize, 576);
    assert.equal(r.ciaddr, 0);
    assert.equal(r.yiaddr, 0);
    assert.equal(r.minLength, 300);
    assert.deepEqual([...r.paramListBytes.subarray(r.paramListOffset, r.paramListOffset + r.paramListLength)], [1, 3, 6, 12, 15, 28, 42]);
    assert.ok(dhcpRequests(r, DHCP_OPT_DNS) && dhcpRequests(r, DHCP_OPT_ROUTER) && !dhcpRequests(r, 26));
    assert.equal(text(r.vendorClassBytes, r.vendorClassOffset, r.vendorClassLength), 'udhcp 1.35.0');
    assert.deepEqual([...r.clientIdBytes.subarray(r.clientIdOffset, r.clientIdOffset + r.clientIdLength)], [1, 0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    if (type === DhcpMessageType.Request) {
      assert.equal(r.requestedIp, ip('10.0.2.15'));
      assert.equal(r.serverId, ip('10.0.2.2'));
      assert.deepEqual(r.order.slice(0, r.orderCount), [53, 50, 54, 57, 55, 60, 61]);
    } else {
      assert.equal(r.requestedIp, -1);
      assert.equal(r.serverId, -1);
      assert.deepEqual(r.order.slice(0, r.orderCount), [53, 57, 55, 60, 61]);
    }
  }
});

test("reads every field of libslirp's OFFER and ACK", () => {
  for (const [hex, type] of [
    [DHCP_SLIRP_OFFER, DhcpMessageType.Offer],
    [DHCP_SLIRP_ACK, DhcpMessageType.Ack],
  ] as const) {
    const { view } = msgOf(hex);
    const r = newDhcpRepr();
    assert.equal(parseDhcpInto(view, r), WireErr.Ok);
    assert.equal(r.op, BOOTREPLY);
    assert.equal(r.xid, XID);
    assert.equal(r.messageType, type);
    assert.equal(r.yiaddr, ip('10.0.2.15'));
    assert.equal(r.siaddr, ip('10.0.2.2'));
    assert.equal(r.serverId, ip('10.0.2.2'));
    assert.equal(r.subnetMask, ip('255.255.255.0'));
    assert.deepEqual(r.routers.slice(0, r.routerCount), [ip('10.0.2.2')]);
    assert.deepEqual(r.dns.slice(0, r.dnsCount), [ip('10.0.2.3')]);
    assert.equal(r.leaseTime, 86400);
    assert.equal(r.chaddr, MAC);
    assert.equal(r.minLength, 548);
    assert.equal(r.clientIdLength, -1);
  }
});

test('emit re-creates the four captured messages byte for byte', () => {
  for (const hex of [DHCP_UDHCPC_DISCOVER, DHCP_SLIRP_OFFER, DHCP_UDHCPC_REQUEST, DHCP_SLIRP_ACK]) {
    const { bytes, view } = msgOf(hex);
    const r = newDhcpRepr();
    assert.equal(parseDhcpInto(view, r), WireErr.Ok);
    assert.equal(dhcpBufferLen(r), bytes.length - AT);
    const out = new Uint8Array(bytes.length - AT).fill(0xee);
    emitDhcp(r, out, 0);
    assert.deepEqual(out, bytes.subarray(AT));
  }
});

test('formatDhcp opens with what tcpdump printed', () => {
  const hexes = [DHCP_UDHCPC_DISCOVER, DHCP_SLIRP_OFFER, DHCP_UDHCPC_REQUEST, DHCP_SLIRP_ACK];
  hexes.forEach((hex, k) => {
    const { view } = msgOf(hex);
    const r = newDhcpRepr();
    parseDhcpInto(view, r);
    const line = formatDhcp(r, view.length);
    const tcpdump = DHCP_TCPDUMP[k]!;
    assert.ok(line.startsWith(tcpdump.slice(tcpdump.indexOf('BOOTP'))), `${line}\nvs ${tcpdump}`);
  });
  const { view } = msgOf(DHCP_SLIRP_OFFER);
  const r = newDhcpRepr();
  parseDhcpInto(view, r);
  assert.equal(
    formatDhcp(r, 548),
    'BOOTP/DHCP, Reply, length 548, xid 0x3a67c11e, DHCP Offer, Your-IP 10.0.2.15, Server-ID 10.0.2.2, Lease-Time 86400, Subnet-Mask 255.255.255.0, Default-Gateway 10.0.2.2, Domain-Name-Server 10.0.2.3',
  );
});

test('a record built by hand emits in the fixed order, 53 first, at least 300 bytes long, and parses back', () => {
  const r = newDhcpRepr();
  r.op = BOOTREPLY;
  r.xid = 0xdeadbeef;
  r.flags = DHCP_FLAG_BROADCAST;
  r.yiaddr = ip('10.0.2.15');
  r.chaddr = MAC;
  r.messageType = DhcpMessageType.Ack;
  r.serverId = ip('10.0.2.2');
  r.leaseTime = 3600;
  r.renewalTime = 1800;
  r.rebindingTime = 3150;
  r.subnetMask = ip('255.255.255.0');
  r.routers[0] = ip('10.0.2.2');
  r.routerCount = 1;
  r.dns[0] = ip('10.0.2.3');
  r.dns[1] = ip('10.0.2.4');
  r.dnsCount = 2;
  const domain = new TextEncoder().encode('netch.test');
  r.domainNameBytes = domain;
  r.domainNameOffset = 0;
  r.domainNameLength = domain.length;
  r.mtu = 1500;
  const cid = Uint8Array.of(1, 0x52, 0x54, 0, 0x12, 0x34, 0x56);
  r.clientIdBytes = cid;
  r.clientIdOffset = 0;
  r.clientIdLength = cid.length;
  assert.equal(dhcpBufferLen(r), 236 + 4 + 74 + 1);
  const out = new Uint8Array(dhcpBufferLen(r));
  emitDhcp(r, out, 0);
  assert.deepEqual([...out.subarray(240, 243)], [DHCP_OPT_MESSAGE_TYPE, 1, DhcpMessageType.Ack]);
  const back = newDhcpRepr();
  assert.equal(parseDhcpInto(new DhcpView().wrap(out, 0, out.length), back), WireErr.Ok);
  assert.equal(back.xid, 0xdeadbeef);
  assert.equal(back.flags, DHCP_FLAG_BROADCAST);
  assert.equal(back.renewalTime, 1800);
  assert.equal(back.rebindingTime, 3150);
  assert.equal(back.mtu, 1500);
  assert.deepEqual(back.dns.slice(0, back.dnsCount), [ip('10.0.2.3'), ip('10.0.2.4')]);
  assert.equal(text(back.domainNameBytes, back.domainNameOffset, back.domainNameLength), 'netch.test');
  assert.deepEqual(back.order.slice(0, back.orderCount), [53, 54, 51, 58, 59, 1, 3, 6, 15, 26, 61]);
  assert.match(formatDhcp(back, out.length), /DHCP ACK, Your-IP 10\.0\.2\.15, .*Domain-Name "netch\.test", MTU 1500$/);
  // A short one (a NAK) is padded with zeros to 300 bytes.
  const nak = newDhcpRepr();
  nak.op = BOOTREPLY;
  nak.messageType = DhcpMessageType.Nak;
  nak.serverId = ip('10.0.2.2');
  assert.equal(dhcpBufferLen(nak), DHCP_MIN_LEN);
  const nakOut = new Uint8Array(DHCP_MIN_LEN).fill(0xee);
  emitDhcp(nak, nakOut, 0);
  assert.deepEqual([...nakOut.subarray(240, 250)], [53, 1, 6, 54, 4, 10, 0, 2, 2, 255]);
  assert.ok(nakOut.subarray(250).every((x) => x === 0));
  // A long message grows past 300 and still ends with END.
  r.hostNameBytes = new Uint8Array(200).fill(0x61);
  r.hostNameOffset = 0;
  r.hostNameLength = 200;
  const big = new Uint8Array(dhcpBufferLen(r));
  assert.ok(big.length > DHCP_MIN_LEN);
  emitDhcp(r, big, 0);
  assert.equal(big[big.length - 1], 255);
  assert.equal(parseDhcpInto(new DhcpView().wrap(big, 0, big.length), back), WireErr.Ok);
  assert.equal(back.hostNameLength, 200);
});

test('every truncation of every message returns a code (Truncated under 240 bytes, BadOption inside an option)', () => {
  const r = newDhcpRepr();
  for (const hex of [DHCP_UDHCPC_DISCOVER, DHCP_SLIRP_OFFER, DHCP_UDHCPC_REQUEST, DHCP_SLIRP_ACK]) {
    const { bytes } = msgOf(hex);
    const v = new DhcpView();
    // Where the last option's END sits: a cut anywhere up to it leaves an option open or the message whole.
    for (let len = 0; len < bytes.length - AT; len++) {
      const err = parseDhcpInto(v.wrap(bytes, AT, len), r);
      if (len < 240) assert.equal(err, WireErr.Truncated, `length ${len}`);
      else assert.ok(err === WireErr.Ok || err === WireErr.BadOption, `length ${len}: ${err}`);
    }
  }
});

test('bad fields and options return codes', () => {
  const r = newDhcpRepr();
  const cases: [string, (b: Uint8Array) => void, number][] = [
    ['op 3', (b) => (b[AT] = 3), WireErr.Malformed],
    ['hlen 17', (b) => (b[AT + 2] = 17), WireErr.Malformed],
    ['no cookie', (b) => (b[AT + 236] = 0), WireErr.Malformed],
    ['htype 6', (b) => (b[AT + 1] = 6), WireErr.Unsupported],
    ['type length 2', (b) => (b[AT + 241] = 2), WireErr.BadOption],
    ['type 0', (b) => (b[AT + 242] = 0), WireErr.BadOption],
    ['max size length 3', (b) => (b[AT + 244] = 3), WireErr.BadOption],
    ['option past the end', (b) => (b[AT + 244] = 255), WireErr.BadOption],
    ['overload', (b) => (b[AT + 243] = 52), WireErr.Unsupported],
    ['client id of 1 byte', (b) => ((b[AT + 243] = DHCP_OPT_CLIENT_ID), (b[AT + 244] = 1)), WireErr.BadOption],
    ['router of 3 bytes', (b) => ((b[AT + 243] = DHCP_OPT_ROUTER), (b[AT + 244] = 3)), WireErr.BadOption],
    ['mask of 2 bytes', (b) => ((b[AT + 243] = DHCP_OPT_SUBNET_MASK), (b[AT + 244] = 2)), WireErr.BadOption],
  ];
  for (const [name, corrupt, code] of cases) {
    const { bytes } = msgOf(DHCP_UDHCPC_DISCOVER);
    corrupt(bytes);
    assert.equal(parseDhcpInto(new DhcpView().wrap(bytes, AT, bytes.length - AT), r), code, name);
  }
  // Options not known are skipped; a missing END is tolerated (the bytes end the options).
  const { bytes } = msgOf(DHCP_UDHCPC_DISCOVER);
  bytes[AT + 243] = 81; // client FQDN (not parsed), still 2 bytes long
  assert.equal(parseDhcpInto(new DhcpView().wrap(bytes, AT, bytes.length - AT), r), WireErr.Ok);
  assert.equal(r.maxMessageSize, -1);
  assert.ok(r.order.slice(0, r.orderCount).includes(81));
  const cut = msgOf(DHCP_UDHCPC_DISCOVER).bytes;
  const endAt = AT + 240 + 3 + 4 + 9 + 14 + 9;
  assert.equal(cut[endAt], 255);
  assert.equal(parseDhcpInto(new DhcpView().wrap(cut, AT, endAt - AT), r), WireErr.Ok);
  assert.equal(r.clientIdLength, 7);
});

test('seeded random corruption never throws and never reads outside the view', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const r = newDhcpRepr();
  const v = new DhcpView();
  for (let n = 0; n < 3000; n++) {
    const { bytes } = msgOf(n % 2 === 0 ? DHCP_UDHCPC_REQUEST : DHCP_SLIRP_ACK);
    for (let k = 0; k < 1 + (rnd() % 8); k++) bytes[AT + 236 + (rnd() % (bytes.length - AT - 236))] = rnd() & 0xff;
    // The view ends early; bytes beyond it are poisoned with a length byte that would run on.
    const len = 240 + (rnd() % (bytes.length - AT - 240));
    const copy = new Uint8Array(AT + len + 16).fill(0xff);
    copy.set(bytes.subarray(0, AT + len));
    const err = parseDhcpInto(v.wrap(copy, AT, len), r);
    assert.ok(err >= 0 && err <= 8);
    if (err === WireErr.Ok) {
      assert.ok(r.clientIdLength < 0 || r.clientIdOffset + r.clientIdLength <= AT + len);
      assert.ok(r.paramListLength < 0 || r.paramListOffset + r.paramListLength <= AT + len);
    }
  }
});
