// Inbound forwards (QEMU's hostfwd): a host socket whose clients reach a guest's port.
//
//   tcp:127.0.0.1:8080-10.0.2.15:80     a host `net` server; each connection is relayed to
//                                       the guest as a TCP connection of the gateway's stack
//   udp::5353-:53                       a host `dgram` socket; each client's datagrams go to
//                                       the guest, the guest's answers back to that client
//
// The guest sees the real client's address and port (the stack socket is bound to them, in
// transparent mode), except that loopback clients appear as the gateway's address, as
// slirp shows them. TCP relays are TcpFlows of the NAT (nat-tcp.ts): the same
// backpressure, half-close and reset rules, listed by `netch ss` as inbound.

import { type Server, type Socket, createServer, isIP } from 'node:net';
import { type Socket as UdpSocketHost, createSocket } from 'node:dgram';
import { TcpErr } from '../transport/tcp/errors.js';
import { TcpEvent } from '../transport/tcp/socket.js';
import { ipv4IsLoopback, parseIpv4 } from '../wire/ipv4.js';
import { gatewayError } from './errors.js';
import type { NatContext } from './nat.js';
import type { TcpNat } from './nat-tcp.js';
import type { UdpNat, UdpReplyRoute } from './nat-udp.js';

/** A property set (true) on kernel servers the preload must leave on the kernel (cli/forward.ts has the same symbol). */
const KERNEL_SOCKET: unique symbol = Symbol.for('netchannels.kernel-socket') as never;

/** One inbound forward. */
export interface GatewayForwardSpec {
  proto: 'tcp' | 'udp';
  hostAddress: string;
  hostPort: number;
  guestAddress: string;
  guestPort: number;
}

/**
 * Parse `[tcp:|udp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT` (QEMU's hostfwd): an empty
 * HOSTADDR is 127.0.0.1, an empty GUESTADDR `defaultGuest` (the first DHCP lease).
 * Errors: NETCH_ERR_FORWARD_SPEC.
 */
export function parseGatewayForward(spec: string, defaultGuest: string): GatewayForwardSpec {
  const bad = (why: string): never => {
    throw gatewayError('NETCH_ERR_FORWARD_SPEC', `forward ${JSON.stringify(spec)}: ${why}; expected [tcp:|udp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (tcp::8080-:80)`);
  };
  let rest = spec.trim();
  let proto: 'tcp' | 'udp' = 'tcp';
  const m = /^(tcp|udp):(?=.*-)/i.exec(rest);
  if (m !== null) {
    proto = m[1]!.toLowerCase() as 'tcp' | 'udp';
    rest = rest.slice(4);
  }
  const dash = rest.indexOf('-');
  if (dash < 0 || rest.indexOf('-', dash + 1) >= 0) bad("one '-' separates the host side from the guest side");
  const side = (text: string, what: string, dflt: string, zeroOk: boolean): [string, number] => {
    const colon = text.lastIndexOf(':');
    const a = (colon < 0 ? '' : text.slice(0, colon)) || dflt;
    const pt = colon < 0 ? text : text.slice(colon + 1);
    if (isIP(a) !== 4) bad(`${what} address ${JSON.stringify(a)} is not an IPv4 address`);
    const p = /^\d{1,5}$/.test(pt) ? Number(pt) : -1;
    if (p < (zeroOk ? 0 : 1) || p > 65535) bad(`${what} port ${JSON.stringify(pt)} is not in ${zeroOk ? 0 : 1}..65535`);
    return [a, p];
  };
  const [hostAddress, hostPort] = side(rest.slice(0, dash), 'host', '127.0.0.1', true);
  const [guestAddress, guestPort] = side(rest.slice(dash + 1), 'guest', defaultGuest, false);
  return { proto, hostAddress, hostPort, guestAddress, guestPort };
}

/** A running inbound forward. */
export interface InboundForward {
  readonly spec: GatewayForwardSpec;
  /** Connections (TCP) or clients (UDP) seen. */
  readonly counters: { accepted: number; failed: number };
  /** Return the host address and port listened on. */
  address(): { address: string; port: number };
  close(): Promise<void>;
  toString(): string;
}

/** Start a forward; resolve once its host socket listens. Errors: the listen or bind error (EADDRINUSE, EACCES). */
export async function startInboundForward(spec: GatewayForwardSpec, ctx: NatContext, tcpNat: TcpNat, udpNat: UdpNat): Promise<InboundForward> {
  const f = spec.proto === 'tcp' ? new TcpForward(spec, ctx, tcpNat) : new UdpForward(spec, ctx, udpNat);
  await f.listen();
  return f;
}

/** Return the address the guest sees for a host client at `address` (loopback: the gateway's). */
function shownClient(ctx: NatContext, address: string | undefined): number {
  const a = parseIpv4((address ?? '').replace(/^::ffff:/, ''));
  if (a < 0 || ipv4IsLoopback(a)) return ctx.cfg.gateway;
  return a;
}

function label(spec: GatewayForwardSpec, port: number): string {
  return `${spec.proto}:${spec.hostAddress}:${port}-${spec.guestAddress}:${spec.guestPort}`;
}

class TcpForward implements InboundForward {
  readonly counters = { accepted: 0, failed: 0 };
  private readonly server: Server;
  private readonly guest: number;

  constructor(
    readonly spec: GatewayForwardSpec,
    private readonly ctx: NatContext,
    private readonly nat: TcpNat,
  ) {
    this.guest = parseIpv4(spec.guestAddress);
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (k) => this.accept(k));
    (this.server as unknown as Record<symbol, boolean>)[KERNEL_SOCKET] = true;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.spec.hostPort, this.spec.hostAddress, () => {
        this.server.off('error', reject);
        this.server.on('error', () => undefined);
        resolve();
      });
    });
  }

  address(): { address: string; port: number } {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address: this.spec.hostAddress, port: this.spec.hostPort };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  toString(): string {
    return label(this.spec, this.address().port);
  }

  /** A host client: open a connection to the guest from the client's address and port, relay once it is up. */
  private accept(k: Socket): void {
    this.counters.accepted++;
    k.on('error', () => undefined);
    const ctx = this.ctx;
    if (ctx.flowsOf(this.guest) >= ctx.cfg.maxFlows) {
      ctx.counters.TcpFlowLimit++;
      this.counters.failed++;
      k.resetAndDestroy();
      return;
    }
    const tcp = this.nat.tcp;
    const ts = tcp.socket();
    ts.noDelay = true;
    ts.localAddr = shownClient(ctx, k.remoteAddress);
    // The client's own port when free on the gateway's stack, else an ephemeral one.
    if (tcp.bindPort(ts, k.remotePort ?? 0) < 0 && tcp.bindPort(ts, 0) < 0) {
      this.counters.failed++;
      k.resetAndDestroy();
      return;
    }
    ctx.addFlow(this.guest, 1);
    const r = ts.connect(this.guest, this.spec.guestPort, ctx.now());
    if (r !== -TcpErr.InProgress) {
      ctx.addFlow(this.guest, -1);
      this.counters.failed++;
      ts.close(ctx.now());
      k.resetAndDestroy();
      return;
    }
    const onKClose = (): void => {
      // The client left before the guest answered.
      ts.onReadiness = null;
      ts.abort(ctx.now());
      ctx.addFlow(this.guest, -1);
    };
    k.once('close', onKClose);
    ts.onReadiness = () => {
      const ev = ts.readiness();
      if ((ev & TcpEvent.Error) !== 0) {
        k.off('close', onKClose);
        ts.onReadiness = null;
        ts.close(ctx.now());
        ctx.addFlow(this.guest, -1);
        this.counters.failed++;
        k.resetAndDestroy();
        return;
      }
      if ((ev & TcpEvent.Writable) === 0) return;
      k.off('close', onKClose);
      ts.onReadiness = null;
      // The count taken above is the flow's now; it is given back when the flow ends.
      this.nat.relay(ts, k, this.guest, true);
      k.resume();
    };
  }
}

class UdpForward implements InboundForward, UdpReplyRoute {
  readonly counters = { accepted: 0, failed: 0 };
  private readonly sock: UdpSocketHost;
  private readonly guest: number;
  /** Clients by the address:port the guest sees, with their real address. */
  private readonly clients = new Map<string, { address: string; port: number }>();

  constructor(
    readonly spec: GatewayForwardSpec,
    private readonly ctx: NatContext,
    private readonly nat: UdpNat,
  ) {
    this.guest = parseIpv4(spec.guestAddress);
    this.sock = createSocket('udp4');
    this.sock.on('message', (msg, r) => this.fromClient(msg, r.address, r.port));
    this.sock.on('error', () => undefined);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.bind(this.spec.hostPort, this.spec.hostAddress, () => {
        this.sock.off('error', reject);
        this.nat.replyRoutes.push(this);
        resolve();
      });
    });
  }

  address(): { address: string; port: number } {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  close(): Promise<void> {
    const i = this.nat.replyRoutes.indexOf(this);
    if (i >= 0) this.nat.replyRoutes.splice(i, 1);
    return new Promise((resolve) => {
      try {
        this.sock.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  toString(): string {
    return label(this.spec, this.address().port);
  }

  reply(guestAddr: number, guestPort: number, addr: number, port: number, payload: Uint8Array): boolean {
    if (guestAddr !== this.guest || guestPort !== this.spec.guestPort) return false;
    const c = this.clients.get(`${addr}:${port}`);
    if (c === undefined) return false;
    this.ctx.counters.UdpOut++;
    this.sock.send(payload, c.port, c.address);
    return true;
  }

  private fromClient(msg: Buffer, address: string, port: number): void {
    const shown = shownClient(this.ctx, address);
    const key = `${shown}:${port}`;
    if (!this.clients.has(key)) {
      this.counters.accepted++;
      // Bounded: the oldest client is forgotten first.
      if (this.clients.size >= 1024) this.clients.delete(this.clients.keys().next().value!);
      this.clients.set(key, { address, port });
    }
    if (!this.nat.toGuest(this.guest, this.spec.guestPort, shown, port, msg)) this.counters.failed++;
  }
}
