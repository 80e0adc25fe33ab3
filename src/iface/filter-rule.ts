// Filter rules: the rule a user writes (`FilterRuleSpec`, iptables' matches and targets as
// an object), its checks, and its compiled form (`FilterRule`: integers the hook compares
// without allocating), plus the text forms `iptables -S` and `iptables -L -v -n` print.
// filter.ts holds the chains and the hooks.
//
// Errors: compileRule throws NetchError with NETCH_ERR_FILTER_* codes (docs/errors.md).

import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, ipv4PrefixMask, ipv4ToString } from '../wire/ipv4.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../wire/tcp.js';
import { parseCidr } from './cidr.js';
import { netchError } from './errors.js';

/** The chain names, in the order a datagram meets them. */
export const FILTER_CHAINS = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] as const;
/** A chain name. */
export type FilterChainName = (typeof FILTER_CHAINS)[number];

/** What a rule or a policy decides, as the hooks return it. */
export const FilterVerdict = {
  Accept: 0,
  Drop: 1,
  Reject: 2,
} as const;
/** A FilterVerdict value. */
export type FilterVerdictCode = (typeof FilterVerdict)[keyof typeof FilterVerdict];

/** A verdict as the API spells it. */
export type FilterTarget = 'ACCEPT' | 'DROP' | 'REJECT';
/** A chain policy (REJECT cannot be a policy, as in iptables). */
export type FilterPolicy = 'ACCEPT' | 'DROP';

/** `--reject-with` names and the ICMP destination-unreachable code each sends (-1: a TCP RST). */
export const REJECT_WITH: Readonly<Record<string, number>> = {
  'tcp-reset': -1,
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
};
/** A `--reject-with` name. */
export type FilterRejectWith =
  | 'tcp-reset'
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-port-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'icmp-admin-prohibited';

/** TCP flag names as iptables spells them, with their bits. */
export const TCP_FLAG_NAMES: Readonly<Record<string, number>> = {
  FIN: TCP_FIN,
  SYN: TCP_SYN,
  RST: TCP_RST,
  PSH: TCP_PSH,
  ACK: TCP_ACK,
  URG: TCP_URG,
  ECE: TCP_ECE,
  CWR: TCP_CWR,
  ALL: 0xff,
  NONE: 0,
};

/** A set of TCP flags: bits, `'SYN,ACK'`, or `['SYN', 'ACK']`. */
export type TcpFlagSet = number | string | readonly string[];

/** A port, a range `[lo, hi]`, or text `80` / `1000:2000` (`:1024` and `1024:` are open ranges). */
export type FilterPort = number | string | readonly [number, number];

/** Which matches of a rule are inverted (iptables' `!`). */
export interface FilterInvert {
  src?: boolean;
  dst?: boolean;
  proto?: boolean;
  sport?: boolean;
  dport?: boolean;
  tcpFlags?: boolean;
  inIface?: boolean;
  outIface?: boolean;
}

/** A rule as the API takes it; every match is optional. */
export interface FilterRuleSpec {
  /** Source address, `192.0.2.0/24` or `192.0.2.7` (/32) or a u32; host bits are masked off. */
  src?: string | number;
  /** Destination address, as `src`. */
  dst?: string | number;
  /** `tcp`, `udp`, `icmp`, `any`/`all`, or an IP protocol number 0..255 (0 means any). */
  proto?: 'tcp' | 'udp' | 'icmp' | 'any' | 'all' | number;
  /** Source port or range; needs `proto` tcp or udp. */
  sport?: FilterPort;
  /** Destination port or range; needs `proto` tcp or udp. */
  dport?: FilterPort;
  /** TCP flags: those in `mask` examined, those in `comp` must be set (iptables `--tcp-flags MASK COMP`); needs `proto: 'tcp'`. */
  tcpFlags?: { mask: TcpFlagSet; comp: TcpFlagSet };
  /** Input interface (`eth0`, `eth+` for any starting with eth, `lo`); PREROUTING and INPUT only. */
  inIface?: string;
  /** Output interface; OUTPUT and POSTROUTING only. */
  outIface?: string;
  /** Inverted matches. */
  not?: FilterInvert;
  verdict: FilterTarget;
  /** For REJECT: what to send (default: `tcp-reset` for a tcp rule, else `icmp-port-unreachable`). */
  rejectWith?: FilterRejectWith;
}

/** One rule as `list()` returns it: its normalized spec, its counters and its iptables -S text. */
export interface FilterRuleInfo {
  /** Position in the chain, from 1. */
  num: number;
  spec: FilterRuleSpec;
  packets: number;
  bytes: number;
  /** The rule as `iptables -S` prints it (`-A INPUT -p tcp -m tcp --dport 80 -j DROP`). */
  text: string;
}

/** One chain as `list()` returns it. */
export interface FilterChainInfo {
  name: FilterChainName;
  policy: FilterPolicy;
  /** Packets and bytes the policy decided. */
  packets: number;
  bytes: number;
  rules: FilterRuleInfo[];
}

/** Where a chain hooks in: PREROUTING, INPUT, OUTPUT, POSTROUTING. */
export const FilterHook = {
  Prerouting: 0,
  Input: 1,
  Output: 2,
  Postrouting: 3,
} as const;

// Slots of FilterRule.m, the packed form the hook reads (an Int32Array never changes
// shape, so the rule loop stays monomorphic and optimized however rules are added).
export const M_SRC = 0;
export const M_SRC_MASK = 1;
export const M_SRC_INV = 2;
export const M_DST = 3;
export const M_DST_MASK = 4;
export const M_DST_INV = 5;
export const M_PROTO = 6;
export const M_PROTO_INV = 7;
export const M_NEEDS_L4 = 8;
export const M_HAS_SPORT = 9;
export const M_SPORT_LO = 10;
export const M_SPORT_HI = 11;
export const M_SPORT_INV = 12;
export const M_HAS_DPORT = 13;
export const M_DPORT_LO = 14;
export const M_DPORT_HI = 15;
export const M_DPORT_INV = 16;
export const M_TCP_MASK = 17;
export const M_TCP_COMP = 18;
export const M_TCP_INV = 19;
export const M_HAS_IN = 20;
export const M_IN_PREFIX = 21;
export const M_IN_INV = 22;
export const M_HAS_OUT = 23;
export const M_OUT_PREFIX = 24;
export const M_OUT_INV = 25;
export const M_VERDICT = 26;
const M_LEN = 27;

/** A compiled rule: named fields while it is built and printed, packed into `m` for the hook. */
export class FilterRule {
  /** Packets and bytes matched ([0], [1]): a Float64Array, so counting never changes a map. */
  readonly counts = new Float64Array(2);
  /** The packed matches (M_* slots), filled by `pack()`. */
  readonly m = new Int32Array(M_LEN);
  // Addresses and masks as int32 (`| 0`): an absent match has mask 0, which every address passes.
  src = 0;
  srcMask = 0;
  srcInv = false;
  dst = 0;
  dstMask = 0;
  dstInv = false;
  /** IP protocol, or -1 for any. */
  proto = -1;
  protoInv = false;
  /** Some port or flag match needs the transport header. */
  needsL4 = false;
  hasSport = false;
  sportLo = 0;
  sportHi = 0xffff;
  sportInv = false;
  hasDport = false;
  dportLo = 0;
  dportHi = 0xffff;
  dportInv = false;
  /** TCP flags: -1 mask means no match. */
  tcpMask = -1;
  tcpComp = 0;
  tcpInv = false;
  /** Interface names ('' when not matched). */
  inName = '';
  hasIn = false;
  inPrefix = false;
  inInv = false;
  outName = '';
  hasOut = false;
  outPrefix = false;
  outInv = false;
  verdict: FilterVerdictCode = FilterVerdict.Accept;
  /** REJECT: the ICMP unreachable code, or -1 for a TCP RST. */
  rejectCode = -1;
  /** The rule's `iptables -S` arguments after the chain (`-p tcp -m tcp --dport 80 -j DROP`), for listing and delete-by-spec. */
  args = '';

  constructor(
    /** The normalized spec. */
    readonly spec: FilterRuleSpec,
  ) {}

  /** Return the packets matched. */
  get packets(): number {
    return this.counts[0]!;
  }
  set packets(v: number) {
    this.counts[0] = v;
  }
  /** Return the bytes (IPv4 total lengths) matched. */
  get bytes(): number {
    return this.counts[1]!;
  }
  set bytes(v: number) {
    this.counts[1] = v;
  }

  /** Copy the named fields into `m`. */
  pack(): void {
    const m = this.m;
    const b = (x: boolean): number => (x ? 1 : 0);
    m[M_SRC] = this.src;
    m[M_SRC_MASK] = this.srcMask;
    m[M_SRC_INV] = b(this.srcInv);
    m[M_DST] = this.dst;
    m[M_DST_MASK] = this.dstMask;
    m[M_DST_INV] = b(this.dstInv);
    m[M_PROTO] = this.proto;
    m[M_PROTO_INV] = b(this.protoInv);
    m[M_NEEDS_L4] = b(this.needsL4);
    m[M_HAS_SPORT] = b(this.hasSport);
    m[M_SPORT_LO] = this.sportLo;
    m[M_SPORT_HI] = this.sportHi;
    m[M_SPORT_INV] = b(this.sportInv);
    m[M_HAS_DPORT] = b(this.hasDport);
    m[M_DPORT_LO] = this.dportLo;
    m[M_DPORT_HI] = this.dportHi;
    m[M_DPORT_INV] = b(this.dportInv);
    m[M_TCP_MASK] = this.tcpMask;
    m[M_TCP_COMP] = this.tcpComp;
    m[M_TCP_INV] = b(this.tcpInv);
    m[M_HAS_IN] = b(this.hasIn);
    m[M_IN_PREFIX] = b(this.inPrefix);
    m[M_IN_INV] = b(this.inInv);
    m[M_HAS_OUT] = b(this.hasOut);
    m[M_OUT_PREFIX] = b(this.outPrefix);
    m[M_OUT_INV] = b(this.outInv);
    m[M_VERDICT] = this.verdict;
  }
}


const SPEC_KEYS = new Set(['src', 'dst', 'proto', 'sport', 'dport', 'tcpFlags', 'inIface', 'outIface', 'not', 'verdict', 'rejectWith']);
const NOT_KEYS = new Set(['src', 'dst', 'proto', 'sport', 'dport', 'tcpFlags', 'inIface', 'outIface']);
const PROTO_NAMES: Readonly<Record<string, number>> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, icmp: IPPROTO_ICMP, any: -1, all: -1 };

function badMatch(message: string, syscall: string): Error {
  return netchError('NETCH_ERR_FILTER_MATCH', message, { syscall });
}

/** Check `spec` and compile it into a rule of `chain` (hooked at `hook`, a FilterHook). Errors: NETCH_ERR_FILTER_*. */
export function compileRule(hook: number, chain: string, spec: FilterRuleSpec, syscall: string): FilterRule {
  if (spec === null || typeof spec !== 'object') throw badMatch('a rule is an object like { proto: "tcp", dport: 80, verdict: "DROP" }', syscall);
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.has(k)) throw badMatch(`unknown rule field '${k}'`, syscall);
  const not = spec.not ?? {};
  if (typeof not !== 'object' || not === null) throw badMatch('`not` is an object like { src: true }', syscall);
  for (const [k, v] of Object.entries(not)) {
    if (!NOT_KEYS.has(k)) throw badMatch(`unknown field '${k}' in not`, syscall);
    if (typeof v !== 'boolean') throw badMatch(`not.${k} must be a boolean`, syscall);
    if (v && (spec as unknown as Record<string, unknown>)[k] === undefined) throw badMatch(`not.${k} inverts a match the rule does not have`, syscall);
  }
  const norm: FilterRuleSpec = { verdict: 'ACCEPT' };
  const inv: FilterInvert = {};
  const words: string[] = [];
  const flag = (k: keyof FilterInvert): boolean => {
    const v = not[k] === true;
    if (v) inv[k] = true;
    return v;
  };
  const r = new FilterRule(norm);
  if (spec.src !== undefined) {
    const a = parseAddr(spec.src, 'src', syscall);
    r.src = a.address | 0;
    r.srcMask = a.mask | 0;
    r.srcInv = flag('src');
    norm.src = a.text;
    words.push(`${r.srcInv ? '! ' : ''}-s ${a.text}`);
  }
  if (spec.dst !== undefined) {
    const a = parseAddr(spec.dst, 'dst', syscall);
    r.dst = a.address | 0;
    r.dstMask = a.mask | 0;
    r.dstInv = flag('dst');
    norm.dst = a.text;
    words.push(`${r.dstInv ? '! ' : ''}-d ${a.text}`);
  }
  if (spec.inIface !== undefined) {
    if (hook === FilterHook.Output || hook === FilterHook.Postrouting) throw netchError('NETCH_ERR_FILTER_IFACE_CHAIN', `an input interface cannot match in ${chain}`, { syscall });
    const n = parseIfaceName(spec.inIface, 'inIface', syscall);
    r.inName = n.name;
    r.hasIn = true;
    r.inPrefix = n.prefix;
    r.inInv = flag('inIface');
    norm.inIface = spec.inIface;
    words.push(`${r.inInv ? '! ' : ''}-i ${spec.inIface}`);
  }
  if (spec.outIface !== undefined) {
    if (hook === FilterHook.Prerouting || hook === FilterHook.Input) throw netchError('NETCH_ERR_FILTER_IFACE_CHAIN', `an output interface cannot match in ${chain}`, { syscall });
    const n = parseIfaceName(spec.outIface, 'outIface', syscall);
    r.outName = n.name;
    r.hasOut = true;
    r.outPrefix = n.prefix;
    r.outInv = flag('outIface');
    norm.outIface = spec.outIface;
    words.push(`${r.outInv ? '! ' : ''}-o ${spec.outIface}`);
  }
  if (spec.proto !== undefined) {
    const p = parseProto(spec.proto, syscall);
    r.proto = p;
    r.protoInv = flag('proto');
    if (p < 0 && r.protoInv) throw badMatch('! proto any matches nothing', syscall);
    norm.proto = p < 0 ? 'all' : p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : p === IPPROTO_ICMP ? 'icmp' : p;
    if (p >= 0) words.push(`${r.protoInv ? '! ' : ''}-p ${protoText(p)}`);
  }
  const l4 = spec.sport !== undefined || spec.dport !== undefined || spec.tcpFlags !== undefined;
  if (l4) {
    const isTcp = r.proto === IPPROTO_TCP && !r.protoInv;
    const isUdp = r.proto === IPPROTO_UDP && !r.protoInv;
    if (spec.tcpFlags !== undefined && !isTcp) throw netchError('NETCH_ERR_FILTER_NEEDS_PROTO', 'a TCP flags match needs proto: "tcp"', { syscall });
    if (!isTcp && !isUdp) throw netchError('NETCH_ERR_FILTER_NEEDS_PROTO', 'a port match needs proto: "tcp" or "udp"', { syscall });
    r.needsL4 = true;
    words.push(`-m ${isTcp ? 'tcp' : 'udp'}`);
  }
  if (spec.sport !== undefined) {
    const [lo, hi] = parsePort(spec.sport, 'sport', syscall);
    r.hasSport = true;
    r.sportLo = lo;
    r.sportHi = hi;
    r.sportInv = flag('sport');
    norm.sport = lo === hi ? lo : [lo, hi];
    words.push(`${r.sportInv ? '! ' : ''}--sport ${portText(lo, hi)}`);
  }
  if (spec.dport !== undefined) {
    const [lo, hi] = parsePort(spec.dport, 'dport', syscall);
    r.hasDport = true;
    r.dportLo = lo;
    r.dportHi = hi;
    r.dportInv = flag('dport');
    norm.dport = lo === hi ? lo : [lo, hi];
    words.push(`${r.dportInv ? '! ' : ''}--dport ${portText(lo, hi)}`);
  }
  if (spec.tcpFlags !== undefined) {
    const tf = spec.tcpFlags;
    if (tf === null || typeof tf !== 'object' || tf.mask === undefined || tf.comp === undefined) throw badMatch('tcpFlags is { mask, comp }', syscall);
    const mask = parseFlags(tf.mask, syscall);
    const comp = parseFlags(tf.comp, syscall);
    if ((comp & ~mask) !== 0) throw badMatch(`tcpFlags comp ${flagText(comp)} has flags outside the mask ${flagText(mask)}`, syscall);
    r.tcpMask = mask;
    r.tcpComp = comp;
    r.tcpInv = flag('tcpFlags');
    norm.tcpFlags = { mask: flagText(mask), comp: flagText(comp) };
    words.push(`${r.tcpInv ? '! ' : ''}--tcp-flags ${flagText(mask)} ${flagText(comp)}`);
  }
  const v = spec.verdict;
  if (v !== 'ACCEPT' && v !== 'DROP' && v !== 'REJECT') throw netchError('NETCH_ERR_FILTER_VERDICT', `verdict must be ACCEPT, DROP or REJECT, not ${String(v)}`, { syscall });
  norm.verdict = v;
  r.verdict = v === 'ACCEPT' ? FilterVerdict.Accept : v === 'DROP' ? FilterVerdict.Drop : FilterVerdict.Reject;
  words.push(`-j ${v}`);
  if (spec.rejectWith !== undefined && v !== 'REJECT') throw netchError('NETCH_ERR_FILTER_VERDICT', 'rejectWith needs verdict REJECT', { syscall });
  if (v === 'REJECT') {
    const isTcp = r.proto === IPPROTO_TCP && !r.protoInv;
    const w = spec.rejectWith ?? (isTcp ? 'tcp-reset' : 'icmp-port-unreachable');
    const code = typeof w === 'string' && Object.hasOwn(REJECT_WITH, w) ? REJECT_WITH[w]! : undefined;
    if (code === undefined) throw netchError('NETCH_ERR_FILTER_VERDICT', `unknown rejectWith ${String(w)} (${Object.keys(REJECT_WITH).join(', ')})`, { syscall });
    if (code < 0 && !isTcp) throw netchError('NETCH_ERR_FILTER_VERDICT', 'rejectWith tcp-reset needs proto: "tcp"', { syscall });
    r.rejectCode = code;
    norm.rejectWith = w;
    words.push(`--reject-with ${w}`);
  }
  if (Object.keys(inv).length > 0) norm.not = inv;
  r.args = words.join(' ');
  r.pack();
  return r;
}

/** Parse an address match; return the masked address, the mask and the canonical text. */
function parseAddr(v: string | number, key: string, syscall: string): { address: number; mask: number; text: string } {
  let address: number;
  let prefixLen: number;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw badMatch(`${key} ${v} is not an IPv4 address`, syscall);
    address = v;
    prefixLen = 32;
  } else if (typeof v === 'string') {
    try {
      const c = parseCidr(v, syscall);
      address = c.address;
      prefixLen = c.prefixLen;
    } catch {
      throw badMatch(`${key} '${v}' is not an address or address/prefix`, syscall);
    }
  } else {
    throw badMatch(`${key} must be an address string or number`, syscall);
  }
  const mask = ipv4PrefixMask(prefixLen);
  const net = (address & mask) >>> 0;
  return { address: net, mask, text: `${ipv4ToString(net)}/${prefixLen}` };
}

/** Parse a protocol name or number; return the number, or -1 for any. */
function parseProto(v: FilterRuleSpec['proto'], syscall: string): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw badMatch(`protocol ${v} is not 0..255`, syscall);
    return v === 0 ? -1 : v;
  }
  if (typeof v === 'string') {
    const n = PROTO_NAMES[v.toLowerCase()];
    if (n !== undefined) return n;
    if (/^\d{1,3}$/.test(v) && Number(v) <= 255) return Number(v) === 0 ? -1 : Number(v);
  }
  throw badMatch(`unknown protocol ${String(v)} (tcp, udp, icmp, all, or 0..255)`, syscall);
}

function protoText(p: number): string {
  return p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : p === IPPROTO_ICMP ? 'icmp' : String(p);
}

/** Parse a port or range; return [lo, hi]. */
function parsePort(v: FilterPort, key: string, syscall: string): [number, number] {
  let lo: number;
  let hi: number;
  if (typeof v === 'number') {
    lo = hi = v;
  } else if (typeof v === 'string') {
    const m = /^(\d{0,5})(?::(\d{0,5}))?$/.exec(v);
    if (m === null || v === '' || v === ':') throw badMatch(`${key} '${v}' is not a port or range lo:hi`, syscall);
    lo = m[1] === '' ? 0 : Number(m[1]);
    hi = m[2] === undefined ? lo : m[2] === '' ? 0xffff : Number(m[2]);
  } else if (Array.isArray(v) && v.length === 2) {
    lo = v[0] as number;
    hi = v[1] as number;
  } else {
    throw badMatch(`${key} must be a port, [lo, hi] or 'lo:hi'`, syscall);
  }
  for (const x of [lo, hi]) if (!Number.isInteger(x) || x < 0 || x > 0xffff) throw badMatch(`${key} ${String(x)} is not a port 0..65535`, syscall);
  if (lo > hi) throw badMatch(`${key} range ${lo}:${hi} is empty`, syscall);
  return [lo, hi];
}

function portText(lo: number, hi: number): string {
  return lo === hi ? String(lo) : `${lo}:${hi}`;
}

/** Parse a TCP flag set (bits, `SYN,ACK`, or a list of names); return the bits. */
function parseFlags(v: TcpFlagSet, syscall: string): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw badMatch(`TCP flags ${v} are not 0..0xff`, syscall);
    return v;
  }
  const names = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (names === null) throw badMatch('TCP flags are a number, "SYN,ACK" or ["SYN", "ACK"]', syscall);
  let bits = 0;
  for (const n of names) {
    const b = typeof n === 'string' ? TCP_FLAG_NAMES[n.toUpperCase()] : undefined;
    if (b === undefined) throw badMatch(`unknown TCP flag '${String(n)}' (FIN SYN RST PSH ACK URG ECE CWR ALL NONE)`, syscall);
    bits |= b;
  }
  return bits;
}

/** Return flags as iptables -S prints them (`SYN,ACK`, `NONE`, `ALL`... in FIN..CWR order). */
function flagText(bits: number): string {
  if (bits === 0) return 'NONE';
  if (bits === 0xff) return 'ALL';
  const out: string[] = [];
  for (const [name, b] of Object.entries(TCP_FLAG_NAMES)) if (b !== 0 && b !== 0xff && (bits & b) !== 0) out.push(name);
  return out.join(',');
}

/** Parse an interface name (IFNAMSIZ: at most 15 characters; a trailing `+` matches a prefix). */
function parseIfaceName(v: string, key: string, syscall: string): { name: string; prefix: boolean } {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.:@-]{1,15}\+?$|^\+$/.test(v) || v.length > 15) throw badMatch(`${key} '${String(v)}' is not an interface name`, syscall);
  return v.endsWith('+') ? { name: v.slice(0, -1), prefix: true } : { name: v, prefix: false };
}

/** Return a policy's name. */
export function policyName(v: FilterVerdictCode): FilterPolicy {
  return v === FilterVerdict.Drop ? 'DROP' : 'ACCEPT';
}

/** Return a deep copy of a normalized spec. */
export function cloneSpec(s: FilterRuleSpec): FilterRuleSpec {
  return JSON.parse(JSON.stringify(s)) as FilterRuleSpec;
}

/** Return a counter as iptables prints it: `%5llu` with K/M/G/T past 99999 (or `%8llu` exact); `table`: padded. */
export function formatCount(n: number, exact: boolean, table = true): string {
  if (exact) return table ? String(n).padStart(8) + ' ' : `${n} `;
  let v = n;
  let suffix = '';
  for (const s of ['K', 'M', 'G', 'T']) {
    if (v <= (suffix === '' ? 99999 : 9999)) break;
    v = Math.floor((v + 500) / 1000);
    suffix = s;
  }
  if (suffix === '') return table ? String(v).padStart(5) + ' ' : `${v} `;
  return table ? String(v).padStart(4) + suffix + ' ' : `${v}${suffix} `;
}

/** Return one rule as a row of `iptables -L -v -n`. */
export function formatRow(r: FilterRule, n: number, exact: boolean, lineNumbers: boolean): string {
  const s = r.spec;
  const inv = s.not ?? {};
  let line = lineNumbers ? String(n).padEnd(4) + ' ' : '';
  line += formatCount(r.packets, exact) + formatCount(r.bytes, exact);
  line += s.verdict.padEnd(9) + ' ';
  line += (inv.proto === true ? '!' : ' ') + (r.proto < 0 ? 'all' : protoText(r.proto)).padEnd(5);
  line += '-- ';
  line += ' ' + iface(s.inIface, inv.inIface).padEnd(6) + ' ';
  line += iface(s.outIface, inv.outIface).padEnd(6) + ' ';
  line += (inv.src === true ? '!' : ' ') + String(s.src ?? '0.0.0.0/0').padEnd(19) + ' ';
  line += (inv.dst === true ? '!' : ' ') + String(s.dst ?? '0.0.0.0/0').padEnd(19) + ' ';
  const extra: string[] = [];
  if (r.needsL4) {
    extra.push(r.proto === IPPROTO_TCP ? 'tcp' : 'udp');
    if (r.hasSport) extra.push(`${r.sportLo === r.sportHi ? 'spt' : 'spts'}:${r.sportInv ? '!' : ''}${portText(r.sportLo, r.sportHi)}`);
    if (r.hasDport) extra.push(`${r.dportLo === r.dportHi ? 'dpt' : 'dpts'}:${r.dportInv ? '!' : ''}${portText(r.dportLo, r.dportHi)}`);
    if (r.tcpMask >= 0) extra.push(`flags:${r.tcpInv ? '!' : ''}${hex2(r.tcpMask)}/${hex2(r.tcpComp)}`);
  }
  if (s.rejectWith !== undefined) extra.push(`reject-with ${s.rejectWith}`);
  // Each extra match prints with a leading space, as libxt's print functions do.
  return (line + extra.map((e) => ' ' + e).join('')).trimEnd();
}

function iface(name: string | undefined, inverted: boolean | undefined): string {
  return name === undefined ? '*' : `${inverted === true ? '!' : ''}${name}`;
}

function hex2(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}
