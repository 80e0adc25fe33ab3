// The text forms of the filter table (iptables -L -v -n and -S), the normalized specs that
// list() returns, and the counters' K/M/G printing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from './host.js';
import { formatCount } from './filter.js';

function table() {
  const f = new Host().filter;
  f.append('INPUT', { proto: 'tcp', dport: 80, verdict: 'DROP' });
  f.append('INPUT', { src: '10.1.2.3/8', not: { src: true }, proto: 'udp', dport: '1000:2000', verdict: 'REJECT' });
  f.append('INPUT', { proto: 'tcp', tcpFlags: { mask: ['SYN', 'ACK', 'FIN', 'RST'], comp: 'SYN' }, inIface: 'eth+', verdict: 'ACCEPT' });
  f.append('OUTPUT', { proto: 'icmp', outIface: 'eth0', not: { proto: true, outIface: true }, verdict: 'ACCEPT' });
  f.setPolicy('OUTPUT', 'DROP');
  return f;
}

test('format() prints iptables -L -v -n', () => {
  const f = table();
  f.input.rules[0]!.packets = 123456;
  f.input.rules[0]!.bytes = 98_765_432;
  assert.equal(
    f.format('INPUT'),
    [
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)',
      ' pkts bytes target     prot opt in     out     source               destination         ',
      ' 123K   99M DROP       tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80',
      '    0     0 REJECT     udp  --  *      *      !10.0.0.0/8           0.0.0.0/0            udp dpts:1000:2000 reject-with icmp-port-unreachable',
      '    0     0 ACCEPT     tcp  --  eth+   *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x17/0x02',
      '',
    ].join('\n'),
  );
  assert.match(f.format('OUTPUT'), /^Chain OUTPUT \(policy DROP 0 packets, 0 bytes\)\n.*\n {4}0 {5}0 ACCEPT {4}!icmp -- {2}\* {6}!eth0 {3}0\.0\.0\.0\/0 {12}0\.0\.0\.0\/0$/m);
  assert.match(f.format('INPUT', { exact: true, lineNumbers: true }), /^1 {6}123456 98765432 DROP /m);
  assert.equal(f.format().match(/^Chain /gm)?.length, 4);
});

test('formatRules() prints iptables -S, and list() returns normalized specs', () => {
  const f = table();
  assert.equal(
    f.formatRules(),
    [
      '-P PREROUTING ACCEPT',
      '-P INPUT ACCEPT',
      '-P OUTPUT DROP',
      '-P POSTROUTING ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 80 -j DROP',
      '-A INPUT ! -s 10.0.0.0/8 -p udp -m udp --dport 1000:2000 -j REJECT --reject-with icmp-port-unreachable',
      '-A INPUT -i eth+ -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT',
      '-A OUTPUT ! -o eth0 ! -p icmp -j ACCEPT',
      '',
    ].join('\n'),
  );
  const spec = f.list('INPUT')[0]!.rules[1]!.spec;
  assert.deepEqual(spec, { verdict: 'REJECT', src: '10.0.0.0/8', proto: 'udp', dport: [1000, 2000], rejectWith: 'icmp-port-unreachable', not: { src: true } });
  spec.verdict = 'ACCEPT';
  assert.equal(f.list('INPUT')[0]!.rules[1]!.spec.verdict, 'REJECT', 'list() returns copies');
  assert.equal(f.list('INPUT')[0]!.rules[0]!.spec.rejectWith, undefined);
  f.append('INPUT', { proto: 'tcp', verdict: 'REJECT' });
  assert.equal(f.list('INPUT')[0]!.rules[3]!.spec.rejectWith, 'tcp-reset', 'a tcp REJECT defaults to tcp-reset');
});

test('formatCount() follows xtables_print_num', () => {
  assert.equal(formatCount(0, false), '    0 ');
  assert.equal(formatCount(99999, false), '99999 ');
  assert.equal(formatCount(100000, false), ' 100K ');
  assert.equal(formatCount(9_999_499, false), '9999K ');
  assert.equal(formatCount(9_999_500, false), '  10M ');
  assert.equal(formatCount(5, true), '       5 ');
  assert.equal(formatCount(5, false, false), '5 ');
});
