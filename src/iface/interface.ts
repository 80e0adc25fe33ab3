// An interface: one LinkDevice attached to a host, with its MAC address and the IPv4
// addresses assigned to it. The interface is the FrameSink its device delivers to; it only
// forwards each frame, tagged with itself, to the host's input path.

import type { FrameSink, LinkDevice } from '../link/device.js';
import type { Millis } from '../time.js';
import { ETH_HEADER_LEN, macToString } from '../wire/ethernet.js';
import { ipv4PrefixMask } from '../wire/ipv4.js';
import { broadcastOf, formatCidr } from './cidr.js';

/** One IPv4 address on an interface. */
export interface IfaceAddress {
  address: number;
  prefixLen: number;
  /** The subnet mask (`/24` → 0xffffff00). */
  mask: number;
  /** The directed broadcast address of the subnet. */
  broadcast: number;
}

/** The receiver an interface hands its frames to (the host's input path). */
export interface IfaceInput {
  /** Handle one frame lent by `iface`'s device. */
  onIfaceFrame(iface: Interface, buf: Uint8Array, off: number, len: number, now: Millis): void;
}

/** A device attached to a host. */
export class Interface implements FrameSink {
  /** Addresses in the order they were added; the first is the primary. */
  readonly addresses: IfaceAddress[] = [];
  /** Largest IPv4 datagram the link carries (the device's frame size less the header). */
  readonly mtu: number;
  /** The device declares checksum offload: transport checksums may be skipped on this link. */
  readonly checksumOffload: boolean;
  /** Transport checksums of datagrams sent here may be left uncomputed (`checksumOffload`, or a device that completes them). */
  readonly txChecksumOffload: boolean;
  /** The largest IPv4 datagram the device segments for TCP (TSO), or 0. */
  readonly tsoMaxBytes: number;
  /**
   * During the handling of a received frame: its transport checksum needs no check (the
   * link declares `checksumOffload`, or the device vouches for this frame).
   */
  rxChecksumOk = false;

  constructor(
    /** Position in the host's interface list, from 1 (0 is loopback, as `ip link` counts from lo). */
    readonly index: number,
    readonly name: string,
    readonly dev: LinkDevice,
    readonly mac: number,
    private readonly input: IfaceInput,
    mtu?: number,
  ) {
    const devMtu = dev.maxFrameLen - ETH_HEADER_LEN;
    this.mtu = mtu === undefined ? devMtu : Math.min(mtu, devMtu);
    this.checksumOffload = dev.checksumOffload === true;
    this.txChecksumOffload = this.checksumOffload || dev.txChecksumOffload === true;
    const tso = dev.tsoMaxBytes;
    this.tsoMaxBytes = tso !== undefined && tso > this.mtu && typeof dev.transmitCommitTso === 'function' ? Math.min(tso, 65535) : 0;
    this.rxChecksumOk = this.checksumOffload;
  }

  /** Pass a received frame to the host (the FrameSink contract). */
  onFrame(buf: Uint8Array, off: number, len: number, now: Millis): void {
    // Per frame: a TAP device with offload vouches for some frames and not others.
    this.rxChecksumOk = this.checksumOffload || this.dev.rxChecksumOk === true;
    this.input.onIfaceFrame(this, buf, off, len, now);
  }

  /** Return the primary address, or 0 when the interface has none. */
  primaryAddress(): number {
    return this.addresses.length > 0 ? this.addresses[0]!.address : 0;
  }

  /** Return true when `addr` is one of this interface's addresses. */
  hasAddress(addr: number): boolean {
    const list = this.addresses;
    for (let i = 0; i < list.length; i++) if (list[i]!.address === addr) return true;
    return false;
  }

  /** Return true when `addr` is the directed broadcast address of one of our subnets. */
  isSubnetBroadcast(addr: number): boolean {
    const list = this.addresses;
    for (let i = 0; i < list.length; i++) if (list[i]!.prefixLen < 31 && list[i]!.broadcast === addr) return true;
    return false;
  }

  /** Return the address whose subnet holds `addr`, the primary one otherwise (0 when none). */
  sourceFor(addr: number): number {
    const list = this.addresses;
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      if (((a.address ^ addr) & a.mask) === 0) return a.address;
    }
    return this.primaryAddress();
  }

  /** Add an address; return false when it is already there. */
  addAddress(address: number, prefixLen: number): boolean {
    if (this.hasAddress(address)) return false;
    this.addresses.push({ address, prefixLen, mask: ipv4PrefixMask(prefixLen), broadcast: broadcastOf(address, prefixLen) });
    return true;
  }

  /** Return a line like `ip -brief addr`: `eth0  02:00:00:00:00:01  192.0.2.1/24`. */
  format(): string {
    const addrs = this.addresses.map((a) => formatCidr(a.address, a.prefixLen)).join(' ');
    return `${this.name.padEnd(8)} ${macToString(this.mac)}  mtu ${this.mtu}  ${addrs}`;
  }
}
