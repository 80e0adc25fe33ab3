// The gateway's DHCP server (RFC 2131, options of RFC 2132) on a Host of our stack: one
// subnet, one pool, leases bound to the client identifier (option 61) or, without one, to
// the hardware address, with expiry. It is authoritative for its network: a client that
// asks for an address it cannot have hears DHCPNAK at once, and one that comes back with an
// address the server has no record of (after a gateway restart) keeps it when it is free.
//
// Receiving: a socket on 0.0.0.0:67 takes the broadcasts of clients without an address
// (0.0.0.0:68 -> 255.255.255.255:67, which the host's input accepts for the limited
// broadcast); a second on serverAddress:67 takes unicast (renewals) and sends every reply,
// so replies come from the server identifier.
//
// Sending (RFC 2131 §4.1): to giaddr:67 when a relay forwarded the request; else a DHCPNAK
// to broadcast; else to ciaddr when the client has an address; else to broadcast when the
// client set the BROADCAST bit; else unicast to yiaddr at chaddr, without ARP (the client
// cannot answer for an address it has not taken): the server first records yiaddr at chaddr
// in the host's neighbour table (Host.setNeighbour), as dnsmasq does with SIOCSARP.
//
// Time: the host's `lastPollTime` (or a clock the caller gives); nothing here reads the
// wall clock. Bad input is counted (`counters`) and dropped; nothing throws from receive.

import type { Host } from '../iface/host.js';
import type { UdpSocket } from '../iface/udp-socket.js';
import { newUdpPeerInfo } from '../iface/datagram-queue.js';
import { parseCidr } from '../iface/cidr.js';
import type { Millis } from '../time.js';
import {
  BOOTREPLY,
  BOOTREQUEST,
  DHCP_CLIENT_PORT,
  DHCP_FLAG_BROADCAST,
  DHCP_SERVER_PORT,
  type DhcpRepr,
  DhcpMessageType,
  DhcpView,
  clearDhcpRepr,
  dhcpBufferLen,
  emitDhcp,
  newDhcpRepr,
  parseDhcpInto,
} from '../wire/dhcp.js';
import { macToString } from '../wire/ethernet.js';
import { WireErr } from '../wire/errors.js';
import { IPV4_BROADCAST, ipv4InSubnet, ipv4PrefixMask, ipv4ToString, parseIpv4 } from '../wire/ipv4.js';
import { gatewayError } from './errors.js';

/** Bad DHCP server options (addresses outside the subnet, an empty range, a bad lease time). */
export const NETCH_ERR_DHCP_CONFIG = 'NETCH_ERR_DHCP_CONFIG';

/** Options of `new DhcpServer()`. */
export interface DhcpServerOptions {
  /** The server identifier and the source of replies: one of the host's addresses. */
  serverAddress: string;
  /** The guest network, `10.0.2.0/24`. */
  subnet: string;
  /** The default router handed out (option 3; default: serverAddress). */
  router?: string;
  /** DNS servers handed out (option 6). */
  dns: readonly string[];
  /** Domain name handed out (option 15). */
  domain?: string;
  /** Interface MTU handed out (option 26). */
  mtu?: number;
  /** Lease time in seconds (option 51; default 86400, as libslirp). T1 is half, T2 seven eighths. */
  leaseSeconds?: number;
  /** First address of the pool. */
  rangeStart: string;
  /** Last address of the pool (default: the subnet's last host address). */
  rangeEnd?: string;
  /** How long an offered address stays reserved for the client (ms; default 60 000). */
  offerHoldMs?: number;
  /** The time source (default: the host's `lastPollTime`). */
  now?: () => Millis;
}

/** What `leases()` reports for one client. */
export interface DhcpLeaseInfo {
  address: string;
  mac: string;
  /** The client identifier (option 61) in hex, or null when the client sent none. */
  clientId: string | null;
  state: 'offered' | 'bound' | 'released' | 'expired';
  /** When the lease (or offer) ends, on the server's clock. */
  expiresAt: Millis;
}

/** The server's counters (numbers of messages). */
export interface DhcpCounters {
  InMessages: number;
  /** Not a DHCP request we can parse (short, bad options, not Ethernet, a reply, no type). */
  InErrors: number;
  InDiscovers: number;
  InRequests: number;
  InDeclines: number;
  InReleases: number;
  InInforms: number;
  /** Requests for another server, or about leases we do not hold: no reply. */
  Ignored: number;
  OutOffers: number;
  OutAcks: number;
  OutNaks: number;
  /** DISCOVERs left unanswered because the pool was empty. */
  NoAddress: number;
  /** Replies the host could not send (no route, no buffer). */
  OutErrors: number;
}

interface Lease {
  key: string;
  mac: number;
  clientId: string | null;
  addr: number;
  state: 'offered' | 'bound' | 'released';
  expiresAt: Millis;
}

/** A DHCP server for one subnet on a Host. */
export class DhcpServer {
  readonly counters: DhcpCounters = {
    InMessages: 0, InErrors: 0, InDiscovers: 0, InRequests: 0, InDeclines: 0, InReleases: 0, InInforms: 0,
    Ignored: 0, OutOffers: 0, OutAcks: 0, OutNaks: 0, NoAddress: 0, OutErrors: 0,
  };
  private readonly server: number;
  private readonly net: number;
  private readonly prefixLen: number;
  private readonly mask: number;
  private readonly router: number;
  private readonly dns: number[];
  private readonly domain: Uint8Array | null;
  private readonly mtu: number;
  private readonly leaseSeconds: number;
  private readonly first: number;
  private readonly last: number;
  private readonly offerHoldMs: number;
  private readonly clock: () => Millis;
  /** Leases by client key, and by address. */
  private readonly byKey = new Map<string, Lease>();
  private readonly byAddr = new Map<number, Lease>();
  /** Declined addresses (RFC 2131 §4.3.3: not to be handed out), until when. */
  private readonly declined = new Map<number, Millis>();
  private anySock: UdpSocket | null = null;
  private ownSock: UdpSocket | null = null;
  private readonly view = new DhcpView();
  private readonly rx = newDhcpRepr();
  private readonly tx = newDhcpRepr();
  /** Received requests are copied here; replies are built in `out`, so a reply can point into the request. */
  private readonly buf = new Uint8Array(1500);
  private out = new Uint8Array(576);
  private readonly from = newUdpPeerInfo();

  /** Check the options. Errors: NETCH_ERR_DHCP_CONFIG naming the bad one. */
  constructor(
    private readonly host: Host,
    opts: DhcpServerOptions,
  ) {
    const fail = (m: string): never => {
      throw gatewayError(NETCH_ERR_DHCP_CONFIG, `${NETCH_ERR_DHCP_CONFIG}: ${m}`);
    };
    const addr = (s: string | undefined, what: string): number => {
      const a = typeof s === 'string' ? parseIpv4(s) : -1;
      return a >= 0 ? a : fail(`${what} ${JSON.stringify(s)} is not an IPv4 address`);
    };
    let parsed: { address: number; prefixLen: number } | null = null;
    try {
      parsed = parseCidr(opts.subnet, 'dhcp');
    } catch {
      parsed = null;
    }
    const c = parsed ?? fail(`subnet ${JSON.stringify(opts.subnet)} is not a CIDR (10.0.2.0/24)`);
    if (c.prefixLen < 8 || c.prefixLen > 30) fail(`subnet /${c.prefixLen}: expected a prefix of 8 to 30 bits`);
    this.prefixLen = c.prefixLen;
    this.mask = ipv4PrefixMask(c.prefixLen);
    this.net = (c.address & this.mask) >>> 0;
    const bcast = (this.net | ~this.mask) >>> 0;
    const inNet = (a: number, what: string): number =>
      ipv4InSubnet(a, this.net, this.prefixLen) && a !== this.net && a !== bcast ? a : fail(`${what} ${ipv4ToString(a)} is not a host address of ${opts.subnet}`);
    this.server = inNet(addr(opts.serverAddress, 'serverAddress'), 'serverAddress');
    this.router = opts.router === undefined ? this.server : inNet(addr(opts.router, 'router'), 'router');
    if (!Array.isArray(opts.dns)) fail('dns must be a list of addresses');
    if (opts.dns.length > 8) fail(`dns: at most 8 servers (${opts.dns.length} given)`);
    this.dns = opts.dns.map((d) => addr(d, 'dns'));
    if (opts.domain !== undefined && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(opts.domain)) fail(`domain ${JSON.stringify(opts.domain)} is not a domain name`);
    this.domain = opts.domain === undefined ? null : new TextEncoder().encode(opts.domain);
    this.mtu = opts.mtu ?? -1;
    if (opts.mtu !== undefined && (!Number.isInteger(opts.mtu) || opts.mtu < 68 || opts.mtu > 65535)) fail(`mtu ${opts.mtu} is not in [68, 65535]`);
    this.leaseSeconds = opts.leaseSeconds ?? 86400;
    if (!Number.isInteger(this.leaseSeconds) || this.leaseSeconds < 60 || this.leaseSeconds > 0xffff_fffe) fail(`leaseSeconds ${opts.leaseSeconds} is not an integer in [60, 4294967294]`);
    this.first = inNet(addr(opts.rangeStart, 'rangeStart'), 'rangeStart');
    this.last = opts.rangeEnd === undefined ? (bcast - 1) >>> 0 : inNet(addr(opts.rangeEnd, 'rangeEnd'), 'rangeEnd');
    if (this.last < this.first) fail(`rangeEnd ${ipv4ToString(this.last)} is before rangeStart ${ipv4ToString(this.first)}`);
    this.offerHoldMs = opts.offerHoldMs ?? 60_000;
    this.clock = opts.now ?? (() => host.lastPollTime);
  }

  /**
   * Open the server's sockets (0.0.0.0:67 and serverAddress:67). Idempotent.
   * Errors: EADDRINUSE (port 67 taken), EADDRNOTAVAIL (serverAddress is not the host's).
   */
  start(): this {
    if (this.anySock !== null) return this;
    const any = this.host.udpSocket({ reuseAddr: true, recvQueueLen: 64 });
    const own = this.host.udpSocket({ reuseAddr: true, broadcast: true, recvQueueLen: 64 });
    try {
      own.bind(this.server, DHCP_SERVER_PORT);
      any.bind(0, DHCP_SERVER_PORT);
    } catch (e) {
      own.close();
      any.close();
      throw e;
    }
    any.setReadableNotify((s) => this.drain(s));
    own.setReadableNotify((s) => this.drain(s));
    this.anySock = any;
    this.ownSock = own;
    return this;
  }

  /** Close the sockets; the leases are kept (a later start serves them). Idempotent. */
  close(): void {
    this.anySock?.close();
    this.ownSock?.close();
    this.anySock = null;
    this.ownSock = null;
  }

  /** Return every client the server knows, with the state of its address at `now`. */
  leases(now: Millis = this.clock()): DhcpLeaseInfo[] {
    return [...this.byKey.values()].map((l) => ({
      address: ipv4ToString(l.addr),
      mac: macToString(l.mac),
      clientId: l.clientId,
      state: l.state !== 'released' && l.expiresAt <= now ? 'expired' : l.state,
      expiresAt: l.expiresAt,
    }));
  }

  /** Handle one DHCP message (the UDP payload of `len` bytes at `off`) from `src`; used by the sockets, and by tests. */
  handle(bytes: Uint8Array, off: number, len: number, now: Millis): void {
    const c = this.counters;
    c.InMessages++;
    const r = this.rx;
    if (parseDhcpInto(this.view.wrap(bytes, off, len), r) !== WireErr.Ok || r.op !== BOOTREQUEST || r.messageType === 0) {
      c.InErrors++;
      return;
    }
    switch (r.messageType) {
      case DhcpMessageType.Discover:
        c.InDiscovers++;
        this.onDiscover(r, now);
        return;
      case DhcpMessageType.Request:
        c.InRequests++;
        this.onRequest(r, now);
        return;
      case DhcpMessageType.Decline:
        c.InDeclines++;
        this.onDecline(r, now);
        return;
      case DhcpMessageType.Release:
        c.InReleases++;
        this.onRelease(r, now);
        return;
      case DhcpMessageType.Inform:
        c.InInforms++;
        this.onInform(r, now);
        return;
      default:
        // A server's own message types (OFFER, ACK, NAK) or unknown ones.
        c.InErrors++;
    }
  }

  private drain(s: UdpSocket): void {
    const buf = this.buf;
    for (;;) {
      const n = s.recvFrom(buf, 0, buf.length, this.from);
      if (n < 0) return;
      if (this.from.truncated) {
        this.counters.InMessages++;
        this.counters.InErrors++;
        continue;
      }
      // The request is parsed out of buf and the reply built in tx's own buffer.
      this.handle(buf, 0, n, this.clock());
    }
  }

  /** RFC 2131 §4.3.1: offer the client's address, its previous one, the one it asks for, or a free one. */
  private onDiscover(r: DhcpRepr, now: Millis): void {
    const key = clientKey(r);
    const lease = this.byKey.get(key);
    let addr = -1;
    if (lease !== undefined && this.usable(lease.addr, key, now)) addr = lease.addr;
    else if (r.requestedIp >= 0 && this.usable(r.requestedIp, key, now)) addr = r.requestedIp;
    else addr = this.freeAddress(key, now);
    if (addr < 0) {
      this.counters.NoAddress++;
      return;
    }
    const l = this.bind(key, r, addr, lease?.state === 'bound' && lease.addr === addr && lease.expiresAt > now ? 'bound' : 'offered', now);
    if (l.state === 'offered') l.expiresAt = now + this.offerHoldMs;
    this.reply(r, DhcpMessageType.Offer, addr, now);
  }

  /** RFC 2131 §4.3.2: SELECTING, INIT-REBOOT, RENEWING or REBINDING, told apart by server id, requested address and ciaddr. */
  private onRequest(r: DhcpRepr, now: Millis): void {
    const key = clientKey(r);
    const lease = this.byKey.get(key);
    if (r.serverId >= 0) {
      // SELECTING: the client answers an offer, ours or another server's.
      if (r.serverId !== this.server) {
        if (lease !== undefined && lease.state === 'offered') this.forget(lease);
        this.counters.Ignored++;
        return;
      }
      const want = r.requestedIp >= 0 ? r.requestedIp : r.ciaddr;
      if (lease !== undefined && lease.addr === want && this.usable(want, key, now)) {
        this.ack(r, key, want, now);
      } else {
        this.nak(r, now);
      }
      return;
    }
    // INIT-REBOOT (requested address, no ciaddr) or RENEWING/REBINDING (ciaddr).
    const want = r.requestedIp >= 0 ? r.requestedIp : r.ciaddr;
    if (want === 0) {
      this.counters.Ignored++;
      return;
    }
    if (!this.inPool(want) || !this.usable(want, key, now)) {
      this.nak(r, now);
      return;
    }
    this.ack(r, key, want, now);
  }

  /** RFC 2131 §4.3.3: the client found the address in use: never hand it out again (for a lease time). */
  private onDecline(r: DhcpRepr, now: Millis): void {
    const lease = this.byKey.get(clientKey(r));
    if (r.serverId !== this.server || lease === undefined || lease.addr !== r.requestedIp) {
      this.counters.Ignored++;
      return;
    }
    this.declined.set(lease.addr, now + this.leaseSeconds * 1000);
    this.forget(lease);
  }

  /** RFC 2131 §4.3.4: the address is free again; the client is remembered, to get it back. */
  private onRelease(r: DhcpRepr, now: Millis): void {
    const lease = this.byKey.get(clientKey(r));
    if (lease === undefined || lease.addr !== r.ciaddr || lease.state !== 'bound') {
      this.counters.Ignored++;
      return;
    }
    lease.state = 'released';
    lease.expiresAt = now;
  }

  /** RFC 2131 §4.3.5: configuration only, to the address the client already has. */
  private onInform(r: DhcpRepr, now: Millis): void {
    if (r.ciaddr === 0) {
      this.counters.Ignored++;
      return;
    }
    this.reply(r, DhcpMessageType.Ack, 0, now);
  }

  private ack(r: DhcpRepr, key: string, addr: number, now: Millis): void {
    const l = this.bind(key, r, addr, 'bound', now);
    l.expiresAt = now + this.leaseSeconds * 1000;
    this.reply(r, DhcpMessageType.Ack, addr, now);
  }

  private nak(r: DhcpRepr, now: Millis): void {
    this.reply(r, DhcpMessageType.Nak, 0, now);
  }

  /** Return true when `addr` is in the pool and neither declined nor held by another client at `now`. */
  private usable(addr: number, key: string, now: Millis): boolean {
    if (!this.inPool(addr)) return false;
    const until = this.declined.get(addr);
    if (until !== undefined) {
      if (until > now) return false;
      this.declined.delete(addr);
    }
    const holder = this.byAddr.get(addr);
    return holder === undefined || holder.key === key || holder.state === 'released' || holder.expiresAt <= now;
  }

  private inPool(addr: number): boolean {
    if (addr < this.first || addr > this.last || !ipv4InSubnet(addr, this.net, this.prefixLen)) return false;
    if (addr === this.server || addr === this.router || this.dns.includes(addr)) return false;
    return (addr & ~this.mask) !== 0 && ((addr | this.mask) >>> 0) !== IPV4_BROADCAST;
  }

  /** Return a free address for `key`: the first never leased, else the one free the longest; -1 when none. */
  private freeAddress(key: string, now: Millis): number {
    let oldest = -1;
    let oldestAt = Infinity;
    for (let a = this.first; a <= this.last; a++) {
      if (!this.inPool(a)) continue;
      const holder = this.byAddr.get(a);
      if (holder === undefined) {
        if (this.usable(a, key, now)) return a;
        continue;
      }
      if (this.usable(a, key, now) && holder.expiresAt < oldestAt) {
        oldest = a;
        oldestAt = holder.expiresAt;
      }
    }
    return oldest;
  }

  /** Record `addr` for `key` in `state`, taking it from a previous holder. */
  private bind(key: string, r: DhcpRepr, addr: number, state: Lease['state'], now: Millis): Lease {
    let l = this.byKey.get(key);
    const prev = this.byAddr.get(addr);
    if (prev !== undefined && prev !== l) this.forget(prev);
    if (l === undefined) {
      l = { key, mac: r.chaddr, clientId: clientIdHex(r), addr, state, expiresAt: now };
      this.byKey.set(key, l);
    } else if (l.addr !== addr) {
      if (this.byAddr.get(l.addr) === l) this.byAddr.delete(l.addr);
      l.addr = addr;
    }
    l.mac = r.chaddr;
    l.state = state;
    this.byAddr.set(addr, l);
    return l;
  }

  private forget(l: Lease): void {
    if (this.byKey.get(l.key) === l) this.byKey.delete(l.key);
    if (this.byAddr.get(l.addr) === l) this.byAddr.delete(l.addr);
  }

  /** Build and send a reply of `type` to request `r` (yiaddr `addr`), addressed as RFC 2131 §4.1 says. */
  private reply(r: DhcpRepr, type: number, addr: number, now: Millis): void {
    const t = this.tx;
    clearDhcpRepr(t);
    t.op = BOOTREPLY;
    t.xid = r.xid;
    t.flags = r.flags;
    t.giaddr = r.giaddr;
    t.chaddr = r.chaddr;
    t.messageType = type;
    t.serverId = this.server;
    // RFC 6842: echo the client identifier.
    t.clientIdBytes = r.clientIdBytes;
    t.clientIdOffset = r.clientIdOffset;
    t.clientIdLength = r.clientIdLength;
    if (type !== DhcpMessageType.Nak) {
      t.yiaddr = addr;
      // INFORM: ciaddr is the client's, and no lease time (§4.3.5).
      if (type === DhcpMessageType.Ack && addr === 0) t.ciaddr = r.ciaddr;
      if (addr !== 0) {
        t.leaseTime = this.leaseSeconds;
        t.renewalTime = Math.floor(this.leaseSeconds / 2);
        t.rebindingTime = Math.floor((this.leaseSeconds * 7) / 8);
      }
      t.subnetMask = this.mask;
      t.routers[0] = this.router;
      t.routerCount = 1;
      for (let k = 0; k < this.dns.length; k++) t.dns[k] = this.dns[k]!;
      t.dnsCount = this.dns.length;
      if (this.domain !== null) {
        t.domainNameBytes = this.domain;
        t.domainNameOffset = 0;
        t.domainNameLength = this.domain.length;
      }
      t.mtu = this.mtu;
    }
    const len = dhcpBufferLen(t);
    const out = this.out.length >= len ? this.out : (this.out = new Uint8Array(len));
    emitDhcp(t, out, 0);
    const sock = this.ownSock;
    if (sock === null) return;
    let dst: number;
    let port = DHCP_CLIENT_PORT;
    if (r.giaddr !== 0) {
      dst = r.giaddr;
      port = DHCP_SERVER_PORT;
    } else if (type === DhcpMessageType.Nak) {
      dst = IPV4_BROADCAST;
    } else if (r.ciaddr !== 0) {
      dst = r.ciaddr;
    } else if ((r.flags & DHCP_FLAG_BROADCAST) !== 0) {
      dst = IPV4_BROADCAST;
    } else {
      dst = addr;
      try {
        this.host.setNeighbour(addr, r.chaddr, now);
      } catch {
        dst = IPV4_BROADCAST;
      }
    }
    const err = sock.sendTo(out, 0, len, dst, port, now);
    if (err !== 0) {
      this.counters.OutErrors++;
      return;
    }
    if (type === DhcpMessageType.Offer) this.counters.OutOffers++;
    else if (type === DhcpMessageType.Ack) this.counters.OutAcks++;
    else this.counters.OutNaks++;
  }
}

/** Return the key a client's lease is filed under: its client identifier, else its hardware address. */
function clientKey(r: DhcpRepr): string {
  const id = clientIdHex(r);
  return id !== null ? `id:${id}` : `mac:${r.chaddr.toString(16)}`;
}

function clientIdHex(r: DhcpRepr): string | null {
  if (r.clientIdLength < 0) return null;
  let s = '';
  for (let k = 0; k < r.clientIdLength; k++) s += r.clientIdBytes[r.clientIdOffset + k]!.toString(16).padStart(2, '0');
  return s;
}
