// Counters of the TCP layer, named as Linux prints them in /proc/net/snmp (`Tcp:`) and
// /proc/net/netstat (`TcpExt:`), updated in place (no allocation on the data path).

/** The `Tcp:` group (RFC 4022's MIB, as Linux keeps it). */
export interface TcpCounters {
  RtoAlgorithm: number;
  RtoMin: number;
  RtoMax: number;
  MaxConn: number;
  /** Connections that went from CLOSED to SYN-SENT (connect). */
  ActiveOpens: number;
  /** Connections that went from LISTEN to SYN-RECEIVED. */
  PassiveOpens: number;
  /** Connections that failed before ESTABLISHED (SYN-SENT/SYN-RECEIVED to CLOSED, or back to LISTEN). */
  AttemptFails: number;
  /** Connections reset from ESTABLISHED or CLOSE-WAIT. */
  EstabResets: number;
  /** Connections now in ESTABLISHED or CLOSE-WAIT. */
  CurrEstab: number;
  InSegs: number;
  OutSegs: number;
  RetransSegs: number;
  InErrs: number;
  OutRsts: number;
  InCsumErrors: number;
}

/** The `TcpExt:` counters we keep (a subset of Linux's, same names). */
export interface TcpExtCounters {
  /** SYNs and final ACKs dropped because the accept queue was full. */
  ListenOverflows: number;
  /** SYNs and final ACKs to a listener dropped for any reason. */
  ListenDrops: number;
  /** SYN-ACKs sent with a SYN cookie instead of a queued request. */
  SyncookiesSent: number;
  /** ACKs that carried a valid SYN cookie and became connections. */
  SyncookiesRecv: number;
  /** ACKs to a listener whose cookie did not check out. */
  SyncookiesFailed: number;
  /** SYNs answered with a cookie because the SYN queue was full. */
  TCPReqQFullDoCookies: number;
  /** SYNs dropped because the SYN queue was full and cookies are off. */
  TCPReqQFullDrop: number;
  /** Connections that went through TIME-WAIT and expired. */
  TW: number;
  /** TIME-WAIT entries ended early by a RST at RCV.NXT (RFC 1337's assassination; not with rfc1337). */
  TWKilled: number;
  /** TIME-WAIT entries a new connection took over (connect's tcp_tw_reuse, or a SYN by RFC 6191). */
  TWRecycled: number;
  /** Connections closed without TIME-WAIT because the table was full (maxTwBuckets). */
  TCPTimeWaitOverflow: number;
  /** ACKs a TIME-WAIT entry held back by the 500 ms limit for out-of-window segments. */
  TCPACKSkippedTimeWait: number;
  /** Retransmission timeouts. */
  TCPTimeouts: number;
  /** Fast retransmits (three duplicate ACKs). */
  TCPFastRetrans: number;
  /** Zero-window probes sent (persist timer). */
  TCPWinProbe: number;
  /** Connections aborted because retransmissions ran out. */
  TCPAbortOnTimeout: number;
  /** Connections reset because data arrived after close(). */
  TCPAbortOnData: number;
  /** Resets sent because close() found unread data. */
  TCPAbortOnClose: number;
  /** Challenge ACKs sent (RFC 5961). */
  TCPChallengeACK: number;
  /** Segments that failed the acceptability test. */
  TCPOutOfWindow: number;
  /** Segments held in the out-of-order assembler. */
  TCPOFOQueue: number;
  /** Out-of-order segments dropped (assembler full). */
  TCPOFODrop: number;
  /** Segments that arrived in order with no hole. */
  TCPHPHits: number;
  // TCP part 2 (issue #5)
  /** Segments dropped by PAWS (RFC 7323 §5) in a synchronized state. */
  PAWSEstab: number;
  /** Delayed ACKs sent when their timer expired. */
  DelayedACKs: number;
  /** Fast recoveries run with SACK (RFC 6675). */
  TCPSackRecovery: number;
  /** Fast recoveries run without SACK (RFC 6582 NewReno). */
  TCPRenoRecovery: number;
  /** Keepalive probes sent. */
  TCPKeepAlive: number;
  /** Challenge ACKs not sent because of the per-second limit (RFC 5961 §7). */
  TCPChallengeACKLimited: number;
  /** Times auto-tuning grew a receive buffer. */
  TCPRcvBufGrow: number;
  /** Times auto-tuning grew a send buffer. */
  TCPSndBufGrow: number;
}

/** Return zeroed TCP counters (RtoMin/RtoMax filled from the configuration). */
export function newTcpCounters(rtoMin: number, rtoMax: number): { Tcp: TcpCounters; TcpExt: TcpExtCounters } {
  return {
    Tcp: {
      RtoAlgorithm: 1, RtoMin: rtoMin, RtoMax: rtoMax, MaxConn: -1, ActiveOpens: 0, PassiveOpens: 0,
      AttemptFails: 0, EstabResets: 0, CurrEstab: 0, InSegs: 0, OutSegs: 0, RetransSegs: 0, InErrs: 0,
      OutRsts: 0, InCsumErrors: 0,
    },
    TcpExt: {
      ListenOverflows: 0, ListenDrops: 0, SyncookiesSent: 0, SyncookiesRecv: 0, SyncookiesFailed: 0,
      TCPReqQFullDoCookies: 0, TCPReqQFullDrop: 0, TW: 0, TWKilled: 0, TWRecycled: 0, TCPTimeWaitOverflow: 0, TCPACKSkippedTimeWait: 0, TCPTimeouts: 0, TCPFastRetrans: 0, TCPWinProbe: 0,
      TCPAbortOnTimeout: 0, TCPAbortOnData: 0, TCPAbortOnClose: 0, TCPChallengeACK: 0, TCPOutOfWindow: 0,
      TCPOFOQueue: 0, TCPOFODrop: 0, TCPHPHits: 0,
      PAWSEstab: 0, DelayedACKs: 0, TCPSackRecovery: 0, TCPRenoRecovery: 0, TCPKeepAlive: 0,
      TCPChallengeACKLimited: 0, TCPRcvBufGrow: 0, TCPSndBufGrow: 0,
    },
  };
}

/** Return a group as /proc/net/snmp prints it: `Tcp: A B\nTcp: 1 2\n`. */
export function formatTcpGroup(name: string, group: object): string {
  const rec = group as Record<string, number>;
  const keys = Object.keys(rec);
  return `${name}: ${keys.join(' ')}\n${name}: ${keys.map((k) => String(rec[k])).join(' ')}\n`;
}
