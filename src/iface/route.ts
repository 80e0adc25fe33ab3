// The routing table: longest-prefix match over a short list kept sorted (most specific
// first, then lowest metric), so a lookup is one scan that returns an existing entry and
// allocates nothing. Connected routes appear when an address is added; a default route
// (0.0.0.0/0 via a gateway) is a static route like any other. RFC 1122 §3.3.1 describes
// the host's choice: a destination on a connected subnet is sent to directly, any other
// to a gateway.

import type { Interface } from './interface.js';
import { formatCidr } from './cidr.js';
import { ipv4PrefixMask, ipv4ToString } from '../wire/ipv4.js';

/** How a route was made (`proto kernel` or `proto static` in `ip route`). */
export const RouteKind = { Connected: 0, Static: 1 } as const;
/** A RouteKind value. */
export type RouteKindCode = (typeof RouteKind)[keyof typeof RouteKind];

/** One entry of the routing table. */
export interface Route {
  /** Destination network (already masked). */
  dst: number;
  prefixLen: number;
  mask: number;
  /** Next hop; 0 for an on-link (connected) destination. */
  gateway: number;
  iface: Interface;
  /** Preferred source address; 0 lets the interface choose. */
  src: number;
  metric: number;
  kind: RouteKindCode;
}

/** A host's routing table. */
export class RouteTable {
  private readonly list: Route[] = [];

  /** Return the routes, most specific first (the table's own entries: do not modify). */
  entries(): readonly Route[] {
    return this.list;
  }

  /** Return the best route to `dst`, or null when none matches. */
  lookup(dst: number): Route | null {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (((dst ^ r.dst) & r.mask) === 0) return r;
    }
    return null;
  }

  /** Add a route; return false when one with the same destination, prefix, metric and interface exists. */
  add(dst: number, prefixLen: number, gateway: number, iface: Interface, src = 0, metric = 0, kind: RouteKindCode = RouteKind.Static): boolean {
    const mask = ipv4PrefixMask(prefixLen);
    const net = (dst & mask) >>> 0;
    for (const r of this.list) {
      if (r.dst === net && r.prefixLen === prefixLen && r.metric === metric && r.iface === iface) return false;
    }
    const route: Route = { dst: net, prefixLen, mask, gateway, iface, src, metric, kind };
    let i = 0;
    while (i < this.list.length && (this.list[i]!.prefixLen > prefixLen || (this.list[i]!.prefixLen === prefixLen && this.list[i]!.metric <= metric))) i++;
    this.list.splice(i, 0, route);
    return true;
  }

  /** Remove routes to `dst/prefixLen` (all metrics and interfaces); return how many. */
  remove(dst: number, prefixLen: number): number {
    const net = (dst & ipv4PrefixMask(prefixLen)) >>> 0;
    let n = 0;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const r = this.list[i]!;
      if (r.dst === net && r.prefixLen === prefixLen) {
        this.list.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** Return the table as `ip route` prints it, one route per line (default first, then by address). */
  format(): string {
    let s = '';
    const sorted = [...this.list].sort((a, b) => a.dst - b.dst || a.prefixLen - b.prefixLen || a.metric - b.metric);
    for (const r of sorted) {
      const dst = r.prefixLen === 0 ? 'default' : formatCidr(r.dst, r.prefixLen);
      const via = r.gateway !== 0 ? ` via ${ipv4ToString(r.gateway)}` : '';
      const proto = r.kind === RouteKind.Connected ? ' proto kernel scope link' : '';
      const src = r.src !== 0 ? ` src ${ipv4ToString(r.src)}` : '';
      const metric = r.metric !== 0 ? ` metric ${r.metric}` : '';
      s += `${dst}${via} dev ${r.iface.name}${proto}${src}${metric}\n`;
    }
    return s;
  }
}
