import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNetstat, formatSnmp, formatSnmpGroup, newSnmpCounters } from './counters.js';

test('formatSnmpGroup prints a header line and a value line', () => {
  assert.equal(formatSnmpGroup('Tcp', { RtoAlgorithm: 1, ActiveOpens: 3 }), 'Tcp: RtoAlgorithm ActiveOpens\nTcp: 1 3\n');
});

test('fresh counters: Forwarding 2, DefaultTTL, no IcmpMsg group until a message is counted', () => {
  const c = newSnmpCounters(32);
  const s = formatSnmp(c);
  assert.match(s, /^Ip: Forwarding DefaultTTL .*\nIp: 2 32 0 /);
  assert.doesNotMatch(s, /IcmpMsg/);
  c.IcmpMsgOut[8]!++;
  assert.match(formatSnmp(c), /IcmpMsg: OutType8\nIcmpMsg: 1\n/);
  assert.match(formatNetstat(c), /ICMP output histogram:\n {8}echo requests: 1\n/);
});
