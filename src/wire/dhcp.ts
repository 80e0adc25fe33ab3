// DHCP messages (RFC 2131 §2, options of RFC 2132) over Ethernet: the 236-byte BOOTP
// header, the magic cookie, and the options a server and a client of an IPv4 network
// exchange. Only hardware type 1 with 6-byte addresses is parsed. Option overload (52:
// options continued in `sname`/`file`) is reported as Unsupported rather than followed;
// clients do not send it. Unknown options are skipped (their bytes stay in the message);
// emit writes the options the record holds, in the order parse found them or, for a record
// built by hand, in a fixed order with the message type first (RFC 2131 §4.1 asks for no
// order, but every server puts 53 first).
//
// The record keeps variable-length options (host name, domain name, parameter request
// list, message, vendor class, client identifier) as (bytes, offset, length) triples: parse
// points them into the parsed bytes, a server points them at its own, and nothing is copied
// until emit.

import { get16, get32, get48, set16, set32, set48 } from './bytes.js';
import { WireErr } from './errors.js';
import { macToString } from './ethernet.js';
import { ipv4ToString } from './ipv4.js';
import { WireView } from './view.js';

/** UDP port of DHCP servers (bootps). */
export const DHCP_SERVER_PORT = 67;
/** UDP port of DHCP clients (bootpc). */
export const DHCP_CLIENT_PORT = 68;
/** Length of the fixed BOOTP header, before the magic cookie. */
export const DHCP_FIXED_LEN = 236;
/** The magic cookie that starts the options (99.130.83.99, RFC 2131 §3). */
export const DHCP_MAGIC_COOKIE = 0x6382_5363;
/** Length of header and cookie: where options start. */
export const DHCP_OPTIONS_OFFSET = 240;
/** Smallest BOOTP message (RFC 1542 §2.1): emit pads to it with zeros. */
export const DHCP_MIN_LEN = 300;
/** `op` of a client's message. */
export const BOOTREQUEST = 1;
/** `op` of a server's message. */
export const BOOTREPLY = 2;
/** The BROADCAST bit of `flags` (RFC 2131 §2, figure 2). */
export const DHCP_FLAG_BROADCAST = 0x8000;
/** Hardware type of Ethernet. */
export const DHCP_HTYPE_ETHERNET = 1;

/** DHCP message types (option 53, RFC 2132 §9.6). */
export const DhcpMessageType = {
  Discover: 1,
  Offer: 2,
  Request: 3,
  Decline: 4,
  Ack: 5,
  Nak: 6,
  Release: 7,
  Inform: 8,
} as const;
export type DhcpMessageTypeCode = (typeof DhcpMessageType)[keyof typeof DhcpMessageType];

const TYPE_NAMES = ['', 'Discover', 'Offer', 'Request', 'Decline', 'ACK', 'NACK', 'Release', 'Inform'];

/** Return the name of a message type as tcpdump prints it (`Discover`, `ACK`), or `type N`. */
export function dhcpMessageTypeName(t: number): string {
  return t >= 1 && t < TYPE_NAMES.length ? TYPE_NAMES[t]! : `type ${t}`;
}

// Option codes (RFC 2132).
export const DHCP_OPT_PAD = 0;
export const DHCP_OPT_SUBNET_MASK = 1;
export const DHCP_OPT_ROUTER = 3;
export const DHCP_OPT_DNS = 6;
export const DHCP_OPT_HOST_NAME = 12;
export const DHCP_OPT_DOMAIN_NAME = 15;
export const DHCP_OPT_MTU = 26;
export const DHCP_OPT_BROADCAST = 28;
export const DHCP_OPT_REQUESTED_IP = 50;
export const DHCP_OPT_LEASE_TIME = 51;
export const DHCP_OPT_OVERLOAD = 52;
export const DHCP_OPT_MESSAGE_TYPE = 53;
export const DHCP_OPT_SERVER_ID = 54;
export const DHCP_OPT_PARAM_LIST = 55;
export const DHCP_OPT_MESSAGE = 56;
export const DHCP_OPT_MAX_SIZE = 57;
export const DHCP_OPT_RENEWAL_TIME = 58;
export const DHCP_OPT_REBINDING_TIME = 59;
export const DHCP_OPT_VENDOR_CLASS = 60;
export const DHCP_OPT_CLIENT_ID = 61;
export const DHCP_OPT_END = 255;

/** Most addresses kept from a router (3) or DNS (6) option. */
export const DHCP_MAX_ADDRS = 8;
/** Most options whose order a record keeps. */
const MAX_ORDER = 32;

const OP = 0;
const HTYPE = 1;
const HLEN = 2;
const HOPS = 3;
const XID = 4;
const SECS = 8;
const FLAGS = 10;
const CIADDR = 12;
const YIADDR = 16;
const SIADDR = 20;
const GIADDR = 24;
const CHADDR = 28;
const COOKIE = 236;

/** A re-pointable view of a DHCP message; wrap it over the whole UDP payload. */
export class DhcpView extends WireView {
  /**
   * Check the fixed part; return a WireErr code. Errors: Truncated (under 240 bytes),
   * Malformed (op not 1 or 2, hlen over 16, or no magic cookie), Unsupported (not
   * Ethernet with 6-byte addresses). Options are checked by parseDhcpInto.
   */
  checkLen(): number {
    if (this.length < DHCP_OPTIONS_OFFSET) return WireErr.Truncated;
    const op = this.op();
    if ((op !== BOOTREQUEST && op !== BOOTREPLY) || this.hlen() > 16) return WireErr.Malformed;
    if (get32(this.bytes, this.offset + COOKIE) !== DHCP_MAGIC_COOKIE) return WireErr.Malformed;
    if (this.htype() !== DHCP_HTYPE_ETHERNET || this.hlen() !== 6) return WireErr.Unsupported;
    return WireErr.Ok;
  }

  /** Return `op` (1: BOOTREQUEST, 2: BOOTREPLY). */
  op(): number {
    return this.bytes[this.offset + OP]!;
  }
  /** Return the hardware address type (1: Ethernet). */
  htype(): number {
    return this.bytes[this.offset + HTYPE]!;
  }
  /** Return the hardware address length. */
  hlen(): number {
    return this.bytes[this.offset + HLEN]!;
  }
  /** Return the relay hop count. */
  hops(): number {
    return this.bytes[this.offset + HOPS]!;
  }
  /** Return the transaction id. */
  xid(): number {
    return get32(this.bytes, this.offset + XID);
  }
  /** Return the seconds since the client began. */
  secs(): number {
    return get16(this.bytes, this.offset + SECS);
  }
  /** Return the flags (DHCP_FLAG_BROADCAST). */
  flags(): number {
    return get16(this.bytes, this.offset + FLAGS);
  }
  /** Return the client's address (when it has one). */
  ciaddr(): number {
    return get32(this.bytes, this.offset + CIADDR);
  }
  /** Return "your" address (what the server gives). */
  yiaddr(): number {
    return get32(this.bytes, this.offset + YIADDR);
  }
  /** Return the next server's address. */
  siaddr(): number {
    return get32(this.bytes, this.offset + SIADDR);
  }
  /** Return the relay agent's address. */
  giaddr(): number {
    return get32(this.bytes, this.offset + GIADDR);
  }
  /** Return the client's hardware address (the first 6 bytes of chaddr). */
  chaddr(): number {
    return get48(this.bytes, this.offset + CHADDR);
  }
  /** Return the offset of the first option in `bytes`. */
  optionsOffset(): number {
    return this.offset + DHCP_OPTIONS_OFFSET;
  }

  /** Set the transaction id. */
  setXid(v: number): void {
    set32(this.bytes, this.offset + XID, v);
  }
  /** Set the flags. */
  setFlags(v: number): void {
    set16(this.bytes, this.offset + FLAGS, v);
  }
  /** Set "your" address. */
  setYiaddr(v: number): void {
    set32(this.bytes, this.offset + YIADDR, v);
  }
}

/** The fields of a DHCP message. Numeric options absent from the message are -1. */
export interface DhcpRepr {
  op: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  chaddr: number;
  /** Option 53 (0: absent, a plain BOOTP message). */
  messageType: number;
  subnetMask: number;
  routerCount: number;
  /** Option 3's addresses (the first `routerCount`; the array has DHCP_MAX_ADDRS slots). */
  routers: number[];
  dnsCount: number;
  /** Option 6's addresses (the first `dnsCount`). */
  dns: number[];
  mtu: number;
  broadcastAddr: number;
  requestedIp: number;
  leaseTime: number;
  serverId: number;
  maxMessageSize: number;
  renewalTime: number;
  rebindingTime: number;
  hostNameBytes: Uint8Array;
  hostNameOffset: number;
  /** Length of option 12; -1: absent. Likewise for the other (bytes, offset, length) triples. */
  hostNameLength: number;
  domainNameBytes: Uint8Array;
  domainNameOffset: number;
  domainNameLength: number;
  paramListBytes: Uint8Array;
  paramListOffset: number;
  paramListLength: number;
  messageBytes: Uint8Array;
  messageOffset: number;
  messageLength: number;
  vendorClassBytes: Uint8Array;
  vendorClassOffset: number;
  vendorClassLength: number;
  clientIdBytes: Uint8Array;
  clientIdOffset: number;
  clientIdLength: number;
  /** Option codes in the order parse met them (emit follows it); 0 entries: the fixed order. */
  orderCount: number;
  order: number[];
  /** The message length parse saw; emit pads with zeros to at least this and DHCP_MIN_LEN. */
  minLength: number;
}

const EMPTY = new Uint8Array(0);

/** Return a fresh record with every field initialised (allocate once, reuse). */
export function newDhcpRepr(): DhcpRepr {
  const r: DhcpRepr = {
    op: 0, hops: 0, xid: 0, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr: 0,
    messageType: 0, subnetMask: -1, routerCount: 0, routers: new Array<number>(DHCP_MAX_ADDRS).fill(0),
    dnsCount: 0, dns: new Array<number>(DHCP_MAX_ADDRS).fill(0), mtu: -1, broadcastAddr: -1, requestedIp: -1,
    leaseTime: -1, serverId: -1, maxMessageSize: -1, renewalTime: -1, rebindingTime: -1,
    hostNameBytes: EMPTY, hostNameOffset: 0, hostNameLength: -1,
    domainNameBytes: EMPTY, domainNameOffset: 0, domainNameLength: -1,
    paramListBytes: EMPTY, paramListOffset: 0, paramListLength: -1,
    messageBytes: EMPTY, messageOffset: 0, messageLength: -1,
    vendorClassBytes: EMPTY, vendorClassOffset: 0, vendorClassLength: -1,
    clientIdBytes: EMPTY, clientIdOffset: 0, clientIdLength: -1,
    orderCount: 0, order: new Array<number>(MAX_ORDER).fill(0), minLength: 0,
  };
  return r;
}

/** Reset `r` to an empty message (every option absent), keeping its arrays. */
export function clearDhcpRepr(r: DhcpRepr): void {
  r.op = 0; r.hops = 0; r.xid = 0; r.secs = 0; r.flags = 0;
  r.ciaddr = 0; r.yiaddr = 0; r.siaddr = 0; r.giaddr = 0; r.chaddr = 0;
  r.messageType = 0; r.subnetMask = -1; r.routerCount = 0; r.dnsCount = 0; r.mtu = -1; r.broadcastAddr = -1;
  r.requestedIp = -1; r.leaseTime = -1; r.serverId = -1; r.maxMessageSize = -1; r.renewalTime = -1; r.rebindingTime = -1;
  r.hostNameBytes = EMPTY; r.hostNameLength = -1;
  r.domainNameBytes = EMPTY; r.domainNameLength = -1;
  r.paramListBytes = EMPTY; r.paramListLength = -1;
  r.messageBytes = EMPTY; r.messageLength = -1;
  r.vendorClassBytes = EMPTY; r.vendorClassLength = -1;
  r.clientIdBytes = EMPTY; r.clientIdLength = -1;
  r.orderCount = 0; r.minLength = 0;
}

/**
 * Fill `repr` from a view wrapped over the UDP payload; return a WireErr code. Never reads
 * outside the view. Errors: those of checkLen; BadOption (an option runs past the message,
 * a fixed-size option has the wrong length, an address list is empty or not a multiple of
 * 4, option 53 is 0); Unsupported (option overload).
 */
export function parseDhcpInto(view: DhcpView, repr: DhcpRepr): number {
  const err = view.checkLen();
  if (err !== WireErr.Ok) return err;
  clearDhcpRepr(repr);
  const b = view.bytes;
  repr.op = view.op();
  repr.hops = view.hops();
  repr.xid = view.xid();
  repr.secs = view.secs();
  repr.flags = view.flags();
  repr.ciaddr = view.ciaddr();
  repr.yiaddr = view.yiaddr();
  repr.siaddr = view.siaddr();
  repr.giaddr = view.giaddr();
  repr.chaddr = view.chaddr();
  repr.minLength = view.length;
  const end = view.offset + view.length;
  let i = view.optionsOffset();
  while (i < end) {
    const code = b[i]!;
    if (code === DHCP_OPT_PAD) {
      i++;
      continue;
    }
    if (code === DHCP_OPT_END) break;
    if (i + 2 > end) return WireErr.BadOption;
    const len = b[i + 1]!;
    const at = i + 2;
    if (at + len > end) return WireErr.BadOption;
    const e = parseOption(repr, code, b, at, len);
    if (e !== WireErr.Ok) return e;
    if (repr.orderCount < MAX_ORDER) repr.order[repr.orderCount++] = code;
    i = at + len;
  }
  return WireErr.Ok;
}

/** Store one option of `len` bytes at `at`; return a WireErr code. */
function parseOption(r: DhcpRepr, code: number, b: Uint8Array, at: number, len: number): number {
  switch (code) {
    case DHCP_OPT_MESSAGE_TYPE:
      if (len !== 1 || b[at] === 0) return WireErr.BadOption;
      r.messageType = b[at]!;
      return WireErr.Ok;
    case DHCP_OPT_SUBNET_MASK:
      return len !== 4 ? WireErr.BadOption : ((r.subnetMask = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_BROADCAST:
      return len !== 4 ? WireErr.BadOption : ((r.broadcastAddr = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_REQUESTED_IP:
      return len !== 4 ? WireErr.BadOption : ((r.requestedIp = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_SERVER_ID:
      return len !== 4 ? WireErr.BadOption : ((r.serverId = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_LEASE_TIME:
      return len !== 4 ? WireErr.BadOption : ((r.leaseTime = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_RENEWAL_TIME:
      return len !== 4 ? WireErr.BadOption : ((r.renewalTime = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_REBINDING_TIME:
      return len !== 4 ? WireErr.BadOption : ((r.rebindingTime = get32(b, at)), WireErr.Ok);
    case DHCP_OPT_MTU:
      return len !== 2 ? WireErr.BadOption : ((r.mtu = get16(b, at)), WireErr.Ok);
    case DHCP_OPT_MAX_SIZE:
      return len !== 2 ? WireErr.BadOption : ((r.maxMessageSize = get16(b, at)), WireErr.Ok);
    case DHCP_OPT_ROUTER:
    case DHCP_OPT_DNS: {
      if (len === 0 || len % 4 !== 0) return WireErr.BadOption;
      const list = code === DHCP_OPT_ROUTER ? r.routers : r.dns;
      const n = Math.min(len / 4, DHCP_MAX_ADDRS);
      for (let k = 0; k < n; k++) list[k] = get32(b, at + 4 * k);
      if (code === DHCP_OPT_ROUTER) r.routerCount = n;
      else r.dnsCount = n;
      return WireErr.Ok;
    }
    case DHCP_OPT_HOST_NAME:
      r.hostNameBytes = b; r.hostNameOffset = at; r.hostNameLength = len;
      return WireErr.Ok;
    case DHCP_OPT_DOMAIN_NAME:
      r.domainNameBytes = b; r.domainNameOffset = at; r.domainNameLength = len;
      return WireErr.Ok;
    case DHCP_OPT_PARAM_LIST:
      r.paramListBytes = b; r.paramListOffset = at; r.paramListLength = len;
      return WireErr.Ok;
    case DHCP_OPT_MESSAGE:
      r.messageBytes = b; r.messageOffset = at; r.messageLength = len;
      return WireErr.Ok;
    case DHCP_OPT_VENDOR_CLASS:
      r.vendorClassBytes = b; r.vendorClassOffset = at; r.vendorClassLength = len;
      return WireErr.Ok;
    case DHCP_OPT_CLIENT_ID:
      // RFC 2132 §9.14: at least 2 bytes (a type and an identifier).
      if (len < 2) return WireErr.BadOption;
      r.clientIdBytes = b; r.clientIdOffset = at; r.clientIdLength = len;
      return WireErr.Ok;
    case DHCP_OPT_OVERLOAD:
      return WireErr.Unsupported;
    default:
      return WireErr.Ok;
  }
}

/** The order emit uses for a record built by hand (orderCount 0). */
const FIXED_ORDER: readonly number[] = [
  DHCP_OPT_MESSAGE_TYPE, DHCP_OPT_SERVER_ID, DHCP_OPT_LEASE_TIME, DHCP_OPT_RENEWAL_TIME, DHCP_OPT_REBINDING_TIME,
  DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_DOMAIN_NAME, DHCP_OPT_MTU, DHCP_OPT_BROADCAST,
  DHCP_OPT_HOST_NAME, DHCP_OPT_REQUESTED_IP, DHCP_OPT_MAX_SIZE, DHCP_OPT_PARAM_LIST, DHCP_OPT_VENDOR_CLASS,
  DHCP_OPT_CLIENT_ID, DHCP_OPT_MESSAGE,
];

/** Return the encoded length of option `code` in `r` (2 + data), or 0 when absent or unknown. */
function optionLen(r: DhcpRepr, code: number): number {
  switch (code) {
    case DHCP_OPT_MESSAGE_TYPE: return r.messageType > 0 ? 3 : 0;
    case DHCP_OPT_SUBNET_MASK: return r.subnetMask >= 0 ? 6 : 0;
    case DHCP_OPT_BROADCAST: return r.broadcastAddr >= 0 ? 6 : 0;
    case DHCP_OPT_REQUESTED_IP: return r.requestedIp >= 0 ? 6 : 0;
    case DHCP_OPT_SERVER_ID: return r.serverId >= 0 ? 6 : 0;
    case DHCP_OPT_LEASE_TIME: return r.leaseTime >= 0 ? 6 : 0;
    case DHCP_OPT_RENEWAL_TIME: return r.renewalTime >= 0 ? 6 : 0;
    case DHCP_OPT_REBINDING_TIME: return r.rebindingTime >= 0 ? 6 : 0;
    case DHCP_OPT_MTU: return r.mtu >= 0 ? 4 : 0;
    case DHCP_OPT_MAX_SIZE: return r.maxMessageSize >= 0 ? 4 : 0;
    case DHCP_OPT_ROUTER: return r.routerCount > 0 ? 2 + 4 * r.routerCount : 0;
    case DHCP_OPT_DNS: return r.dnsCount > 0 ? 2 + 4 * r.dnsCount : 0;
    case DHCP_OPT_HOST_NAME: return r.hostNameLength >= 0 ? 2 + r.hostNameLength : 0;
    case DHCP_OPT_DOMAIN_NAME: return r.domainNameLength >= 0 ? 2 + r.domainNameLength : 0;
    case DHCP_OPT_PARAM_LIST: return r.paramListLength >= 0 ? 2 + r.paramListLength : 0;
    case DHCP_OPT_MESSAGE: return r.messageLength >= 0 ? 2 + r.messageLength : 0;
    case DHCP_OPT_VENDOR_CLASS: return r.vendorClassLength >= 0 ? 2 + r.vendorClassLength : 0;
    case DHCP_OPT_CLIENT_ID: return r.clientIdLength >= 0 ? 2 + r.clientIdLength : 0;
    default: return 0;
  }
}

/** Return the length of the options area `emitDhcp` writes (the cookie and END included). */
function optionsLen(r: DhcpRepr): number {
  let n = 4 + 1;
  if (r.orderCount > 0) for (let k = 0; k < r.orderCount; k++) n += optionLen(r, r.order[k]!);
  else for (const c of FIXED_ORDER) n += optionLen(r, c);
  return n;
}

/**
 * Return the bytes `emitDhcp` writes for `repr`: header, cookie, options, END, then zeros up
 * to DHCP_MIN_LEN (300) or `repr.minLength`, whichever is more. Options with data longer
 * than 255 bytes are not split (RFC 3396); callers keep them shorter.
 */
export function dhcpBufferLen(repr: DhcpRepr): number {
  return Math.max(DHCP_FIXED_LEN + optionsLen(repr), DHCP_MIN_LEN, repr.minLength);
}

/** Write `repr` at `off` of `b` (exactly dhcpBufferLen(repr) bytes); cannot fail. */
export function emitDhcp(repr: DhcpRepr, b: Uint8Array, off: number): void {
  const total = dhcpBufferLen(repr);
  b.fill(0, off, off + total);
  b[off + OP] = repr.op;
  b[off + HTYPE] = DHCP_HTYPE_ETHERNET;
  b[off + HLEN] = 6;
  b[off + HOPS] = repr.hops;
  set32(b, off + XID, repr.xid);
  set16(b, off + SECS, repr.secs);
  set16(b, off + FLAGS, repr.flags);
  set32(b, off + CIADDR, repr.ciaddr);
  set32(b, off + YIADDR, repr.yiaddr);
  set32(b, off + SIADDR, repr.siaddr);
  set32(b, off + GIADDR, repr.giaddr);
  set48(b, off + CHADDR, repr.chaddr);
  set32(b, off + COOKIE, DHCP_MAGIC_COOKIE);
  let i = off + DHCP_OPTIONS_OFFSET;
  if (repr.orderCount > 0) for (let k = 0; k < repr.orderCount; k++) i = emitOption(repr, repr.order[k]!, b, i);
  else for (const c of FIXED_ORDER) i = emitOption(repr, c, b, i);
  b[i] = DHCP_OPT_END;
}

/** Write option `code` at `i` when `r` holds it; return the offset after it. */
function emitOption(r: DhcpRepr, code: number, b: Uint8Array, i: number): number {
  const len = optionLen(r, code);
  if (len === 0) return i;
  b[i] = code;
  b[i + 1] = len - 2;
  const at = i + 2;
  switch (code) {
    case DHCP_OPT_MESSAGE_TYPE: b[at] = r.messageType; break;
    case DHCP_OPT_SUBNET_MASK: set32(b, at, r.subnetMask); break;
    case DHCP_OPT_BROADCAST: set32(b, at, r.broadcastAddr); break;
    case DHCP_OPT_REQUESTED_IP: set32(b, at, r.requestedIp); break;
    case DHCP_OPT_SERVER_ID: set32(b, at, r.serverId); break;
    case DHCP_OPT_LEASE_TIME: set32(b, at, r.leaseTime); break;
    case DHCP_OPT_RENEWAL_TIME: set32(b, at, r.renewalTime); break;
    case DHCP_OPT_REBINDING_TIME: set32(b, at, r.rebindingTime); break;
    case DHCP_OPT_MTU: set16(b, at, r.mtu); break;
    case DHCP_OPT_MAX_SIZE: set16(b, at, r.maxMessageSize); break;
    case DHCP_OPT_ROUTER: for (let k = 0; k < r.routerCount; k++) set32(b, at + 4 * k, r.routers[k]!); break;
    case DHCP_OPT_DNS: for (let k = 0; k < r.dnsCount; k++) set32(b, at + 4 * k, r.dns[k]!); break;
    case DHCP_OPT_HOST_NAME: copy(b, at, r.hostNameBytes, r.hostNameOffset, r.hostNameLength); break;
    case DHCP_OPT_DOMAIN_NAME: copy(b, at, r.domainNameBytes, r.domainNameOffset, r.domainNameLength); break;
    case DHCP_OPT_PARAM_LIST: copy(b, at, r.paramListBytes, r.paramListOffset, r.paramListLength); break;
    case DHCP_OPT_MESSAGE: copy(b, at, r.messageBytes, r.messageOffset, r.messageLength); break;
    case DHCP_OPT_VENDOR_CLASS: copy(b, at, r.vendorClassBytes, r.vendorClassOffset, r.vendorClassLength); break;
    case DHCP_OPT_CLIENT_ID: copy(b, at, r.clientIdBytes, r.clientIdOffset, r.clientIdLength); break;
  }
  return i + len;
}

function copy(dst: Uint8Array, at: number, src: Uint8Array, off: number, len: number): void {
  for (let k = 0; k < len; k++) dst[at + k] = src[off + k]!;
}

/** Return true when the parameter request list of `r` asks for option `code`. */
export function dhcpRequests(r: DhcpRepr, code: number): boolean {
  const b = r.paramListBytes;
  for (let k = 0; k < r.paramListLength; k++) if (b[r.paramListOffset + k] === code) return true;
  return false;
}

/**
 * Return a one-line description, tcpdump's words first:
 * `BOOTP/DHCP, Request from 52:54:00:12:34:56, length 300, xid 0x3a67c11e, DHCP Discover`,
 * then the addresses and options that are set.
 */
export function formatDhcp(r: DhcpRepr, length: number): string {
  let s = r.op === BOOTREQUEST ? `BOOTP/DHCP, Request from ${macToString(r.chaddr)}, length ${length}` : `BOOTP/DHCP, Reply, length ${length}`;
  s += `, xid 0x${r.xid.toString(16).padStart(8, '0')}`;
  if ((r.flags & DHCP_FLAG_BROADCAST) !== 0) s += ', Flags [Broadcast]';
  if (r.messageType > 0) s += `, DHCP ${dhcpMessageTypeName(r.messageType)}`;
  if (r.ciaddr !== 0) s += `, Client-IP ${ipv4ToString(r.ciaddr)}`;
  if (r.yiaddr !== 0) s += `, Your-IP ${ipv4ToString(r.yiaddr)}`;
  if (r.giaddr !== 0) s += `, Gateway-IP ${ipv4ToString(r.giaddr)}`;
  if (r.requestedIp >= 0) s += `, Requested-IP ${ipv4ToString(r.requestedIp)}`;
  if (r.serverId >= 0) s += `, Server-ID ${ipv4ToString(r.serverId)}`;
  if (r.leaseTime >= 0) s += `, Lease-Time ${r.leaseTime}`;
  if (r.subnetMask >= 0) s += `, Subnet-Mask ${ipv4ToString(r.subnetMask)}`;
  if (r.routerCount > 0) s += `, Default-Gateway ${r.routers.slice(0, r.routerCount).map(ipv4ToString).join(',')}`;
  if (r.dnsCount > 0) s += `, Domain-Name-Server ${r.dns.slice(0, r.dnsCount).map(ipv4ToString).join(',')}`;
  if (r.domainNameLength >= 0) s += `, Domain-Name "${latin1(r.domainNameBytes, r.domainNameOffset, r.domainNameLength)}"`;
  if (r.mtu >= 0) s += `, MTU ${r.mtu}`;
  if (r.messageLength >= 0) s += `, Message "${latin1(r.messageBytes, r.messageOffset, r.messageLength)}"`;
  return s;
}

function latin1(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let k = 0; k < len; k++) {
    const c = b[off + k]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}
