// A host: one network node with interfaces, addresses, routes, a neighbour cache, IPv4
// with reassembly, ICMP, UDP sockets, ping sockets, and a hook for transports (TCP). It
// does nothing by itself: a driver calls `poll(now)` to drain the devices and run due
// timers, and asks `pollAt()` when to call next (src/runtime has a simulated and a
// real-time driver).

import type { LinkDevice } from '../link/device.js';
import type { Millis } from '../time.js';
import { parseMac } from '../wire/ethernet.js';
import { ipv4ToString } from '../wire/ipv4.js';
import { ArpLayer } from './arp.js';
import { NeighState, type NeighInfo, neighStateName } from './arp-cache.js';
import { formatCidr, parseCidr, toIpv4 } from './cidr.js';
import { type HostConfig, type HostOptions, resolveHostConfig } from './config.js';
import { HostContext } from './context.js';
import { type SnmpCounters, formatNetstat, formatSnmp, newSnmpCounters } from './counters.js';
import { netchError } from './errors.js';
import { FilterTable } from './filter.js';
import { IcmpLayer } from './icmp.js';
import { Interface } from './interface.js';
import { Ipv4Input } from './ipv4-input.js';
import { Ipv4Output } from './ipv4-output.js';
import { type LoopbackSink, LoopbackQueue } from './loopback.js';
import { PingSocket, type PingSocketOptions } from './ping.js';
import type { ProtocolHandler, TransparentInput } from './protocol.js';
import { Reassembler } from './reassembly.js';
import { RouteKind, type Route, RouteTable } from './route.js';
import { UdpLayer } from './udp.js';
import { UdpSocket, type UdpSocketOptions } from './udp-socket.js';

/** Options of `host.addInterface()`. */
export interface InterfaceOptions {
  /** The interface's MAC: a 48-bit integer or `02:00:00:00:00:01`. */
  mac: number | string;
  /** Address(es) with prefix, `192.0.2.1/24`; each adds its connected route. */
  address?: string | string[];
  /** Name (default `eth0`, `eth1`, ...). */
  name?: string;
  /** MTU, at most the device's frame size less the Ethernet header. */
  mtu?: number;
}

/** Options of `host.addRoute()`. */
export interface RouteOptions {
  /** Next hop; omit for an on-link route. */
  via?: string | number;
  /** Interface (object or name); default: the one whose subnet holds `via`. */
  dev?: Interface | string;
  /** Preferred source address. */
  src?: string | number;
  metric?: number;
}

/** What the host knows about a neighbour. */
export interface NeighbourState {
  mac: number;
  state: string;
}

/** One network node. */
export class Host {
  readonly name: string;
  readonly config: HostConfig;
  /** The /proc/net/snmp-style counters, updated in place. */
  readonly counters: SnmpCounters;
  /** The IPv4 sender, for transport protocols (begin/commit, sendDatagram). */
  readonly ip: Ipv4Output;
  /** The filter hooks: PREROUTING, INPUT, OUTPUT, POSTROUTING (docs/filter.md). */
  readonly filter: FilterTable;
  private readonly ctx: HostContext;
  private readonly ifaces: Interface[] = [];
  private readonly routeTable = new RouteTable();
  private readonly pollers: ProtocolHandler[] = [];
  private readonly rxNotify = (): void => this.ctx.wake();
  /** Where looped-back datagrams go: the host's own input, unless diverted. */
  private loSink: LoopbackSink;
  private closed = false;

  /** Create a host. Errors: throws EINVAL for an out-of-range option. */
  constructor(opts: HostOptions = {}) {
    this.name = opts.name ?? 'host';
    this.config = resolveHostConfig(opts);
    this.counters = newSnmpCounters(this.config.defaultTtl);
    const ctx = new HostContext(this.name, this.config, this.counters, this.ifaces, this.routeTable);
    this.ctx = ctx;
    ctx.lo = new LoopbackQueue(this.config.loopbackQueueLen, this.config.loopbackMtu);
    ctx.arp = new ArpLayer(ctx);
    ctx.out = new Ipv4Output(ctx);
    ctx.icmp = new IcmpLayer(ctx);
    ctx.udp = new UdpLayer(ctx);
    ctx.reasm = new Reassembler(this.config.reasmMaxDatagrams, this.config.reasmTimeoutMs, this.counters.Ip, ctx.icmp);
    ctx.input = new Ipv4Input(ctx);
    this.filter = new FilterTable(ctx);
    ctx.input.filter = this.filter;
    ctx.out.filter = this.filter;
    this.ip = ctx.out;
    this.loSink = ctx.input;
  }

  /**
   * Send the datagrams this host addresses to itself to `sink` instead of its own input
   * (null: back to its input); return its input, for what `sink` passes on. A channel-mode
   * driver uses it: a datagram its host sends to the shared address (a REJECT's RST or ICMP
   * error about a process's segment) belongs to the process that owns the flow.
   */
  divertLoopback(sink: LoopbackSink | null): LoopbackSink {
    this.loSink = sink ?? this.ctx.input;
    return this.ctx.input;
  }

  /**
   * Attach `dev` with a MAC and optional addresses; return the interface.
   * Errors: EINVAL (bad MAC, address or MTU), EEXIST (device or name already attached).
   */
  addInterface(dev: LinkDevice, opts: InterfaceOptions): Interface {
    this.checkOpen();
    const mac = typeof opts.mac === 'string' ? parseMac(opts.mac) : opts.mac;
    if (!Number.isInteger(mac) || mac < 0 || mac > 0xffff_ffff_ffff) throw netchError('EINVAL', `bad MAC ${String(opts.mac)}`, { syscall: 'addInterface' });
    if (this.ifaces.some((i) => i.dev === dev)) throw netchError('EEXIST', `device ${dev.name} is already attached to ${this.name}`, { syscall: 'addInterface' });
    const name = opts.name ?? `eth${this.ifaces.length}`;
    if (this.ifaces.some((i) => i.name === name)) throw netchError('EEXIST', `interface ${name} exists on ${this.name}`, { syscall: 'addInterface' });
    if (opts.mtu !== undefined && (!Number.isInteger(opts.mtu) || opts.mtu < 68)) throw netchError('EINVAL', `MTU ${opts.mtu} is below 68 (RFC 791)`, { syscall: 'addInterface' });
    if (dev.maxFrameLen < 14 + 68) throw netchError('EINVAL', `device ${dev.name} frames (${dev.maxFrameLen}) are too small for IPv4`, { syscall: 'addInterface' });
    // Validate addresses before changing anything.
    const addrs = opts.address === undefined ? [] : Array.isArray(opts.address) ? opts.address : [opts.address];
    const parsed = addrs.map((a) => parseCidr(a, 'addInterface'));
    const iface = new Interface(this.ifaces.length + 1, name, dev, mac, this.ctx.input, opts.mtu);
    this.ifaces.push(iface);
    for (const p of parsed) this.addParsedAddress(iface, p.address, p.prefixLen);
    dev.setRxNotify(this.rxNotify);
    return iface;
  }

  /** Return the interfaces. */
  interfaces(): readonly Interface[] {
    return this.ifaces;
  }

  /** Return the interface named `name`. Errors: ENODEV when there is none. */
  interface(name: string): Interface {
    const i = this.ifaces.find((x) => x.name === name);
    if (i === undefined) throw netchError('ENODEV', `no interface ${name} on ${this.name}`, { syscall: 'interface' });
    return i;
  }

  /** Add `192.0.2.5/24` to an interface, with its connected route. Errors: EINVAL, ENODEV, EEXIST. */
  addAddress(iface: Interface | string, cidr: string): void {
    this.checkOpen();
    const i = this.resolveIface(iface, 'addAddress');
    const p = parseCidr(cidr, 'addAddress');
    this.addParsedAddress(i, p.address, p.prefixLen);
  }

  /**
   * Add a route to `cidr` (`default` means 0.0.0.0/0).
   * Errors: EINVAL (bad text), ENODEV (unknown interface), ENETUNREACH (gateway not on a
   * connected subnet and no `dev` given), EEXIST (same route exists).
   */
  addRoute(cidr: string, opts: RouteOptions = {}): void {
    this.checkOpen();
    const p = cidr === 'default' ? { address: 0, prefixLen: 0 } : parseCidr(cidr, 'addRoute');
    const gw = opts.via === undefined ? 0 : toIpv4(opts.via, 'addRoute');
    let iface: Interface | null = opts.dev === undefined ? null : this.resolveIface(opts.dev, 'addRoute');
    if (iface === null) {
      const onLink = gw !== 0 ? this.routeTable.entries().find((r) => r.kind === RouteKind.Connected && ((gw ^ r.dst) & r.mask) === 0) : undefined;
      if (onLink === undefined) {
        if (gw !== 0 || this.ifaces.length === 0) throw netchError('ENETUNREACH', `gateway ${ipv4ToString(gw)} is not on a connected subnet`, { syscall: 'addRoute', address: ipv4ToString(gw) });
        iface = this.ifaces[0]!;
      } else {
        iface = onLink.iface;
      }
    }
    const src = opts.src === undefined ? 0 : toIpv4(opts.src, 'addRoute');
    const metric = opts.metric ?? 0;
    if (!Number.isInteger(metric) || metric < 0) throw netchError('EINVAL', `metric ${metric} is not a non-negative integer`, { syscall: 'addRoute' });
    if (!this.routeTable.add(p.address, p.prefixLen, gw, iface, src, metric, RouteKind.Static)) {
      throw netchError('EEXIST', `route ${formatCidr(p.address, p.prefixLen)} exists`, { syscall: 'addRoute' });
    }
  }

  /** Route everything without a more specific route through `via`. Errors: as addRoute. */
  setDefaultGateway(via: string | number, dev?: Interface | string): void {
    this.routeTable.remove(0, 0);
    this.addRoute('default', dev === undefined ? { via } : { via, dev });
  }

  /** Remove the routes to `cidr`; return how many were removed. */
  removeRoute(cidr: string): number {
    const p = cidr === 'default' ? { address: 0, prefixLen: 0 } : parseCidr(cidr, 'removeRoute');
    return this.routeTable.remove(p.address, p.prefixLen);
  }

  /** Return the routing table (most specific first). */
  routes(): readonly Route[] {
    return this.routeTable.entries();
  }

  /** Return the routing table as `ip route` prints it. */
  formatRoutes(): string {
    return this.routeTable.format();
  }

  /** Return the interfaces as `ip -brief addr` prints them. */
  formatInterfaces(): string {
    return this.ifaces.map((i) => i.format()).join('\n') + (this.ifaces.length > 0 ? '\n' : '');
  }

  /** Return a snapshot of the neighbour cache. */
  neighbours(): NeighInfo[] {
    return this.ctx.arp.cache.snapshot();
  }

  /** Return the neighbour cache as `ip neigh` prints it. */
  formatNeighbours(): string {
    return this.ctx.arp.cache.format();
  }

  /** Return the MAC and state cached for `addr` on any interface, or null (also while INCOMPLETE). */
  lookupNeighbour(addr: string | number): NeighbourState | null {
    const a = toIpv4(addr, 'lookupNeighbour');
    for (const i of this.ifaces) {
      const e = this.ctx.arp.cache.lookup(i, a);
      if (e !== null && e.state !== NeighState.Incomplete) return { mac: e.mac, state: neighStateName(e.state) };
    }
    return null;
  }

  /**
   * Record that `addr` is at `mac` on the interface whose connected subnet holds it, as
   * `ip neigh replace ADDR lladdr MAC nud reachable` (a REACHABLE entry; frames held for it
   * go out). A DHCP server uses it to unicast to a client that has no address yet and so
   * cannot answer ARP (RFC 2131 §4.1), as dnsmasq does with SIOCSARP.
   * Errors: EINVAL (bad address or MAC), ENETUNREACH (no connected subnet holds `addr`).
   */
  setNeighbour(addr: string | number, mac: number | string, now: Millis): void {
    const a = toIpv4(addr, 'setNeighbour');
    const m = typeof mac === 'string' ? parseMac(mac) : mac;
    if (!Number.isInteger(m) || m < 0 || m > 0xffff_ffff_ffff) throw netchError('EINVAL', `bad MAC ${String(mac)}`, { syscall: 'setNeighbour' });
    const r = this.routeTable.lookup(a);
    if (r === null || r.gateway !== 0) throw netchError('ENETUNREACH', `${ipv4ToString(a)} is not on a connected subnet of ${this.name}`, { syscall: 'setNeighbour' });
    this.ctx.arp.cache.update(r.iface, a, m, true, true, now);
  }

  /** Return the `now` of the latest `poll` (or datagram sent): the host's idea of the time, for services driven by its callbacks. */
  get lastPollTime(): Millis {
    return this.ctx.lastNow;
  }

  /** Return true when `addr` is one of the host's addresses (or loopback). */
  isLocalAddress(addr: string | number): boolean {
    return this.ctx.isLocal(toIpv4(addr, 'isLocalAddress'));
  }

  /** Return the source address used toward `dst`, or 0 when there is no route. */
  sourceAddressFor(dst: string | number): number {
    return this.ctx.out.sourceFor(toIpv4(dst, 'sourceAddressFor'));
  }

  /** Return the MTU toward `dst`, or 0 when there is no route. */
  mtuFor(dst: string | number): number {
    return this.ctx.out.mtuFor(toIpv4(dst, 'mtuFor'));
  }

  /** Return the largest TCP super-segment datagram toward `dst` the path's device segments (TSO), or 0 without TSO. */
  tsoMaxFor(dst: string | number): number {
    return this.ctx.out.tsoMaxFor(toIpv4(dst, 'tsoMaxFor'));
  }

  /** Open an unbound UDP socket. Errors: EINVAL for bad options. */
  udpSocket(opts: UdpSocketOptions = {}): UdpSocket {
    this.checkOpen();
    return new UdpSocket(this.ctx, opts);
  }

  /** Open a ping (ICMP echo) socket. Errors: EINVAL, EADDRINUSE (identifier taken). */
  pingSocket(opts: PingSocketOptions = {}): PingSocket {
    this.checkOpen();
    return new PingSocket(this.ctx, opts);
  }

  /**
   * Register the handler of IP protocol `proto` (IPPROTO_TCP...), or remove it with null.
   * Without a handler, TCP segments are counted (InUnknownProtos) and dropped.
   * Errors: EINVAL (ICMP and UDP are built in, or a bad number), EEXIST (one is registered).
   */
  setProtocolHandler(proto: number, handler: ProtocolHandler | null): void {
    if (!Number.isInteger(proto) || proto < 0 || proto > 255 || proto === 1 || proto === 17) {
      throw netchError('EINVAL', `protocol ${proto} cannot take a handler`, { syscall: 'setProtocolHandler' });
    }
    const old = this.ctx.handlers[proto];
    if (handler !== null && old !== null) throw netchError('EEXIST', `protocol ${proto} has a handler`, { syscall: 'setProtocolHandler' });
    if (old !== null && old !== undefined) {
      const k = this.pollers.indexOf(old);
      if (k >= 0) this.pollers.splice(k, 1);
    }
    this.ctx.handlers[proto] = handler;
    if (handler !== null && (handler.poll !== undefined || handler.pollAt !== undefined)) this.pollers.push(handler);
    this.ctx.wake();
  }

  /**
   * Turn transparent mode on (a receiver) or off (null): unicast datagrams arriving on an
   * interface for addresses not the host's go to `t.input` instead of being dropped, and
   * UDP datagrams to the host's addresses with no socket are offered to `t.udpUnclaimed`.
   * For a NAT gateway host only (src/gateway); a plain host never forwards.
   */
  setTransparent(t: TransparentInput | null): void {
    this.ctx.input.transparent = t;
  }

  /**
   * Receive from every device (up to `rxBudget` frames each), deliver looped-back datagrams,
   * and run due timers (ARP, reassembly, protocol handlers); return how much work was done
   * (0: nothing happened, the host is idle until `pollAt()`).
   * Bounded work: a budget per device and per queue; call again while it returns > 0.
   */
  poll(now: Millis): number {
    if (this.closed) return 0;
    const ctx = this.ctx;
    ctx.lastNow = now;
    const budget = this.config.rxBudget;
    let work = 0;
    const ifaces = this.ifaces;
    for (let i = 0; i < ifaces.length; i++) {
      const iface = ifaces[i]!;
      work += iface.dev.receive(iface, budget, now);
    }
    work += ctx.lo.drain(this.loSink, budget, now);
    work += ctx.arp.cache.poll(now);
    work += ctx.reasm.poll(now);
    const pollers = this.pollers;
    for (let i = 0; i < pollers.length; i++) {
      const p = pollers[i]!;
      if (p.poll !== undefined) work += p.poll(now);
    }
    return work;
  }

  /** Return when the host next needs a poll: a timer, a device's delayed frame; -Infinity when now; Infinity when never. */
  pollAt(): Millis {
    if (this.closed) return Infinity;
    const ctx = this.ctx;
    if (ctx.lo.length > 0) return -Infinity;
    let t = Math.min(ctx.arp.cache.nextDeadline(), ctx.reasm.nextDeadline());
    const ifaces = this.ifaces;
    for (let i = 0; i < ifaces.length; i++) {
      const d = ifaces[i]!.dev.pollAt();
      if (d < t) t = d;
    }
    const pollers = this.pollers;
    for (let i = 0; i < pollers.length; i++) {
      const p = pollers[i]!;
      if (p.pollAt !== undefined) {
        const d = p.pollAt();
        if (d < t) t = d;
      }
    }
    return t;
  }

  /**
   * Ask to be called when the host has new work before `pollAt()` would say (a device
   * received frames, a send started a timer, a datagram was looped back). The callback
   * must only schedule a poll. `null` cancels.
   */
  setWakeup(cb: (() => void) | null): void {
    this.ctx.wakeup = cb;
  }

  /** Tell the driver the host has work (for protocol handlers whose timers changed). */
  wake(): void {
    this.ctx.wake();
  }

  /** Return the counters as /proc/net/snmp prints them. */
  formatSnmp(): string {
    return formatSnmp(this.counters);
  }

  /** Return the counters in `netstat -s` words. */
  formatNetstat(): string {
    return formatNetstat(this.counters);
  }

  /** Detach from the devices (they stay open) and stop; later polls do nothing. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const i of this.ifaces) i.dev.setRxNotify(null);
    this.ctx.wakeup = null;
  }

  private addParsedAddress(iface: Interface, address: number, prefixLen: number): void {
    if (!iface.addAddress(address, prefixLen)) throw netchError('EEXIST', `${ipv4ToString(address)} is already on ${iface.name}`, { syscall: 'addAddress' });
    if (prefixLen < 32) this.routeTable.add(address, prefixLen, 0, iface, address, 0, RouteKind.Connected);
  }

  private resolveIface(iface: Interface | string, syscall: string): Interface {
    if (typeof iface === 'string') {
      const i = this.ifaces.find((x) => x.name === iface);
      if (i === undefined) throw netchError('ENODEV', `no interface ${iface} on ${this.name}`, { syscall });
      return i;
    }
    if (!this.ifaces.includes(iface)) throw netchError('ENODEV', `interface ${iface.name} is not on ${this.name}`, { syscall });
    return iface;
  }

  private checkOpen(): void {
    if (this.closed) throw netchError('EBADF', `host ${this.name} is closed`);
  }
}
