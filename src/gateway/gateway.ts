// The gateway: one host of our stack that is the router of a guest network, as libslirp,
// passt and gvisor-tap-vsock are for VMs and emulators.
//
//   const gw = new Gateway({ egress: 'loopback' });
//   await gw.listenStream('unix:/tmp/guest.sock');      // QEMU -netdev stream
//   gw.attach(new DevicePort(memoryLinkEnd));            // or any link
//   ... gw.flows()  gw.counters  await gw.close();
//
// Pieces: a learning switch (switch.ts) is the host's one interface, with the guests'
// links as its ports; the host holds the gateway and DNS addresses and runs in transparent
// mode (Host.setTransparent), so datagrams to outside addresses reach the NAT halves: TCP
// through the TCP layer's SYN forwarder (nat-tcp.ts), UDP (nat-udp.ts), ICMP echo
// (nat-icmp.ts). The DHCP server and DNS forwarder run on the host as services.

import { openSync } from 'node:fs';
import type { Host as HostType } from '../iface/host.js';
import { Host } from '../iface/host.js';
import type { TransparentInput } from '../iface/protocol.js';
import type { LinkDevice } from '../link/device.js';
import { PcapTap, PcapWriter } from '../link/pcap.js';
import { openTap } from '../link/tap.js';
import { type UdpTunnel, type UdpTunnelOptions, openUdpTunnel } from '../link/udp-tunnel.js';
import { Loop } from '../runtime/loop.js';
import type { Millis } from '../time.js';
import { TcpLayer } from '../transport/tcp/layer.js';
import { WireErr } from '../wire/errors.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Ipv4Repr, ipv4ToString } from '../wire/ipv4.js';
import { type UdpRepr, UdpView, newUdpRepr, parseUdpInto } from '../wire/udp.js';
import { type EgressPolicy as EgressPolicyType, EgressPolicy, type GatewayConfig, type GatewayOptions, resolveGatewayConfig } from './config.js';
import { DhcpServer } from './dhcp.js';
import { DnsForwarder } from './dns.js';
import { type GatewayCounters, NatContext, type NatFlowInfo, newGatewayCounters } from './nat.js';
import { TcpNat } from './nat-tcp.js';
import { UdpNat } from './nat-udp.js';
import { IcmpNat } from './nat-icmp.js';
import { type GatewayForwardSpec, type InboundForward, parseGatewayForward, startInboundForward } from './nat-forward.js';
import { type StreamSpec, StreamListener, parseStreamSpec } from './stream-link.js';
import { DevicePort, type GuestPort, GuestSwitch } from './switch.js';
import { type WsSpec, WsListener, parseWsSpec } from './ws-link.js';

/** Options of `new Gateway()`: the network and policy (GatewayOptions) and how it runs. */
export interface GatewayRunOptions extends GatewayOptions {
  /** The real-time driver to run on (default: a loop of its own, started). */
  loop?: Loop;
  /** Capture every guest frame to this file (pcap). */
  pcap?: string;
}

/** A service on the gateway's host (the DHCP server, the DNS forwarder). */
export interface GatewayService {
  close(): void | Promise<void>;
}

/** The gateway of one guest network. */
export class Gateway {
  readonly config: GatewayConfig;
  readonly policy: EgressPolicyType;
  readonly host: HostType;
  readonly tcp: TcpLayer;
  readonly loop: Loop;
  /** The switch the guests' links are ports of. */
  readonly switch: GuestSwitch;
  readonly counters: GatewayCounters = newGatewayCounters();
  readonly tcpNat: TcpNat;
  readonly udpNat: UdpNat;
  readonly icmpNat: IcmpNat;
  /** Called with each warning as it is added to `warnings` (default: process.emitWarning). */
  onWarning: (message: string) => void = (m) => process.emitWarning(m, { code: 'NETCH_GATEWAY' });
  /** Services on the gateway host (DHCP, DNS), closed with it. */
  readonly services: GatewayService[] = [];
  /** The DHCP server (null with `dhcp: false`). */
  readonly dhcp: DhcpServer | null = null;
  /** The DNS forwarder (null with `dns: false`, or when no upstream could be found and none was asked for). */
  readonly dns: DnsForwarder | null = null;
  /** Resolves once every service is listening (the DNS forwarder's sockets); rejects with its error. */
  readonly ready: Promise<void>;
  /** What the gateway left out and why (a DNS forwarder without upstreams). */
  readonly warnings: string[] = [];
  /** The inbound forwards started. */
  readonly forwards: InboundForward[] = [];
  private readonly ctx: NatContext;
  private readonly listeners: { close(): Promise<void> | void }[] = [];
  private readonly ownLoop: boolean;
  private readonly writer: PcapWriter | null = null;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private closed = false;

  /** Build the gateway host and start it. Errors: NETCH_ERR_GATEWAY_CONFIG for bad options. */
  constructor(opts: GatewayRunOptions = {}) {
    const cfg = resolveGatewayConfig(opts);
    this.config = cfg;
    this.policy = new EgressPolicy(cfg.egress, cfg.deny);
    this.ownLoop = opts.loop === undefined;
    this.loop = opts.loop ?? new Loop();
    const host = new Host({ name: 'gateway' });
    this.host = host;
    this.switch = new GuestSwitch(macNumber(cfg.mac), { maxFrameLen: cfg.mtu + 14 });
    let dev: LinkDevice = this.switch;
    if (opts.pcap !== undefined) {
      this.writer = new PcapWriter(openSync(opts.pcap, 'w'), {}, true);
      dev = new PcapTap(dev, this.writer, { epochBaseMs: Date.now() - this.loop.clock.now() });
    }
    host.addInterface(dev, { mac: cfg.mac, address: [`${ipv4ToString(cfg.gateway)}/${cfg.prefixLen}`, `${ipv4ToString(cfg.dnsAddress)}/32`], name: 'eth0', mtu: cfg.mtu });
    this.tcp = new TcpLayer(host);
    const clock = this.loop.clock;
    this.ctx = new NatContext(cfg, this.policy, host, () => clock.now(), this.counters, (m) => {
      this.warnings.push(m);
      this.onWarning(m);
    });
    this.tcpNat = new TcpNat(this.ctx, this.tcp);
    this.udpNat = new UdpNat(this.ctx);
    this.icmpNat = new IcmpNat(this.ctx);
    this.tcp.forwarder = this.tcpNat;
    host.setTransparent(new GatewayInput(this, this.udpNat, this.icmpNat, this.counters));
    if (cfg.dhcp) {
      const gwText = ipv4ToString(cfg.gateway);
      this.dhcp = new DhcpServer(host, {
        serverAddress: gwText,
        subnet: `${ipv4ToString(cfg.netAddress)}/${cfg.prefixLen}`,
        router: gwText,
        dns: [ipv4ToString(cfg.dnsAddress)],
        mtu: cfg.mtu,
        rangeStart: ipv4ToString(cfg.dhcpStart),
        now: () => clock.now(),
      }).start();
      this.services.push(this.dhcp);
    }
    let ready: Promise<unknown> = Promise.resolve();
    if (cfg.dns) {
      try {
        this.dns = new DnsForwarder(host, {
          address: ipv4ToString(cfg.dnsAddress),
          ...(cfg.dnsUpstream.length > 0 && { upstreams: cfg.dnsUpstream }),
          tcp: this.tcp,
          now: () => clock.now(),
        });
        this.services.push(this.dns);
        ready = this.dns.start();
      } catch (e) {
        // No upstream on this machine: without an explicit request, run without DNS and say so.
        if (opts.dns === true || cfg.dnsUpstream.length > 0) throw e;
        this.warnings.push(`no DNS forwarder: ${(e as Error).message}`);
      }
    }
    this.ready = ready.then(() => undefined);
    this.ready.catch(() => undefined);
    this.loop.add(host);
    if (!this.loop.isRunning) this.loop.start();
    this.sweepTimer = setInterval(() => this.sweep(clock.now()), Math.min(5000, Math.max(250, cfg.udpIdleMs / 4)));
    this.sweepTimer.unref();
  }

  /** Return the time on the gateway's clock. */
  now(): Millis {
    return this.loop.clock.now();
  }

  /** Attach a guest link: a GuestPort, or any LinkDevice (TAP, UDP tunnel, memory link end). Return the port. */
  attach(link: GuestPort | LinkDevice): GuestPort {
    const port = isGuestPort(link) ? link : new DevicePort(link);
    this.switch.attach(port);
    this.host.wake();
    return port;
  }

  /** Detach and close a guest link. */
  detach(port: GuestPort): void {
    this.switch.detach(port);
  }

  /**
   * Listen for QEMU `-netdev stream` connections at `unix:PATH` or `tcp:HOST:PORT`; each
   * connection is a guest port. Errors: NETCH_ERR_GATEWAY_LINK (bad spec), the listen error.
   */
  async listenStream(spec: string | StreamSpec): Promise<StreamListener> {
    const s = typeof spec === 'string' ? parseStreamSpec(spec) : spec;
    const l = await StreamListener.listen(
      s,
      (p) => {
        this.attach(p);
        p.onClose = () => {
          l.ports.delete(p);
          this.switch.detach(p);
        };
      },
      this.config.mtu + 14,
    );
    this.listeners.push(l);
    return l;
  }

  /**
   * Listen for WebSocket guests at `[HOST:]PORT` (v86's network_relay_url: one Ethernet
   * frame per binary message). Errors: NETCH_ERR_GATEWAY_LINK (bad spec), the listen error.
   */
  async listenWs(spec: string | WsSpec): Promise<WsListener> {
    const s = typeof spec === 'string' ? parseWsSpec(spec) : spec;
    const l = await WsListener.listen(
      s,
      (p) => {
        this.attach(p);
        p.onClose = () => {
          l.ports.delete(p);
          this.switch.detach(p);
        };
      },
      this.config.mtu + 14,
    );
    this.listeners.push(l);
    return l;
  }

  /** Open a UDP tunnel (QEMU `-netdev dgram`) as a guest port. Errors: NETCH_ERR_TUNNEL_CONFIG, the bind error. */
  async openDgram(opts: UdpTunnelOptions): Promise<UdpTunnel> {
    const t = await openUdpTunnel({ maxFrameLen: this.config.mtu + 14, ...opts });
    this.attach(t);
    return t;
  }

  /** Open TAP device `name` as a guest port (root or CAP_NET_ADMIN). Errors: NETCH_ERR_TAP_UNAVAILABLE, NETCH_ERR_TAP_OPEN. */
  openTap(name: string): LinkDevice {
    const t = openTap({ name });
    this.attach(t);
    return t;
  }

  /**
   * Start an inbound forward (`tcp::8080-:80`, `udp:127.0.0.1:5353-10.0.2.15:53`; an empty
   * guest address is the first DHCP lease). Errors: NETCH_ERR_FORWARD_SPEC, the listen error.
   */
  async forward(spec: string | GatewayForwardSpec): Promise<InboundForward> {
    const s = typeof spec === 'string' ? parseGatewayForward(spec, ipv4ToString(this.config.dhcpStart)) : spec;
    const f = await startInboundForward(s, this.ctx, this.tcpNat, this.udpNat);
    this.forwards.push(f);
    this.listeners.push(f);
    return f;
  }

  /** Keep `l` to close it with the gateway. */
  own(l: { close(): Promise<void> | void }): void {
    this.listeners.push(l);
  }

  /** Return every NAT flow (TCP pending and relaying, UDP). */
  flows(): NatFlowInfo[] {
    return [...this.tcpNat.list(), ...this.udpNat.list()];
  }

  /** Close idle UDP flows; return how many (run every few seconds on its own). */
  sweep(now: Millis): number {
    this.icmpNat.sweep(now, this.config.udpIdleMs);
    return this.udpNat.sweep(now);
  }

  /** Return the counters as `netstat -s` words. */
  formatCounters(): string {
    const c = this.counters;
    return [
      'Gateway:',
      `    ${c.TcpFlows} TCP flows open, ${c.TcpOpened} opened, ${c.TcpRefused} refused (RST), ${c.TcpUnreachable} unreachable (ICMP)`,
      `    ${c.TcpDenied} TCP connections denied by the egress policy, ${c.TcpFlowLimit} over the flow limit, ${c.TcpHalfOpenDrops} SYNs dropped over the half-open limit`,
      `    ${c.TcpResets} TCP flows reset, ${c.TcpBytesOut} bytes out, ${c.TcpBytesIn} bytes in (closed flows)`,
      `    ${c.UdpFlows} UDP flows open, ${c.UdpOpened} opened, ${c.UdpIdleClosed} closed idle`,
      `    ${c.UdpOut} UDP datagrams out, ${c.UdpIn} in, ${c.UdpDenied} denied, ${c.UdpFlowLimit} over the flow limit, ${c.UdpInDrops} dropped inbound`,
      `    ${c.IcmpEchoOut} ICMP echo requests relayed, ${c.IcmpEchoIn} replies, ${c.IcmpEchoDropped} dropped`,
      `    ${c.Unhandled} datagrams not carried`,
    ].join('\n') + '\n';
  }

  /** Stop: reset every flow, close the services, listeners and links. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.tcpNat.close();
    this.udpNat.close();
    this.icmpNat.close();
    // Let the RSTs go out before the links close.
    this.host.poll(this.now());
    await Promise.all(this.services.map((s) => s.close()));
    await Promise.all(this.listeners.map((l) => l.close()));
    this.loop.remove(this.host);
    if (this.ownLoop) this.loop.stop();
    this.host.close();
    this.switch.close();
    try {
      this.writer?.close();
    } catch {
      // the capture is as complete as it got
    }
  }
}

/** The host's transparent receiver: outside-bound datagrams to the NAT halves. */
class GatewayInput implements TransparentInput {
  private readonly udpView = new UdpView();
  private readonly udp: UdpRepr = newUdpRepr();

  constructor(
    private readonly gw: Gateway,
    private readonly udpNat: UdpNat,
    private readonly icmpNat: IcmpNat,
    private readonly counters: GatewayCounters,
  ) {}

  input(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, now: Millis, csumOk: boolean): void {
    switch (ip.protocol) {
      case IPPROTO_TCP:
        this.gw.tcp.input(ip, bytes, now, csumOk);
        return;
      case IPPROTO_UDP: {
        const u = this.udp;
        if (parseUdpInto(this.udpView.wrap(bytes, ip.payloadOffset, ip.payloadLength), u, ip.srcAddr, ip.dstAddr, csumOk) !== WireErr.Ok) {
          this.counters.Unhandled++;
          return;
        }
        this.udpNat.fromGuest(ip, bytes, u, now);
        return;
      }
      case IPPROTO_ICMP:
        this.icmpNat.fromGuest(ip, bytes, now, csumOk);
        return;
      default:
        this.counters.Unhandled++;
    }
  }

  udpUnclaimed(ip: Readonly<Ipv4Repr>, bytes: Uint8Array, udp: Readonly<UdpRepr>, now: Millis): boolean {
    const cfg = this.gw.config;
    if (ip.dstAddr !== cfg.gateway) return false;
    this.udpNat.fromGuest(ip, bytes, udp, now);
    return true;
  }
}

function isGuestPort(x: GuestPort | LinkDevice): x is GuestPort {
  return typeof (x as GuestPort).send === 'function' && typeof (x as GuestPort).writable === 'function';
}

function macNumber(mac: string): number {
  return parseInt(mac.replace(/:/g, ''), 16);
}
