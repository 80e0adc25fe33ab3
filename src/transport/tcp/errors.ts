// Result codes of the TCP transport API: small integers, 0 = ok. Calls return a count
// (n >= 0) or a negated code; would-block is a normal return, not an error. `tcpErrErrno`
// names the errno the POSIX layer maps each code to. Codes are permanent; add at the end.

/** Result codes of TCP socket calls. */
export const TcpErr = {
  Ok: 0,
  /** Nothing can be done now; wait for readiness (EAGAIN). */
  WouldBlock: 1,
  /** The peer answered the SYN with RST (ECONNREFUSED). */
  Refused: 2,
  /** The peer reset an established connection (ECONNRESET). */
  Reset: 3,
  /** Retransmissions ran out (ETIMEDOUT). */
  TimedOut: 4,
  /** The call needs a connection (ENOTCONN). */
  NotConnected: 5,
  /** The socket is already connected or connecting (EISCONN). */
  IsConnected: 6,
  /** The local address and port are taken (EADDRINUSE). */
  AddrInUse: 7,
  /** No ephemeral port or no source address (EADDRNOTAVAIL). */
  AddrNotAvail: 8,
  /** No route to the peer (ENETUNREACH). */
  NoRoute: 9,
  /** The call makes no sense in this state or with these arguments (EINVAL). */
  Invalid: 10,
  /** The sending side was shut down (EPIPE). */
  Pipe: 11,
  /** The socket was closed by the application (EBADF). */
  Closed: 12,
  /** The connection is being established (EINPROGRESS). */
  InProgress: 13,
  /** The connection was aborted locally (ECONNABORTED). */
  Aborted: 14,
  /** An ICMP error said the host is unreachable (EHOSTUNREACH). */
  HostUnreach: 15,
} as const;

/** One of the TcpErr values. */
export type TcpErrCode = (typeof TcpErr)[keyof typeof TcpErr];

const names: readonly string[] = Object.keys(TcpErr);
const errnos: readonly string[] = [
  'OK', 'EAGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTCONN', 'EISCONN', 'EADDRINUSE',
  'EADDRNOTAVAIL', 'ENETUNREACH', 'EINVAL', 'EPIPE', 'EBADF', 'EINPROGRESS', 'ECONNABORTED', 'EHOSTUNREACH',
];

/** Return the name of a result code ("Refused"); accepts the negated form too. */
export function tcpErrName(code: number): string {
  const c = code < 0 ? -code : code;
  return names[c] ?? `TcpErr(${code})`;
}

/** Return the errno name the POSIX layer reports for a result code ("ECONNREFUSED"). */
export function tcpErrErrno(code: number): string {
  const c = code < 0 ? -code : code;
  return errnos[c] ?? 'EIO';
}
