// strace's way of printing a socket call, argument by argument, so a trace of our stack
// reads like `strace -f` of a Linux program: constants by name (AF_INET, SOCK_STREAM|
// SOCK_NONBLOCK, MSG_DONTWAIT|MSG_NOSIGNAL), addresses as `{sa_family=AF_INET,
// sin_port=htons(80), sin_addr=inet_addr("192.0.2.1")}`, buffers as quoted C strings cut
// at 32 bytes (`-s 32`), out-parameters only when the call succeeded (a failed call shows
// a pointer, as strace shows the address it was given). Each call prints in two parts,
// as strace splits it: what is known on entry, and what the call filled in, so a blocking
// call can show as `recvfrom(4,  <unfinished ...>` and `<... recvfrom resumed>"hi", ...`.
// The reference lines in format.test.ts come from strace 6.1 on Linux.

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

const AF: Xlat = [[0, 'AF_UNSPEC'], [1, 'AF_UNIX'], [2, 'AF_INET'], [10, 'AF_INET6'], [16, 'AF_NETLINK'], [17, 'AF_PACKET']];
const SOCK_TYPE: Xlat = [[1, 'SOCK_STREAM'], [2, 'SOCK_DGRAM'], [3, 'SOCK_RAW'], [4, 'SOCK_RDM'], [5, 'SOCK_SEQPACKET'], [6, 'SOCK_DCCP'], [10, 'SOCK_PACKET']];
/** strace prints SOCK_CLOEXEC before SOCK_NONBLOCK (its sock_type_flags table). */
const SOCK_FLAGS: Xlat = [[0o2000000, 'SOCK_CLOEXEC'], [0o4000, 'SOCK_NONBLOCK']];
const IPPROTO: Xlat = [[0, 'IPPROTO_IP'], [1, 'IPPROTO_ICMP'], [6, 'IPPROTO_TCP'], [17, 'IPPROTO_UDP']];
const SOL: Xlat = [[0, 'SOL_IP'], [1, 'SOL_SOCKET'], [6, 'SOL_TCP'], [17, 'SOL_UDP']];
const SO: Xlat = [
  [1, 'SO_DEBUG'], [2, 'SO_REUSEADDR'], [3, 'SO_TYPE'], [4, 'SO_ERROR'], [5, 'SO_DONTROUTE'], [6, 'SO_BROADCAST'], [7, 'SO_SNDBUF'],
  [8, 'SO_RCVBUF'], [9, 'SO_KEEPALIVE'], [10, 'SO_OOBINLINE'], [12, 'SO_PRIORITY'], [13, 'SO_LINGER'], [15, 'SO_REUSEPORT'],
  [18, 'SO_RCVLOWAT'], [19, 'SO_SNDLOWAT'], [30, 'SO_ACCEPTCONN'], [38, 'SO_PROTOCOL'], [39, 'SO_DOMAIN'],
];
const TCP_OPT: Xlat = [
  [1, 'TCP_NODELAY'], [2, 'TCP_MAXSEG'], [3, 'TCP_CORK'], [4, 'TCP_KEEPIDLE'], [5, 'TCP_KEEPINTVL'], [6, 'TCP_KEEPCNT'], [7, 'TCP_SYNCNT'],
  [8, 'TCP_LINGER2'], [9, 'TCP_DEFER_ACCEPT'], [10, 'TCP_WINDOW_CLAMP'], [11, 'TCP_INFO'], [12, 'TCP_QUICKACK'], [13, 'TCP_CONGESTION'],
  [18, 'TCP_USER_TIMEOUT'],
];
const MSG: Xlat = [
  [0x1, 'MSG_OOB'], [0x2, 'MSG_PEEK'], [0x4, 'MSG_DONTROUTE'], [0x8, 'MSG_CTRUNC'], [0x10, 'MSG_PROXY'], [0x20, 'MSG_TRUNC'],
  [0x40, 'MSG_DONTWAIT'], [0x80, 'MSG_EOR'], [0x100, 'MSG_WAITALL'], [0x200, 'MSG_FIN'], [0x400, 'MSG_SYN'], [0x800, 'MSG_CONFIRM'],
  [0x1000, 'MSG_RST'], [0x2000, 'MSG_ERRQUEUE'], [0x4000, 'MSG_NOSIGNAL'], [0x8000, 'MSG_MORE'], [0x10000, 'MSG_WAITFORONE'],
  [0x40000, 'MSG_BATCH'], [0x4000000, 'MSG_ZEROCOPY'], [0x20000000, 'MSG_FASTOPEN'], [0x40000000, 'MSG_CMSG_CLOEXEC'],
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
const TCP_STATES = ['', 'TCP_ESTABLISHED', 'TCP_SYN_SENT', 'TCP_SYN_RECV', 'TCP_FIN_WAIT1', 'TCP_FIN_WAIT2', 'TCP_TIME_WAIT', 'TCP_CLOSE',
  'TCP_CLOSE_WAIT', 'TCP_LAST_ACK', 'TCP_LISTEN', 'TCP_CLOSING'];

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

/** Return the name of `v` in `table`, or `v` followed by `/* PREFIX??? *\/` as strace prints an unknown constant. */
function xlat(v: unknown, table: Xlat, unknown: string): string {
  if (typeof v !== 'number') return num(v);
  for (const [n, name] of table) if (n === v) return name;
  return unknown === '' ? String(v) : `${v < 0 || v > 9 ? hex(v) : v} /* ${unknown}??? */`;
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

/** Return a sockaddr_in as strace prints it: `{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("192.0.2.1")}`. */
export function formatSockAddrIn(sa: SockAddrIn): string {
  if (sa.family !== 2) return `{sa_family=${xlat(sa.family, AF, 'AF_')}}`;
  return `{sa_family=AF_INET, sin_port=htons(${sa.port}), sin_addr=inet_addr("${inetNtoa(sa.addr)}")}`;
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
      return `${xlat(a[0], AF, 'AF_')}, ${sockType(a[1])}, ${xlat(a[2], IPPROTO, '')}`;
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
      return `${num(a[0])}, ${xlat(a[1], SHUT, 'SHUT_')}`;
    case 'close':
    case 'closeAsync':
    case 'dup':
      return num(a[0]);
    case 'setsockopt':
      return `${num(a[0])}, ${xlat(a[1], SOL, 'SOL_')}, ${optName(a[1], a[2])}, ${optValue(a[3], ctx)}`;
    case 'getsockopt':
      return `${num(a[0])}, ${xlat(a[1], SOL, 'SOL_')}, ${optName(a[1], a[2])}, `;
    case 'fcntl':
      return fcntlArgs(a);
    case 'poll':
    case 'pollAsync':
      return `${pollIn(a[0], a[1], ctx)}, ${num(a[1])}, ${num(a[2])}`;
    case 'epollCreate1':
      return formatFlags(a[0], [[0o2000000, 'EPOLL_CLOEXEC']]);
    case 'epollCtl':
      return `${num(a[0])}, ${xlat(a[1], EPOLL_CTL, 'EPOLL_CTL_')}, ${num(a[2])}, ${epollEvent(a[3], ctx)}`;
    case 'getrlimit':
      return `${xlat(a[0], RLIMIT, 'RLIMIT_')}, `;
    case 'setrlimit':
      return `${xlat(a[0], RLIMIT, 'RLIMIT_')}, {rlim_cur=${rlim(a[1])}, rlim_max=1024*1024}`;
    default:
      // accept, accept4, acceptAsync, recv*, getsockname, getpeername, epollWait*: the fd, then outputs.
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
      const head = addr === null || addr === undefined ? 'NULL, NULL' : `${ok ? addrIn(addr, ctx.ptrs) : ctx.ptrs.ptr(addr)}, [16]`;
      return name === 'accept' ? head : `${head}, ${formatFlags(a[2], SOCK_FLAGS)}`;
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

function optName(level: unknown, opt: unknown): string {
  if (level === 1) return xlat(opt, SO, 'SO_');
  if (level === 6) return xlat(opt, TCP_OPT, 'TCP_');
  return num(opt);
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
  if (typeof out !== 'object' || out === null) return `[${r}], [4]`;
  if ('l_onoff' in out) {
    const l = out as Linger;
    return `{l_onoff=${l.l_onoff}, l_linger=${l.l_linger}}, [8]`;
  }
  if ('tcpi_state' in out) {
    const t = out as TcpInfo;
    return (
      `{tcpi_state=${TCP_STATES[t.tcpi_state] ?? t.tcpi_state}, tcpi_retransmits=${t.tcpi_retransmits}, tcpi_rto=${t.tcpi_rto}, ` +
      `tcpi_snd_mss=${t.tcpi_snd_mss}, tcpi_rcv_mss=${t.tcpi_rcv_mss}, tcpi_unacked=${t.tcpi_unacked}, tcpi_rtt=${t.tcpi_rtt}, ` +
      `tcpi_rttvar=${t.tcpi_rttvar}, tcpi_snd_ssthresh=${t.tcpi_snd_ssthresh}, tcpi_snd_cwnd=${t.tcpi_snd_cwnd}, ...}, [232]`
    );
  }
  if ('value' in out) {
    const text = (out as StringOpt).value;
    return `${quoteText(text, ctx.limit)}, [${new TextEncoder().encode(text).length}]`;
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
  const cmd = xlat(a[1], FCNTL_CMD, '');
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
