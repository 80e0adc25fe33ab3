// The transport layer: TCP (RFC 9293) on top of a Host's IPv4. `new TcpLayer(host)`
// registers itself as the host's handler for IP protocol 6 and opens sockets with a
// non-blocking, allocation-free API (bind, listen, accept, connect, send, recv, shutdown,
// close, abort) that returns counts or negated TcpErr codes and signals readiness.
//
// Guarantees: nothing throws out of the receive path (malformed segments are counted and
// dropped); time is a parameter (`now`), never read from a clock; timers of all
// connections live in one deadline heap, so idle connections cost nothing per tick; the
// steady state allocates nothing per segment (buffers are allocated per connection).
// Never: reads a clock, does I/O of its own, or imports from layers above it (posix, aio,
// hooks, runtime, adapters, cli).
//
// Not yet: urgent data (URG is ignored), D-SACK, ICMP-driven path MTU changes, and what
// docs/tcp.md lists (README's TCP row).

export { TcpLayer, TCP_MAX_WINDOW } from './tcp/layer.js';
export { SHUT_RD, SHUT_RDWR, SHUT_WR, TCP_DEFAULT_MSS, TcpEvent, type TcpReadinessCallback, TcpSocket } from './tcp/socket.js';
export { TcpState, type TcpStateCode, tcpStateName } from './tcp/state.js';
export { TcpErr, type TcpErrCode, tcpErrErrno, tcpErrName } from './tcp/errors.js';
export { type TcpConfig, type TcpOptionsInput, type TcpPersonality, TCP_PERSONALITIES, resolveTcpConfig } from './tcp/config.js';
export { acceptQueueFull, listenBacklog, synQueueFull } from './tcp/listen.js';
export { type TcpInfo, newTcpInfo, tcpInfoInto } from './tcp/info.js';
export { type TcpCounters, type TcpExtCounters, formatTcpGroup } from './tcp/counters.js';
export { RttEstimator } from './tcp/rtt.js';
export { IsnGenerator, SipHash24 } from './tcp/isn.js';
export type { CongestionControl } from './tcp/congestion/congestion.js';
export { NewReno } from './tcp/congestion/newreno.js';
