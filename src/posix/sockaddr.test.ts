import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET } from './constants.js';
import { formatSockAddr, inetAddr, inetNtoa, isSockAddrIn, sockaddrIn } from './sockaddr.js';

test('sockaddr_in to and from dotted quads', () => {
  const sa = sockaddrIn('192.0.2.7', 8080);
  assert.deepEqual(sa, { family: AF_INET, port: 8080, addr: 0xc0000207 });
  assert.equal(inetNtoa(sa.addr), '192.0.2.7');
  assert.equal(formatSockAddr(sa), '192.0.2.7:8080');
  assert.equal(inetAddr('300.1.1.1'), -1);
  assert.throws(() => sockaddrIn('nope', 1), RangeError);
  assert.equal(isSockAddrIn(sa), true);
  assert.equal(isSockAddrIn({ family: AF_INET, port: 70000, addr: 0 }), false);
  assert.equal(isSockAddrIn(null), false);
});
