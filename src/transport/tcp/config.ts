// Tunables of a TCP layer, named after the Linux sysctls and socket options they imitate,
// with Linux's defaults where Linux has one. The sysctl fields (somaxconn, the SYN and
// accept queue rules, the retry counts, the timeouts) may change at run time: the layer
// reads them where it uses them; the POSIX layer's sysctls write them after checking.

import type { Millis } from '../../time.js';

/** The resolved configuration of a TCP layer. */
export interface TcpConfig {
  /** Lower bound of the retransmission timeout (Linux TCP_RTO_MIN, 200 ms; RFC 6298 says 1 s). */
  rtoMinMs: Millis;
  /** Upper bound of the retransmission timeout (Linux TCP_RTO_MAX, 120 s). */
  rtoMaxMs: Millis;
  /** RTO before any RTT sample (RFC 6298 §2.1: 1 s). */
  rtoInitialMs: Millis;
  /**
   * SYN retransmissions that size connect()'s time limit (net.ipv4.tcp_syn_retries, 6): it
   * fails once a doubling schedule of that many would have run out, 127 s for 6.
   */
  synRetries: number;
  /** SYN retransmissions sent at the initial RTO before it doubles (net.ipv4.tcp_syn_linear_timeouts: 4 since Linux 6.5; 0 under linux-2.6 and freebsd). */
  synLinearTimeouts: number;
  /** SYN-ACK retransmissions before a half-open connection is dropped (tcp_synack_retries, 5). */
  synAckRetries: number;
  /** Data retransmissions before the connection is aborted (tcp_retries2, 15). */
  maxRetries: number;
  /** TIME-WAIT length, 2 × MSL (Linux TCP_TIMEWAIT_LEN, 60 s). */
  timeWaitMs: Millis;
  /** Initial send buffer per socket in bytes (tcp_wmem[1]); auto-tuning grows it up to sendBufMax unless the socket sets SO_SNDBUF. */
  sendBufSize: number;
  /** Initial receive buffer per socket in bytes (tcp_rmem[1]); auto-tuning grows it up to recvBufMax unless the socket sets SO_RCVBUF. */
  recvBufSize: number;
  /** Holes the out-of-order assembler tracks per socket. */
  maxHoles: number;
  /** Largest backlog a listener may ask for (net.core.somaxconn: 4096 on Linux >= 5.4, 128 before). */
  somaxconn: number;
  /** Whose listen() rules apply: the backlog clamp and when the accept queue is full (docs/backlog.md). */
  personality: TcpPersonality;
  /** Half-open connections a listener keeps without SYN cookies before it drops SYNs (net.ipv4.tcp_max_syn_backlog). */
  maxSynBacklog: number;
  /** Answer a final ACK that finds the accept queue full with RST instead of dropping it (net.ipv4.tcp_abort_on_overflow, 0). */
  abortOnOverflow: boolean;
  /** SYN cookies: 0 never, 1 when the SYN queue is full, 2 always (net.ipv4.tcp_syncookies, 1). */
  syncookies: 0 | 1 | 2;
  /** How long a closed socket may stay in FIN-WAIT-2 (net.ipv4.tcp_fin_timeout, 60 s). */
  finTimeoutMs: Millis;
  /** 16-byte key of the ISN hash (RFC 6528); default: random at creation. */
  isnKey: Uint8Array | null;

  // ---- TCP part 2 (issue #5): options, congestion control, timers, buffers ----
  /** Negotiate window scaling (RFC 7323 §2; net.ipv4.tcp_window_scaling, 1). */
  windowScaling: boolean;
  /** Negotiate timestamps: RTTM and PAWS (RFC 7323 §3-§5; net.ipv4.tcp_timestamps, 1). */
  timestamps: boolean;
  /** Negotiate selective acknowledgments (RFC 2018; net.ipv4.tcp_sack, 1). */
  sack: boolean;
  /** Congestion control of new sockets (net.ipv4.tcp_congestion_control, cubic). */
  congestion: 'cubic' | 'newreno';
  /** Initial congestion window in segments (RFC 6928: 10). */
  initCwnd: number;
  /** Delayed-ACK timeout (Linux's TCP_DELACK_MIN, 40 ms); 0 acknowledges every segment at once. */
  delAckMs: Millis;
  /** Largest receive buffer auto-tuning may grow to (tcp_rmem[2], 6 MiB). */
  recvBufMax: number;
  /** Largest send buffer auto-tuning may grow to (tcp_wmem[2], 4 MiB). */
  sendBufMax: number;
  /** Keepalive idle time before the first probe (tcp_keepalive_time, 7200 s). */
  keepIdleMs: Millis;
  /** Keepalive interval between probes (tcp_keepalive_intvl, 75 s). */
  keepIntvlMs: Millis;
  /** Keepalive probes unanswered before the connection is dropped (tcp_keepalive_probes, 9). */
  keepCnt: number;
  /** Challenge ACKs the host sends per second (tcp_challenge_ack_limit, 1000; RFC 5961 §7). */
  challengeAckLimit: number;
  /** Bytes of out-of-order data all connections of the layer may hold together (0: no limit). */
  oooHostBudget: number;
  /**
   * Send TCP super-segments of many MSS when the route's device offers segmentation
   * offload (LinkDevice.tsoMaxBytes; Linux's NETIF_F_TSO, `ethtool -K dev tso`), default
   * true. Devices without it are unaffected.
   */
  tso: boolean;
  /** The most TIME-WAIT entries the layer keeps (Linux's tcp_max_tw_buckets, 262144); past it a connection closes without TIME-WAIT (TCPTimeWaitOverflow). */
  maxTwBuckets: number;
  /**
   * Let connect() take a 4-tuple still in TIME-WAIT when the old connection had timestamps
   * and its last one is at least 1 s old (Linux's tcp_tw_reuse): 0 off, 1 on, 2 (default)
   * only for loopback (127/8, or a host's own address as the peer). A socket bound to its
   * port before connect() may always take it when the old connection had timestamps.
   */
  twReuse: 0 | 1 | 2;
  /** Ignore a RST that would end TIME-WAIT early (Linux's tcp_rfc1337, RFC 1337's fix for hazard H1); default false, as Linux. */
  rfc1337: boolean;
}

/** The kernels whose listen() backlog rules a layer can follow. */
export type TcpPersonality = 'linux' | 'linux-2.6' | 'freebsd';

/** The personalities, for argument checks. */
export const TCP_PERSONALITIES: readonly TcpPersonality[] = ['linux', 'linux-2.6', 'freebsd'];

/** Options of a TCP layer: every field optional. */
export type TcpOptionsInput = Partial<TcpConfig>;

/** Return the configuration for `opts`. Errors: throws RangeError for an out-of-range option. */
export function resolveTcpConfig(opts: TcpOptionsInput = {}): TcpConfig {
  const c: TcpConfig = {
    rtoMinMs: opts.rtoMinMs ?? 200,
    rtoMaxMs: opts.rtoMaxMs ?? 120_000,
    rtoInitialMs: opts.rtoInitialMs ?? 1000,
    synRetries: opts.synRetries ?? 6,
    synLinearTimeouts: opts.synLinearTimeouts ?? (opts.personality === undefined || opts.personality === 'linux' ? 4 : 0),
    synAckRetries: opts.synAckRetries ?? 5,
    maxRetries: opts.maxRetries ?? 15,
    timeWaitMs: opts.timeWaitMs ?? 60_000,
    sendBufSize: opts.sendBufSize ?? 65536,
    recvBufSize: opts.recvBufSize ?? 65535,
    maxHoles: opts.maxHoles ?? 32,
    somaxconn: opts.somaxconn ?? (opts.personality === 'linux-2.6' || opts.personality === 'freebsd' ? 128 : 4096),
    personality: opts.personality ?? 'linux',
    maxSynBacklog: opts.maxSynBacklog ?? (opts.personality === 'linux-2.6' ? 1024 : 4096),
    // FreeBSD resets a connection that does not fit (net.inet.tcp.sc_rst_sock_fail, 1).
    abortOnOverflow: opts.abortOnOverflow ?? opts.personality === 'freebsd',
    syncookies: opts.syncookies ?? 1,
    finTimeoutMs: opts.finTimeoutMs ?? 60_000,
    isnKey: opts.isnKey ?? null,
    // TCP part 2
    windowScaling: opts.windowScaling ?? true,
    timestamps: opts.timestamps ?? true,
    sack: opts.sack ?? true,
    congestion: opts.congestion ?? 'cubic',
    initCwnd: opts.initCwnd ?? 10,
    delAckMs: opts.delAckMs ?? 40,
    recvBufMax: opts.recvBufMax ?? 6 << 20,
    sendBufMax: opts.sendBufMax ?? 4 << 20,
    keepIdleMs: opts.keepIdleMs ?? 7_200_000,
    keepIntvlMs: opts.keepIntvlMs ?? 75_000,
    keepCnt: opts.keepCnt ?? 9,
    challengeAckLimit: opts.challengeAckLimit ?? 1000,
    oooHostBudget: opts.oooHostBudget ?? 64 << 20,
    tso: opts.tso ?? true,
    maxTwBuckets: opts.maxTwBuckets ?? 262_144,
    twReuse: opts.twReuse ?? 2,
    rfc1337: opts.rfc1337 ?? false,
  };
  for (const k of ['rtoMinMs', 'rtoMaxMs', 'rtoInitialMs', 'timeWaitMs', 'finTimeoutMs'] as const) {
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw new RangeError(`tcp: ${k} ${c[k]} is not a duration in ms`);
  }
  if (c.rtoMinMs > c.rtoMaxMs) throw new RangeError(`tcp: rtoMinMs ${c.rtoMinMs} exceeds rtoMaxMs ${c.rtoMaxMs}`);
  for (const k of ['synRetries', 'synLinearTimeouts', 'synAckRetries', 'maxRetries', 'maxHoles', 'somaxconn', 'maxSynBacklog'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < (k === 'maxHoles' || k === 'maxSynBacklog' ? 1 : 0) || c[k] > 1 << 20) throw new RangeError(`tcp: ${k} ${c[k]} is out of range`);
  }
  if (!TCP_PERSONALITIES.includes(c.personality)) throw new RangeError(`tcp: personality ${String(c.personality)} is not one of ${TCP_PERSONALITIES.join(', ')}`);
  if (c.syncookies !== 0 && c.syncookies !== 1 && c.syncookies !== 2) throw new RangeError(`tcp: syncookies ${String(c.syncookies)} is not 0, 1 or 2`);
  if (typeof c.abortOnOverflow !== 'boolean') throw new RangeError('tcp: abortOnOverflow must be a boolean');
  for (const k of ['sendBufSize', 'recvBufSize'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1 || c[k] > 1 << 30) throw new RangeError(`tcp: ${k} ${c[k]} is out of range`);
  }
  if (c.isnKey !== null && c.isnKey.length !== 16) throw new RangeError('tcp: isnKey must be 16 bytes');
  // TCP part 2
  for (const k of ['delAckMs', 'keepIdleMs', 'keepIntvlMs'] as const) {
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw new RangeError(`tcp: ${k} ${c[k]} is not a duration in ms`);
  }
  for (const k of ['initCwnd', 'keepCnt', 'challengeAckLimit', 'oooHostBudget', 'recvBufMax', 'sendBufMax'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < (k === 'initCwnd' || k === 'keepCnt' ? 1 : 0) || c[k] > 1 << 30) throw new RangeError(`tcp: ${k} ${c[k]} is out of range`);
  }
  if (typeof c.tso !== 'boolean') throw new RangeError('tcp: tso must be a boolean');
  if (!Number.isInteger(c.maxTwBuckets) || c.maxTwBuckets < 0 || c.maxTwBuckets > 1 << 24) throw new RangeError(`tcp: maxTwBuckets ${c.maxTwBuckets} is out of range`);
  if (c.twReuse !== 0 && c.twReuse !== 1 && c.twReuse !== 2) throw new RangeError(`tcp: twReuse ${String(c.twReuse)} is not 0, 1 or 2`);
  if (typeof c.rfc1337 !== 'boolean') throw new RangeError('tcp: rfc1337 must be a boolean');
  if (c.congestion !== 'cubic' && c.congestion !== 'newreno') throw new RangeError(`tcp: congestion ${String(c.congestion)} is not cubic or newreno`);
  return c;
}
