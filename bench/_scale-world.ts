// The scale bench's world (bench/scale.ts, and the soak): two of our hosts on a memory
// link driven by a Sim, a server host with one listener and a minimal request/response
// application, and a client host with many addresses so that N connections never run out
// of ports (each client socket is bound to an address and port of its own before connect).
// The applications keep no object per connection: one readiness callback for all sockets,
// per-connection numbers in typed arrays indexed by the client's (address, port).

import { memoryLinkPair } from '../src/link/memory.js';
import { Host } from '../src/iface/host.js';
import { Sim } from '../src/runtime/sim.js';
import { TcpErr } from '../src/transport/tcp/errors.js';
import { TcpLayer } from '../src/transport/tcp/layer.js';
import type { TcpOptionsInput } from '../src/transport/tcp/config.js';
import type { TcpSocket } from '../src/transport/tcp/socket.js';
import { TcpState } from '../src/transport/tcp/state.js';
import { parseIpv4 } from '../src/wire/ipv4.js';

/** The server's address and port. */
export const SERVER_ADDR = parseIpv4('198.51.100.1');
export const SERVER_PORT = 80;
/** The client's first address; the others follow it (all in the server's /24). */
export const CLIENT_BASE = parseIpv4('198.51.100.11');
/** Ports a client address uses (PORT_LOW ..). */
export const PORT_LOW = 10000;
export const PORTS_PER_ADDR = 50000;

export const REQUEST = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: scale\r\n\r\n');
export const RESPONSE = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

/** Two hosts, the server listening, the applications wired; capacity for `max` connections. */
export class ScaleWorld {
  readonly sim = new Sim();
  readonly client: Host;
  readonly server: Host;
  readonly tc: TcpLayer;
  readonly ts: TcpLayer;
  readonly listener: TcpSocket;
  /** Client sockets by connection id (null once closed). */
  readonly socks: (TcpSocket | null)[];
  /** Responses received per connection id. */
  readonly answered: Uint8Array;
  /** Wall time (performance.now) the last request of each connection was sent. */
  readonly sentAt: Float64Array;
  /** Latency of the last answered request of each connection (ms of wall time). */
  readonly latency: Float64Array;
  accepted = 0;
  responses = 0;
  serverClosed = 0;
  private readonly buf = new Uint8Array(4096);

  constructor(readonly max: number, opts: TcpOptionsInput = {}) {
    // 4096 frames a side, a NIC's ring (the default 256 suits a test, not 512 SYNs at once).
    const [la, lb] = memoryLinkPair({ frames: 4096 });
    this.client = new Host({ name: 'client' });
    this.server = new Host({ name: 'server' });
    const addrs = Math.max(1, Math.ceil(max / PORTS_PER_ADDR));
    const mine = Array.from({ length: addrs }, (_, i) => `198.51.100.${11 + i}/24`);
    this.client.addInterface(la, { mac: 0x02000000a001, address: mine });
    this.server.addInterface(lb, { mac: 0x02000000b001, address: '198.51.100.1/24' });
    this.sim.add(this.client, this.server);
    this.tc = new TcpLayer(this.client, opts);
    this.ts = new TcpLayer(this.server, opts);
    this.socks = new Array<TcpSocket | null>(max).fill(null);
    this.answered = new Uint8Array(max);
    this.sentAt = new Float64Array(max);
    this.latency = new Float64Array(max);
    const l = this.ts.socket();
    l.bind(0, SERVER_PORT);
    l.listen(4096);
    l.onReadiness = this.onListener;
    this.listener = l;
  }

  /** Return the connection id of a client socket. */
  idOf(s: TcpSocket): number {
    return (s.localAddr - CLIENT_BASE) * PORTS_PER_ADDR + (s.localPort - PORT_LOW);
  }

  /** Open connections [from, to), `batch` at a time, each batch until accepted (a load generator's concurrency); return false when one failed. */
  open(from: number, to: number, batch = 512): boolean {
    const start = this.accepted;
    for (let i = from; i < to; ) {
      const end = Math.min(to, i + batch);
      for (; i < end; i++) {
        const s = this.tc.socket();
        const addr = CLIENT_BASE + Math.floor(i / PORTS_PER_ADDR);
        if (s.bind(addr, PORT_LOW + (i % PORTS_PER_ADDR)) !== 0) return false;
        s.onReadiness = this.onClient;
        if (s.connect(SERVER_ADDR, SERVER_PORT, this.sim.now()) !== -TcpErr.InProgress) return false;
        this.socks[i] = s;
      }
      if (!this.sim.runUntil(() => this.accepted - start >= end - from, { maxTime: 60_000 })) return false;
    }
    return true;
  }

  /** Send one request on connections [from, to), `batch` at a time, each batch run until answered (or 10 s of virtual time). */
  request(from: number, to: number, batch = 1000): void {
    for (let i = from; i < to; ) {
      const end = Math.min(to, i + batch);
      let want = this.responses;
      for (; i < end; i++) {
        const s = this.socks[i];
        if (s === null || s === undefined) continue;
        this.sentAt[i] = performance.now();
        if (s.send(REQUEST, 0, REQUEST.length, this.sim.now()) === REQUEST.length) want++;
      }
      this.sim.runUntil(() => this.responses >= want, { maxTime: 10_000 });
    }
  }

  /** Return how many connections in [from, to) have `k` responses. */
  countAnswered(from: number, to: number, k: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.answered[i] === k) n++;
    return n;
  }

  /** Close connections [from, to) from the client side (they end in TIME-WAIT there). */
  close(from: number, to: number): void {
    const now = this.sim.now();
    for (let i = from; i < to; i++) {
      const s = this.socks[i];
      if (s === null || s === undefined) continue;
      s.close(now);
      this.socks[i] = null;
      if ((i & 511) === 511) this.sim.settle();
    }
    this.sim.settle();
  }

  /** Advance the virtual clock by `ms` (timers fire: delayed ACKs, TIME-WAIT expiry). */
  idle(ms: number): void {
    this.sim.runFor(ms);
  }

  private readonly onListener = (l: TcpSocket): void => {
    for (let s = l.accept(); s !== null; s = l.accept()) {
      this.accepted++;
      s.onReadiness = this.onServer;
      this.onServer(s); // data may have come with the handshake's last ACK
    }
  };

  /** The server application: answer every request; close after the client's FIN. */
  private readonly onServer = (s: TcpSocket): void => {
    const now = this.sim.now();
    for (;;) {
      const n = s.recv(this.buf, 0, this.buf.length, now);
      if (n > 0) {
        // One response per request (requests are small and never split on this link).
        for (let k = Math.max(1, Math.round(n / REQUEST.length)); k > 0; k--) s.send(RESPONSE, 0, RESPONSE.length, now);
        continue;
      }
      if (n === 0 || (n < 0 && n !== -TcpErr.WouldBlock)) {
        s.onReadiness = null;
        s.close(now);
        this.serverClosed++;
      }
      return;
    }
  };

  /** The client application: count responses, time them. */
  private readonly onClient = (s: TcpSocket): void => {
    if (s.state === TcpState.Closed) return;
    const now = this.sim.now();
    for (;;) {
      const n = s.recv(this.buf, 0, this.buf.length, now);
      if (n <= 0) return;
      const id = this.idOf(s);
      const k = Math.max(1, Math.round(n / RESPONSE.length));
      this.answered[id] = (this.answered[id]! + k) & 0xff;
      this.responses += k;
      this.latency[id] = performance.now() - this.sentAt[id]!;
    }
  };
}
