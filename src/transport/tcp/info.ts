// A TCP_INFO snapshot (tcp(7), Linux's `struct tcp_info` in include/uapi/linux/tcp.h):
// what getsockopt(IPPROTO_TCP, TCP_INFO) returns, filled in place from a TcpSocket's
// fields. Names and units are Linux's so that tools and people reading `ss -ti` output
// recognise them: times in microseconds, windows and queues in segments where Linux
// counts segments, byte counters in bytes.

import { seqDiff } from '../../wire/seq.js';
import type { TcpSocket } from './socket.js';
import { TcpState } from './state.js';

/** Linux's TCP state numbers (include/net/tcp_states.h), as tcpi_state reports them. */
export const LINUX_TCP_STATE = {
  TCP_ESTABLISHED: 1,
  TCP_SYN_SENT: 2,
  TCP_SYN_RECV: 3,
  TCP_FIN_WAIT1: 4,
  TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6,
  TCP_CLOSE: 7,
  TCP_CLOSE_WAIT: 8,
  TCP_LAST_ACK: 9,
  TCP_LISTEN: 10,
  TCP_CLOSING: 11,
} as const;

// Indexed by our TcpState: Closed, Listen, SynSent, SynReceived, Established, FinWait1,
// FinWait2, CloseWait, Closing, LastAck, TimeWait.
const LINUX_STATE_OF: readonly number[] = [7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6];

/** Return Linux's state number (tcpi_state) for one of our TcpState codes. */
export function linuxTcpState(state: number): number {
  return LINUX_STATE_OF[state] ?? LINUX_TCP_STATE.TCP_CLOSE;
}

/** A TCP_INFO snapshot. */
export interface TcpInfo {
  /** Linux's state number (LINUX_TCP_STATE). */
  tcpi_state: number;
  /** Consecutive retransmission timeouts of the current segment (SYN retries included). */
  tcpi_retransmits: number;
  /** Exponential backoff of the RTO now applied. */
  tcpi_backoff: number;
  /** The retransmission timeout, µs. */
  tcpi_rto: number;
  /** Largest segment we send, bytes. */
  tcpi_snd_mss: number;
  /** The largest segment received so far, at most the MSS we advertise (Linux's rcv_mss), bytes. */
  tcpi_rcv_mss: number;
  /** Segments sent and not yet acknowledged (bytes in flight / snd_mss, rounded up). */
  tcpi_unacked: number;
  /** Segments now being retransmitted (tcpi_unacked while a retransmission timeout is in force, else 0). */
  tcpi_retrans: number;
  /** Smoothed round-trip time, µs (0 before the first sample). */
  tcpi_rtt: number;
  /** Round-trip time variation, µs. */
  tcpi_rttvar: number;
  /** Slow-start threshold, segments (Linux prints 2147483647 before the first loss). */
  tcpi_snd_ssthresh: number;
  /** Congestion window, segments. */
  tcpi_snd_cwnd: number;
  /** The MSS we advertise, bytes. */
  tcpi_advmss: number;
  /** Room in the receive buffer, bytes. */
  tcpi_rcv_space: number;
  /** Retransmitted segments over the connection's life (0 when the transport does not count them yet). */
  tcpi_total_retrans: number;
  /** Bytes of data the peer acknowledged (modulo 2^32 when the transport does not count them). */
  tcpi_bytes_acked: number;
  /** Bytes of data received in order (modulo 2^32 when the transport does not count them). */
  tcpi_bytes_received: number;
  /** Bytes queued and not yet sent. */
  tcpi_notsent_bytes: number;
  /** The peer's receive window, bytes. */
  tcpi_snd_wnd: number;
  /** Linux's congestion-avoidance state: 0 Open, 1 Disorder (duplicate ACKs), 3 Recovery (fast recovery), 4 Loss (after a retransmission timeout); 2 (CWR, ECN) never. */
  tcpi_ca_state: number;
  /** Options in use: 1 timestamps, 2 SACK, 4 window scaling (TCPI_OPT_*; no ECN, no SYN data). */
  tcpi_options: number;
  /** Window scale we apply to the peer's window, and the one the peer applies to ours (0 without scaling). */
  tcpi_snd_wscale: number;
  tcpi_rcv_wscale: number;
  /** Congestion window and threshold in bytes (not in Linux's struct; ours counts bytes). */
  cwnd_bytes: number;
  ssthresh_bytes: number;
  /** The congestion control's name (TCP_CONGESTION). */
  ca_name: string;
}

/** Return a zeroed TcpInfo, to fill with `tcpInfoInto`. */
export function newTcpInfo(): TcpInfo {
  return {
    tcpi_state: LINUX_TCP_STATE.TCP_CLOSE, tcpi_retransmits: 0, tcpi_backoff: 0, tcpi_rto: 0, tcpi_snd_mss: 0,
    tcpi_rcv_mss: 0, tcpi_unacked: 0, tcpi_retrans: 0, tcpi_rtt: 0, tcpi_rttvar: 0, tcpi_snd_ssthresh: 0,
    tcpi_snd_cwnd: 0, tcpi_advmss: 0, tcpi_rcv_space: 0, tcpi_total_retrans: 0, tcpi_bytes_acked: 0,
    tcpi_bytes_received: 0, tcpi_notsent_bytes: 0, tcpi_snd_wnd: 0, tcpi_ca_state: 0, tcpi_options: 0, tcpi_snd_wscale: 0,
    tcpi_rcv_wscale: 0, cwnd_bytes: 0, ssthresh_bytes: 0, ca_name: '',
  };
}

/** Fill `info` from `s`; return it. */
export function tcpInfoInto(s: TcpSocket, info: TcpInfo): TcpInfo {
  const st = s.state;
  const mss = s.sendMss > 0 ? s.sendMss : 1;
  const synced = st >= TcpState.SynSent;
  const flight = synced ? s.flightSize() : 0;
  info.tcpi_state = linuxTcpState(st);
  info.tcpi_retransmits = s.retries;
  info.tcpi_backoff = s.rtt.backoff;
  info.tcpi_rto = Math.round(s.rtt.rto() * 1000);
  info.tcpi_snd_mss = s.sendMss;
  info.tcpi_rcv_mss = s.rcvMss;
  info.tcpi_unacked = Math.ceil(flight / mss);
  info.tcpi_retrans = s.retries > 0 ? info.tcpi_unacked : 0;
  info.tcpi_rtt = s.rtt.hasSample ? Math.round(s.rtt.srtt * 1000) : 0;
  info.tcpi_rttvar = s.rtt.hasSample ? Math.round(s.rtt.rttvar * 1000) : 0;
  const cwnd = s.cc.cwnd;
  const ssth = s.cc.ssthresh;
  info.tcpi_snd_cwnd = Math.ceil(cwnd / mss);
  info.tcpi_snd_ssthresh = ssth >= 0x7fff_ffff ? 0x7fff_ffff : Math.floor(ssth / mss);
  info.cwnd_bytes = cwnd;
  info.ssthresh_bytes = ssth;
  info.tcpi_advmss = s.advMss;
  info.tcpi_rcv_space = s.recvBuf.free;
  info.tcpi_total_retrans = s.totalRetrans;
  info.tcpi_bytes_acked = s.bytesAcked;
  info.tcpi_bytes_received = s.bytesReceived;
  info.tcpi_notsent_bytes = synced ? Math.max(0, s.sendBuf.length - Math.max(0, seqDiff(s.sndMax, s.sndBufSeq))) : s.sendBuf.length;
  info.tcpi_snd_wnd = s.sndWnd;
  info.tcpi_ca_state = s.retries > 0 ? 4 : s.cc.inRecovery ? 3 : s.dupAcks > 0 ? 1 : 0;
  info.tcpi_options = (s.tsOk ? 1 : 0) | (s.sackOk ? 2 : 0) | (s.wsOk ? 4 : 0);
  info.tcpi_snd_wscale = s.wsOk ? s.sndWscale : 0;
  info.tcpi_rcv_wscale = s.wsOk ? s.rcvWscale : 0;
  info.ca_name = s.cc.name;
  return info;
}
