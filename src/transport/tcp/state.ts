// The eleven states of a TCP connection (RFC 9293 §3.3.2), named as the RFC names them and
// printed with the RFC's spelling (`SYN-SENT`), plus the predicates the input and output
// paths ask of a state.

/** The states of RFC 9293 §3.3.2. */
export const TcpState = {
  Closed: 0,
  Listen: 1,
  SynSent: 2,
  SynReceived: 3,
  Established: 4,
  FinWait1: 5,
  FinWait2: 6,
  CloseWait: 7,
  Closing: 8,
  LastAck: 9,
  TimeWait: 10,
} as const;

/** One of the TcpState values. */
export type TcpStateCode = (typeof TcpState)[keyof typeof TcpState];

const NAMES: readonly string[] = [
  'CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1',
  'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
];

/** Return the RFC's name of a state (`SYN-SENT`). */
export function tcpStateName(s: number): string {
  return NAMES[s] ?? `TcpState(${s})`;
}

/** Return true for the synchronized states (RFC 9293 §3.5.2: ESTABLISHED and after). */
export function isSynchronized(s: number): boolean {
  return s >= TcpState.Established;
}

/** Return true when the application may still queue data to send (no FIN queued by state). */
export function canSendData(s: number): boolean {
  return s === TcpState.Established || s === TcpState.CloseWait || s === TcpState.SynSent || s === TcpState.SynReceived;
}

/** Return true in the states where received text is accepted (RFC 9293 §3.10.7.4, seventh step). */
export function acceptsText(s: number): boolean {
  return s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2;
}
