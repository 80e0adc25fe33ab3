// The gateway layer: user-mode networking for VMs and emulators (libslirp, passt,
// gvisor-tap-vsock). A Gateway is one host of our stack that routes a guest network: the
// guests' links (QEMU stream and dgram, TAP, WebSocket, memory) are ports of a learning
// switch; datagrams to outside addresses are NAT'd to the host's own sockets (TCP through
// `net`, UDP through `dgram`), after an egress policy that is checked before any host
// socket is opened; inbound forwards bring host clients in.
//
// Guarantees: a guest's malformed or excessive input is counted and dropped, never
// throws; every flow's host socket and counts are released when it ends; per-guest limits
// bound the host sockets a guest can hold. It never opens a host socket the policy refuses,
// and never touches a real interface unless given a TAP device.

export * from './config.js';
export * from './errors.js';
export * from './gateway.js';
export * from './nat.js';
export { TcpNat, TcpFlow } from './nat-tcp.js';
export { UdpNat } from './nat-udp.js';
export { IcmpNat } from './nat-icmp.js';
export * from './nat-forward.js';
export * from './stream-link.js';
export * from './switch.js';
export * from './ws-link.js';
export { DhcpServer } from './dhcp.js';
