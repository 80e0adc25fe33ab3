// strace's way of printing a socket call, argument by argument, so a trace of our stack
// reads like `strace -f` of a Linux program: constants by name (AF_INET, SOCK_STREAM|
// SOCK_NONBLOCK, MSG_DONTWAIT|MSG_NOSIGNAL), addresses as `{sa_family=AF_INET,
// sin_port=htons(80), sin_addr=inet_addr("192.0.2.1")}`, buffers as quoted C strings cut
// at 32 bytes (`-s 32`), out-parameters only when the call succeeded (a failed call shows
// a pointer, as strace shows the address it was given). Each call prints in two parts,
// as strace splits it: what is known on entry, and what the call filled in, so a blocking
// call can show as `recvfrom(4,  <unfinished ...>` and `<... recvfrom resumed>"hi", ...`.
// The reference lines in format.test.ts come from strace 6.1 on Linux (test/hooks/fixtures/
// strace-calls.c; scripts/strace-reference.mjs runs it again under the machine's strace).

import { errnoName, strerror } from '../errno.js';
import type { EpollEvent } from '../posix/epoll.js';
import type { SockAddrIn } from '../posix/sockaddr.js';
import { inetNtoa, isSockAddrIn } from '../posix/sockaddr.js';
import { SYSCALL_MAN_NAMES, type PollFd, type SyscallName } from '../posix/syscalls.js';
import type { Linger, StringOpt } from '../posix/tcp-file.js';
import type { TcpInfo } from '../transport/tcp/info.js';

/** strace's default string limit (`-s 32`): bytes of a buffer, and elements of an array, shown. */
export const DEFAULT_STRING_LIMIT = 32;
/** The column strace aligns " = result" at (its `-a 40` default). */
export const RESULT_COLUMN = 40;

/** Where a tracer gets the addresses it prints for out-parameters of failed calls (we have no pointers). */
export class FakePointers {
  private readonly ids = new WeakMap<object, number>();
  private next = 0;

  /** Return a stable, made-up user-space address for `obj` (plus `off`), as strace prints a pointer: "0x7ffd00001000". */
  ptr(obj: unknown, off = 0): string {
    if (typeof obj !== 'object' || obj === null) return 'NULL';
    let id = this.ids.get(obj);
    if (id === undefined) {
      id = ++this.next;
      this.ids.set(obj, id);
    }
    return '0x' + (0x7ffd_0000_0000 + id * 0x1000 + (off | 0)).toString(16);
  }
}

type Xlat = readonly (readonly [number, string])[];

// The tables are strace 6.1's (its src/xlat/*.in, x86-64 values), so a constant prints
// by the same name, and one strace does not know prints as `0x3e8 /* PREFIX??? */`.
const AF: Xlat = [
  'AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_AX25', 'AF_IPX', 'AF_APPLETALK', 'AF_NETROM', 'AF_BRIDGE', 'AF_ATMPVC', 'AF_X25', 'AF_INET6',
  'AF_ROSE', 'AF_DECnet', 'AF_NETBEUI', 'AF_SECURITY', 'AF_KEY', 'AF_NETLINK', 'AF_PACKET', 'AF_ASH', 'AF_ECONET', 'AF_ATMSVC', 'AF_RDS',
  'AF_SNA', 'AF_IRDA', 'AF_PPPOX', 'AF_WANPIPE', 'AF_LLC', 'AF_IB', 'AF_MPLS', 'AF_CAN', 'AF_TIPC', 'AF_BLUETOOTH', 'AF_IUCV', 'AF_RXRPC',
  'AF_ISDN', 'AF_PHONET', 'AF_IEEE802154', 'AF_CAIF', 'AF_ALG', 'AF_NFC', 'AF_VSOCK', 'AF_KCM', 'AF_QIPCRTR', 'AF_SMC', 'AF_XDP', 'AF_MCTP',
].map((name, i) => [i, name] as const);
const AF_INET_ = 2;
const AF_INET6_ = 10;
const SOCK_TYPE: Xlat = [[1, 'SOCK_STREAM'], [2, 'SOCK_DGRAM'], [3, 'SOCK_RAW'], [4, 'SOCK_RDM'], [5, 'SOCK_SEQPACKET'], [6, 'SOCK_DCCP'], [10, 'SOCK_PACKET']];
/** strace prints SOCK_CLOEXEC before SOCK_NONBLOCK (its sock_type_flags table). */
const SOCK_FLAGS: Xlat = [[0o2000000, 'SOCK_CLOEXEC'], [0o4000, 'SOCK_NONBLOCK']];
/** strace's inet_protocols: a socket's protocol is named so only for AF_INET and AF_INET6. */
const IPPROTO: Xlat = [
  [0, 'IPPROTO_IP'], [1, 'IPPROTO_ICMP'], [2, 'IPPROTO_IGMP'], [4, 'IPPROTO_IPIP'], [6, 'IPPROTO_TCP'], [8, 'IPPROTO_EGP'], [12, 'IPPROTO_PUP'],
  [17, 'IPPROTO_UDP'], [22, 'IPPROTO_IDP'], [29, 'IPPROTO_TP'], [33, 'IPPROTO_DCCP'], [41, 'IPPROTO_IPV6'], [43, 'IPPROTO_ROUTING'],
  [44, 'IPPROTO_FRAGMENT'], [46, 'IPPROTO_RSVP'], [47, 'IPPROTO_GRE'], [50, 'IPPROTO_ESP'], [51, 'IPPROTO_AH'], [58, 'IPPROTO_ICMPV6'],
  [59, 'IPPROTO_NONE'], [60, 'IPPROTO_DSTOPTS'], [92, 'IPPROTO_MTP'], [94, 'IPPROTO_BEETPH'], [98, 'IPPROTO_ENCAP'], [103, 'IPPROTO_PIM'],
  [108, 'IPPROTO_COMP'], [115, 'IPPROTO_L2TP'], [132, 'IPPROTO_SCTP'], [135, 'IPPROTO_MH'], [136, 'IPPROTO_UDPLITE'], [137, 'IPPROTO_MPLS'],
  [143, 'IPPROTO_ETHERNET'], [255, 'IPPROTO_RAW'], [262, 'IPPROTO_MPTCP'],
];
/** strace's socketlayers (an unknown level prints `/* SOL_?? *\/`, two question marks, as strace has it). */
const SOL: Xlat = [
  [0, 'SOL_IP'], [1, 'SOL_SOCKET'], [6, 'SOL_TCP'], [17, 'SOL_UDP'], [40, 'AF_VSOCK'], [41, 'SOL_IPV6'], [58, 'SOL_ICMPV6'], [100, 'SOL_CAN_BASE'],
  [101, 'SOL_CAN_RAW'], [132, 'SOL_SCTP'], [136, 'SOL_UDPLITE'], [255, 'SOL_RAW'], [256, 'SOL_IPX'], [257, 'SOL_AX25'], [258, 'SOL_ATALK'],
  [259, 'SOL_NETROM'], [260, 'SOL_ROSE'], [261, 'SOL_DECNET'], [262, 'SOL_X25'], [263, 'SOL_PACKET'], [264, 'SOL_ATM'], [265, 'SOL_AAL'],
  [266, 'SOL_IRDA'], [267, 'SOL_NETBEUI'], [268, 'SOL_LLC'], [269, 'SOL_DCCP'], [270, 'SOL_NETLINK'], [271, 'SOL_TIPC'], [272, 'SOL_RXRPC'],
  [273, 'SOL_PPPOL2TP'], [274, 'SOL_BLUETOOTH'], [275, 'SOL_PNPIPE'], [276, 'SOL_RDS'], [277, 'SOL_IUCV'], [278, 'SOL_CAIF'], [279, 'SOL_ALG'],
  [280, 'SOL_NFC'], [281, 'SOL_KCM'], [282, 'SOL_TLS'], [283, 'SOL_XDP'],
];
/** SOL_SOCKET options (strace's sock_options; 26 is SO_ATTACH_FILTER to setsockopt, SO_GET_FILTER to getsockopt). */
const SO: Xlat = [
  'SO_DEBUG', 'SO_REUSEADDR', 'SO_TYPE', 'SO_ERROR', 'SO_DONTROUTE', 'SO_BROADCAST', 'SO_SNDBUF', 'SO_RCVBUF', 'SO_KEEPALIVE', 'SO_OOBINLINE',
  'SO_NO_CHECK', 'SO_PRIORITY', 'SO_LINGER', 'SO_BSDCOMPAT', 'SO_REUSEPORT', 'SO_PASSCRED', 'SO_PEERCRED', 'SO_RCVLOWAT', 'SO_SNDLOWAT',
  'SO_RCVTIMEO_OLD', 'SO_SNDTIMEO_OLD', 'SO_SECURITY_AUTHENTICATION', 'SO_SECURITY_ENCRYPTION_TRANSPORT', 'SO_SECURITY_ENCRYPTION_NETWORK',
  'SO_BINDTODEVICE', '', 'SO_DETACH_FILTER', 'SO_PEERNAME', 'SO_TIMESTAMP_OLD', 'SO_ACCEPTCONN', 'SO_PEERSEC', 'SO_SNDBUFFORCE',
  'SO_RCVBUFFORCE', 'SO_PASSSEC', 'SO_TIMESTAMPNS_OLD', 'SO_MARK', 'SO_TIMESTAMPING_OLD', 'SO_PROTOCOL', 'SO_DOMAIN', 'SO_RXQ_OVFL',
  'SO_WIFI_STATUS', 'SO_PEEK_OFF', 'SO_NOFCS', 'SO_LOCK_FILTER', 'SO_SELECT_ERR_QUEUE', 'SO_BUSY_POLL', 'SO_MAX_PACING_RATE',
  'SO_BPF_EXTENSIONS', 'SO_INCOMING_CPU', 'SO_ATTACH_BPF', 'SO_ATTACH_REUSEPORT_CBPF', 'SO_ATTACH_REUSEPORT_EBPF', 'SO_CNX_ADVICE', '',
  'SO_MEMINFO', 'SO_INCOMING_NAPI_ID', 'SO_COOKIE', '', 'SO_PEERGROUPS', 'SO_ZEROCOPY', 'SO_TXTIME', 'SO_BINDTOIFINDEX', 'SO_TIMESTAMP_NEW',
  'SO_TIMESTAMPNS_NEW', 'SO_TIMESTAMPING_NEW', 'SO_RCVTIMEO_NEW', 'SO_SNDTIMEO_NEW', 'SO_DETACH_REUSEPORT_BPF', 'SO_PREFER_BUSY_POLL',
  'SO_BUSY_POLL_BUDGET', 'SO_NETNS_COOKIE', 'SO_BUF_LOCK', 'SO_RESERVE_MEM', 'SO_TXREHASH', 'SO_RCVMARK',
]
  .map((name, i) => [i + 1, name] as const)
  .filter(([, name]) => name !== '');
const SO_SET: Xlat = [...SO, [26, 'SO_ATTACH_FILTER']];
const SO_GET: Xlat = [...SO, [26, 'SO_GET_FILTER']];
const TCP_OPT: Xlat = [
  'TCP_NODELAY', 'TCP_MAXSEG', 'TCP_CORK', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'TCP_SYNCNT', 'TCP_LINGER2', 'TCP_DEFER_ACCEPT',
  'TCP_WINDOW_CLAMP', 'TCP_INFO', 'TCP_QUICKACK', 'TCP_CONGESTION', 'TCP_MD5SIG', 'TCP_COOKIE_TRANSACTIONS', 'TCP_THIN_LINEAR_TIMEOUTS',
  'TCP_THIN_DUPACK', 'TCP_USER_TIMEOUT', 'TCP_REPAIR', 'TCP_REPAIR_QUEUE', 'TCP_QUEUE_SEQ', 'TCP_REPAIR_OPTIONS', 'TCP_FASTOPEN',
  'TCP_TIMESTAMP', 'TCP_NOTSENT_LOWAT', 'TCP_CC_INFO', 'TCP_SAVE_SYN', 'TCP_SAVED_SYN', 'TCP_REPAIR_WINDOW', 'TCP_FASTOPEN_CONNECT',
  'TCP_ULP', 'TCP_MD5SIG_EXT', 'TCP_FASTOPEN_KEY', 'TCP_FASTOPEN_NO_COOKIE', 'TCP_ZEROCOPY_RECEIVE', 'TCP_INQ', 'TCP_TX_DELAY',
].map((name, i) => [i + 1, name] as const);
const UDP_OPT: Xlat = [[1, 'UDP_CORK'], [100, 'UDP_ENCAP'], [101, 'UDP_NO_CHECK6_TX'], [102, 'UDP_NO_CHECK6_RX'], [103, 'UDP_SEGMENT'], [104, 'UDP_GRO']];
const IP_OPT: Xlat = [
  'IP_TOS', 'IP_TTL', 'IP_HDRINCL', 'IP_OPTIONS', 'IP_ROUTER_ALERT', 'IP_RECVOPTS', 'IP_RETOPTS', 'IP_PKTINFO', 'IP_PKTOPTIONS',
  'IP_MTU_DISCOVER', 'IP_RECVERR', 'IP_RECVTTL', 'IP_RECVTOS', 'IP_MTU', 'IP_FREEBIND', 'IP_IPSEC_POLICY', 'IP_XFRM_POLICY', 'IP_PASSSEC',
  'IP_TRANSPARENT', 'IP_ORIGDSTADDR', 'IP_MINTTL', 'IP_NODEFRAG', 'IP_CHECKSUM', 'IP_BIND_ADDRESS_NO_PORT', 'IP_RECVFRAGSIZE',
  'IP_RECVERR_RFC4884',
].map((name, i) => [i + 1, name] as const);
/** strace >= 6.1's msg_flags: 0x10 is MSG_PROBE, 0x80000000 MSG_CMSG_COMPAT; names in value order. */
const MSG: Xlat = [
  [0x1, 'MSG_OOB'], [0x2, 'MSG_PEEK'], [0x4, 'MSG_DONTROUTE'], [0x8, 'MSG_CTRUNC'], [0x10, 'MSG_PROBE'], [0x20, 'MSG_TRUNC'],
  [0x40, 'MSG_DONTWAIT'], [0x80, 'MSG_EOR'], [0x100, 'MSG_WAITALL'], [0x200, 'MSG_FIN'], [0x400, 'MSG_SYN'], [0x800, 'MSG_CONFIRM'],
  [0x1000, 'MSG_RST'], [0x2000, 'MSG_ERRQUEUE'], [0x4000, 'MSG_NOSIGNAL'], [0x8000, 'MSG_MORE'], [0x10000, 'MSG_WAITFORONE'],
  [0x20000, 'MSG_SENDPAGE_NOTLAST'], [0x40000, 'MSG_BATCH'], [0x80000, 'MSG_NO_SHARED_FRAGS'], [0x4000000, 'MSG_ZEROCOPY'],
  [0x20000000, 'MSG_FASTOPEN'], [0x40000000, 'MSG_CMSG_CLOEXEC'], [0x80000000, 'MSG_CMSG_COMPAT'],
];
const SHUT: Xlat = [[0, 'SHUT_RD'], [1, 'SHUT_WR'], [2, 'SHUT_RDWR']];
const POLL: Xlat = [
  [0x1, 'POLLIN'], [0x2, 'POLLPRI'], [0x4, 'POLLOUT'], [0x8, 'POLLERR'], [0x10, 'POLLHUP'], [0x20, 'POLLNVAL'], [0x40, 'POLLRDNORM'],
  [0x80, 'POLLRDBAND'], [0x100, 'POLLWRNORM'], [0x200, 'POLLWRBAND'], [0x400, 'POLLMSG'], [0x2000, 'POLLRDHUP'],
];
const EPOLL: Xlat = [
  [0x1, 'EPOLLIN'], [0x2, 'EPOLLPRI'], [0x4, 'EPOLLOUT'], [0x8, 'EPOLLERR'], [0x10, 'EPOLLHUP'], [0x20, 'EPOLLNVAL'], [0x40, 'EPOLLRDNORM'],
  [0x80, 'EPOLLRDBAND'], [0x100, 'EPOLLWRNORM'], [0x200, 'EPOLLWRBAND'], [0x400, 'EPOLLMSG'], [0x2000, 'EPOLLRDHUP'],
  [0x1000_0000, 'EPOLLEXCLUSIVE'], [0x2000_0000, 'EPOLLWAKEUP'], [0x4000_0000, 'EPOLLONESHOT'], [0x8000_0000, 'EPOLLET'],
];
const EPOLL_CTL: Xlat = [[1, 'EPOLL_CTL_ADD'], [2, 'EPOLL_CTL_DEL'], [3, 'EPOLL_CTL_MOD']];
const FCNTL_CMD: Xlat = [[0, 'F_DUPFD'], [1, 'F_GETFD'], [2, 'F_SETFD'], [3, 'F_GETFL'], [4, 'F_SETFL'], [1030, 'F_DUPFD_CLOEXEC']];
const O_ACCMODE: Xlat = [[0, 'O_RDONLY'], [1, 'O_WRONLY'], [2, 'O_RDWR']];
const O_FLAGS: Xlat = [[0o2000, 'O_APPEND'], [0o4000, 'O_NONBLOCK'], [0o20000, 'O_ASYNC'], [0o40000, 'O_DIRECT'], [0o100000, 'O_LARGEFILE'], [0o1000000, 'O_NOATIME']];
const RLIMIT: Xlat = [[7, 'RLIMIT_NOFILE']];
/** The bytes getsockopt(TCP_CONGESTION) copies out. */
const TCP_CA_NAME_MAX = 16;
/** sizeof(struct tcp_info) up to tcpi_snd_wnd (Linux 5.4 to 6.1): what a caller asking for 232 bytes gets. */
export const TCP_INFO_LEN = 232;

/** TcpInfo fields a newer transport fills; read when present. */
type TcpInfoExtra = Partial<Record<'tcpi_ca_state' | 'tcpi_options' | 'tcpi_snd_wscale' | 'tcpi_rcv_wscale', number>>;

/**
 * Return Linux's `struct tcp_info` (include/uapi/linux/tcp.h, little-endian) holding the
 * fields our TcpInfo has; the others (probes, the app-limited bit, ato, sacked, lost, the
 * last_* times, pmtu, ...) are 0.
 */
export function tcpInfoBytes(info: TcpInfo): Uint8Array {
  const t = info as TcpInfo & TcpInfoExtra;
  const b = new Uint8Array(TCP_INFO_LEN);
  const dv = new DataView(b.buffer);
  const u32 = (off: number, v: number): void => dv.setUint32(off, v >>> 0, true);
  const u64 = (off: number, v: number): void => dv.setBigUint64(off, BigInt(Math.max(0, Math.trunc(v))), true);
  b[0] = t.tcpi_state;
  b[1] = t.tcpi_ca_state ?? 0;
  b[2] = t.tcpi_retransmits;
  b[4] = t.tcpi_backoff;
  b[5] = t.tcpi_options ?? 0;
  // Two 4-bit fields, snd_wscale first: the low nibble on little-endian x86-64.
  b[6] = ((t.tcpi_snd_wscale ?? 0) & 0xf) | (((t.tcpi_rcv_wscale ?? 0) & 0xf) << 4);
  u32(8, t.tcpi_rto);
  u32(16, t.tcpi_snd_mss);
  u32(20, t.tcpi_rcv_mss);
  u32(24, t.tcpi_unacked);
  u32(36, t.tcpi_retrans);
  u32(68, t.tcpi_rtt);
  u32(72, t.tcpi_rttvar);
  u32(76, t.tcpi_snd_ssthresh);
  u32(80, t.tcpi_snd_cwnd);
  u32(84, t.tcpi_advmss);
  u32(96, t.tcpi_rcv_space);
  u32(100, t.tcpi_total_retrans);
  u64(120, t.tcpi_bytes_acked);
  u64(128, t.tcpi_bytes_received);
  u32(144, t.tcpi_notsent_bytes);
  u32(228, t.tcpi_snd_wnd);
  return b;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

/**
 * Return the name of `v` in `table`, or, as strace's printxval prints a value it does not
 * know, `v` in hex followed by `/* PREFIX??? *\/` (`unknown` is the text inside the comment,
 * "SHUT_???"; empty: plain decimal).
 */
function xlat(v: unknown, table: Xlat, unknown: string): string {
  if (typeof v !== 'number') return num(v);
  for (const [n, name] of table) if (n === v) return name;
  return unknown === '' ? String(v) : `${hex(v)} /* ${unknown} */`;
}

/** Return flag bits by name joined with "|", leftovers in hex, "0" for none (strace's printflags). */
export function formatFlags(v: unknown, table: Xlat): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return num(v);
  let rest = v >>> 0;
  if (rest === 0) return '0';
  const parts: string[] = [];
  for (const [bit, name] of table) {
    const b = bit >>> 0;
    if ((rest & b) >>> 0 === b) {
      parts.push(name);
      rest = (rest & ~b) >>> 0;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join('|');
}

/** Return the bytes as strace quotes them: C escapes, octal for the rest, at most `limit` bytes, `...` after the quote when cut. */
export function quoteBytes(buf: Uint8Array, off: number, len: number, limit = DEFAULT_STRING_LIMIT): string {
  const n = Math.max(0, Math.min(len, limit, buf.length - off));
  let s = '"';
  for (let i = 0; i < n; i++) {
    const c = buf[off + i]!;
    switch (c) {
      case 0x22:
        s += '\\"';
        break;
      case 0x5c:
        s += '\\\\';
        break;
      case 0x0c:
        s += '\\f';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x0b:
        s += '\\v';
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          s += String.fromCharCode(c);
        } else {
          // Three octal digits when the next byte is an octal digit (so it cannot be misread), else as few as needed.
          const next = i + 1 < n ? buf[off + i + 1]! : -1;
          if (next >= 0x30 && next <= 0x37) s += '\\' + c.toString(8).padStart(3, '0');
          else s += '\\' + c.toString(8);
        }
    }
  }
  s += '"';
  return len > limit ? s + '...' : s;
}

/** Return a quoted JavaScript string as strace quotes bytes (its UTF-8 encoding). */
function quoteText(text: string, limit: number): string {
  const b = new TextEncoder().encode(text);
  return quoteBytes(b, 0, b.length, limit);
}

/**
 * Return a socket address as strace prints it. AF_INET: `{sa_family=AF_INET,
 * sin_port=htons(80), sin_addr=inet_addr("192.0.2.1")}`. Our records are 16-byte
 * sockaddr_ins whatever their family, so another family prints as strace decodes those 16
 * bytes (family, port in network order, address, eight zeros): AF_UNIX as `sun_path`
 * (`@"..."` when abstract), AF_NETLINK as `nl_pid` and `nl_groups`, the others (AF_INET6
 * needs 24 bytes) as the raw `sa_data`.
 */
export function formatSockAddrIn(sa: SockAddrIn): string {
  if (sa.family === AF_INET_) return `{sa_family=AF_INET, sin_port=htons(${sa.port}), sin_addr=inet_addr("${inetNtoa(sa.addr)}")}`;
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, sa.family & 0xffff, true);
  dv.setUint16(2, sa.port & 0xffff, false);
  dv.setUint32(4, sa.addr >>> 0, false);
  const family = `{sa_family=${xlat(sa.family & 0xffff, AF, 'AF_???')}`;
  switch (sa.family & 0xffff) {
    case 1: {
      // sun_path: a C string, or after a leading NUL an abstract name of every byte that follows.
      if (b[2] !== 0) {
        let end = 2;
        while (end < 16 && b[end] !== 0) end++;
        return `${family}, sun_path=${quoteBytes(b, 2, end - 2, Infinity)}}`;
      }
      return `${family}, sun_path=@${quoteBytes(b, 3, 13, Infinity)}}`;
    }
    case 16: {
      const pad = dv.getUint16(2, true);
      const groups = dv.getUint32(8, true).toString(16).padStart(8, '0');
      return `${family}, ${pad !== 0 ? `nl_pad=${hex(pad)}, ` : ''}nl_pid=${dv.getInt32(4, true)}, nl_groups=${groups}}`;
    }
    default:
      return `${family}, sa_data=${quoteBytes(b, 2, 14, Infinity)}}`;
  }
}

function addrIn(sa: unknown, ptrs: FakePointers): string {
  if (sa === null || sa === undefined) return 'NULL';
  return isSockAddrIn(sa) ? formatSockAddrIn(sa) : ptrs.ptr(sa);
}

/** Return the text of a whole line's arguments and result; see formatEnter / formatExit / formatReturn. */
export interface CallText {
  enter: string;
  exit: string;
  ret: string;
}

/** What printing a call needs besides its arguments. */
export interface FormatContext {
  /** Bytes of a buffer (and elements of an array) shown (`-s`). */
  readonly limit: number;
  readonly ptrs: FakePointers;
}

/**
 * Return what strace prints of `name`'s arguments on entry: everything for calls whose
 * arguments are all inputs, else up to and including the ", " before the first output
 * ("recvfrom(4, " is printed on entry, the buffer on exit).
 */
export function formatEnter(name: SyscallName, a: readonly unknown[], ctx: FormatContext): string {
  switch (name) {
    case 'socket':
      // The protocol is named only for the INET families (strace decodes others per family; ours are numbers).
      return `${xlat(a[0], AF, 'AF_???')}, ${sockType(a[1])}, ${a[0] === AF_INET_ || a[0] === AF_INET6_ ? xlat(a[2], IPPROTO, 'IPPROTO_???') : num(a[2])}`;
    case 'bind':
    case 'connect':
    case 'connectAsync':
      return `${num(a[0])}, ${addrIn(a[1], ctx.ptrs)}, 16`;
    case 'listen':
      return `${num(a[0])}, ${num(a[1])}`;
    case 'send':
    case 'sendAsync':
      return `${num(a[0])}, ${outBuf(a[1], a[2], a[3], ctx)}, ${num(a[3])}, ${formatFlags(a[4], MSG)}, NULL, 0`;
    case 'sendto': {
      const to = a[5];
      return `${num(a[0])}, ${outBuf(a[1], a[2], a[3], ctx)}, ${num(a[3])}, ${formatFlags(a[4], MSG)}, ${addrIn(to, ctx.ptrs)}, ${to === null || to === undefined ? 0 : 16}`;
    }
    case 'shutdown':
      return `${num(a[0])}, ${xlat(a[1], SHUT, 'SHUT_???')}`;
    case 'close':
    case 'closeAsync':
    case 'dup':
      return num(a[0]);
    case 'setsockopt':
      return `${num(a[0])}, ${xlat(a[1], SOL, 'SOL_??')}, ${optName(a[1], a[2], SO_SET)}, ${optValue(a[3], ctx)}`;
    case 'getsockopt':
      return `${num(a[0])}, ${xlat(a[1], SOL, 'SOL_??')}, ${optName(a[1], a[2], SO_GET)}, `;
    case 'fcntl':
      return fcntlArgs(a);
    case 'poll':
    case 'pollAsync':
      return `${pollIn(a[0], a[1], ctx)}, ${num(a[1])}, ${num(a[2])}`;
    case 'epollCreate1':
      return formatFlags(a[0], [[0o2000000, 'EPOLL_CLOEXEC']]);
    case 'epollCtl':
      return `${num(a[0])}, ${xlat(a[1], EPOLL_CTL, 'EPOLL_CTL_???')}, ${num(a[2])}, ${epollEvent(a[3], ctx)}`;
    case 'getrlimit':
      return `${xlat(a[0], RLIMIT, 'RLIMIT_???')}, `;
    case 'setrlimit':
      return `${xlat(a[0], RLIMIT, 'RLIMIT_???')}, {rlim_cur=${rlim(a[1])}, rlim_max=1024*1024}`;
    case 'accept':
    case 'accept4':
    case 'acceptAsync':
      // With no address to fill, strace has nothing to read on exit: it prints every argument on entry.
      if (a[1] === null || a[1] === undefined) return name === 'accept' ? `${num(a[0])}, NULL, NULL` : `${num(a[0])}, NULL, NULL, ${formatFlags(a[2] ?? 0, SOCK_FLAGS)}`;
      return `${num(a[0])}, `;
    default:
      // recv*, getsockname, getpeername, epollWait*: the fd, then outputs.
      return `${num(a[0])}, `;
  }
}

/** Return what strace prints on exit: the outputs after the entry part, up to the closing parenthesis (not included). */
export function formatExit(name: SyscallName, a: readonly unknown[], r: number, ctx: FormatContext): string {
  const ok = r >= 0;
  switch (name) {
    case 'accept':
    case 'accept4':
    case 'acceptAsync': {
      const addr = a[1];
      if (addr === null || addr === undefined) return '';
      const head = `${ok ? addrIn(addr, ctx.ptrs) : ctx.ptrs.ptr(addr)}, [16]`;
      return name === 'accept' ? head : `${head}, ${formatFlags(a[2] ?? 0, SOCK_FLAGS)}`;
    }
    case 'recv':
    case 'recvAsync':
    case 'recvfrom':
    case 'recvfromAsync': {
      const from = name === 'recv' || name === 'recvAsync' ? null : a[5];
      const fromText = from === null || from === undefined ? 'NULL, NULL' : `${ok ? addrIn(from, ctx.ptrs) : ctx.ptrs.ptr(from)}, [16]`;
      return `${inBuf(a[1], a[2], r, ctx)}, ${num(a[3])}, ${formatFlags(a[4], MSG)}, ${fromText}`;
    }
    case 'getsockname':
    case 'getpeername':
      return `${ok ? addrIn(a[1], ctx.ptrs) : ctx.ptrs.ptr(a[1])}, [16]`;
    case 'getsockopt':
      return getsockoptOut(a, r, ctx);
    case 'epollWait':
    case 'epollWaitAsync':
      return `${ok ? epollEvents(a[1], r, ctx) : ctx.ptrs.ptr(a[1])}, ${num(a[2])}, ${num(a[3])}`;
    case 'getrlimit':
      return ok ? `{rlim_cur=${rlim(r)}, rlim_max=1024*1024}` : ctx.ptrs.ptr(a);
    default:
      return '';
  }
}

/** Return what follows "= ": the value (with strace's decoration for fcntl and poll), or `-1 ENAME (message)`. */
export function formatReturn(name: SyscallName, a: readonly unknown[], r: number, ctx: FormatContext): string {
  if (r < 0) return `-1 ${errnoName(r)} (${strerror(r)})`;
  switch (name) {
    case 'fcntl':
      if (a[1] === 3) return `${hex(r)} (flags ${openFlags(r)})`;
      if (a[1] === 1) return r === 0 ? '0' : `${hex(r)} (flags ${formatFlags(r, [[1, 'FD_CLOEXEC']])})`;
      return String(r);
    case 'poll':
    case 'pollAsync':
      return r === 0 ? '0 (Timeout)' : `${r} (${pollOut(a[0], a[1], ctx)})`;
    case 'getsockopt':
    case 'getrlimit':
      // Our getsockopt returns an int option's value and getrlimit the soft limit; the system calls return 0 and fill memory.
      return '0';
    default:
      return String(r);
  }
}

/** Return `head` (ending in ") ") padded to strace's result column, then "= " and `ret`. */
export function padResult(head: string, ret: string): string {
  return `${head.length < RESULT_COLUMN ? head.padEnd(RESULT_COLUMN) : head}= ${ret}`;
}

/** Return the whole call as one strace line without prefix: `name(args) = result`, padded as strace pads it. */
export function formatCall(name: SyscallName, a: readonly unknown[], r: number, ctx: FormatContext): string {
  return padResult(`${SYSCALL_MAN_NAMES[name]}(${formatEnter(name, a, ctx)}${formatExit(name, a, r, ctx)}) `, formatReturn(name, a, r, ctx));
}

function sockType(v: unknown): string {
  if (typeof v !== 'number') return num(v);
  const base = v & 0xf;
  const flags = v & ~0xf;
  let s = xlat(base, SOCK_TYPE, '');
  if (!SOCK_TYPE.some(([n]) => n === base)) s = `${hex(base)} /* SOCK_??? */`;
  return flags === 0 ? s : `${s}|${formatFlags(flags, SOCK_FLAGS)}`;
}

function optName(level: unknown, opt: unknown, so: Xlat): string {
  switch (level) {
    case 0:
      return xlat(opt, IP_OPT, 'IP_???');
    case 1:
      return xlat(opt, so, 'SO_???');
    case 6:
      return xlat(opt, TCP_OPT, 'TCP_???');
    case 17:
      return xlat(opt, UDP_OPT, 'UDP_???');
    default:
      return num(opt);
  }
}

function optValue(v: unknown, ctx: FormatContext): string {
  if (typeof v === 'number' || typeof v === 'boolean') return `[${num(v)}], 4`;
  if (typeof v === 'string') return `${quoteText(v, ctx.limit)}, ${new TextEncoder().encode(v).length}`;
  if (typeof v === 'object' && v !== null && 'l_onoff' in v) {
    const l = v as Linger;
    return `{l_onoff=${num(l.l_onoff)}, l_linger=${num(l.l_linger)}}, 8`;
  }
  return `${ctx.ptrs.ptr(v)}, 0`;
}

function getsockoptOut(a: readonly unknown[], r: number, ctx: FormatContext): string {
  const out = a[3];
  if (r < 0) return `${ctx.ptrs.ptr(out ?? a)}, [${out === null || out === undefined ? 4 : 0}]`;
  if (typeof out !== 'object' || out === null) {
    // SO_ERROR's value is an errno: strace names it (`[ECONNREFUSED]`).
    if (a[1] === 1 && a[2] === 4 && r > 0) return `[${errnoName(r).startsWith('E?') ? r : errnoName(r)}], [4]`;
    return `[${r}], [4]`;
  }
  if ('l_onoff' in out) {
    const l = out as Linger;
    return `{l_onoff=${l.l_onoff}, l_linger=${l.l_linger}}, [8]`;
  }
  if ('tcpi_state' in out) {
    // strace has no TCP_INFO decoder: it prints the struct's bytes as a string, cut at -s.
    const b = tcpInfoBytes(out as TcpInfo);
    return `${quoteBytes(b, 0, b.length, ctx.limit)}, [${b.length}]`;
  }
  if ('value' in out) {
    // TCP_CONGESTION: the kernel copies its 16-byte name buffer, NULs included (TCP_CA_NAME_MAX).
    const b = new Uint8Array(TCP_CA_NAME_MAX);
    b.set(new TextEncoder().encode((out as StringOpt).value).subarray(0, TCP_CA_NAME_MAX));
    return `${quoteBytes(b, 0, b.length, ctx.limit)}, [${b.length}]`;
  }
  return `${ctx.ptrs.ptr(out)}, [0]`;
}

function outBuf(buf: unknown, off: unknown, len: unknown, ctx: FormatContext): string {
  if (!(buf instanceof Uint8Array)) return buf === null || buf === undefined ? 'NULL' : ctx.ptrs.ptr(buf);
  const o = typeof off === 'number' ? off : 0;
  const n = typeof len === 'number' ? len : 0;
  if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 0 || o + n > buf.length) return ctx.ptrs.ptr(buf, Number.isInteger(o) ? o : 0);
  return quoteBytes(buf, o, n, ctx.limit);
}

function inBuf(buf: unknown, off: unknown, r: number, ctx: FormatContext): string {
  if (!(buf instanceof Uint8Array)) return buf === null || buf === undefined ? 'NULL' : ctx.ptrs.ptr(buf);
  const o = typeof off === 'number' && Number.isInteger(off) ? off : 0;
  if (r < 0 || o < 0 || o + r > buf.length) return ctx.ptrs.ptr(buf, o);
  return quoteBytes(buf, o, r, ctx.limit);
}

function fcntlArgs(a: readonly unknown[]): string {
  const cmd = xlat(a[1], FCNTL_CMD, 'F_???');
  switch (a[1]) {
    case 1:
    case 3:
      return `${num(a[0])}, ${cmd}`;
    case 2:
      return `${num(a[0])}, ${cmd}, ${formatFlags(a[2] ?? 0, [[1, 'FD_CLOEXEC']])}`;
    case 4:
      return `${num(a[0])}, ${cmd}, ${openFlags(typeof a[2] === 'number' ? a[2] : 0)}`;
    default:
      return a[2] === undefined ? `${num(a[0])}, ${cmd}` : `${num(a[0])}, ${cmd}, ${num(a[2])}`;
  }
}

function openFlags(v: number): string {
  const acc = xlat(v & 3, O_ACCMODE, '');
  const rest = v & ~3;
  return rest === 0 ? acc : `${acc}|${formatFlags(rest, O_FLAGS)}`;
}

function rlim(v: unknown): string {
  if (typeof v !== 'number') return num(v);
  if (v > 1024 && v % 1024 === 0) return `${v / 1024}*1024`;
  return String(v);
}

/** Print at most `limit` elements of an array, then "..." (strace's cap on arrays). */
function list<T>(xs: readonly T[], count: number, limit: number, each: (x: T) => string): string {
  const n = Math.min(count, xs.length);
  const parts: string[] = [];
  for (let i = 0; i < n && i < limit; i++) parts.push(each(xs[i]!));
  if (n > limit) parts.push('...');
  return `[${parts.join(', ')}]`;
}

function pollIn(fds: unknown, nfds: unknown, ctx: FormatContext): string {
  if (!Array.isArray(fds) || typeof nfds !== 'number') return ctx.ptrs.ptr(fds);
  return list(fds as PollFd[], nfds, ctx.limit, (p) => `{fd=${p.fd}, events=${formatFlags(p.events, POLL)}}`);
}

function pollOut(fds: unknown, nfds: unknown, ctx: FormatContext): string {
  if (!Array.isArray(fds) || typeof nfds !== 'number') return '?';
  const ready = (fds as PollFd[]).slice(0, nfds).filter((p) => p.revents !== 0);
  return list(ready, ready.length, ctx.limit, (p) => `{fd=${p.fd}, revents=${formatFlags(p.revents, POLL)}}`);
}

function epollData(d: number): string {
  const u64 = d >= 0 ? String(d) : BigInt.asUintN(64, BigInt(Math.trunc(d))).toString();
  return `{u32=${d >>> 0}, u64=${u64}}`;
}

function epollEvent(ev: unknown, ctx: FormatContext): string {
  if (ev === null || ev === undefined) return 'NULL';
  const e = ev as EpollEvent;
  if (typeof e.events !== 'number') return ctx.ptrs.ptr(ev);
  return `{events=${formatFlags(e.events, EPOLL)}, data=${epollData(Number(e.data))}}`;
}

function epollEvents(evs: unknown, r: number, ctx: FormatContext): string {
  if (!Array.isArray(evs)) return ctx.ptrs.ptr(evs);
  return list(evs as EpollEvent[], r, ctx.limit, (e) => epollEvent(e, ctx));
}

/** Signal names 0-32 as strace prints them on x86-64 (its signalent); 33-64 are SIGRT_1 to SIGRT_32. */
const SIGNAL_NAMES = [
  '0', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE',
  'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ',
  'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS', 'SIGRTMIN',
];
/** The largest signal number (NSIG - 1 on Linux). */
export const SIGNAL_MAX = 64;
/** SIGPIPE's number. */
export const SIGPIPE = 13;

/** Return strace's name of signal `n` (1..64): "SIGPIPE", "SIGRT_3"; the number as text when out of range. */
export function signalName(n: number): string {
  if (Number.isInteger(n) && n > 0 && n < SIGNAL_NAMES.length) return SIGNAL_NAMES[n]!;
  if (Number.isInteger(n) && n > 32 && n <= SIGNAL_MAX) return `SIGRT_${n - 32}`;
  return String(n);
}

/** Return the number of a signal named as strace's `signal=` takes it (a number, "SIGUSR1", "usr1", "SIGRT_2"), or -1. */
export function signalNumber(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= SIGNAL_MAX ? n : -1;
  }
  const want = text.toUpperCase().replace(/^SIG/, '');
  for (let n = 1; n <= SIGNAL_MAX; n++) if (signalName(n).slice(3) === want) return n;
  return -1;
}

/**
 * Return the line strace prints when a traced process gets signal `signo`, without
 * prefix: `--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=42, si_uid=0} ---` for one
 * a process sent (the kernel's SIGPIPE is sent as by the writer itself), `--- SIGUSR1
 * {si_signo=SIGUSR1, si_code=SI_KERNEL} ---` for one with no sender (an injected signal).
 */
export function formatSignal(signo: number, from: { pid: number; uid: number } | null): string {
  const name = signalName(signo);
  const src = from === null ? 'si_code=SI_KERNEL' : `si_code=SI_USER, si_pid=${from.pid}, si_uid=${from.uid}`;
  return `--- ${name} {si_signo=${name}, ${src}} ---`;
}
