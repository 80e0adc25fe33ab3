// The printer against real strace: every REFERENCE line below was printed by strace 6.1
// (Debian's) for the same call, first from a small Python socket program, now from
// test/hooks/fixtures/strace-calls.c, which makes every one of these calls on 127.0.0.1.
// We make the same call with the same arguments and compare byte for byte; pointers (made
// up on our side) are compared as "0x..." only. `node scripts/strace-reference.mjs`
// regenerates the reference from the machine's strace, and the last tests here check
// that every REFERENCE line is still what strace prints (they skip without strace and a C
// compiler; NETCH_REQUIRE_ALL=1 makes that a failure). Ports other than 0, 9 and 80 are
// renumbered 40000, 40001, ... by the script, in order of appearance.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EPOLL_CTL_ADD, EPOLLET, EPOLLIN, F_GETFL, F_SETFL, IPPROTO_TCP, MSG_DONTWAIT, MSG_NOSIGNAL, O_NONBLOCK, O_RDWR, POLLIN, POLLOUT,
  SHUT_WR, SO_ERROR, SO_LINGER, SO_REUSEADDR, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, TCP_CONGESTION, AF_INET, EAGAIN,
  EINPROGRESS, ENOTCONN, sockaddrIn, newSockAddrIn, AF_UNIX, SOCK_DGRAM, IPPROTO_UDP, TCP_NODELAY, TCP_INFO, MSG_PEEK, MSG_TRUNC,
  ECONNREFUSED, EINVAL, EPIPE, ENOPROTOOPT, EAFNOSUPPORT,
} from '../posix/index.js';
import type { SyscallName } from '../posix/syscalls.js';
import type { TcpInfo } from '../transport/tcp/info.js';
import {
  FakePointers, TCP_INFO_LEN, formatCall, formatEnter, formatFlags, formatSignal, padResult, quoteBytes, signalName, signalNumber, tcpInfoBytes,
} from './format.js';
import { SyscallSummary } from './summary.js';

const LO = '127.0.0.1';
const PYBUF = new Uint8Array([...Buffer.from('hello\n\x00\x01'), 0xff, ...Buffer.from('\t"\\' + 'x'.repeat(40))]);

/** [our call, its arguments, its result, the line strace printed for the same call]. */
const REFERENCE: readonly [SyscallName, unknown[], number, string][] = [
  ['socket', [AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0], 4, 'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 4'],
  ['setsockopt', [3, SOL_SOCKET, SO_REUSEADDR, 1], 0, 'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0'],
  ['bind', [3, sockaddrIn(LO, 0)], 0, 'bind(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0'],
  ['listen', [3, 5], 0, 'listen(3, 5)                            = 0'],
  ['getsockname', [3, sockaddrIn(LO, 40000)], 0, 'getsockname(3, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("127.0.0.1")}, [16]) = 0'],
  ['connect', [4, sockaddrIn(LO, 40000)], -EINPROGRESS, 'connect(4, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)'],
  ['accept4', [3, sockaddrIn(LO, 40001), SOCK_CLOEXEC], 5, 'accept4(3, {sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 5'],
  ['accept4', [3, newSockAddrIn(), SOCK_CLOEXEC], -EAGAIN, 'accept4(3, 0x7ffc6fe86360, [16], SOCK_CLOEXEC) = -1 EAGAIN (Resource temporarily unavailable)'],
  ['recv', [5, new Uint8Array(100), 0, 100, 0], -EAGAIN, 'recvfrom(5, 0x7f22d1511c70, 100, 0, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)'],
  ['poll', [[], 0, 0], 0, 'poll([], 0, 0)                          = 0 (Timeout)'],
  [
    'poll',
    [[{ fd: 5, events: POLLIN, revents: 0 }, { fd: 4, events: POLLIN | POLLOUT, revents: POLLOUT }], 2, 10],
    1,
    'poll([{fd=5, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}], 2, 10) = 1 ([{fd=4, revents=POLLOUT}])',
  ],
  ['send', [4, PYBUF, 0, 52, MSG_DONTWAIT | MSG_NOSIGNAL], 52, 'sendto(4, "hello\\n\\0\\1\\377\\t\\"\\\\xxxxxxxxxxxxxxxxxxxx"..., 52, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = 52'],
  ['recv', [5, PYBUF, 0, 4096, MSG_DONTWAIT], 52, 'recvfrom(5, "hello\\n\\0\\1\\377\\t\\"\\\\xxxxxxxxxxxxxxxxxxxx"..., 4096, MSG_DONTWAIT, NULL, NULL) = 52'],
  ['epollCtl', [6, EPOLL_CTL_ADD, 5, { events: EPOLLIN | EPOLLET, data: 5 }], 0, 'epoll_ctl(6, EPOLL_CTL_ADD, 5, {events=EPOLLIN|EPOLLET, data={u32=5, u64=5}}) = 0'],
  ['epollWait', [6, [{ events: 0, data: 0 }], 1023, 1], 0, 'epoll_wait(6, [], 1023, 1)              = 0'],
  ['epollWait', [6, [{ events: EPOLLIN, data: 5 }], 1023, 1000], 1, 'epoll_wait(6, [{events=EPOLLIN, data={u32=5, u64=5}}], 1023, 1000) = 1'],
  ['shutdown', [4, SHUT_WR], 0, 'shutdown(4, SHUT_WR)                    = 0'],
  ['sendto', [7, Buffer.from('dgram'), 0, 5, 0, sockaddrIn(LO, 9)], 5, 'sendto(7, "dgram", 5, 0, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = 5'],
  ['fcntl', [3, F_SETFL, O_NONBLOCK], 0, 'fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK)  = 0'],
  ['fcntl', [3, F_GETFL], O_RDWR | O_NONBLOCK, 'fcntl(3, F_GETFL)                       = 0x802 (flags O_RDWR|O_NONBLOCK)'],
  ['getpeername', [3, newSockAddrIn()], -ENOTCONN, 'getpeername(3, 0x7ffc6fe86000, [16])    = -1 ENOTCONN (Transport endpoint is not connected)'],
  ['setsockopt', [5, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }], 0, 'setsockopt(5, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0'],
  // Our getsockopt returns an int option's value; the system call returns 0 and writes the value.
  ['getsockopt', [5, SOL_SOCKET, SO_ERROR, null], 0, 'getsockopt(5, SOL_SOCKET, SO_ERROR, [0], [4]) = 0'],
  ['setsockopt', [5, IPPROTO_TCP, TCP_CONGESTION, 'cubic'], 0, 'setsockopt(5, SOL_TCP, TCP_CONGESTION, "cubic", 5) = 0'],
  ['poll', [[], 0, 0], 0, 'poll([], 0, 0)                          = 0 (Timeout)'],
  ['epollCreate1', [0o2000000], 6, 'epoll_create1(EPOLL_CLOEXEC)            = 6'],
  ['socket', [AF_INET, SOCK_DGRAM, 0], 7, 'socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 7'],
  // Our getsockopt returns TCP_CONGESTION's name; the kernel copies its 16-byte buffer.
  ['getsockopt', [5, IPPROTO_TCP, TCP_CONGESTION, { value: 'cubic' }], 0, 'getsockopt(5, SOL_TCP, TCP_CONGESTION, "cubic\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0", [16]) = 0'],
  ['getsockopt', [5, IPPROTO_TCP, TCP_NODELAY, null], 0, 'getsockopt(5, SOL_TCP, TCP_NODELAY, [0], [4]) = 0'],
  // msg_flags as strace >= 6.1 names them (0x10 MSG_PROBE; 0x80000000 MSG_CMSG_COMPAT), leftovers in hex.
  ['recv', [7, new Uint8Array(16), 0, 16, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC], -EAGAIN, 'recvfrom(7, 0x7ffe4850faf0, 16, MSG_PEEK|MSG_TRUNC|MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)'],
  ['recv', [7, new Uint8Array(16), 0, 16, MSG_DONTWAIT | 0x10 | 0x20000 | 0x80000 | 0x100000], -EAGAIN, 'recvfrom(7, 0x7ffe4850faf0, 16, MSG_PROBE|MSG_DONTWAIT|MSG_SENDPAGE_NOTLAST|MSG_NO_SHARED_FRAGS|0x100000, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)'],
  ['recv', [7, new Uint8Array(16), 0, 16, MSG_DONTWAIT | 0x40000000 | 0x80000000], -EAGAIN, 'recvfrom(7, 0x7ffe4850faf0, 16, MSG_DONTWAIT|MSG_CMSG_CLOEXEC|MSG_CMSG_COMPAT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)'],
  // Constants strace does not know: in hex, with the prefix it looked for.
  ['shutdown', [4, 3], -EINVAL, 'shutdown(4, 0x3 /* SHUT_??? */)         = -1 EINVAL (Invalid argument)'],
  ['shutdown', [4, SHUT_WR], 0, 'shutdown(4, SHUT_WR)                    = 0'],
  ['socket', [AF_INET, SOCK_STREAM, 1000], -EINVAL, 'socket(AF_INET, SOCK_STREAM, 0x3e8 /* IPPROTO_??? */) = -1 EINVAL (Invalid argument)'],
  ['socket', [46, SOCK_STREAM, 0], -EAFNOSUPPORT, 'socket(0x2e /* AF_??? */, SOCK_STREAM, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)'],
  ['setsockopt', [4, 1000, 1, 1], -ENOPROTOOPT, 'setsockopt(4, 0x3e8 /* SOL_?? */, 1, [1], 4) = -1 ENOPROTOOPT (Protocol not available)'],
  ['setsockopt', [4, SOL_SOCKET, 1000, 1], -ENOPROTOOPT, 'setsockopt(4, SOL_SOCKET, 0x3e8 /* SO_??? */, [1], 4) = -1 ENOPROTOOPT (Protocol not available)'],
  ['setsockopt', [4, IPPROTO_TCP, 1000, 1], -ENOPROTOOPT, 'setsockopt(4, SOL_TCP, 0x3e8 /* TCP_??? */, [1], 4) = -1 ENOPROTOOPT (Protocol not available)'],
  ['setsockopt', [4, IPPROTO_UDP, 1000, 1], -ENOPROTOOPT, 'setsockopt(4, SOL_UDP, 0x3e8 /* UDP_??? */, [1], 4) = -1 ENOPROTOOPT (Protocol not available)'],
  ['send', [4, Buffer.from('x'), 0, 1, 0], -EPIPE, 'sendto(4, "x", 1, 0, NULL, 0)           = -1 EPIPE (Broken pipe)'],
  ['send', [4, Buffer.from('x'), 0, 1, MSG_NOSIGNAL], -EPIPE, 'sendto(4, "x", 1, MSG_NOSIGNAL, NULL, 0) = -1 EPIPE (Broken pipe)'],
  // SO_ERROR holds an errno: strace names it. (Our getsockopt returns it; the system call writes it.)
  ['getsockopt', [8, SOL_SOCKET, SO_ERROR, null], ECONNREFUSED, 'getsockopt(8, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0'],
  ['poll', [[{ fd: 8, events: POLLOUT, revents: POLLOUT | 0x8 | 0x10 }], 1, 1000], 1, 'poll([{fd=8, events=POLLOUT}], 1, 1000) = 1 ([{fd=8, revents=POLLOUT|POLLERR|POLLHUP}])'],
  // IPPROTO_* only for AF_INET and AF_INET6.
  ['socket', [AF_UNIX, SOCK_STREAM, 0], 9, 'socket(AF_UNIX, SOCK_STREAM, 0)         = 9'],
  // Other families in our 16-byte records print as strace decodes those bytes.
  ['connect', [9, { family: AF_UNIX, port: 80, addr: 0x7f000001 }], -ECONNREFUSED, 'connect(9, {sa_family=AF_UNIX, sun_path=@"P\\177\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\\0"}, 16) = -1 ECONNREFUSED (Connection refused)'],
  ['connect', [7, { family: 0, port: 80, addr: 0x7f000001 }], 0, 'connect(7, {sa_family=AF_UNSPEC, sa_data="\\0P\\177\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\\0"}, 16) = 0'],
  ['connect', [7, { family: 10, port: 80, addr: 0x7f000001 }], -EAFNOSUPPORT, 'connect(7, {sa_family=AF_INET6, sa_data="\\0P\\177\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\\0"}, 16) = -1 EAFNOSUPPORT (Address family not supported by protocol)'],
  ['connect', [7, { family: 46, port: 80, addr: 0x7f000001 }], -EAFNOSUPPORT, 'connect(7, {sa_family=0x2e /* AF_??? */, sa_data="\\0P\\177\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\\0"}, 16) = -1 EAFNOSUPPORT (Address family not supported by protocol)'],
  ['connect', [7, { family: 16, port: 80, addr: 0x7f000001 }], -EAFNOSUPPORT, 'connect(7, {sa_family=AF_NETLINK, nl_pad=0x5000, nl_pid=16777343, nl_groups=00000000}, 16) = -1 EAFNOSUPPORT (Address family not supported by protocol)'],
  ['connect', [7, { family: 16, port: 0, addr: 0x7f000001 }], -EAFNOSUPPORT, 'connect(7, {sa_family=AF_NETLINK, nl_pid=16777343, nl_groups=00000000}, 16) = -1 EAFNOSUPPORT (Address family not supported by protocol)'],
];

/** Lines strace printed that are not one call: the SIGPIPE after the EPIPE above (pid renumbered), the exit. */
const REFERENCE_EVENTS = ['--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=1, si_uid=0} ---', '+++ exited with 3 +++'];

/** strace -f's accept4(3, NULL, NULL, SOCK_CLOEXEC) split by another thread's calls, to a file (-o) and to stderr. */
const REFERENCE_SPLIT = {
  file: ['1     accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>', '1     <... accept4 resumed>)            = 4', '2     +++ exited with 0 +++', '1     +++ exited with 0 +++'],
  stderr: ['[pid     1] accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>', '[pid     1] <... accept4 resumed>)      = 4', '[pid     2] +++ exited with 0 +++', '+++ exited with 0 +++'],
};

const ptrless = (s: string): string => s.replace(/0x7f[0-9a-f]+/g, '0x...');

test('each call prints as strace 6.1 printed the same call', () => {
  const ctx = { limit: 32, ptrs: new FakePointers() };
  for (const [name, args, r, want] of REFERENCE) assert.equal(ptrless(formatCall(name, args, r, ctx)), ptrless(want), name);
});

test('the blocking entries print as the system call strace shows', () => {
  const ctx = { limit: 32, ptrs: new FakePointers() };
  assert.equal(formatCall('acceptAsync', [3, sockaddrIn('192.0.2.1', 40312), SOCK_NONBLOCK], 5, ctx),
    'accept4(3, {sa_family=AF_INET, sin_port=htons(40312), sin_addr=inet_addr("192.0.2.1")}, [16], SOCK_NONBLOCK) = 5');
  assert.equal(formatCall('recvAsync', [4, Buffer.from('0123456'), 0, 7, 0], 7, ctx), 'recvfrom(4, "0123456", 7, 0, NULL, NULL) = 7');
  assert.equal(formatCall('closeAsync', [5], 0, ctx), 'close(5)                                = 0');
});

test('strace -f pads split lines to the result column with the prefix counted', () => {
  // Real: "[pid 23325] <... connect resumed>)      = 0" and "[pid 23240] <... recvfrom resumed>"0123456", 7, 0, NULL, NULL) = 7"
  assert.equal(padResult('[pid 23325] <... connect resumed>) ', '0'), '[pid 23325] <... connect resumed>)      = 0');
  assert.equal(padResult('[pid 23240] <... epoll_ctl resumed>) ', '0'), '[pid 23240] <... epoll_ctl resumed>)    = 0');
  assert.equal(padResult('     0.000106 listen(3, 5) ', '0'), '     0.000106 listen(3, 5)              = 0');
});

test('strings: C escapes, short octal unless a digit follows, the -s cut', () => {
  assert.equal(quoteBytes(Buffer.from('a\x00b'), 0, 3), '"a\\0b"');
  assert.equal(quoteBytes(Buffer.from('\x001'), 0, 2), '"\\0001"');
  assert.equal(quoteBytes(Buffer.from('\r\v\f'), 0, 3), '"\\r\\v\\f"');
  assert.equal(quoteBytes(Buffer.from('abcdef'), 0, 6, 4), '"abcd"...');
  assert.equal(quoteBytes(Buffer.from('abcd'), 0, 4, 4), '"abcd"');
  assert.equal(quoteBytes(new Uint8Array(0), 0, 0), '""');
});

test('flags: names in table order, unknown bits in hex, zero as 0', () => {
  const MSG = [[0x40, 'MSG_DONTWAIT'], [0x4000, 'MSG_NOSIGNAL']] as const;
  assert.equal(formatFlags(0x4040, MSG), 'MSG_DONTWAIT|MSG_NOSIGNAL');
  assert.equal(formatFlags(0x80000040, MSG), 'MSG_DONTWAIT|0x80000000');
  assert.equal(formatFlags(0, MSG), '0');
});

test('-c: the table strace 6.1 printed, from the same counts', () => {
  // Real output of `strace -f -c -e trace=%network python3 prog.py` (all times under a microsecond).
  const REAL = [
    '% time     seconds  usecs/call     calls    errors syscall',
    '------ ----------- ----------- --------- --------- ----------------',
    '  0.00    0.000000           0         3           socket',
    '  0.00    0.000000           0         1         1 connect',
    '  0.00    0.000000           0         3           sendto',
    '  0.00    0.000000           0         2         1 recvfrom',
    '  0.00    0.000000           0         1           shutdown',
    '  0.00    0.000000           0         1           bind',
    '  0.00    0.000000           0         1           listen',
    '  0.00    0.000000           0         4           getsockname',
    '  0.00    0.000000           0         2         2 getpeername',
    '  0.00    0.000000           0         1           setsockopt',
    '  0.00    0.000000           0         2         1 accept4',
    '------ ----------- ----------- --------- --------- ----------------',
    '100.00    0.000000           0        21         5 total',
    '',
  ].join('\n');
  const s = new SyscallSummary();
  const counts: [string, number, number][] = [
    ['accept4', 2, 1], ['getpeername', 2, 2], ['socket', 3, 0], ['recvfrom', 2, 1], ['connect', 1, 1], ['sendto', 3, 0], ['shutdown', 1, 0],
    ['bind', 1, 0], ['listen', 1, 0], ['getsockname', 4, 0], ['setsockopt', 1, 0],
  ];
  for (const [name, calls, errors] of counts) for (let i = 0; i < calls; i++) s.add(name, 0, i < errors);
  assert.equal(s.format(), REAL);
});

test('-c with times: percentages, usecs/call, most time first, ties by syscall number', () => {
  const s = new SyscallSummary();
  s.add('recvfrom', 3, false);
  s.add('recvfrom', 1, true);
  s.add('accept4', 4, false);
  s.add('socket', 0, false);
  const lines = s.format().split('\n');
  // Equal times: syscall-number order (recvfrom is 45, accept4 288).
  assert.equal(lines[2], ' 50.00    0.004000        2000         2         1 recvfrom');
  assert.equal(lines[3], ' 50.00    0.004000        4000         1           accept4');
  assert.equal(lines[4], '  0.00    0.000000           0         1           socket');
  assert.equal(lines[6], '100.00    0.008000        2000         4         1 total');
});

test('accept4 with no address: every argument on entry, nothing but ")" on exit (strace -f, to a file and to stderr)', () => {
  const ctx = { limit: 32, ptrs: new FakePointers() };
  const args = [3, null, SOCK_CLOEXEC];
  const enter = (prefix: string): string => `${prefix}accept4(${formatEnter('acceptAsync', args, ctx)} <unfinished ...>`;
  const resumed = (prefix: string): string => padResult(`${prefix}<... accept4 resumed>) `, '4');
  assert.deepEqual([enter('1     '), resumed('1     ')], REFERENCE_SPLIT.file.slice(0, 2));
  assert.deepEqual([enter('[pid     1] '), resumed('[pid     1] ')], REFERENCE_SPLIT.stderr.slice(0, 2));
  assert.equal(formatCall('acceptAsync', args, 4, ctx), 'accept4(3, NULL, NULL, SOCK_CLOEXEC)    = 4');
  assert.equal(formatCall('accept', [3, null], 4, ctx), 'accept(3, NULL, NULL)                   = 4');
});

test('signals: strace names, signal= spellings, the SIGPIPE line', () => {
  assert.equal(formatSignal(13, { pid: 1, uid: 0 }), REFERENCE_EVENTS[0]);
  assert.equal(formatSignal(10, null), '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL} ---');
  assert.deepEqual([signalName(32), signalName(33), signalName(64)], ['SIGRTMIN', 'SIGRT_1', 'SIGRT_32']);
  assert.deepEqual(['USR1', 'sigusr1', 'SIGPIPE', '64', 'rt_32', '0', '65', 'SIGNOPE'].map(signalNumber), [10, 10, 13, 64, 64, -1, -1, -1]);
});

/** A TcpInfo read back from Linux's struct tcp_info bytes at the offsets tcpInfoBytes writes. */
function tcpInfoFrom(b: Uint8Array): TcpInfo {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const u64 = (o: number): number => Number(dv.getBigUint64(o, true));
  return {
    tcpi_ca_state: b[1]!, tcpi_options: b[5]!, tcpi_snd_wscale: b[6]! & 0xf, tcpi_rcv_wscale: b[6]! >> 4,
    tcpi_state: b[0]!, tcpi_retransmits: b[2]!, tcpi_backoff: b[4]!, tcpi_rto: u32(8), tcpi_snd_mss: u32(16), tcpi_rcv_mss: u32(20),
    tcpi_unacked: u32(24), tcpi_retrans: u32(36), tcpi_rtt: u32(68), tcpi_rttvar: u32(72), tcpi_snd_ssthresh: u32(76), tcpi_snd_cwnd: u32(80),
    tcpi_advmss: u32(84), tcpi_rcv_space: u32(96), tcpi_total_retrans: u32(100), tcpi_bytes_acked: u64(120), tcpi_bytes_received: u64(128),
    tcpi_notsent_bytes: u32(144), tcpi_snd_wnd: u32(228), cwnd_bytes: 0, ssthresh_bytes: 0, ca_name: 'cubic',
  } as TcpInfo;
}

/** The TCP_INFO of the reference run (strace-calls.c prints the bytes it got): a CLOSE-WAIT socket on Linux 6.18. */
const LINUX_TCP_INFO = Uint8Array.from(
  (
    '8 0 0 0 0 7 170 1 64 13 3 0 224 171 0 0 0 128 0 0 24 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 24 0 0 0 0 0 0 0 0 0 0 0 0 0 ' +
    '0 0 255 255 0 0 203 255 0 0 30 0 0 0 15 0 0 0 255 255 255 127 10 0 0 0 203 255 0 0 3 0 0 0 0 0 0 0 203 255 0 0 0 0 0 0 187 144 148 68 7 0 0 0 255 255 255 255 ' +
    '255 255 255 255 0 0 0 0 0 0 0 0 60 0 0 0 0 0 0 0 2 0 0 0 5 0 0 0 0 0 0 0 30 0 0 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ' +
    '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0'
  ).trim().split(' ').map(Number),
);

test('TCP_INFO prints as strace prints it: the struct tcp_info bytes, quoted and cut at -s', () => {
  assert.equal(LINUX_TCP_INFO.length, TCP_INFO_LEN);
  // strace's line for these bytes (the reference run), and ours for the same bytes.
  const want = 'getsockopt(5, SOL_TCP, TCP_INFO, "\\10\\0\\0\\0\\0\\7\\252\\1@\\r\\3\\0\\340\\253\\0\\0\\0\\200\\0\\0\\30\\2\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0"..., [232]) = 0';
  assert.equal(`getsockopt(5, SOL_TCP, TCP_INFO, ${quoteBytes(LINUX_TCP_INFO, 0, TCP_INFO_LEN)}, [232]) = 0`, want);
  // Our fields sit at Linux's offsets: read back from Linux's bytes and written again, they are the same bytes there.
  const ours = tcpInfoBytes(tcpInfoFrom(LINUX_TCP_INFO));
  for (const [off, len] of [[0, 7], [8, 4], [16, 12], [36, 4], [68, 20], [96, 8], [120, 16], [144, 4], [228, 4]] as const) {
    assert.deepEqual(ours.subarray(off, off + len), LINUX_TCP_INFO.subarray(off, off + len), `offset ${off}`);
  }
  const ctx = { limit: 32, ptrs: new FakePointers() };
  const line = formatCall('getsockopt', [5, IPPROTO_TCP, TCP_INFO, tcpInfoFrom(LINUX_TCP_INFO)], 0, ctx);
  assert.match(line, /^getsockopt\(5, SOL_TCP, TCP_INFO, "\\10\\0\\0\\0\\0\\7\\252\\0@\\r\\3\\0\\0\\0\\0\\0\\0\\200\\0\\0\\30\\2\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0"\.\.\., \[232\]\) = 0$/);
});

test('-c: columns widen to fit, as strace 6.1 sizes them', () => {
  const s = new SyscallSummary();
  s.add('accept4', 12_345_678, false); // 12345.678 s: 12 characters of seconds
  for (let i = 0; i < 1_000_000_000; i += 100_000_000) s.add('recvfrom', 0, true);
  const lines = s.format().split('\n');
  assert.equal(lines[0], '% time      seconds  usecs/call     calls    errors syscall');
  assert.equal(lines[1], '------ ------------ ----------- --------- --------- ----------------');
  assert.equal(lines[2], '100.00 12345.678000 12345678000         1           accept4');
});

// The reference again, from the strace of this machine: every line above must still be
// what strace prints for the same call.

type Reference = { strace: string; sections: Record<string, string[]>; tcpInfo: number[] };

/** Run scripts/strace-reference.mjs; skip (or fail under NETCH_REQUIRE_ALL=1) when strace or a C compiler is missing. */
async function straceReference(t: { skip: (why: string) => void }): Promise<Reference | null> {
  // Compiled to dist/src/hooks/: the script is at the repository's root.
  const script = new URL('../../../scripts/strace-reference.mjs', import.meta.url).href;
  const mod = (await import(script)) as { missingTool: () => string | null; makeReference: () => Reference };
  const why = mod.missingTool();
  if (why !== null) {
    if (process.env.NETCH_REQUIRE_ALL === '1') assert.fail(`NETCH_REQUIRE_ALL=1: ${why}`);
    t.skip(why);
    return null;
  }
  return mod.makeReference();
}

let reference: Promise<Reference | null> | null = null;

test('the reference lines are what this machine\'s strace prints (scripts/strace-reference.mjs)', async (t) => {
  reference ??= straceReference(t);
  const ref = await reference;
  if (ref === null) return;
  t.diagnostic(`strace ${ref.strace}`);
  const calls = ref.sections.calls!.map(ptrless);
  for (const [name, , , line] of REFERENCE) {
    assert.ok(calls.includes(ptrless(line)), `${name}: strace no longer prints\n  ${line}\nit printed:\n  ${calls.join('\n  ')}`);
  }
  // The reference was taken as root; strace prints the uid of whoever runs it.
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  for (const line of REFERENCE_EVENTS.map((l) => l.replace('si_uid=0', `si_uid=${uid}`))) assert.ok(calls.includes(line), `strace printed no ${line}`);
  const info = Uint8Array.from(ref.tcpInfo);
  const infoLine = `getsockopt(5, SOL_TCP, TCP_INFO, ${quoteBytes(info, 0, info.length)}, [${info.length}]) = 0`;
  assert.ok(calls.includes(infoLine), `strace printed TCP_INFO's bytes otherwise than\n  ${infoLine}`);
  for (const line of REFERENCE_SPLIT.file) assert.ok(ref.sections['split -f -o']!.includes(line), `strace -f -o: no\n  ${line}`);
  for (const line of REFERENCE_SPLIT.stderr) assert.ok(ref.sections['split -f']!.includes(line), `strace -f: no\n  ${line}`);
  // -t -r: "HH:MM:SS (+     S.UUUUUU) " before the call, padded with it to column 40.
  assert.match(ref.sections['-t -r']![0]!, /^\d\d:\d\d:\d\d \(\+ {5}0\.000000\) listen\(3, 5\) {2}= 0$/);
  // -c: the header and rules of our table (its numbers are times and counts of that run).
  const c = ref.sections['-c']!;
  const ours = new SyscallSummary();
  ours.add('socket', 0, false);
  assert.deepEqual(c.slice(0, 2), ours.format().split('\n').slice(0, 2));
  assert.match(c.at(-1)!, /^100\.00 +\d+\.\d{6} +\d+ +\d+ +\d* total$/);
});
