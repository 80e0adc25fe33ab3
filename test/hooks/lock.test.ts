// A locked policy must hold: every way round the syscall table that a reader of the code
// can find is tried on a locked process and refused, with the errno or code it gets.
// (The preload's app and channel mode have their own tests: test/hooks/lock-preload.test.ts,
// test/channels/lock.test.ts.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, EACCES, EPERM, SOCK_STREAM, type SyscallTable, isSyscallEntrySealed, sockaddrIn, INADDR_ANY,
} from '../../src/posix/index.js';
import { newSyscallTable, wrapSyscall } from '../../src/posix/syscalls.js';
import { Policy, type SyscallHook, applyPolicy, hooksOn, installHook, trace } from '../../src/hooks/index.js';
import { newAiocb, processAio } from '../../src/aio/index.js';
import { addrB, connected, drive, kernelPair } from '../posix/harness.js';

function lockedProcess(opts = { allow: ['close', 'getrlimit'] }) {
  const { ka, kb, sim } = kernelPair();
  const p = ka.spawn('locked');
  const pol = applyPolicy(p, opts).lock();
  return { ka, kb, sim, p, pol };
}

test('the table a process exposes is read-only: assignment, deletion and defineProperty fail, locked or not', () => {
  const { ka } = kernelPair();
  for (const locked of [false, true]) {
    const p = ka.spawn();
    if (locked) applyPolicy(p, { deny: 'socket' }).lock();
    const before = p.sys.socket;
    assert.throws(() => {
      (p.sys as { socket: unknown }).socket = () => 99;
    }, { code: 'NETCH_ERR_SYSCALL_TABLE' });
    assert.throws(() => {
      delete (p.sys as Partial<SyscallTable>).socket;
    }, TypeError);
    assert.throws(() => Object.defineProperty(p.sys, 'socket', { value: () => 99 }), TypeError);
    assert.throws(() => Object.defineProperty(p.sys, 'extra', { value: () => 99 }), TypeError);
    assert.equal(Object.isFrozen(p.sys), true);
    assert.equal(p.sys.socket, before, 'the entry is what it was');
    assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), locked ? -EPERM : 3);
  }
});

test('a locked policy seals its entries: wrapSyscall is refused with NETCH_ERR_POLICY_LOCKED; before the lock it works', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const pol = applyPolicy(p, { deny: 'socket' });
  const unwrap = wrapSyscall(p.sys, 'getrlimit', (_n, args, next) => next(...args));
  unwrap();
  assert.equal(isSyscallEntrySealed(p.sys, 'socket'), false);
  pol.lock();
  assert.equal(isSyscallEntrySealed(p.sys, 'socket'), true);
  assert.equal(isSyscallEntrySealed(p.sys, 'getrlimit'), true, 'a policy guards every entry (it may be tightened later)');
  assert.throws(() => wrapSyscall(p.sys, 'socket', () => 99), { code: 'NETCH_ERR_POLICY_LOCKED' });
  assert.throws(() => wrapSyscall(p.sys, 'getrlimit', () => 99), { code: 'NETCH_ERR_POLICY_LOCKED' });
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), -EPERM);
  assert.equal(pol.denied, 1);
});

test('a fresh implementation table for the locked process (newSyscallTable) meets the policy beneath it, and is counted', () => {
  const { p, pol } = lockedProcess();
  const raw = newSyscallTable(p);
  assert.equal(raw.socket(AF_INET, SOCK_STREAM, 0), -EPERM);
  assert.equal(raw.bind(0, sockaddrIn(INADDR_ANY, 80)), -EPERM);
  assert.equal(raw.getrlimit(7), 1024, 'what the policy allows still runs');
  assert.deepEqual(pol.denials(), { socket: 1, bind: 1 });
  assert.deepEqual(p.openFds(), [0, 1, 2], 'no socket was opened');
});

test('an entry captured before the lock, and a wrapper put beneath the policy before it, meet the denial too', async () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn();
  const socketEntry = p.sys.socket;
  const connectAsync = p.sys.connectAsync;
  let smuggled = -1;
  // A wrapper put on getrlimit before any policy, that opens a socket through the entry it captured.
  wrapSyscall(p.sys, 'getrlimit', (_n, args, next) => {
    smuggled = socketEntry(AF_INET, SOCK_STREAM, 0);
    return next(...args);
  });
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  applyPolicy(p, { allow: ['getrlimit', 'close'] }).lock();
  assert.equal(socketEntry(AF_INET, SOCK_STREAM, 0), -EPERM);
  assert.equal(await drive(sim, connectAsync(fd, addrB(80))), -EPERM);
  assert.equal(p.sys.getrlimit(7), 1024);
  assert.equal(smuggled, -EPERM, 'the wrapper beneath the policy could not open a socket');
  assert.deepEqual(p.openFds(), [0, 1, 2, fd]);
});

test('nothing is put beneath a locked policy; hooks outside it see and may end calls, never undo a denial', async () => {
  const { sim, p, pol } = lockedProcess();
  // The fault injectors' order (0) is beneath the policy's (-50).
  assert.throws(() => installHook(p, { label: 'inner', before: () => 0 }), { code: 'NETCH_ERR_POLICY_LOCKED' });
  assert.throws(() => installHook(p, { label: 'same-order', order: -50, calls: ['socket'], before: () => 0 }), { code: 'NETCH_ERR_POLICY_LOCKED' });
  const seen: string[] = [];
  installHook(p, {
    label: 'outer',
    order: -60,
    calls: ['socket', 'getrlimit'],
    before: (c) => (c.name === 'getrlimit' ? -EACCES : undefined),
    after: (c, r) => {
      seen.push(`${c.manName}=${r}`);
      return 3; // tries to turn the denial into an fd
    },
  });
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), -EPERM);
  assert.equal(p.sys.getrlimit(7), 3, 'an outer hook may still end or rewrite what the policy allows');
  assert.equal(await drive(sim, p.sys.connectAsync(3, addrB(80))), -EPERM);
  assert.deepEqual(seen, ['socket=-1', 'getrlimit=-13']);
  assert.equal(pol.denials().socket, 1);
  // A tracer (order -100) installs and sees the denial.
  let out = '';
  trace(p, { trace: 'socket', write: (s) => void (out += s) });
  p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.match(out, /^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) += -1 EPERM/);
});

test('hooks beneath the policy from before the lock stay and can be removed; the policy cannot', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const inner = installHook(p, { label: 'inner', calls: ['getrlimit'], before: () => 5 });
  const pol = new Policy({ deny: 'socket' });
  const h = pol.attach(p);
  pol.lock();
  assert.equal(p.sys.getrlimit(7), 5);
  assert.equal(inner.uninstall(), true);
  assert.equal(p.sys.getrlimit(7), 1024);
  assert.throws(() => h.uninstall(), { code: 'NETCH_ERR_POLICY_LOCKED' });
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), -EPERM);
});

test('a policy locked before it is attached binds the process at attach; one whose handle was removed before the lock binds nothing', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  new Policy({ deny: 'socket' }).lock().attach(p);
  assert.equal(newSyscallTable(p).socket(AF_INET, SOCK_STREAM, 0), -EPERM);
  const q = ka.spawn();
  const pol = new Policy({ deny: 'socket' });
  pol.attach(q).uninstall();
  pol.lock();
  assert.equal(q.sys.socket(AF_INET, SOCK_STREAM, 0), 3);
  assert.equal(newSyscallTable(q).socket(AF_INET, SOCK_STREAM, 0), 4);
});

test('tightening a locked policy reaches beneath the table too', () => {
  const { p, pol } = lockedProcess({ allow: ['close', 'getrlimit', 'setrlimit'] });
  const raw = newSyscallTable(p);
  assert.equal(raw.getrlimit(7), 1024);
  pol.deny('getrlimit', EACCES);
  assert.equal(raw.getrlimit(7), -EACCES);
  assert.equal(p.sys.getrlimit(7), -EACCES);
});

test('AIO bound to a locked process obeys the policy on its sockets (aio_read as recvfrom, aio_write as sendto)', async () => {
  const { ka, kb, sim } = kernelPair();
  const a = ka.spawn('a');
  const b = kb.spawn('b');
  const { c } = connected(sim, a, b, 80);
  applyPolicy(a, { deny: ['recvfrom', 'sendto'] }).lock();
  const ctx = processAio(a);
  const rd = newAiocb({ aio_fildes: c, aio_buf: new Uint8Array(16), aio_nbytes: 16 });
  const wr = newAiocb({ aio_fildes: c, aio_buf: new Uint8Array(16), aio_nbytes: 16 });
  assert.equal(ctx.read(rd), 0);
  assert.equal(ctx.write(wr), 0);
  await drive(sim, Promise.all([ctx.wait(rd), ctx.wait(wr)]));
  assert.equal(ctx.error(rd), EPERM);
  assert.equal(ctx.error(wr), EPERM);
});

test('an fd handed to another process is used under that process\'s filters, as seccomp binds the caller, not the file', () => {
  const { ka } = kernelPair();
  const p = ka.spawn('locked');
  const q = ka.spawn('free');
  const fd = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  applyPolicy(p, { deny: 'bind' }).lock();
  const qfd = q.installFd(p.file(fd)!, false);
  assert.equal(p.sys.bind(fd, sockaddrIn(INADDR_ANY, 80)), -EPERM);
  // The lock on p does not follow the file: q is not locked (handing over takes both Process objects: the operator's power).
  assert.equal(q.sys.bind(qfd, sockaddrIn(INADDR_ANY, 80)), 0);
  // And a locked receiver stays bound for what it is handed.
  const r = ka.spawn('locked too');
  applyPolicy(r, { deny: 'listen' }).lock();
  const rfd = r.installFd(q.file(qfd)!, false);
  assert.equal(r.sys.listen(rfd, 1), -EPERM);
  assert.equal(newSyscallTable(r).listen(rfd, 1), -EPERM);
});

test('a syscall filter cannot be taken away and fails closed on a bad answer', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  p.addSyscallFilter(() => -3 as number);
  assert.equal(p.sys.getrlimit(7), -EPERM);
  assert.throws(() => p.addSyscallFilter(null as never), TypeError);
  const q = ka.spawn();
  q.addSyscallFilter((n) => (n === 'listen' ? EACCES : 0));
  q.addSyscallFilter((n) => (n === 'listen' ? EPERM : 0));
  const fd = q.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(q.sys.listen(fd, 1), -EPERM, 'the newest filter that denies gives its errno');
  assert.equal(Object.keys(q).some((k) => /filter/i.test(k)), false, 'the filters are not a property to reassign');
});

test('code that reaches the locked policy (through hooksOn) can neither rewrite its verdicts nor shadow its lock, nor take it off the list', () => {
  const { p, pol } = lockedProcess();
  const onSocket = hooksOn(p, 'socket');
  assert.equal(onSocket[0], pol);
  assert.throws(() => (onSocket as SyscallHook[]).splice(0), TypeError);
  assert.throws(() => Object.defineProperty(pol, 'locked', { value: false }), TypeError);
  assert.throws(() => {
    (pol as unknown as { denied: number }).denied = 0;
  }, TypeError);
  assert.equal((pol as unknown as Record<string, unknown>)['verdict'], undefined, 'no verdict table to reach');
  assert.equal(pol.locked, true);
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), -EPERM);
  assert.equal(pol.denied, 1);
});

test('an outer hook that clears the call\'s endedBy still cannot replace a locked denial', async () => {
  const { sim, p } = lockedProcess();
  installHook(p, {
    label: 'forger',
    order: -1000,
    calls: ['socket', 'connectAsync'],
    after: (c) => {
      (c as { endedBy: unknown }).endedBy = null;
      return 3;
    },
  });
  assert.equal(p.sys.socket(AF_INET, SOCK_STREAM, 0), -EPERM);
  assert.equal(await drive(sim, p.sys.connectAsync(3, addrB(80))), -EPERM);
});
