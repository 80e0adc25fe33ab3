// The Node adapters: Node's `net` and `dgram` APIs on the stack, so existing Node code
// (http, https/tls, undici, ws) runs over it unchanged. A stack context (`createStack`)
// is one POSIX process of a kernel: every socket operation is a call through that
// process's syscall table (socket, bind, listen, accept4, connect, sendto, recvfrom,
// shutdown, close, epoll_*), so the hooks layer and a tracer see them; readiness comes
// from the process's epoll instance, never from polling timers.
//
// Guarantees: events, errors and their shapes follow Node's lib/net.js and lib/dgram.js
// (docs/node.md lists what differs); backpressure is exact: a reader that does not read
// stops recv(2), so the TCP window closes instead of memory growing. The same code runs
// under a Sim (virtual time) and a Loop (real time).
// Never: touches the kernel's objects behind the syscall table, reads a clock of its own
// (timeouts run on the kernel's clock), or imports the CLI.

export { Stack, createStack, createServer, connect, createConnection, setDefaultStack, getDefaultStack, type NetApi, type DgramApi } from './api.js';
export { StackContext, KernelTimer, type StackOptions, type LookupFunction, type LookupCallback } from './stack.js';
export { Socket, type SocketOptions, type TcpConnectOptions, type NetConnectOpts, type AddressInfo } from './net-socket.js';
export { Server, type ServerOptions, type ListenOptions } from './net-server.js';
export { DgramSocket, createSocket, type DgramSocketOptions, type RemoteInfo, type DgramBindOptions } from './dgram.js';
export { type NodeSystemError } from './errors.js';
