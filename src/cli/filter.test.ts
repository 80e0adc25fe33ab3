// `netch filter`: the iptables subset it parses, the API calls it makes, and its errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../iface/host.js';
import { answerFilter, parseFilterCommand } from './filter.js';

const w = (s: string): string[] => s.split(' ').filter((x) => x !== '');

test('rules parse into the API spec', () => {
  assert.deepEqual(parseFilterCommand(w('-A INPUT -p tcp --dport 80 -j DROP')), { op: 'append', chain: 'INPUT', spec: { proto: 'tcp', dport: '80', verdict: 'DROP' } });
  assert.deepEqual(parseFilterCommand(w('-I INPUT 2 ! -s 10.0.0.0/8 -p udp -m udp ! --sport 1:1023 -i eth+ -j REJECT --reject-with icmp-host-prohibited')), {
    op: 'insert', chain: 'INPUT', num: 2,
    spec: { src: '10.0.0.0/8', proto: 'udp', sport: '1:1023', inIface: 'eth+', verdict: 'REJECT', rejectWith: 'icmp-host-prohibited', not: { src: true, sport: true } },
  });
  assert.deepEqual(parseFilterCommand(w('-A INPUT -p tcp --syn -j ACCEPT')).op, 'append');
  assert.deepEqual(parseFilterCommand(w('-A OUTPUT -p tcp ! --tcp-flags SYN,ACK SYN -o eth0 -j DROP')), {
    op: 'append', chain: 'OUTPUT', spec: { proto: 'tcp', tcpFlags: { mask: 'SYN,ACK', comp: 'SYN' }, outIface: 'eth0', verdict: 'DROP', not: { tcpFlags: true } },
  });
  assert.deepEqual(parseFilterCommand([]), { op: 'list', exact: false, lineNumbers: false });
  assert.deepEqual(parseFilterCommand(w('-L INPUT -v -n -x --line-numbers')), { op: 'list', chain: 'INPUT', exact: true, lineNumbers: true });
  assert.deepEqual(parseFilterCommand(w('-D INPUT 3')), { op: 'delete', chain: 'INPUT', rule: 3 });
  assert.deepEqual(parseFilterCommand(w('-P INPUT DROP')), { op: 'policy', chain: 'INPUT', policy: 'DROP' });
  assert.deepEqual(parseFilterCommand(w('-F')), { op: 'flush' });
  assert.deepEqual(parseFilterCommand(w('-t filter -Z OUTPUT')), { op: 'zero', chain: 'OUTPUT' });
});

test('syntax errors have the code NETCH_ERR_FILTER_SYNTAX', () => {
  for (const bad of ['-A INPUT --frobnicate 1 -j DROP', '-A INPUT -p', '-A INPUT -L', '-A -j DROP', '-D INPUT', '-P INPUT', '-I INPUT x -j DROP', '-A INPUT ! -j DROP', '-A INPUT ! ! -s 1.2.3.4 -j DROP', '-t nat -L', '-A INPUT -m state -j DROP', '-L INPUT -p tcp', '-A INPUT -p tcp -p udp -j DROP', '-A INPUT -j DROP !']) {
    assert.throws(() => parseFilterCommand(w(bad)), (e: { code?: string }) => e.code === 'NETCH_ERR_FILTER_SYNTAX', bad);
  }
});

test('answerFilter applies commands to a host and lists them; API errors keep their codes', () => {
  const h = new Host();
  assert.equal(answerFilter(h.filter, w('-A INPUT -p tcp --dport 80 -j DROP')), '');
  assert.equal(answerFilter(h.filter, w('-I INPUT -s 192.0.2.0/24 -j ACCEPT')), '');
  assert.equal(answerFilter(h.filter, w('-A INPUT -p udp --dport 53:54 -j REJECT')), '');
  assert.equal(answerFilter(h.filter, w('-P INPUT DROP')), '');
  assert.equal(answerFilter(h.filter, w('-S INPUT')), [
    '-P INPUT DROP',
    '-A INPUT -s 192.0.2.0/24 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 80 -j DROP',
    '-A INPUT -p udp -m udp --dport 53:54 -j REJECT --reject-with icmp-port-unreachable',
    '',
  ].join('\n'));
  assert.match(answerFilter(h.filter, w('-L INPUT')), /^ {4}0 {5}0 DROP {7}tcp {2}-- .* tcp dpt:80$/m);
  answerFilter(h.filter, w('-D INPUT -p tcp --dport 80 -j DROP'));
  assert.equal(h.filter.list('INPUT')[0]!.rules.length, 2);
  const code = (s: string, c: string): void => assert.throws(() => answerFilter(h.filter, w(s)), (e: { code?: string }) => e.code === c, s);
  code('-A FORWARD -j DROP', 'NETCH_ERR_FILTER_CHAIN');
  code('-A INPUT --dport 80 -j DROP', 'NETCH_ERR_FILTER_NEEDS_PROTO');
  code('-A INPUT -p tcp --dport 80x -j DROP', 'NETCH_ERR_FILTER_MATCH');
  code('-A INPUT -p tcp', 'NETCH_ERR_FILTER_VERDICT');
  code('-A INPUT -o eth0 -j DROP', 'NETCH_ERR_FILTER_IFACE_CHAIN');
  code('-D INPUT 9', 'NETCH_ERR_FILTER_NO_RULE');
  code('-P INPUT REJECT', 'NETCH_ERR_FILTER_VERDICT');
});
