import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScriptText } from './runner.js';
import { parseScript } from './parser.js';
import { CodeAssertion, CodeContext, CodeUnsupported } from './code.js';

const PASSIVE = `
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 1) = 0
   +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
   +0 > S. 0:0(0) ack 1 <...>
  +.1 < . 1:1(0) ack 1 win 257
   +0 accept(3, ..., ...) = 4
   +0 write(4, ..., 1000) = 1000
   +0 > P. 1:1001(1000) ack 1
`;

test('a handshake, an accept and a write pass', async () => {
  const r = await runScriptText(PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'pass', r.reason);
});

test('a wrong outbound sequence number fails at its line', async () => {
  const r = await runScriptText(PASSIVE.replace('> P. 1:1001(1000)', '> P. 2:1002(1000)'), 'inline.pkt');
  assert.equal(r.result, 'fail');
  assert.equal(r.line, 11);
  assert.match(r.reason, /sequence number/);
});

test('an outbound segment expected too early fails on timing', async () => {
  const r = await runScriptText(PASSIVE.replace('+0 > P. 1:1001(1000)', '+1 > P. 1:1001(1000)'), 'inline.pkt');
  assert.equal(r.result, 'fail');
  assert.match(r.reason, /timing error|sent nothing/);
});

test('a wrong return value and a wrong errno fail', async () => {
  let r = await runScriptText(PASSIVE.replace('write(4, ..., 1000) = 1000', 'write(4, ..., 1000) = 999'), 'inline.pkt');
  assert.equal(r.result, 'fail');
  r = await runScriptText(PASSIVE.replace('listen(3, 1) = 0', 'listen(3, 1) = -1 EINVAL'), 'inline.pkt');
  assert.equal(r.result, 'fail');
});

test('an unknown shell command, constant or option makes the script unsupported', async () => {
  let r = await runScriptText('`rm -rf /tmp/x`\n' + PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'unsupported');
  assert.match(r.reason, /rm -rf/);
  r = await runScriptText(PASSIVE.replace('SO_REUSEADDR', 'SO_ZEROCOPY'), 'inline.pkt');
  assert.equal(r.result, 'unsupported');
  r = await runScriptText('--non_fatal=packet\n' + PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'unsupported');
});

test('a route line that restates the simulated path is a no-op; one that changes it is unsupported', async () => {
  let r = await runScriptText('`ip route change 192.0.2.1 via 192.168.0.2 dev tun0 advmss 1460 mtu lock 1500`\n' + PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'pass', r.reason);
  r = await runScriptText('`ip route change 192.0.2.1 via 192.168.0.2 dev tun0 advmss 600 mtu lock 640 initcwnd 11`\n' + PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'unsupported');
});

test('sysctls map onto the kernel, and one we lack is unsupported outside defaults.sh', async () => {
  let r = await runScriptText('`sysctl -q net.ipv4.tcp_sack=0`\n' + PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'pass', r.reason);
  r = await runScriptText('`sysctl -q net.ipv4.tcp_slow_start_after_idle=1`\n' + PASSIVE, 'inline.pkt');
  assert.equal(r.result, 'unsupported');
});

test('%{ }% blocks read TCP_INFO: a true assertion passes, a false one fails', async () => {
  let r = await runScriptText(PASSIVE + '   +0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%\n', 'inline.pkt');
  assert.equal(r.result, 'pass', r.reason);
  r = await runScriptText(PASSIVE + '   +0 %{ assert tcpi_snd_cwnd == 11, tcpi_snd_cwnd }%\n', 'inline.pkt');
  assert.equal(r.result, 'fail');
  assert.match(r.reason, /tcpi_snd_cwnd=10/);
});

test('the parser reads times, packets, syscalls with structs, and errnos', () => {
  const s = parseScript(`--tolerance_usecs=10000
\`../common/defaults.sh\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+.1...0.2 read(4, ..., 10) = 10
* > S. 0:0(0) ack 1 win 100 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8,sack 1:2 3:4>
1~2 > . 1:1(0) ack 1 <...>
+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0
+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0}, 0) = 10
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 < [ect0] . 1:1(0) ack 1 win 10
`);
  assert.equal(s.options[0]!.name, 'tolerance_usecs');
  assert.equal(s.initCommands.length, 1);
  assert.equal(s.events.length, 8);
  const read = s.events[1]!;
  assert.ok(read.type === 'syscall' && read.time.kind === 'relative' && read.time.usecs === 100_000 && read.endUsecs === 200_000);
  const syn = s.events[2]!;
  assert.ok(syn.type === 'packet' && syn.time.kind === 'any' && syn.flags === 'S.' && syn.win === 100 && syn.options!.length === 6);
  assert.ok(s.events[3]!.type === 'packet' && s.events[3]!.time.kind === 'absRange' && s.events[3]!.options === null);
  const conn = s.events[6]!;
  assert.ok(conn.type === 'syscall' && conn.errno === 'EINPROGRESS' && conn.note === 'Operation now in progress');
  const ecn = s.events[7]!;
  assert.ok(ecn.type === 'packet' && ecn.unsupported !== null);
});

test('the code evaluator: chained comparisons, variables across blocks, unknown names', () => {
  const c = new CodeContext();
  const info = (n: string): number | undefined => (n === 'tcpi_rtt' ? 10_000 : n === 'tcpi_snd_cwnd' ? 10 : undefined);
  c.run("assert 5000 <= tcpi_rtt <= 20000, 'srtt=%d us' % tcpi_rtt", info);
  c.run('cwnd = 10; assert tcpi_snd_cwnd == cwnd\ncwnd += 1', info);
  assert.throws(() => c.run('assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd', info), CodeAssertion);
  assert.throws(() => c.run('assert tcpi_ca_state == TCP_CA_Open', info), CodeUnsupported);
  assert.throws(() => c.run('import os', info), CodeUnsupported);
  c.run('assert (0x21 & TCPI_OPT_SYN_DATA) != 0 and not 0', info);
});

test('TCP_INFO in %{ }%: options in use, the CA state, the largest segment received', async () => {
  const script = PASSIVE + `   +0 < P. 1:1001(1000) ack 1001 win 257
   +0 %{ assert tcpi_options == TCPI_OPT_SACK | TCPI_OPT_WSCALE, tcpi_options }%
   +0 %{ assert tcpi_ca_state == TCP_CA_Open and tcpi_snd_wscale == 7 and tcpi_rcv_wscale == 7 }%
   +0 %{ assert tcpi_rcv_mss == 1000, tcpi_rcv_mss }%
`;
  const r = await runScriptText(script, 'inline.pkt');
  assert.equal(r.result, 'pass', r.reason);
  const bad = await runScriptText(script.replace('tcpi_rcv_mss == 1000', 'tcpi_rcv_mss == 1460'), 'inline.pkt');
  assert.equal(bad.result, 'fail');
});
