// Counters in the spirit of Linux's /proc/net/snmp (RFC 4293's IP-MIB, RFC 4113's UDP-MIB)
// and /proc/net/netstat's IpExt, plus the host's ARP and link-input counters. Each group is
// a plain record of numbers, created once and incremented in place; the field names are
// Linux's, so `grep InHdrErrors` finds both. Two formatters print them like
// /proc/net/snmp (a header line and a value line per group) and like `netstat -s`.

/** IP counters (/proc/net/snmp `Ip:`). */
export interface IpCounters {
  /** 1 = forwarding, 2 = host (we never forward). */
  Forwarding: number;
  DefaultTTL: number;
  InReceives: number;
  InHdrErrors: number;
  InAddrErrors: number;
  ForwDatagrams: number;
  InUnknownProtos: number;
  InDiscards: number;
  InDelivers: number;
  OutRequests: number;
  OutDiscards: number;
  OutNoRoutes: number;
  ReasmTimeout: number;
  ReasmReqds: number;
  ReasmOKs: number;
  ReasmFails: number;
  FragOKs: number;
  FragFails: number;
  FragCreates: number;
}

/** IP extension counters (/proc/net/netstat `IpExt:`). */
export interface IpExtCounters {
  InNoRoutes: number;
  InTruncatedPkts: number;
  InBcastPkts: number;
  OutBcastPkts: number;
  InOctets: number;
  OutOctets: number;
  InCsumErrors: number;
}

/** ICMP counters (/proc/net/snmp `Icmp:`). */
export interface IcmpCounters {
  InMsgs: number;
  InErrors: number;
  InCsumErrors: number;
  InDestUnreachs: number;
  InTimeExcds: number;
  InParmProbs: number;
  InSrcQuenchs: number;
  InRedirects: number;
  InEchos: number;
  InEchoReps: number;
  InTimestamps: number;
  InTimestampReps: number;
  InAddrMasks: number;
  InAddrMaskReps: number;
  OutMsgs: number;
  OutErrors: number;
  OutRateLimitGlobal: number;
  OutRateLimitHost: number;
  OutDestUnreachs: number;
  OutTimeExcds: number;
  OutParmProbs: number;
  OutSrcQuenchs: number;
  OutRedirects: number;
  OutEchos: number;
  OutEchoReps: number;
  OutTimestamps: number;
  OutTimestampReps: number;
  OutAddrMasks: number;
  OutAddrMaskReps: number;
}

/** UDP counters (/proc/net/snmp `Udp:`). */
export interface UdpCounters {
  InDatagrams: number;
  NoPorts: number;
  InErrors: number;
  OutDatagrams: number;
  RcvbufErrors: number;
  SndbufErrors: number;
  InCsumErrors: number;
  IgnoredMulti: number;
  MemErrors: number;
}

/** ARP and neighbour-cache counters (after /proc/net/stat/arp_cache, plus message counts). */
export interface ArpCounters {
  InRequests: number;
  InReplies: number;
  InErrors: number;
  OutRequests: number;
  OutReplies: number;
  /** Neighbour entries created. */
  Allocs: number;
  /** Neighbour entries removed (expired, failed, evicted). */
  Destroys: number;
  /** Resolutions that failed after all retries. */
  ResFailed: number;
  /** Packets dropped while waiting for resolution (queue overflow or failure). */
  UnresolvedDiscards: number;
  /** New entries refused because the table was full. */
  TableFulls: number;
}

/** Link-input counters: frames the host saw and did not hand to a protocol. */
export interface LinkInCounters {
  InFrames: number;
  /** Shorter than an Ethernet header. */
  InTruncated: number;
  /** Unicast to another MAC, or a multicast group we did not join. */
  InOtherHost: number;
  /** An EtherType we do not handle (IPv6, VLAN...). */
  InUnknownType: number;
  /** Frames the device could not take (transmitBegin returned -1). */
  OutNoBufs: number;
  OutFrames: number;
}

/** Every counter group of a host. */
export interface SnmpCounters {
  Ip: IpCounters;
  IpExt: IpExtCounters;
  Icmp: IcmpCounters;
  /** Messages per ICMP type (/proc/net/snmp `IcmpMsg:` InTypeN / OutTypeN). */
  IcmpMsgIn: Float64Array;
  IcmpMsgOut: Float64Array;
  Udp: UdpCounters;
  Arp: ArpCounters;
  Link: LinkInCounters;
}

/** Return zeroed counters (Forwarding 2 and DefaultTTL 64 as on a Linux host). */
export function newSnmpCounters(defaultTtl = 64): SnmpCounters {
  return {
    Ip: {
      Forwarding: 2, DefaultTTL: defaultTtl, InReceives: 0, InHdrErrors: 0, InAddrErrors: 0,
      ForwDatagrams: 0, InUnknownProtos: 0, InDiscards: 0, InDelivers: 0, OutRequests: 0,
      OutDiscards: 0, OutNoRoutes: 0, ReasmTimeout: 0, ReasmReqds: 0, ReasmOKs: 0,
      ReasmFails: 0, FragOKs: 0, FragFails: 0, FragCreates: 0,
    },
    IpExt: { InNoRoutes: 0, InTruncatedPkts: 0, InBcastPkts: 0, OutBcastPkts: 0, InOctets: 0, OutOctets: 0, InCsumErrors: 0 },
    Icmp: {
      InMsgs: 0, InErrors: 0, InCsumErrors: 0, InDestUnreachs: 0, InTimeExcds: 0, InParmProbs: 0,
      InSrcQuenchs: 0, InRedirects: 0, InEchos: 0, InEchoReps: 0, InTimestamps: 0,
      InTimestampReps: 0, InAddrMasks: 0, InAddrMaskReps: 0, OutMsgs: 0, OutErrors: 0,
      OutRateLimitGlobal: 0, OutRateLimitHost: 0, OutDestUnreachs: 0, OutTimeExcds: 0,
      OutParmProbs: 0, OutSrcQuenchs: 0, OutRedirects: 0, OutEchos: 0, OutEchoReps: 0,
      OutTimestamps: 0, OutTimestampReps: 0, OutAddrMasks: 0, OutAddrMaskReps: 0,
    },
    IcmpMsgIn: new Float64Array(256),
    IcmpMsgOut: new Float64Array(256),
    Udp: {
      InDatagrams: 0, NoPorts: 0, InErrors: 0, OutDatagrams: 0, RcvbufErrors: 0,
      SndbufErrors: 0, InCsumErrors: 0, IgnoredMulti: 0, MemErrors: 0,
    },
    Arp: {
      InRequests: 0, InReplies: 0, InErrors: 0, OutRequests: 0, OutReplies: 0, Allocs: 0,
      Destroys: 0, ResFailed: 0, UnresolvedDiscards: 0, TableFulls: 0,
    },
    Link: { InFrames: 0, InTruncated: 0, InOtherHost: 0, InUnknownType: 0, OutNoBufs: 0, OutFrames: 0 },
  };
}

/**
 * Return one group as /proc/net/snmp prints it: `Name: Field1 Field2\nName: v1 v2\n`.
 * Any record of numbers works (a transport layer formats its `Tcp:` group with this).
 */
export function formatSnmpGroup(name: string, group: object): string {
  const rec = group as Record<string, number>;
  const keys = Object.keys(rec);
  return `${name}: ${keys.join(' ')}\n${name}: ${keys.map((k) => String(rec[k])).join(' ')}\n`;
}

/** Return the IcmpMsg group: only the types seen, as Linux prints it (or '' when none). */
function formatIcmpMsg(c: SnmpCounters): string {
  const names: string[] = [];
  const values: string[] = [];
  for (let t = 0; t < 256; t++) {
    if (c.IcmpMsgIn[t]! > 0) { names.push(`InType${t}`); values.push(String(c.IcmpMsgIn[t])); }
  }
  for (let t = 0; t < 256; t++) {
    if (c.IcmpMsgOut[t]! > 0) { names.push(`OutType${t}`); values.push(String(c.IcmpMsgOut[t])); }
  }
  if (names.length === 0) return '';
  return `IcmpMsg: ${names.join(' ')}\nIcmpMsg: ${values.join(' ')}\n`;
}

/** Return the counters as /proc/net/snmp prints them (then IpExt, Arp and Link groups). */
export function formatSnmp(c: SnmpCounters): string {
  return (
    formatSnmpGroup('Ip', c.Ip) +
    formatSnmpGroup('Icmp', c.Icmp) +
    formatIcmpMsg(c) +
    formatSnmpGroup('Udp', c.Udp) +
    formatSnmpGroup('IpExt', c.IpExt) +
    formatSnmpGroup('Arp', c.Arp) +
    formatSnmpGroup('Link', c.Link)
  );
}

const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'echo replies', 3: 'destination unreachable', 4: 'source quench', 5: 'redirect',
  8: 'echo requests', 11: 'timeout in transit', 12: 'parameter problem', 13: 'timestamp requests',
  14: 'timestamp replies',
};

function histogram(counts: Float64Array): string {
  let s = '';
  for (let t = 0; t < 256; t++) {
    const n = counts[t]!;
    if (n > 0) s += `        ${ICMP_TYPE_NAMES[t] ?? `type ${t}`}: ${n}\n`;
  }
  return s;
}

/** Return the counters in `netstat -s` words (the Ip, Icmp and Udp sections, then ARP). */
export function formatNetstat(c: SnmpCounters): string {
  const ip = c.Ip;
  const icmp = c.Icmp;
  const udp = c.Udp;
  const arp = c.Arp;
  const inHist = histogram(c.IcmpMsgIn);
  const outHist = histogram(c.IcmpMsgOut);
  return [
    'Ip:',
    `    Forwarding: ${ip.Forwarding}`,
    `    ${ip.InReceives} total packets received`,
    `    ${ip.InHdrErrors} with invalid headers`,
    `    ${ip.InAddrErrors} with invalid addresses`,
    `    ${ip.ForwDatagrams} forwarded`,
    `    ${ip.InUnknownProtos} with unknown protocol`,
    `    ${ip.InDiscards} incoming packets discarded`,
    `    ${ip.InDelivers} incoming packets delivered`,
    `    ${ip.OutRequests} requests sent out`,
    `    ${ip.OutDiscards} outgoing packets dropped`,
    `    ${ip.OutNoRoutes} dropped because of missing route`,
    `    ${ip.ReasmReqds} fragments received`,
    `    ${ip.ReasmOKs} packets reassembled ok`,
    `    ${ip.ReasmFails} packet reassemblies failed`,
    'Icmp:',
    `    ${icmp.InMsgs} ICMP messages received`,
    `    ${icmp.InErrors} input ICMP message failed`,
    `    ICMP input histogram:`,
    ...(inHist === '' ? [] : [inHist.slice(0, -1)]),
    `    ${icmp.OutMsgs} ICMP messages sent`,
    `    ${icmp.OutErrors} ICMP messages failed`,
    `    ${icmp.OutRateLimitGlobal} ICMP messages rate limited`,
    `    ICMP output histogram:`,
    ...(outHist === '' ? [] : [outHist.slice(0, -1)]),
    'Udp:',
    `    ${udp.InDatagrams} packets received`,
    `    ${udp.NoPorts} packets to unknown port received`,
    `    ${udp.InErrors} packet receive errors`,
    `    ${udp.OutDatagrams} packets sent`,
    `    ${udp.RcvbufErrors} receive buffer errors`,
    `    ${udp.SndbufErrors} send buffer errors`,
    `    InCsumErrors: ${udp.InCsumErrors}`,
    'Arp:',
    `    ${arp.InRequests} requests received`,
    `    ${arp.InReplies} replies received`,
    `    ${arp.OutRequests} requests sent`,
    `    ${arp.OutReplies} replies sent`,
    `    ${arp.ResFailed} resolutions failed`,
    `    ${arp.UnresolvedDiscards} packets dropped while resolving`,
    '',
  ].join('\n');
}
