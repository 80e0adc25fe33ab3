// The seccomp-like policy: allow and deny lists, the errno, counters, locking.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET, EACCES, EPERM, INADDR_ANY, SOCK_DGRAM, SOCK_STREAM, type SyscallTable, sockaddrIn } from '../../src/posix/index.js';
import { Policy, applyPolicy, installHook, trace } from '../../src/hooks/index.js';
import { addrB, drive, kernelPair } from '../posix/harness.js';

test('a deny list fails the calls with EPERM (blocking variants too) and counts them; other processes are free', async () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn('sandboxed');
  const free = ka.spawn('free');
  let out = '';
  trace(p, { trace: 'connect', write: (s) => void (out += s) });
  const pol = applyPolicy(p, { deny: ['connect', 'listen'] });
  const s = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.connect(s, addrB(80)), -EPERM);
  assert.equal(await drive(sim, p.connectAsync(s, addrB(80))), -EPERM);
  assert.equal(p.sys.listen(s, 1), -EPERM);
  assert.equal(pol.denied, 3);
  assert.deepEqual(pol.denials(), { connect: 2, listen: 1 });
  assert.equal(out.split('\n')[0], 'connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("192.0.2.2")}, 16) = -1 EPERM (Operation not permitted)');
  const f = free.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(free.sys.listen(f, 1), 0);
});

test('an allow list denies the rest, with the errno asked for; per-call errnos', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const pol = applyPolicy(p, { allow: ['socket', 'bind', 'close', '%desc'], errno: 'EACCES', deny: { sendto: 'EPIPE' } });
  const u = p.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.ok(u >= 0);
  assert.equal(p.sys.bind(u, sockaddrIn(INADDR_ANY, 5353)), 0);
  assert.equal(p.sys.getsockname(u, { family: 0, port: 0, addr: 0 }), -EACCES);
  assert.equal(p.sys.sendto(u, new Uint8Array(1), 0, 1, 0, addrB(9)), -32);
  assert.equal(pol.check('recvfrom'), 'EACCES');
  assert.equal(pol.check('close'), null);
  assert.equal(p.sys.close(u), 0);
  assert.throws(() => new Policy({ deny: 'bogus' }), { code: 'NETCH_ERR_HOOK_SPEC' });
  assert.throws(() => new Policy({ deny: 'connect', errno: 'ENOPE' }), { code: 'NETCH_ERR_HOOK_SPEC' });
});

test('a locked policy cannot be loosened or removed, but can be tightened', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const plain: SyscallTable = { ...p.sys };
  const pol = new Policy({ deny: 'connect' });
  const h = pol.attach(p);
  pol.allow('connect'); // not locked yet: fine
  pol.deny('connect').lock();
  assert.equal(pol.locked, true);
  assert.throws(() => pol.allow('connect'), { code: 'NETCH_ERR_POLICY_LOCKED' });
  assert.throws(() => h.uninstall(), { code: 'NETCH_ERR_POLICY_LOCKED' });
  assert.equal(h.installed, true);
  pol.allow('socket'); // already allowed: not a loosening
  pol.deny('socket', EACCES);
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), -EACCES);
  assert.notEqual(p.sys.socket, plain.socket);
});

test('a hook installed outside a locked policy cannot turn its denial into a success', async () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn();
  const pol = new Policy({ deny: 'connect' });
  pol.attach(p);
  pol.lock();
  let seen = 0;
  installHook(p, { label: 'liar', order: -1000, after: (_c, r) => { seen = r; return 0; } });
  const s = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.connect(s, addrB(80)), -EPERM);
  assert.equal(seen, -EPERM, 'the outer hook still sees the denial');
  assert.equal(await drive(sim, p.connectAsync(s, addrB(80))), -EPERM);
  // Unlocked, a policy's denial is an ordinary result that outer hooks may replace.
  const q = ka.spawn();
  new Policy({ deny: 'connect' }).attach(q);
  installHook(q, { label: 'rewrite', order: -1000, after: () => -EACCES });
  assert.equal(q.sys.connect(q.sys.socket(AF_INET, SOCK_STREAM, 0), addrB(80)), -EACCES);
});
