// The state a host's parts share. Each part (ARP, IPv4 in and out, ICMP, UDP) is a class
// holding its own state and reaching the others through this context, so the parts can
// live in separate files without import cycles at run time (only types are imported).

import type { Millis } from '../time.js';
import { ipv4IsLoopback } from '../wire/ipv4.js';
import type { ArpLayer } from './arp.js';
import type { HostConfig } from './config.js';
import type { SnmpCounters } from './counters.js';
import type { IcmpLayer } from './icmp.js';
import type { Interface } from './interface.js';
import type { Ipv4Input } from './ipv4-input.js';
import type { Ipv4Output } from './ipv4-output.js';
import type { LoopbackQueue } from './loopback.js';
import type { ProtocolHandler } from './protocol.js';
import type { Reassembler } from './reassembly.js';
import type { RouteTable } from './route.js';
import type { UdpLayer } from './udp.js';

/** The shared state of one host. Parts are set once by the Host constructor. */
export class HostContext {
  arp!: ArpLayer;
  out!: Ipv4Output;
  input!: Ipv4Input;
  icmp!: IcmpLayer;
  udp!: UdpLayer;
  reasm!: Reassembler;
  lo!: LoopbackQueue;
  /** Handlers by IP protocol number. */
  readonly handlers: (ProtocolHandler | null)[] = new Array<ProtocolHandler | null>(256).fill(null);
  /** Called when the host has work before its next poll would otherwise run (set by a driver). */
  wakeup: (() => void) | null = null;
  /** Latest `now` the host has seen (for API calls that take no time). */
  lastNow: Millis = 0;

  constructor(
    readonly name: string,
    readonly config: HostConfig,
    readonly counters: SnmpCounters,
    readonly ifaces: Interface[],
    readonly routes: RouteTable,
  ) {}

  /** Return true when `addr` is one of the host's addresses, or loopback (weak host model, RFC 1122 §3.3.4.2). */
  isLocal(addr: number): boolean {
    if (ipv4IsLoopback(addr)) return true;
    const ifaces = this.ifaces;
    for (let i = 0; i < ifaces.length; i++) if (ifaces[i]!.hasAddress(addr)) return true;
    return false;
  }

  /** Tell the driver that there is work to do. */
  wake(): void {
    const w = this.wakeup;
    if (w !== null) w();
  }

  /**
   * Call a user callback from inside the receive path. A throw must not unwind through
   * the device's receive loop, so it is rethrown on a microtask instead.
   */
  callUser<T>(cb: (arg: T) => void, arg: T): void {
    try {
      cb(arg);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
