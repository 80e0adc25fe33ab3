// The host layer: one network node above its link devices. A Host has interfaces (a
// LinkDevice, a MAC, IPv4 addresses with prefixes), a routing table (connected routes,
// static routes, a default gateway), a neighbour cache (ARP, RFC 826, with Linux's
// REACHABLE/STALE/DELAY/PROBE states and a bounded hold queue per unresolved neighbour),
// IPv4 input and output (RFC 791, RFC 1122), ICMP (echo, errors, rate limit), UDP sockets
// with bounded receive queues, ping sockets, counters named as in /proc/net/snmp, and a
// hook that hands other IP protocols (TCP) to a registered handler with an output path.
//
// Guarantees: nothing throws out of the receive path: malformed, unwanted or unroutable
// input is counted and dropped. Time is a parameter (`poll(now)`, `pollAt()`); no clock
// is read and no timer is set here. Frames are written in place into the device's
// transmit buffer; views, records and queues are allocated once, so the steady state
// allocates nothing per packet (payloads are copied into socket queues and frames).
// Bad arguments at the public API throw Error objects with a stable `code` (docs/errors.md);
// network conditions are IpErr result codes.
//
// Decisions: the host never forwards (Ip.Forwarding = 2); datagrams to other addresses
// are InAddrErrors. IPv4 fragments are reassembled, with limits: at most
// `reasmMaxDatagrams` (8) in progress, 30 s to complete (then ICMP time exceeded when the
// first fragment came), 65535 bytes at most, overlapping fragments drop the datagram.
// Outgoing datagrams are never fragmented: they carry DF, and one larger than the path
// MTU is refused with MsgSize (EMSGSIZE). No IP options are sent; received options are
// skipped. No multicast (IGMP) and no IPv6. TTL is not checked on local delivery
// (RFC 1122 §3.2.1.7). docs/iface.md has the details.
//
// Never: no I/O of its own, no threads, no reading of clocks; the layer above (transport)
// reaches it only through ProtocolHandler and Ipv4Output.

export * from './errors.js';
export * from './cidr.js';
export * from './counters.js';
export * from './config.js';
export * from './interface.js';
export * from './route.js';
export * from './arp-cache.js';
export { ArpLayer } from './arp.js';
export * from './protocol.js';
export * from './ipv4-output.js';
export { Ipv4Input } from './ipv4-input.js';
export * from './reassembly.js';
export { IcmpLayer } from './icmp.js';
export * from './ping.js';
export * from './datagram-queue.js';
export * from './udp-socket.js';
export { UdpLayer, UDP_MAX_PAYLOAD, udpMaxPayload } from './udp.js';
export * from './loopback.js';
export * from './host.js';
export * from './filter.js';
