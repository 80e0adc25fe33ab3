import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broadcastOf, formatCidr, networkOf, parseCidr, toIpv4 } from './cidr.js';
import { parseIpv4 } from '../wire/ipv4.js';

test('parseCidr reads address/prefix and rejects bad text with EINVAL', () => {
  assert.deepEqual(parseCidr('192.0.2.1/24'), { address: parseIpv4('192.0.2.1'), prefixLen: 24 });
  assert.deepEqual(parseCidr('10.0.0.1'), { address: parseIpv4('10.0.0.1'), prefixLen: 32 });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { address: 0, prefixLen: 0 });
  for (const bad of ['192.0.2.1/33', '192.0.2.1/', '192.0.2/24', '192.0.2.1/2a', '', '1.2.3.4/-1', '01.2.3.4/8']) {
    assert.throws(() => parseCidr(bad), { code: 'EINVAL' }, bad);
  }
  assert.equal(formatCidr(parseIpv4('192.0.2.1'), 24), '192.0.2.1/24');
});

test('toIpv4 takes dotted quads and u32 numbers; network and broadcast addresses', () => {
  assert.equal(toIpv4('203.0.113.5'), 0xcb007105);
  assert.equal(toIpv4(0xcb007105), 0xcb007105);
  assert.throws(() => toIpv4(-1), { code: 'EINVAL' });
  assert.throws(() => toIpv4(2 ** 32), { code: 'EINVAL' });
  assert.throws(() => toIpv4('localhost'), { code: 'EINVAL' });
  assert.equal(networkOf(parseIpv4('192.0.2.77'), 24), parseIpv4('192.0.2.0'));
  assert.equal(broadcastOf(parseIpv4('192.0.2.77'), 24), parseIpv4('192.0.2.255'));
  assert.equal(broadcastOf(parseIpv4('192.0.2.77'), 32), parseIpv4('192.0.2.77'));
});
