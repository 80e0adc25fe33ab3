// The wire layer: bytes on the wire, and nothing else. Re-pointable views and
// fixed-shape records for Ethernet II, ARP (Ethernet/IPv4), IPv4, ICMPv4, UDP and TCP with
// its options; the Internet checksum and its incremental update; wrap-safe sequence
// arithmetic; one-line pretty-printers in tcpdump's words.
//
// Guarantees: parsers take untrusted bytes and return a WireErr code (0 = ok), never
// throw, and never read outside the (offset, length) they were given; emitters write
// exactly `xBufferLen(repr)` header bytes and cannot fail; parse and emit allocate nothing
// (records are allocated once and filled in place; payloads are (offset, length) pairs
// into the same bytes). Only the format* functions allocate, for humans.
//
// Never: no I/O, no timers, no clock, no state between calls, no imports from the rest of
// the project; no reassembly, no routing, no protocol decisions (what to answer, what to
// drop beyond malformed input) — those belong to iface and transport.

export * from './bytes.js';
export * from './view.js';
export * from './errors.js';
export * from './checksum.js';
export * from './seq.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './icmpv4.js';
export * from './udp.js';
export * from './tcp-options.js';
export * from './tcp.js';
export * from './dhcp.js';
export * from './dns.js';
export * from './pretty.js';
