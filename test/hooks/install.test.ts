// Hook installation: per process, reversible, before/after semantics, nesting, the
// duplicate-install error, and the plain entry back once the last hook is gone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET, EACCES, EPERM, SOCK_STREAM, type SyscallTable, sockaddrIn, INADDR_ANY, newSockAddrIn } from '../../src/posix/index.js';
import { wrapSyscall } from '../../src/posix/syscalls.js';
import { type SyscallCall, type SyscallHook, installHook, installedHooks, hooksOn } from '../../src/hooks/index.js';
import { addrB, drive, kernelPair } from '../posix/harness.js';

function snapshot(t: SyscallTable): SyscallTable {
  return { ...t };
}

test('a hook changes one process: the other processes keep their plain entries and are not seen', () => {
  const { ka } = kernelPair();
  const p1 = ka.spawn('one');
  const p2 = ka.spawn('two');
  const before2 = snapshot(p2.sys);
  const seen: string[] = [];
  const h = installHook(p1, { label: 'spy', after: (c: SyscallCall, r: number) => void seen.push(`${c.proc.pid}:${c.manName}=${r}`) });
  assert.equal(p1.sys.socket(AF_INET, SOCK_STREAM, 0), 3);
  assert.equal(p2.sys.socket(AF_INET, SOCK_STREAM, 0), 3);
  assert.deepEqual(seen, [`${p1.pid}:socket=3`]);
  for (const k of Object.keys(before2) as (keyof SyscallTable)[]) assert.equal(p2.sys[k], before2[k], `process two's ${k} untouched`);
  h.uninstall();
});

test('uninstalling the last hook puts the plain implementation back (zero cost)', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const plain = snapshot(p.sys);
  const a = installHook(p, { label: 'a', calls: ['send', 'recv'], before: () => undefined });
  const b = installHook(p, { label: 'b', after: () => undefined });
  assert.notEqual(p.sys.send, plain.send);
  assert.notEqual(p.sys.socket, plain.socket);
  assert.equal(installedHooks(p).length, 2);
  // Out of order: a first, then b.
  assert.equal(a.uninstall(), true);
  assert.equal(a.installed, false);
  assert.equal(a.uninstall(), false, 'a second uninstall is a no-op');
  assert.deepEqual(hooksOn(p, 'send').map((h) => h.label), ['b']);
  assert.equal(b.uninstall(), true);
  for (const k of Object.keys(plain) as (keyof SyscallTable)[]) assert.equal(p.sys[k], plain[k], `${k} is the plain entry again`);
  assert.equal(installedHooks(p).length, 0);
});

test('installing the same hook twice on a process throws NETCH_ERR_HOOK_INSTALLED; on another process it is fine', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const q = ka.spawn();
  const hook: SyscallHook = { label: 'once' };
  const h = installHook(p, hook);
  assert.throws(() => installHook(p, hook), { code: 'NETCH_ERR_HOOK_INSTALLED' });
  const h2 = installHook(q, hook);
  h.uninstall();
  const h3 = installHook(p, hook); // after removal it may come back
  h3.uninstall();
  h2.uninstall();
  assert.throws(() => installHook(p, { label: 'bad', calls: ['nosuch' as never] }), { code: 'NETCH_ERR_HOOK_SPEC' });
});

test('before may change arguments, or end the call with an errno; after may change the result', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const s = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  // Rewrite every bind to port 8080.
  const h1 = installHook(p, {
    label: 'rewrite',
    calls: ['bind'],
    before(c) {
      c.args[1] = sockaddrIn(INADDR_ANY, 8080);
    },
  });
  assert.equal(p.sys.bind(s, sockaddrIn(INADDR_ANY, 1)), 0);
  const me = newSockAddrIn();
  p.sys.getsockname(s, me);
  assert.equal(me.port, 8080, 'the implementation saw the changed argument');
  h1.uninstall();
  // Fail listen with EACCES: the implementation never runs.
  const h2 = installHook(p, { label: 'deny', calls: ['listen'], before: () => -EACCES });
  assert.equal(p.sys.listen(s, 5), -EACCES);
  h2.uninstall();
  // After: observe and replace.
  let observed = 0;
  const h3 = installHook(p, {
    label: 'after',
    calls: ['listen'],
    after(_c, r) {
      observed = r;
      return r === 0 ? 42 : undefined;
    },
  });
  assert.equal(p.sys.listen(s, 5), 42);
  assert.equal(observed, 0, 'after saw the real result first');
  h3.uninstall();
  assert.equal(p.sys.listen(s, 5), 0);
});

test('hooks nest by order: befores outer to inner, afters inner to outer; an ending before skips the inner ones', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const log: string[] = [];
  const mk = (label: string, order: number, end = false): SyscallHook => ({
    label,
    order,
    calls: ['getrlimit'],
    before: () => {
      log.push(`${label}>`);
      return end ? -EPERM : undefined;
    },
    after: (_c, r) => void log.push(`<${label}:${r}`),
  });
  const inner = installHook(p, mk('inner', 0));
  const outer = installHook(p, mk('outer', -100));
  p.sys.getrlimit(7);
  assert.deepEqual(log, ['outer>', 'inner>', '<inner:1024', '<outer:1024']);
  log.length = 0;
  const middle = installHook(p, mk('middle', -50, true));
  assert.equal(p.sys.getrlimit(7), -EPERM);
  assert.deepEqual(log, ['outer>', 'middle>', `<middle:${-EPERM}`, `<outer:${-EPERM}`]);
  for (const h of [inner, outer, middle]) h.uninstall();
});

test('a hook on a blocking entry sees one call, may delay it with a promise, and sees the result', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM, 0);
  srv.sys.bind(l, sockaddrIn(INADDR_ANY, 80));
  srv.sys.listen(l, 5);
  const seen: [string, number][] = [];
  const h = installHook(cli, {
    label: 'spy',
    calls: ['connectAsync'],
    before: async () => undefined,
    after: (c, r) => void seen.push([c.manName, r]),
  });
  const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(await drive(sim, cli.connectAsync(c, addrB(80))), 0);
  assert.deepEqual(seen, [['connect', 0]]);
  h.uninstall();
});

test('an entry wrapped by someone else after us keeps working when our hook goes', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const calls: string[] = [];
  const h = installHook(p, { label: 'ours', calls: ['getrlimit'], before: () => void calls.push('ours') });
  const unwrapTheirs = wrapSyscall(p.sys, 'getrlimit', (_n, args, next) => {
    calls.push('theirs');
    return next(...args);
  });
  h.uninstall();
  assert.equal(p.sys.getrlimit(7), 1024);
  assert.deepEqual(calls, ['theirs'], 'our dispatcher stays as a pass-through under theirs');
  const h2 = installHook(p, { label: 'again', calls: ['getrlimit'], before: () => void calls.push('again') });
  p.sys.getrlimit(7);
  assert.deepEqual(calls, ['theirs', 'theirs', 'again']);
  h2.uninstall();
  unwrapTheirs();
});
