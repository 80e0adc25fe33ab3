import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { EAGAIN, ECONNREFUSED, EPERM, ERRNO_TABLE, EWOULDBLOCK, errnoName, errnoNumber, strerror } from './errno.js';

test('every number is Linux\'s (checked against Node\'s os.constants.errno on Linux)', (t) => {
  if (process.platform !== 'linux') return t.skip('the numbers are Linux\'s; this platform has its own');
  const os = constants.errno as Record<string, number>;
  // Node leaves a few out (ENOTBLK, ...); check the ones it has.
  for (const [n, name] of ERRNO_TABLE) if (os[name] !== undefined) assert.equal(os[name], n, name);
});

test('names, numbers and glibc messages', () => {
  assert.equal(EPERM, 1);
  assert.equal(errnoName(11), 'EAGAIN');
  assert.equal(errnoName(-111), 'ECONNREFUSED');
  assert.equal(errnoName(4242), 'E?4242');
  assert.equal(errnoNumber('ECONNREFUSED'), ECONNREFUSED);
  assert.equal(errnoNumber('EWOULDBLOCK'), EAGAIN);
  assert.equal(EWOULDBLOCK, EAGAIN);
  assert.equal(errnoNumber('ENOPE'), 0);
  assert.equal(strerror(EAGAIN), 'Resource temporarily unavailable');
  assert.equal(strerror(-ECONNREFUSED), 'Connection refused');
  assert.equal(strerror(4242), 'Unknown error 4242');
  const names = new Set(ERRNO_TABLE.map(([, n]) => n));
  assert.equal(names.size, ERRNO_TABLE.length, 'one name per number');
});
