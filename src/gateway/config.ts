// The gateway's options, resolved and checked once: the guest network (QEMU's user-mode
// conventions by default), the egress policy, and the per-guest limits.

import { parseCidr } from '../iface/cidr.js';
import { ipv4InSubnet, ipv4IsLoopback, ipv4PrefixMask, ipv4ToString, parseIpv4 } from '../wire/ipv4.js';
import { NETCH_ERR_GATEWAY_CONFIG, gatewayError } from './errors.js';

/** Which host destinations a guest may reach: any, the host's loopback only, or none. */
export type EgressMode = 'all' | 'loopback' | 'none';

/** Options of `new Gateway()`. */
export interface GatewayOptions {
  /** The guest network (default 10.0.2.0/24, as QEMU's -netdev user). */
  net?: string;
  /** The gateway's address in it (default: the network's .2). */
  gateway?: string;
  /** The DNS forwarder's address (default: the network's .3). */
  dnsAddress?: string;
  /** The first address DHCP leases (default: the network's .15). */
  dhcpStart?: string;
  /** The gateway's MAC (default 52:55:0a:00:02:02, slirp's form: 52:55 then the gateway address). */
  mac?: string;
  /** The guest network's MTU (default 1500). */
  mtu?: number;
  /** Where guests may connect to (default 'all'). */
  egress?: EgressMode;
  /** Host destinations refused whatever `egress` says (CIDRs). */
  deny?: readonly string[];
  /** Connections to the gateway's address go to the host's 127.0.0.1 (slirp's 10.0.2.2; default true). */
  hostLoopback?: boolean;
  /** NAT flows (TCP and UDP) a guest address may hold (default 4096). */
  maxFlows?: number;
  /** TCP connections a guest address may have waiting for the host's connect (default 256). */
  maxHalfOpen?: number;
  /** A UDP flow with no datagram either way for this long is closed (default 60 s). */
  udpIdleMs?: number;
  /** A host connect that has not completed in this long answers the guest with ICMP host unreachable (default 20 s). */
  connectTimeoutMs?: number;
  /** Run a DHCP server on the network (default true, when the module is present). */
  dhcp?: boolean;
  /** Run a DNS forwarder on `dnsAddress` (default true, when the module is present). */
  dns?: boolean;
  /** DNS upstreams `IP[:PORT]` (default: the host's /etc/resolv.conf). */
  dnsUpstream?: readonly string[];
}

/** The resolved configuration. */
export interface GatewayConfig {
  netAddress: number;
  prefixLen: number;
  gateway: number;
  dnsAddress: number;
  dhcpStart: number;
  mac: string;
  mtu: number;
  egress: EgressMode;
  deny: { address: number; prefixLen: number }[];
  hostLoopback: boolean;
  maxFlows: number;
  maxHalfOpen: number;
  udpIdleMs: number;
  connectTimeoutMs: number;
  dhcp: boolean;
  dns: boolean;
  dnsUpstream: string[];
}

function fail(msg: string): never {
  throw gatewayError(NETCH_ERR_GATEWAY_CONFIG, msg);
}

function addr(text: string, what: string): number {
  const a = parseIpv4(text);
  return a >= 0 ? a : fail(`${what} ${JSON.stringify(text)} is not an IPv4 address`);
}

function cidr(text: string, what: string): { address: number; prefixLen: number } {
  try {
    const c = parseCidr(text.includes('/') ? text : `${text}/32`, 'gateway');
    return { address: (c.address & ipv4PrefixMask(c.prefixLen)) >>> 0, prefixLen: c.prefixLen };
  } catch {
    return fail(`${what} ${JSON.stringify(text)} is not an IPv4 CIDR (10.0.2.0/24)`);
  }
}

function count(v: number | undefined, dflt: number, what: string, min = 1): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < min) fail(`${what} ${n} must be an integer >= ${min}`);
  return n;
}

/** Resolve and check `opts`. Errors: NETCH_ERR_GATEWAY_CONFIG naming the bad option. */
export function resolveGatewayConfig(opts: GatewayOptions = {}): GatewayConfig {
  const net = cidr(opts.net ?? '10.0.2.0/24', '--net');
  if (net.prefixLen > 29) fail(`--net ${opts.net}: a /${net.prefixLen} has no room for guests (at most /29)`);
  const inNet = (a: number, what: string): number => {
    if (!ipv4InSubnet(a, net.address, net.prefixLen) || a === net.address || ((a | ~ipv4PrefixMask(net.prefixLen)) >>> 0) === a) {
      fail(`${what} ${ipv4ToString(a)} is not a host address of ${ipv4ToString(net.address)}/${net.prefixLen}`);
    }
    return a;
  };
  const gateway = inNet(opts.gateway !== undefined ? addr(opts.gateway, '--gateway') : (net.address + 2) >>> 0, '--gateway');
  const dnsAddress = inNet(opts.dnsAddress !== undefined ? addr(opts.dnsAddress, '--dns-address') : (net.address + 3) >>> 0, '--dns-address');
  const dhcpStart = inNet(opts.dhcpStart !== undefined ? addr(opts.dhcpStart, '--dhcp-start') : (net.address + 15) >>> 0, '--dhcp-start');
  if (dnsAddress === gateway) fail('--dns-address must differ from --gateway');
  if (dhcpStart === gateway || dhcpStart === dnsAddress) fail('--dhcp-start must differ from the gateway and DNS addresses');
  const egress = opts.egress ?? 'all';
  if (egress !== 'all' && egress !== 'loopback' && egress !== 'none') fail(`--egress ${String(egress)}: expected all, loopback or none`);
  const mtu = count(opts.mtu, 1500, '--mtu', 576);
  if (mtu > 65521) fail(`--mtu ${mtu} is above 65521`);
  const mac = opts.mac ?? `52:55:${[24, 16, 8, 0].map((s) => ((gateway >>> s) & 255).toString(16).padStart(2, '0')).join(':')}`;
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) fail(`--mac ${mac} is not a MAC address`);
  return {
    netAddress: net.address,
    prefixLen: net.prefixLen,
    gateway,
    dnsAddress,
    dhcpStart,
    mac,
    mtu,
    egress,
    deny: (opts.deny ?? []).map((d) => cidr(d, '--deny')),
    hostLoopback: opts.hostLoopback ?? true,
    maxFlows: count(opts.maxFlows, 4096, 'maxFlows'),
    maxHalfOpen: count(opts.maxHalfOpen, 256, 'maxHalfOpen'),
    udpIdleMs: count(opts.udpIdleMs, 60_000, 'udpIdleMs'),
    connectTimeoutMs: count(opts.connectTimeoutMs, 20_000, 'connectTimeoutMs'),
    dhcp: opts.dhcp ?? true,
    dns: opts.dns ?? true,
    dnsUpstream: [...(opts.dnsUpstream ?? [])],
  };
}

/** The egress policy: checked before any host socket is opened for a guest. */
export class EgressPolicy {
  constructor(
    readonly mode: EgressMode,
    private readonly deny: readonly { address: number; prefixLen: number }[],
  ) {}

  /** Return true when a guest may reach host address `a` (after the gateway's loopback mapping). */
  allows(a: number): boolean {
    if (this.mode === 'none') return false;
    if (this.mode === 'loopback' && !ipv4IsLoopback(a)) return false;
    const d = this.deny;
    for (let i = 0; i < d.length; i++) if (ipv4InSubnet(a, d[i]!.address, d[i]!.prefixLen)) return false;
    return true;
  }
}
