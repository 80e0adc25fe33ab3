// ARP for IPv4 over Ethernet (RFC 826). Only the one combination a host on an Ethernet
// needs is parsed: hardware type 1 (Ethernet, 6-byte addresses) and protocol type 0x0800
// (IPv4, 4-byte addresses); anything else is reported, never guessed at. Addresses are
// integers: MACs 48-bit (see ethernet.ts), IPv4 addresses unsigned 32-bit (see ipv4.ts).

import { get16, get32, get48, set16, set32, set48 } from './bytes.js';
import { WireErr } from './errors.js';
import { ETH_P_IPV4, macToString } from './ethernet.js';
import { ipv4ToString } from './ipv4.js';
import { WireView } from './view.js';

/** Length of an ARP packet for Ethernet/IPv4 (8 fixed bytes + 2 × (6 + 4)). */
export const ARP_HEADER_LEN = 28;
/** Hardware type of Ethernet (RFC 826 `ares_hrd$Ethernet`). */
export const ARP_HRD_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

/** Length of the fixed part (hardware/protocol type and lengths, operation). */
const FIXED_LEN = 8;
const HTYPE = 0;
const PTYPE = 2;
const HLEN = 4;
const PLEN = 5;
const OPER = 6;
// Address offsets for hln = 6, pln = 4, the only layout parsed.
const SHA = 8;
const SPA = 14;
const THA = 18;
const TPA = 24;

/**
 * A re-pointable view of an ARP packet. The address accessors assume the Ethernet/IPv4
 * layout; call them only after `parseArpInto` (or your own checks) accepted the packet.
 */
export class ArpView extends WireView {
  /**
   * Return WireErr.Ok when the fixed part and the addresses its length fields announce fit
   * in the view, else WireErr.Truncated.
   */
  checkLen(): number {
    if (this.length < FIXED_LEN) return WireErr.Truncated;
    const need = FIXED_LEN + 2 * (this.hardwareLen() + this.protocolLen());
    return this.length < need ? WireErr.Truncated : WireErr.Ok;
  }

  /** Return the hardware address space (1 = Ethernet). */
  hardwareType(): number {
    return get16(this.bytes, this.offset + HTYPE);
  }
  /** Return the protocol address space (an EtherType: 0x0800 = IPv4). */
  protocolType(): number {
    return get16(this.bytes, this.offset + PTYPE);
  }
  /** Return the length of a hardware address in bytes. */
  hardwareLen(): number {
    return this.bytes[this.offset + HLEN]!;
  }
  /** Return the length of a protocol address in bytes. */
  protocolLen(): number {
    return this.bytes[this.offset + PLEN]!;
  }
  /** Return the operation (ARP_OP_REQUEST, ARP_OP_REPLY). */
  operation(): number {
    return get16(this.bytes, this.offset + OPER);
  }
  /** Return the sender's MAC address. */
  senderHardwareAddr(): number {
    return get48(this.bytes, this.offset + SHA);
  }
  /** Return the sender's IPv4 address. */
  senderProtocolAddr(): number {
    return get32(this.bytes, this.offset + SPA);
  }
  /** Return the target's MAC address. */
  targetHardwareAddr(): number {
    return get48(this.bytes, this.offset + THA);
  }
  /** Return the target's IPv4 address. */
  targetProtocolAddr(): number {
    return get32(this.bytes, this.offset + TPA);
  }

  /** Set the hardware type. */
  setHardwareType(v: number): void {
    set16(this.bytes, this.offset + HTYPE, v);
  }
  /** Set the protocol type. */
  setProtocolType(v: number): void {
    set16(this.bytes, this.offset + PTYPE, v);
  }
  /** Set the hardware address length. */
  setHardwareLen(v: number): void {
    this.bytes[this.offset + HLEN] = v;
  }
  /** Set the protocol address length. */
  setProtocolLen(v: number): void {
    this.bytes[this.offset + PLEN] = v;
  }
  /** Set the operation. */
  setOperation(v: number): void {
    set16(this.bytes, this.offset + OPER, v);
  }
  /** Set the sender's MAC address. */
  setSenderHardwareAddr(v: number): void {
    set48(this.bytes, this.offset + SHA, v);
  }
  /** Set the sender's IPv4 address. */
  setSenderProtocolAddr(v: number): void {
    set32(this.bytes, this.offset + SPA, v);
  }
  /** Set the target's MAC address. */
  setTargetHardwareAddr(v: number): void {
    set48(this.bytes, this.offset + THA, v);
  }
  /** Set the target's IPv4 address. */
  setTargetProtocolAddr(v: number): void {
    set32(this.bytes, this.offset + TPA, v);
  }
}

/** The fields of an Ethernet/IPv4 ARP packet. */
export interface ArpRepr {
  /** ARP_OP_REQUEST or ARP_OP_REPLY. */
  operation: number;
  senderHardwareAddr: number;
  senderProtocolAddr: number;
  targetHardwareAddr: number;
  targetProtocolAddr: number;
}

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newArpRepr(): ArpRepr {
  return {
    operation: 0,
    senderHardwareAddr: 0,
    senderProtocolAddr: 0,
    targetHardwareAddr: 0,
    targetProtocolAddr: 0,
  };
}

/**
 * Fill `repr` from a view; return a WireErr code.
 * Errors: Truncated (short packet), BadVersion (hardware type not Ethernet), Unsupported
 * (protocol not IPv4, address lengths not 6/4, or an operation other than request/reply).
 * Trailing bytes (Ethernet padding) are ignored.
 */
export function parseArpInto(view: ArpView, repr: ArpRepr): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  if (view.hardwareType() !== ARP_HRD_ETHERNET) return WireErr.BadVersion;
  if (view.protocolType() !== ETH_P_IPV4 || view.hardwareLen() !== 6 || view.protocolLen() !== 4) {
    return WireErr.Unsupported;
  }
  const op = view.operation();
  if (op !== ARP_OP_REQUEST && op !== ARP_OP_REPLY) return WireErr.Unsupported;
  repr.operation = op;
  repr.senderHardwareAddr = view.senderHardwareAddr();
  repr.senderProtocolAddr = view.senderProtocolAddr();
  repr.targetHardwareAddr = view.targetHardwareAddr();
  repr.targetProtocolAddr = view.targetProtocolAddr();
  return WireErr.Ok;
}

/** Return the length `emitArp` writes (always ARP_HEADER_LEN). */
export function arpBufferLen(_repr: ArpRepr): number {
  return ARP_HEADER_LEN;
}

/** Write the packet at `off`; the caller guarantees ARP_HEADER_LEN bytes of room. */
export function emitArp(repr: ArpRepr, b: Uint8Array, off: number): void {
  set16(b, off + HTYPE, ARP_HRD_ETHERNET);
  set16(b, off + PTYPE, ETH_P_IPV4);
  b[off + HLEN] = 6;
  b[off + PLEN] = 4;
  set16(b, off + OPER, repr.operation);
  set48(b, off + SHA, repr.senderHardwareAddr);
  set32(b, off + SPA, repr.senderProtocolAddr);
  set48(b, off + THA, repr.targetHardwareAddr);
  set32(b, off + TPA, repr.targetProtocolAddr);
}

/**
 * Return a one-line description in tcpdump's words:
 * `ARP, Request who-has 192.0.2.2 tell 192.0.2.1` or `ARP, Reply 192.0.2.2 is-at 02:00:00:00:00:02`.
 */
export function formatArp(repr: ArpRepr): string {
  switch (repr.operation) {
    case ARP_OP_REQUEST:
      return `ARP, Request who-has ${ipv4ToString(repr.targetProtocolAddr)} tell ${ipv4ToString(repr.senderProtocolAddr)}`;
    case ARP_OP_REPLY:
      return `ARP, Reply ${ipv4ToString(repr.senderProtocolAddr)} is-at ${macToString(repr.senderHardwareAddr)}`;
    default:
      return `ARP, op ${repr.operation} ${ipv4ToString(repr.senderProtocolAddr)} > ${ipv4ToString(repr.targetProtocolAddr)}`;
  }
}
