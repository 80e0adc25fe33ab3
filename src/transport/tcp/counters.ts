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
  /** SYNs dropped because the accept queue was full. */
  ListenOverflows: number;
  /** SYNs to a listener dropped for any reason. */
  ListenDrops: number;
  /** Connections that went through TIME-WAIT and expired. */
  TW: number;
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
      ListenOverflows: 0, ListenDrops: 0, TW: 0, TCPTimeouts: 0, TCPFastRetrans: 0, TCPWinProbe: 0,
      TCPAbortOnTimeout: 0, TCPAbortOnData: 0, TCPAbortOnClose: 0, TCPChallengeACK: 0, TCPOutOfWindow: 0,
      TCPOFOQueue: 0, TCPOFODrop: 0, TCPHPHits: 0,
    },
  };
}

/** Return a group as /proc/net/snmp prints it: `Tcp: A B\nTcp: 1 2\n`. */
export function formatTcpGroup(name: string, group: object): string {
  const rec = group as Record<string, number>;
  const keys = Object.keys(rec);
  return `${name}: ${keys.join(' ')}\n${name}: ${keys.map((k) => String(rec[k])).join(' ')}\n`;
}
