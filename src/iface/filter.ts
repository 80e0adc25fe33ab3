// Filter hooks: netfilter's filter table, the thing Van Jacobson's prototype lost. Four
// chains of rules see every IPv4 datagram at fixed points of the host's paths:
//
//   PREROUTING   every datagram received (wire or loopback), after the header checks,
//                before the address checks and reassembly       (ipv4-input ipInput)
//   INPUT        a whole datagram for one of our addresses, before its transport
//                (fragments are reassembled first, as ip_local_deliver does)   (deliver)
//   OUTPUT       a datagram the host sends, once the transport has written it (commit)
//   POSTROUTING  right after OUTPUT, just before the frame goes to the device, the ARP
//                hold queue or the loopback queue                               (commit)
//
// A rule matches on source/destination address with prefix, protocol, source/destination
// port or port range (TCP/UDP), TCP flags (mask/compare, iptables' --tcp-flags), input
// and output interface name (`eth+` is a prefix), each match invertible; the first rule
// that matches decides: ACCEPT, DROP or REJECT. A datagram no rule matches gets the
// chain's policy (ACCEPT or DROP). Each rule counts the packets and bytes (the IPv4 total
// length) it matched, each chain those its policy decided.
//
// REJECT answers like Linux's ipt_REJECT: `tcp-reset` (the default of a `-p tcp` rule)
// sends a RST built as nf_send_reset builds it (RFC 9293 §3.10.7.1: with the offending
// segment's ACK as the sequence number, or seq 0 and an ACK of everything it occupied);
// the others send ICMP destination unreachable with the chosen code (default port
// unreachable) through the host's ICMP error path, so RFC 1122 §3.2.2's "never about"
// rules and the icmp_msgs_per_sec token bucket apply. No RST answers a RST, a non-initial
// fragment, a broadcast or a segment whose checksum fails; a reply the filter sends is
// filtered too, but a REJECT that matches a reply drops it (no reply to a reply).
//
// Cost: a hook is one length check when its chain is empty. Otherwise the datagram's
// addresses, protocol, ports and flags are read once into a preallocated record, and
// each rule is a handful of integer compares: no allocation per packet. Ports and TCP
// flags never match a non-initial fragment or a transport header that is cut short
// (iptables does the same); a rule with an inverted port match does not match them either.
//
// Errors: the configuration API throws NetchError with NETCH_ERR_FILTER_* codes
// (docs/errors.md); the hooks never throw.

import type { Millis } from '../time.js';
import { get16 } from '../wire/bytes.js';
import { ICMP_DEST_UNREACH } from '../wire/icmpv4.js';
import { IPPROTO_TCP, IPPROTO_UDP, ipv4IsBroadcast, ipv4IsMulticast } from '../wire/ipv4.js';
import { seqAdd } from '../wire/seq.js';
import { TCP_ACK, TCP_FIN, TCP_HEADER_LEN, TCP_RST, TCP_SYN, TcpView, emitTcp, newTcpRepr } from '../wire/tcp.js';
import { UDP_HEADER_LEN } from '../wire/udp.js';
import type { HostContext } from './context.js';
import { copyBytes } from '../storage/copy.js';
import { netchError } from './errors.js';
import {
  FILTER_CHAINS,
  type FilterChainInfo,
  type FilterChainName,
  FilterHook,
  type FilterPolicy,
  type FilterRule,
  type FilterRuleSpec,
  FilterVerdict,
  type FilterVerdictCode,
  cloneSpec,
  compileRule,
  formatCount,
  formatRow,
  policyName,
} from './filter-rule.js';
import { type ChainMatcher, P_DPORT, P_DST, P_FLAGS, P_L4, P_LEN, P_PROTO, P_SLOTS, P_SPORT, P_SRC, compileMatcher, interpretRules } from './filter-match.js';
import type { Interface } from './interface.js';

export * from './filter-rule.js';

// The answer a REJECT has prepared.
const REJECT_NONE = 0;
const REJECT_RST = 1;
const REJECT_ICMP = 2;

/** Most bytes of an offending datagram an ICMP reject can quote (576 - 20 - 8, as icmp.ts). */
const QUOTE_MAX = 548;

/** One chain: its rules in order, its policy and the policy's counters. */
export class FilterChain {
  /** The rules; the hooks test `rules.length` first, so the array is only ever changed in place. */
  readonly rules: FilterRule[] = [];
  /** The rules compiled into one function (filter-match.ts); null: walk them with `interpretRules`. Rebuilt by `recompile`. */
  matcher: ChainMatcher | null = null;
  policy: FilterVerdictCode = FilterVerdict.Accept;
  /** Packets and bytes the policy decided ([0], [1]). */
  readonly counts = new Float64Array(2);

  constructor(
    readonly name: FilterChainName,
    /** A FilterHook value. */
    readonly hook: number,
  ) {}

  /** Compile the rules again after they changed. */
  recompile(): void {
    this.matcher = compileMatcher(this.rules);
  }

  /** Return the packets the policy decided. */
  get packets(): number {
    return this.counts[0]!;
  }
  /** Return the bytes the policy decided. */
  get bytes(): number {
    return this.counts[1]!;
  }
}

/** The host's filter table: four chains and the hooks the IPv4 paths call. */
export class FilterTable {
  readonly prerouting = new FilterChain('PREROUTING', FilterHook.Prerouting);
  readonly input = new FilterChain('INPUT', FilterHook.Input);
  readonly output = new FilterChain('OUTPUT', FilterHook.Output);
  readonly postrouting = new FilterChain('POSTROUTING', FilterHook.Postrouting);
  private readonly chains: readonly FilterChain[] = [this.prerouting, this.input, this.output, this.postrouting];
  private readonly pkt = new Int32Array(P_SLOTS);
  /** The input and output interface names of the datagram under test ('' when none). */
  private inName = '';
  private outName = '';
  // The reject being prepared: a RST's fields, or the quoted datagram of an ICMP error.
  private pending = REJECT_NONE;
  private rejecting = false;
  private rstSrc = 0;
  private rstDst = 0;
  private readonly rst = newTcpRepr();
  private readonly tcpView = new TcpView();
  private icmpCode = 0;
  private quoteLen = 0;
  private readonly quote = new Uint8Array(QUOTE_MAX);

  constructor(private readonly ctx: HostContext) {}

  // ---- configuration (not on the packet path) ----

  /** Add a rule at the end of `chain`; return its number (from 1). Errors: NETCH_ERR_FILTER_* (docs/errors.md). */
  append(chain: FilterChainName, spec: FilterRuleSpec): number {
    const c = this.chain(chain, 'filter.append');
    c.rules.push(compileRule(c.hook, c.name, spec, 'filter.append'));
    c.recompile();
    return c.rules.length;
  }

  /**
   * Insert a rule before rule `num` (1 = first, length + 1 = last); return `num`.
   * Errors: NETCH_ERR_FILTER_NO_RULE for a position outside 1..length + 1, and as append.
   */
  insert(chain: FilterChainName, spec: FilterRuleSpec, num = 1): number {
    const c = this.chain(chain, 'filter.insert');
    if (!Number.isInteger(num) || num < 1 || num > c.rules.length + 1) {
      throw netchError('NETCH_ERR_FILTER_NO_RULE', `cannot insert at ${String(num)}: ${chain} has ${c.rules.length} rules`, { syscall: 'filter.insert' });
    }
    c.rules.splice(num - 1, 0, compileRule(c.hook, c.name, spec, 'filter.insert'));
    c.recompile();
    return num;
  }

  /** Replace rule `num` of `chain` (counters start again at 0). Errors: NETCH_ERR_FILTER_NO_RULE, and as append. */
  replace(chain: FilterChainName, num: number, spec: FilterRuleSpec): void {
    const c = this.chain(chain, 'filter.replace');
    const k = this.ruleIndex(c, num, 'filter.replace');
    c.rules[k] = compileRule(c.hook, c.name, spec, 'filter.replace');
    c.recompile();
  }

  /**
   * Delete rule `num`, or the first rule equal to `spec` (as iptables -D does); return the
   * number it had. Errors: NETCH_ERR_FILTER_NO_RULE when there is no such rule, and as append.
   */
  delete(chain: FilterChainName, rule: number | FilterRuleSpec): number {
    const c = this.chain(chain, 'filter.delete');
    let k: number;
    if (typeof rule === 'number') {
      k = this.ruleIndex(c, rule, 'filter.delete');
    } else {
      const args = compileRule(c.hook, c.name, rule, 'filter.delete').args;
      k = c.rules.findIndex((r) => r.args === args);
      if (k < 0) throw netchError('NETCH_ERR_FILTER_NO_RULE', `no rule in ${chain} is ${args}`, { syscall: 'filter.delete' });
    }
    c.rules.splice(k, 1);
    c.recompile();
    return k + 1;
  }

  /** Delete every rule of `chain` (all chains when omitted); policies and their counters stay. Errors: NETCH_ERR_FILTER_CHAIN. */
  flush(chain?: FilterChainName): void {
    for (const c of this.select(chain, 'filter.flush')) {
      c.rules.length = 0;
      c.recompile();
    }
  }

  /** Set the policy of `chain`. Errors: NETCH_ERR_FILTER_CHAIN, NETCH_ERR_FILTER_VERDICT (only ACCEPT or DROP). */
  setPolicy(chain: FilterChainName, policy: FilterPolicy): void {
    const c = this.chain(chain, 'filter.setPolicy');
    if (policy !== 'ACCEPT' && policy !== 'DROP') {
      throw netchError('NETCH_ERR_FILTER_VERDICT', `a policy is ACCEPT or DROP, not ${String(policy)}`, { syscall: 'filter.setPolicy' });
    }
    c.policy = policy === 'ACCEPT' ? FilterVerdict.Accept : FilterVerdict.Drop;
  }

  /** Zero the rule and policy counters of `chain` (all when omitted), as iptables -Z. Errors: NETCH_ERR_FILTER_CHAIN. */
  zero(chain?: FilterChainName): void {
    for (const c of this.select(chain, 'filter.zero')) {
      c.counts.fill(0);
      for (const r of c.rules) {
        r.counts.fill(0);
      }
    }
  }

  /** Return the chains (or one) with their rules and counters. Errors: NETCH_ERR_FILTER_CHAIN. */
  list(chain?: FilterChainName): FilterChainInfo[] {
    return this.select(chain, 'filter.list').map((c) => ({
      name: c.name,
      policy: policyName(c.policy),
      packets: c.packets,
      bytes: c.bytes,
      rules: c.rules.map((r, i) => ({ num: i + 1, spec: cloneSpec(r.spec), packets: r.packets, bytes: r.bytes, text: `-A ${c.name} ${r.args}` })),
    }));
  }

  /** Return the rules as `iptables -S` prints them (`-P` lines, then `-A` lines). Errors: NETCH_ERR_FILTER_CHAIN. */
  formatRules(chain?: FilterChainName): string {
    const cs = this.select(chain, 'filter.formatRules');
    const lines = cs.map((c) => `-P ${c.name} ${policyName(c.policy)}`);
    for (const c of cs) for (const r of c.rules) lines.push(`-A ${c.name} ${r.args}`);
    return lines.join('\n') + '\n';
  }

  /**
   * Return the chains as `iptables -L -v -n` prints them: pkts, bytes, target, prot, opt,
   * in, out, source, destination, then the extra matches. `exact`: full numbers (-x)
   * instead of K/M/G; `lineNumbers`: a num column (--line-numbers).
   * Errors: NETCH_ERR_FILTER_CHAIN.
   */
  format(chain?: FilterChainName, opts: { exact?: boolean; lineNumbers?: boolean } = {}): string {
    const exact = opts.exact === true;
    const out: string[] = [];
    for (const c of this.select(chain, 'filter.format')) {
      if (out.length > 0) out.push('');
      out.push(`Chain ${c.name} (policy ${policyName(c.policy)} ${formatCount(c.packets, exact, false)}packets, ${formatCount(c.bytes, exact, false)}bytes)`);
      const head = `${opts.lineNumbers === true ? 'num  ' : ''}${exact ? '    pkts    bytes' : ' pkts bytes'} target     prot opt in     out     source               destination`;
      out.push(head.padEnd(head.length + 9));
      c.rules.forEach((r, i) => out.push(formatRow(r, i + 1, exact, opts.lineNumbers === true)));
    }
    return out.join('\n') + '\n';
  }

  // ---- hooks (the packet path: no allocation, no throw) ----

  /**
   * Run PREROUTING or INPUT over the received datagram at `ipOff` of `bytes` (`iface`
   * null: loopback; `csumOk`: the link vouches for checksums); return true when it goes
   * on. A REJECT sends its answer before returning false.
   */
  passIn(chain: FilterChain, iface: Interface | null, bytes: Uint8Array, ipOff: number, csumOk: boolean, now: Millis): boolean {
    this.inName = iface === null ? 'lo' : iface.name;
    this.outName = '';
    const v = this.run(chain, bytes, ipOff, csumOk);
    if (v === FilterVerdict.Accept) return true;
    if (v === FilterVerdict.Reject) this.sendReject(now);
    return false;
  }

  /**
   * Run OUTPUT, then POSTROUTING when OUTPUT accepts, over the datagram being sent
   * (`iface` null: loopback); return the verdict. After a REJECT the caller abandons its
   * datagram and then calls `sendReject`.
   */
  verdictOut(iface: Interface | null, bytes: Uint8Array, ipOff: number): FilterVerdictCode {
    this.inName = '';
    this.outName = iface === null ? 'lo' : iface.name;
    if (this.output.rules.length !== 0) {
      const v = this.run(this.output, bytes, ipOff, true);
      if (v !== FilterVerdict.Accept) return v;
    }
    if (this.postrouting.rules.length !== 0) return this.run(this.postrouting, bytes, ipOff, true);
    return FilterVerdict.Accept;
  }

  /** Send the answer the last REJECT prepared, if any (the RST or ICMP error). */
  sendReject(now: Millis): void {
    const kind = this.pending;
    if (kind === REJECT_NONE) return;
    this.pending = REJECT_NONE;
    this.rejecting = true;
    try {
      if (kind === REJECT_RST) this.sendRst(now);
      else this.ctx.icmp.sendError(ICMP_DEST_UNREACH, this.icmpCode, 0, this.quote, 0, this.quoteLen, now);
    } finally {
      this.rejecting = false;
    }
  }

  /** Read the datagram's fields into `pkt`, walk the chain; return the verdict (counted). */
  private run(chain: FilterChain, bytes: Uint8Array, ipOff: number, csumOk: boolean): FilterVerdictCode {
    const p = this.pkt;
    // Fields are read in place rather than through get32: an address from 128.0.0.0 up is
    // not a small integer, and a u32 returned from a call that is not inlined is boxed
    // (a heap allocation per packet). As int32 it stays unboxed.
    const b = bytes;
    const o = ipOff;
    const hl = (b[o]! & 0x0f) << 2;
    const total = (b[o + 2]! << 8) | b[o + 3]!;
    const proto = b[o + 9]!;
    p[P_SRC] = (b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!;
    p[P_DST] = (b[o + 16]! << 24) | (b[o + 17]! << 16) | (b[o + 18]! << 8) | b[o + 19]!;
    p[P_PROTO] = proto;
    p[P_LEN] = total;
    const l4 = o + hl;
    const l4Len = total - hl;
    const first = (((b[o + 6]! & 0x1f) << 8) | b[o + 7]!) === 0;
    if (first && ((proto === IPPROTO_TCP && l4Len >= TCP_HEADER_LEN) || (proto === IPPROTO_UDP && l4Len >= UDP_HEADER_LEN))) {
      p[P_L4] = 1;
      p[P_SPORT] = (b[l4]! << 8) | b[l4 + 1]!;
      p[P_DPORT] = (b[l4 + 2]! << 8) | b[l4 + 3]!;
      p[P_FLAGS] = proto === IPPROTO_TCP ? b[l4 + 13]! : 0;
    } else {
      p[P_L4] = 0;
      p[P_SPORT] = 0;
      p[P_DPORT] = 0;
      p[P_FLAGS] = 0;
    }
    const m = chain.matcher;
    const i = m !== null ? m(p, this.inName, this.outName) : interpretRules(chain.rules, p, this.inName, this.outName);
    if (i >= 0) {
      const r = chain.rules[i]!;
      const n = r.counts;
      n[0]!++;
      n[1]! += total;
      if (r.verdict === FilterVerdict.Reject) return this.prepareReject(r, chain, bytes, ipOff, csumOk);
      return r.verdict;
    }
    const n = chain.counts;
    n[0]!++;
    n[1]! += total;
    return chain.policy;
  }

  /** Record the answer to send for a REJECT; return Reject, or Drop when none is owed. */
  private prepareReject(r: FilterRule, chain: FilterChain, bytes: Uint8Array, ipOff: number, csumOk: boolean): FilterVerdictCode {
    if (this.rejecting) return FilterVerdict.Drop;
    const p = this.pkt;
    if (r.rejectCode >= 0) {
      // The ICMP path checks RFC 1122 §3.2.2 itself; it reads a copy, since the frame's
      // room may be reused for the answer.
      const n = Math.min(p[P_LEN]!, QUOTE_MAX);
      copyBytes(this.quote, 0, bytes, ipOff, n);
      this.quoteLen = n;
      this.icmpCode = r.rejectCode;
      this.pending = REJECT_ICMP;
      return FilterVerdict.Reject;
    }
    if (p[P_L4] === 0 || p[P_PROTO] !== IPPROTO_TCP || (p[P_FLAGS]! & TCP_RST) !== 0) return FilterVerdict.Drop;
    // Only a unicast segment between unicast addresses draws a RST (Linux: not RTCF_BROADCAST/MULTICAST).
    if (p[P_SRC]! === 0 || !this.unicast(p[P_SRC]! >>> 0) || !this.unicast(p[P_DST]! >>> 0)) return FilterVerdict.Drop;
    const hl = (bytes[ipOff]! & 0x0f) << 2;
    const segLen = p[P_LEN]! - hl;
    const received = chain.hook === FilterHook.Prerouting || chain.hook === FilterHook.Input;
    if (received) {
      // nf_reject_ip_tcphdr_get: no RST for a segment whose checksum fails, or that is
      // only the first fragment (the checksum cannot be checked), unless the link vouches.
      if ((get16(bytes, ipOff + 6) & 0x2000) !== 0) return FilterVerdict.Drop;
      if (!csumOk && !this.tcpView.wrap(bytes, ipOff + hl, segLen).verifyChecksum(p[P_SRC]! >>> 0, p[P_DST]! >>> 0)) return FilterVerdict.Drop;
    }
    const t = this.tcpView.wrap(bytes, ipOff + hl, segLen);
    if (t.checkLen() !== 0) return FilterVerdict.Drop;
    const s = this.rst;
    s.srcPort = p[P_DPORT]!;
    s.dstPort = p[P_SPORT]!;
    s.windowLen = 0;
    s.urgentPointer = 0;
    s.payloadLength = 0;
    if ((p[P_FLAGS]! & TCP_ACK) !== 0) {
      s.seqNumber = t.ackNumber();
      s.ackNumber = 0;
      s.flags = TCP_RST;
    } else {
      // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
      const occupied = segLen - t.headerLen() + ((p[P_FLAGS]! & TCP_SYN) !== 0 ? 1 : 0) + ((p[P_FLAGS]! & TCP_FIN) !== 0 ? 1 : 0);
      s.seqNumber = 0;
      s.ackNumber = seqAdd(t.seqNumber(), occupied);
      s.flags = TCP_RST | TCP_ACK;
    }
    this.rstSrc = p[P_DST]!;
    this.rstDst = p[P_SRC]!;
    this.pending = REJECT_RST;
    return FilterVerdict.Reject;
  }

  /** Send the prepared RST from the rejected segment's destination to its source. */
  private sendRst(now: Millis): void {
    const out = this.ctx.out;
    const src = this.rstSrc >>> 0;
    const dst = this.rstDst >>> 0;
    const at = out.begin(dst, IPPROTO_TCP, TCP_HEADER_LEN, src, now);
    if (at < 0) return;
    emitTcp(this.rst, out.bytes, at, src, dst);
    out.commit(now);
  }

  /** Return false for a limited, directed (subnet) or multicast address. */
  private unicast(addr: number): boolean {
    if (ipv4IsBroadcast(addr) || ipv4IsMulticast(addr)) return false;
    const ifaces = this.ctx.ifaces;
    for (let i = 0; i < ifaces.length; i++) if (ifaces[i]!.isSubnetBroadcast(addr)) return false;
    return true;
  }

  private chain(name: FilterChainName, syscall: string): FilterChain {
    const k = FILTER_CHAINS.indexOf(name);
    if (k < 0) throw netchError('NETCH_ERR_FILTER_CHAIN', `no chain ${String(name)} (PREROUTING, INPUT, OUTPUT, POSTROUTING)`, { syscall });
    return this.chains[k]!;
  }

  private select(name: FilterChainName | undefined, syscall: string): FilterChain[] {
    return name === undefined ? [...this.chains] : [this.chain(name, syscall)];
  }

  private ruleIndex(c: FilterChain, n: number, syscall: string): number {
    if (!Number.isInteger(n) || n < 1 || n > c.rules.length) {
      throw netchError('NETCH_ERR_FILTER_NO_RULE', `no rule ${String(n)} in ${c.name} (it has ${c.rules.length})`, { syscall });
    }
    return n - 1;
  }
}
