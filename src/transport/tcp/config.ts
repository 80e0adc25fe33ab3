// Tunables of a TCP layer, named after the Linux sysctls and socket options they imitate,
// with Linux's defaults where Linux has one. Fixed when the layer is created.

import type { Millis } from '../../time.js';

/** The resolved configuration of a TCP layer. */
export interface TcpConfig {
  /** Lower bound of the retransmission timeout (Linux TCP_RTO_MIN, 200 ms; RFC 6298 says 1 s). */
  rtoMinMs: Millis;
  /** Upper bound of the retransmission timeout (Linux TCP_RTO_MAX, 120 s). */
  rtoMaxMs: Millis;
  /** RTO before any RTT sample (RFC 6298 §2.1: 1 s). */
  rtoInitialMs: Millis;
  /** SYN retransmissions before connect fails (net.ipv4.tcp_syn_retries, 6). */
  synRetries: number;
  /** SYN-ACK retransmissions before a half-open connection is dropped (tcp_synack_retries, 5). */
  synAckRetries: number;
  /** Data retransmissions before the connection is aborted (tcp_retries2, 15). */
  maxRetries: number;
  /** TIME-WAIT length, 2 × MSL (Linux TCP_TIMEWAIT_LEN, 60 s). */
  timeWaitMs: Millis;
  /** Send buffer per socket in bytes (SO_SNDBUF). */
  sendBufSize: number;
  /** Receive buffer per socket in bytes (SO_RCVBUF); the advertised window is at most 65535 (no window scaling yet). */
  recvBufSize: number;
  /** Holes the out-of-order assembler tracks per socket. */
  maxHoles: number;
  /** Largest backlog a listener may ask for (net.core.somaxconn, 4096). */
  somaxconn: number;
  /** 16-byte key of the ISN hash (RFC 6528); default: random at creation. */
  isnKey: Uint8Array | null;
}

/** Options of a TCP layer: every field optional. */
export type TcpOptionsInput = Partial<TcpConfig>;

/** Return the configuration for `opts`. Errors: throws RangeError for an out-of-range option. */
export function resolveTcpConfig(opts: TcpOptionsInput = {}): TcpConfig {
  const c: TcpConfig = {
    rtoMinMs: opts.rtoMinMs ?? 200,
    rtoMaxMs: opts.rtoMaxMs ?? 120_000,
    rtoInitialMs: opts.rtoInitialMs ?? 1000,
    synRetries: opts.synRetries ?? 6,
    synAckRetries: opts.synAckRetries ?? 5,
    maxRetries: opts.maxRetries ?? 15,
    timeWaitMs: opts.timeWaitMs ?? 60_000,
    sendBufSize: opts.sendBufSize ?? 65536,
    recvBufSize: opts.recvBufSize ?? 65535,
    maxHoles: opts.maxHoles ?? 32,
    somaxconn: opts.somaxconn ?? 4096,
    isnKey: opts.isnKey ?? null,
  };
  for (const k of ['rtoMinMs', 'rtoMaxMs', 'rtoInitialMs', 'timeWaitMs'] as const) {
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw new RangeError(`tcp: ${k} ${c[k]} is not a duration in ms`);
  }
  if (c.rtoMinMs > c.rtoMaxMs) throw new RangeError(`tcp: rtoMinMs ${c.rtoMinMs} exceeds rtoMaxMs ${c.rtoMaxMs}`);
  for (const k of ['synRetries', 'synAckRetries', 'maxRetries', 'maxHoles', 'somaxconn'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < (k === 'maxHoles' || k === 'somaxconn' ? 1 : 0) || c[k] > 1 << 20) throw new RangeError(`tcp: ${k} ${c[k]} is out of range`);
  }
  for (const k of ['sendBufSize', 'recvBufSize'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1 || c[k] > 1 << 30) throw new RangeError(`tcp: ${k} ${c[k]} is out of range`);
  }
  if (c.isnKey !== null && c.isnKey.length !== 16) throw new RangeError('tcp: isnKey must be 16 bytes');
  return c;
}
