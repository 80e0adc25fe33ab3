// Ethernet II frames (IEEE 802.3 with an EtherType). The model for every wire file: a
// re-pointable view over untrusted bytes, a record filled in place, an emitter that cannot
// fail, and a pretty-printer. MAC addresses are 48-bit integers (exact in a JS number), so
// comparing or storing one allocates nothing.

import { get16, get48, set16, set48 } from './bytes.js';
import { WireErr } from './errors.js';
import { WireView } from './view.js';

export const ETH_HEADER_LEN = 14;
export const ETH_ADDR_LEN = 6;
/** Largest payload of a standard frame (no jumbo frames), and the smallest on the wire. */
export const ETH_MTU = 1500;
export const ETH_MIN_PAYLOAD = 46;

export const ETH_P_IPV4 = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_IPV6 = 0x86dd;

export const MAC_BROADCAST = 0xffff_ffff_ffff;
export const MAC_ZERO = 0;

const DST = 0;
const SRC = 6;
const ETHERTYPE = 12;

/** A re-pointable view of an Ethernet II frame. */
export class EthernetView extends WireView {
  /** Return WireErr.Ok when the header fits in the view, else WireErr.Truncated. */
  checkLen(): number {
    return this.length < ETH_HEADER_LEN ? WireErr.Truncated : WireErr.Ok;
  }

  /** Return the destination address. */
  dstAddr(): number {
    return get48(this.bytes, this.offset + DST);
  }
  /** Return the source address. */
  srcAddr(): number {
    return get48(this.bytes, this.offset + SRC);
  }
  /** Return the EtherType. */
  etherType(): number {
    return get16(this.bytes, this.offset + ETHERTYPE);
  }
  /** Return the payload's offset in `bytes`. */
  payloadOffset(): number {
    return this.offset + ETH_HEADER_LEN;
  }
  /** Return the payload's length (everything after the header, padding included). */
  payloadLength(): number {
    return this.length - ETH_HEADER_LEN;
  }

  /** Set the destination address. */
  setDstAddr(v: number): void {
    set48(this.bytes, this.offset + DST, v);
  }
  /** Set the source address. */
  setSrcAddr(v: number): void {
    set48(this.bytes, this.offset + SRC, v);
  }
  /** Set the EtherType. */
  setEtherType(v: number): void {
    set16(this.bytes, this.offset + ETHERTYPE, v);
  }
}

/** The fields of an Ethernet II header. */
export interface EthernetRepr {
  dstAddr: number;
  srcAddr: number;
  etherType: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newEthernetRepr(): EthernetRepr {
  return { dstAddr: 0, srcAddr: 0, etherType: 0 };
}

/** Fill `repr` from a view; return a WireErr code. */
export function parseEthernetInto(view: EthernetView, repr: EthernetRepr): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  repr.dstAddr = view.dstAddr();
  repr.srcAddr = view.srcAddr();
  repr.etherType = view.etherType();
  return WireErr.Ok;
}

/** Return the header length `emitEthernet` writes. */
export function ethernetBufferLen(_repr: EthernetRepr): number {
  return ETH_HEADER_LEN;
}

/** Write the header at `off`; the caller guarantees ETH_HEADER_LEN bytes of room. */
export function emitEthernet(repr: EthernetRepr, b: Uint8Array, off: number): void {
  set48(b, off + DST, repr.dstAddr);
  set48(b, off + SRC, repr.srcAddr);
  set16(b, off + ETHERTYPE, repr.etherType);
}

/** Format a MAC address as `02:00:00:00:00:01`. */
export function macToString(mac: number): string {
  let s = '';
  for (let shift = 40; shift >= 0; shift -= 8) {
    const byte = Math.floor(mac / 2 ** shift) % 256;
    s += (shift === 40 ? '' : ':') + byte.toString(16).padStart(2, '0');
  }
  return s;
}

/** Parse `02:00:00:00:00:01` (or with `-`); return the address, or -1 when malformed. */
export function parseMac(text: string): number {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return -1;
    v = v * 256 + parseInt(p, 16);
  }
  return v;
}

/** Return true for a multicast (group) address, broadcast included. */
export function macIsMulticast(mac: number): boolean {
  return Math.floor(mac / 2 ** 40) % 2 === 1;
}

/** Return a one-line description: `02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806)`. */
export function formatEthernet(repr: EthernetRepr): string {
  return `${macToString(repr.srcAddr)} > ${macToString(repr.dstAddr)}, ethertype ${etherTypeName(repr.etherType)} (0x${repr.etherType.toString(16).padStart(4, '0')})`;
}

/** Return the conventional name of an EtherType (`IPv4`, `ARP`), or `unknown`. */
export function etherTypeName(t: number): string {
  switch (t) {
    case ETH_P_IPV4: return 'IPv4';
    case ETH_P_ARP: return 'ARP';
    case ETH_P_IPV6: return 'IPv6';
    case ETH_P_8021Q: return '802.1Q';
    default: return 'unknown';
  }
}
