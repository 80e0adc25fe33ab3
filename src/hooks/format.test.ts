// The printer against real strace: every REFERENCE line below was printed by strace 6.1
// (`strace -f -e trace=%network,poll,epoll_wait,epoll_ctl,fcntl,shutdown python3 prog.py`
// on Linux 6.x, a small Python socket program). We make the same call with the same
// arguments and compare byte for byte; pointers (made up on our side) are compared as
// "0x..." only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EPOLL_CTL_ADD, EPOLLET, EPOLLIN, F_GETFL, F_SETFL, IPPROTO_TCP, MSG_DONTWAIT, MSG_NOSIGNAL, O_NONBLOCK, O_RDWR, POLLIN, POLLOUT,
  SHUT_WR, SO_ERROR, SO_LINGER, SO_REUSEADDR, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, TCP_CONGESTION, AF_INET, EAGAIN,
  EINPROGRESS, ENOTCONN, sockaddrIn, newSockAddrIn,
} from '../posix/index.js';
import type { SyscallName } from '../posix/syscalls.js';
import { FakePointers, formatCall, formatFlags, padResult, quoteBytes } from './format.js';
import { SyscallSummary } from './summary.js';

const LO = '127.0.0.1';
const PYBUF = new Uint8Array([...Buffer.from('hello\n\x00\x01'), 0xff, ...Buffer.from('\t"\\' + 'x'.repeat(40))]);

/** [our call, its arguments, its result, the line strace printed for the same call]. */
const REFERENCE: readonly [SyscallName, unknown[], number, string][] = [
  ['socket', [AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0], 4, 'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 4'],
  ['setsockopt', [3, SOL_SOCKET, SO_REUSEADDR, 1], 0, 'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0'],
  ['bind', [3, sockaddrIn(LO, 0)], 0, 'bind(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0'],
  ['listen', [3, 5], 0, 'listen(3, 5)                            = 0'],
  ['getsockname', [3, sockaddrIn(LO, 46573)], 0, 'getsockname(3, {sa_family=AF_INET, sin_port=htons(46573), sin_addr=inet_addr("127.0.0.1")}, [16]) = 0'],
  ['connect', [4, sockaddrIn(LO, 46573)], -EINPROGRESS, 'connect(4, {sa_family=AF_INET, sin_port=htons(46573), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)'],
  ['accept4', [3, sockaddrIn(LO, 59884), SOCK_CLOEXEC], 5, 'accept4(3, {sa_family=AF_INET, sin_port=htons(59884), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 5'],
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
];

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
