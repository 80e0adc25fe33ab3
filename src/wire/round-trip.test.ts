// Every Linux frame, decoded through every layer and re-emitted from the records alone (plus
// the payload bytes, which emit expects in place), must come back byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArpView, emitArp, newArpRepr, parseArpInto } from './arp.js';
import { WireErr } from './errors.js';
import { ETH_P_ARP, ETH_P_IPV4, EthernetView, emitEthernet, ethernetBufferLen, newEthernetRepr, parseEthernetInto } from './ethernet.js';
import { LINUX_FRAMES, hexToBytes } from './fixtures/linux-frames.js';
import { Icmpv4View, emitIcmpv4, icmpv4BufferLen, newIcmpv4Repr, parseIcmpv4Into } from './icmpv4.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Ipv4View, emitIpv4, ipv4BufferLen, newIpv4Repr, parseIpv4Into } from './ipv4.js';
import { TcpView, emitTcp, newTcpRepr, parseTcpInto, tcpBufferLen } from './tcp.js';
import { UdpView, emitUdp, newUdpRepr, parseUdpInto, udpBufferLen } from './udp.js';

// One set of views and records for the whole test, as a receive loop would hold them.
const ethV = new EthernetView();
const arpV = new ArpView();
const ipV = new Ipv4View();
const icmpV = new Icmpv4View();
const udpV = new UdpView();
const tcpV = new TcpView();
const eth = newEthernetRepr();
const arp = newArpRepr();
const ip = newIpv4Repr();
const icmp = newIcmpv4Repr();
const udp = newUdpRepr();
const tcp = newTcpRepr();

/** Decode `src`, then emit into `out` (zeroed, same size) from the records; return out. */
function reEmit(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  assert.equal(parseEthernetInto(ethV.wrap(src, 0, src.length), eth), WireErr.Ok);
  emitEthernet(eth, out, 0);
  const at = ethernetBufferLen(eth);
  if (eth.etherType === ETH_P_ARP) {
    assert.equal(parseArpInto(arpV.wrap(src, at, src.length - at), arp), WireErr.Ok);
    emitArp(arp, out, at);
    return out;
  }
  assert.equal(eth.etherType, ETH_P_IPV4);
  assert.equal(parseIpv4Into(ipV.wrap(src, at, src.length - at), ip), WireErr.Ok);
  const l4 = at + ipv4BufferLen(ip);
  assert.equal(l4, ip.payloadOffset, 'no IPv4 options in the fixtures');
  const s = ip.srcAddr;
  const d = ip.dstAddr;
  switch (ip.protocol) {
    case IPPROTO_ICMP: {
      assert.equal(parseIcmpv4Into(icmpV.wrap(src, l4, ip.payloadLength), icmp), WireErr.Ok);
      const data = l4 + icmpv4BufferLen(icmp);
      out.set(src.subarray(data, data + icmp.payloadLength), data);
      emitIcmpv4(icmp, out, l4);
      break;
    }
    case IPPROTO_UDP: {
      assert.equal(parseUdpInto(udpV.wrap(src, l4, ip.payloadLength), udp, s, d), WireErr.Ok);
      const data = l4 + udpBufferLen(udp);
      out.set(src.subarray(data, data + udp.payloadLength), data);
      emitUdp(udp, out, l4, s, d);
      break;
    }
    case IPPROTO_TCP: {
      assert.equal(parseTcpInto(tcpV.wrap(src, l4, ip.payloadLength), tcp, s, d), WireErr.Ok);
      const data = l4 + tcpBufferLen(tcp);
      out.set(src.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadLength), data);
      emitTcp(tcp, out, l4, s, d);
      break;
    }
    default:
      assert.fail(`protocol ${ip.protocol}`);
  }
  emitIpv4(ip, out, at);
  return out;
}

for (const f of LINUX_FRAMES) {
  test(`${f.name}: parse then emit is byte-exact`, () => {
    const src = hexToBytes(f.hex);
    assert.deepEqual(reEmit(src), src);
  });
}
