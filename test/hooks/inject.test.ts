// Fault injection driving application error paths: an accept loop that survives EMFILE,
// a writer that copes with EAGAIN every third send, delays on the kernel's clock, `when`
// counting, seeded probabilities, and strace's spec text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AF_INET, EAGAIN, ECONNREFUSED, EMFILE, INADDR_ANY, POLLOUT, SOCK_NONBLOCK, SOCK_STREAM, type Process, sockaddrIn,
} from '../../src/posix/index.js';
import { FaultInjector, injectFaults, parseInject, trace } from '../../src/hooks/index.js';
import { addrB, drive, kernelPair } from '../posix/harness.js';

function listen(p: Process, port: number): number {
  const l = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(p.sys.bind(l, sockaddrIn(INADDR_ANY, port)), 0);
  assert.equal(p.sys.listen(l, 16), 0);
  return l;
}

test('an accept loop survives accept4 failing once with EMFILE (and the trace says INJECTED)', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  const l = listen(srv, 80);
  let out = '';
  const t = trace(srv, { trace: 'accept4', write: (s) => void (out += s) });
  const inj = injectFaults(srv, ['accept4:error=EMFILE:when=1']);
  // The application: accept two connections; on EMFILE, count it and try again (as a server would after closing an idle fd).
  const app = (async () => {
    let emfile = 0;
    const fds: number[] = [];
    for (let i = 0; i < 10 && fds.length < 2; i++) {
      const fd = await srv.acceptAsync(l);
      if (fd === -EMFILE) emfile++;
      else fds.push(fd);
    }
    return { emfile, fds };
  })();
  for (let i = 0; i < 2; i++) {
    const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
    assert.equal(await drive(sim, cli.connectAsync(c, addrB(80))), 0);
  }
  const r = await drive(sim, app);
  assert.deepEqual(r, { emfile: 1, fds: [4, 5] });
  assert.deepEqual(inj.counts(), { 'accept4:error=EMFILE:when=1': 1 });
  assert.equal(out.split('\n')[0], 'accept4(3, NULL, NULL, 0)               = -1 EMFILE (Too many open files) (INJECTED)');
  t.detachAll();
});

test('a writer copes with send failing EAGAIN every 3rd call: every byte arrives, in order', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  const l = listen(srv, 9);
  const inj = injectFaults(cli, [{ calls: 'send', error: 'EAGAIN', when: '3+3' }]);
  const data = new Uint8Array(50_000).map((_, i) => (i * 7 + 3) & 0xff);
  const sink = (async () => {
    const s = await srv.acceptAsync(l);
    const buf = new Uint8Array(8192);
    const h = createHash('sha256');
    let total = 0;
    for (let n = await srv.recvAsync(s, buf); n > 0; n = await srv.recvAsync(s, buf)) {
      h.update(buf.subarray(0, n));
      total += n;
    }
    return [total, h.digest('hex')] as const;
  })();
  // The application: a non-blocking writer in 1000-byte chunks that waits for POLLOUT on EAGAIN.
  const writer = (async () => {
    const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    await cli.connectAsync(c, addrB(9));
    await cli.pollAsync([{ fd: c, events: POLLOUT, revents: 0 }], 10_000);
    let off = 0;
    let calls = 0;
    let eagain = 0;
    while (off < data.length && calls < 10_000) {
      calls++;
      const n = cli.sys.send(c, data, off, Math.min(1000, data.length - off), 0);
      if (n === -EAGAIN) {
        eagain++;
        await cli.pollAsync([{ fd: c, events: POLLOUT, revents: 0 }], 10_000);
        continue;
      }
      assert.ok(n > 0, `send: ${n}`);
      off += n;
    }
    cli.sys.close(c);
    return { calls, eagain };
  })();
  const w = await drive(sim, writer);
  const [total, digest] = await drive(sim, sink);
  assert.equal(total, data.length);
  assert.equal(digest, createHash('sha256').update(data).digest('hex'));
  assert.equal(w.eagain, Math.floor(w.calls / 3), 'exactly every third call failed');
  assert.equal(inj.counts()['send:error=EAGAIN:when=3+3'], w.eagain);
});

test('delay_enter on a blocking call waits on the kernel clock; synchronous calls are never delayed', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  listen(srv, 80);
  injectFaults(cli, ['connect:delay_enter=5s', 'socket:delay_enter=1s']);
  const t0 = sim.now();
  const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(sim.now(), t0);
  assert.equal(await drive(sim, cli.connectAsync(c, addrB(80))), 0);
  const took = sim.now() - t0;
  assert.ok(took >= 5000 && took < 5100, `connect took ${took} ms of virtual time`);
  // delay_exit with an error: the error comes after the wait.
  const c2 = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  const inj = new FaultInjector([{ calls: 'connect', error: 'ECONNREFUSED', delayExitMs: 200 }]);
  const q = ka.spawn('q');
  inj.attach(q);
  const c3 = q.sys.socket(AF_INET, SOCK_STREAM, 0);
  const t1 = sim.now();
  assert.equal(await drive(sim, q.connectAsync(c3, addrB(80))), -ECONNREFUSED);
  assert.ok(sim.now() - t1 >= 200);
  assert.ok(c2 >= 0);
});

test('when: nth, every nth, after N, ranges; counted per process', () => {
  const { ka } = kernelPair();
  const pattern = (when: string): string => {
    const p = ka.spawn();
    injectFaults(p, [`getrlimit:error=EPERM:when=${when}`]);
    let s = '';
    for (let i = 0; i < 10; i++) s += p.sys.getrlimit(7) < 0 ? 'x' : '.';
    return s;
  };
  assert.equal(pattern('3'), '..x.......');
  assert.equal(pattern('3+'), '..xxxxxxxx');
  assert.equal(pattern('2+3'), '.x..x..x..');
  assert.equal(pattern('2..4'), '.xxx......');
  assert.equal(pattern('2..8+2'), '.x.x.x.x..');
  // One injector on two processes counts each process's calls apart.
  const inj = new FaultInjector(['getrlimit:error=EPERM:when=2']);
  const a = ka.spawn();
  const b = ka.spawn();
  inj.attach(a);
  inj.attach(b);
  assert.deepEqual([a.sys.getrlimit(7) < 0, b.sys.getrlimit(7) < 0, a.sys.getrlimit(7) < 0, b.sys.getrlimit(7) < 0], [false, false, true, true]);
});

test('a seeded probability hits the same calls for the same seed', () => {
  const { ka } = kernelPair();
  const run = (seed: number): string => {
    const p = ka.spawn();
    injectFaults(p, [{ calls: 'getrlimit', retval: 1, probability: 0.3, seed }]);
    let s = '';
    for (let i = 0; i < 200; i++) s += p.sys.getrlimit(7) === 1 ? 'x' : '.';
    return s;
  };
  const a = run(42);
  assert.equal(run(42), a);
  assert.notEqual(run(43), a);
  const hits = [...a].filter((c) => c === 'x').length;
  assert.ok(hits > 30 && hits < 90, `${hits} of 200 at p = 0.3`);
});

test('strace spec text parses; bad rules throw NETCH_ERR_HOOK_SPEC', () => {
  assert.deepEqual(parseInject('sendto:error=EAGAIN:when=3+3'), { calls: 'sendto', error: 'EAGAIN', when: '3+3' });
  assert.deepEqual(parseInject('recvfrom:delay_enter=1500'), { calls: 'recvfrom', delayEnterMs: 1.5 });
  assert.deepEqual(parseInject('%network:retval=0:probability=0.5:seed=9'), { calls: '%network', retval: 0, probability: 0.5, seed: 9 });
  for (const bad of ['nosuch:error=EPERM', 'sendto:error=ENOTANERRNO', 'sendto', 'sendto:when=0:error=EPERM', 'sendto:error=EPERM:when=x',
    'sendto:error=EPERM:retval=1', 'sendto:frobnicate=1', 'sendto:error=EPERM:probability=2', 'sendto:delay_enter=soon',
    'sendto:error=EPERM:probability=0.5:seed=abc', 'sendto:error=EPERM:seed=1.5']) {
    assert.throws(() => new FaultInjector([bad]), { code: 'NETCH_ERR_HOOK_SPEC' }, bad);
  }
});

/** Run 4 socket() and 3 listen() calls (test/hooks/fixtures' inj.c) traced with `inject`; return the lines. */
function injected(inject: string[]): string[] {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const lines: string[] = [];
  const t = trace(p, { trace: 'socket,listen', inject, write: (s) => void lines.push(s.trimEnd()) });
  for (let i = 0; i < 4; i++) p.sys.socket(AF_INET, SOCK_STREAM, 0);
  for (let i = 0; i < 3; i++) p.sys.listen(3, 1);
  t.detachAll();
  return lines;
}

test('as strace: the last rule naming a call wins, when= counts each call apart, signal= shows the signal', () => {
  // strace 6.1: strace -e trace=socket,listen -e inject=socket:error=EMFILE:when=2 -e inject=socket:retval=42:when=3 ...
  assert.deepEqual(injected(['socket:error=EMFILE:when=2', 'socket:retval=42:when=3']).slice(0, 4), [
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 42 (INJECTED)',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5',
  ]);
  // strace -e inject=socket,listen:error=EPERM:when=2: the second socket and the second listen.
  assert.deepEqual(injected(['socket,listen:error=EPERM:when=2']), [
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = -1 EPERM (Operation not permitted) (INJECTED)',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5',
    'listen(3, 1)                            = 0',
    'listen(3, 1)                            = -1 EPERM (Operation not permitted) (INJECTED)',
    'listen(3, 1)                            = 0',
  ]);
  // strace -e inject=socket:signal=USR1: the call runs; the signal follows its line.
  assert.deepEqual(injected(['socket:signal=USR1:when=1']).slice(0, 3), [
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3',
    '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL} ---',
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4',
  ]);
  // strace -e inject=socket:syscall=getpid:error=EPERM:when=2 prints as error=EPERM alone.
  assert.deepEqual(injected(['socket:syscall=getpid:error=EPERM:when=2']), injected(['socket:error=EPERM:when=2']));
});

test('a delayed blocking call is marked (DELAYED), after (INJECTED) when it is both', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  listen(srv, 80);
  const lines: string[] = [];
  const t = trace(cli, { trace: 'connect', inject: ['connect:delay_enter=10ms:when=1', 'connect:error=ECONNREFUSED:delay_exit=1ms:when=2'], write: (s) => void lines.push(s.trimEnd()) });
  const a = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  const b = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  // The last rule names connect: it is the one that counts (the delay_enter rule is replaced).
  assert.equal(await drive(sim, cli.connectAsync(a, addrB(80))), 0);
  assert.equal(await drive(sim, cli.connectAsync(b, addrB(80))), -ECONNREFUSED);
  assert.deepEqual(lines, [
    'connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("192.0.2.2")}, 16) = 0',
    'connect(4, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("192.0.2.2")}, 16) = -1 ECONNREFUSED (Connection refused) (INJECTED) (DELAYED)',
  ]);
  assert.deepEqual(t.injected(), { 'connect:delay_enter=10ms:when=1': 0, 'connect:error=ECONNREFUSED:delay_exit=1ms:when=2': 1 });
  t.detachAll();
});

test('signal= and syscall= accepted or refused as strace 6.1 does', () => {
  // Each verdict is strace's: "invalid inject argument" or a run.
  for (const ok of ['socket:signal=SIGUSR1', 'socket:signal=usr1', 'socket:signal=64', 'socket:signal=SIGRT_32', 'socket:syscall=getpid:error=EPERM',
    'socket:syscall=getuid:retval=0', 'socket:error=EPERM:signal=SIGPIPE']) {
    assert.doesNotThrow(() => new FaultInjector([ok]), ok);
  }
  for (const bad of ['socket:signal=0', 'socket:signal=65', 'socket:signal=SIGNOPE', 'socket:syscall=getpid:when=2', 'socket:syscall=socket:error=EPERM',
    'socket:signal=1:signal=2', 'socket:error=EPERM:error=EPERM', 'socket:error=EPERM:when=65536', 'socket:error=EPERM:when=2..65535',
    'socket:error=EPERM:when=2+0']) {
    assert.throws(() => new FaultInjector([bad]), { code: 'NETCH_ERR_HOOK_SPEC' }, bad);
  }
  assert.doesNotThrow(() => new FaultInjector(['socket:error=EPERM:when=65535', 'socket:error=EPERM:when=2..65534']));
  // Deliberately not as strace: poke_enter=/poke_exit= write the tracee's memory, which our calls do not have.
  assert.throws(() => new FaultInjector(['socket:poke_enter=@arg1=00']), { code: 'NETCH_ERR_HOOK_SPEC' });
});
