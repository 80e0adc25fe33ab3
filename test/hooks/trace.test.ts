// The tracer on a real exchange between two kernels on a virtual clock: strace's lines,
// blocking calls split as `strace -f` splits them, -e trace= filters (only the named
// entries are hooked), -z/-Z, -r/-tt/-T timestamps from the kernel's clock, -c.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, INADDR_ANY, MSG_NOSIGNAL, SHUT_WR, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, type Process, type SyscallTable,
  newSockAddrIn, sockaddrIn,
} from '../../src/posix/index.js';
import { Tracer, trace } from '../../src/hooks/index.js';
import { addrB, connected, drive, kernelPair } from '../posix/harness.js';
import type { Sim } from '../../src/runtime/sim.js';

/** Server on b:80 serving one "hello\n" → "HELLO\n" exchange; client on a. Returns the client's source port. */
async function exchange(srv: Process, cli: Process, sim: Sim, duringAccept?: (l: number) => void): Promise<number> {
  const l = srv.sys.socket(AF_INET, SOCK_STREAM, 0);
  srv.sys.setsockopt(l, SOL_SOCKET, SO_REUSEADDR, 1);
  srv.sys.bind(l, sockaddrIn(INADDR_ANY, 80));
  srv.sys.listen(l, 128);
  const served = (async () => {
    const peer = newSockAddrIn();
    const pending = srv.acceptAsync(l, peer, 0);
    duringAccept?.(l);
    const s = await pending;
    const buf = new Uint8Array(4096);
    const n = await srv.recvAsync(s, buf);
    const up = Buffer.from(Buffer.from(buf.subarray(0, n)).toString().toUpperCase());
    await srv.sendAsync(s, up);
    srv.sys.close(s);
    return peer.port;
  })();
  const client = (async () => {
    const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
    assert.equal(await cli.connectAsync(c, addrB(80)), 0);
    await cli.sendAsync(c, Buffer.from('hello\n'));
    const buf = new Uint8Array(64);
    const n = await cli.recvAsync(c, buf);
    assert.equal(Buffer.from(buf.subarray(0, n)).toString(), 'HELLO\n');
    cli.sys.close(c);
  })();
  await drive(sim, client);
  return drive(sim, served);
}

test('a server traced: strace lines, the blocking accept split by a call made while it waits', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  let out = '';
  const t = trace(srv, { write: (s) => void (out += s) });
  const port = await exchange(srv, cli, sim, (l) => srv.sys.getsockname(l, newSockAddrIn()));
  t.detachAll();
  const peer = `{sa_family=AF_INET, sin_port=htons(${port}), sin_addr=inet_addr("192.0.2.1")}`;
  assert.equal(out, [
    'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3',
    'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
    'bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
    'listen(3, 128)                          = 0',
    'accept4(3,  <unfinished ...>',
    'getsockname(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, [16]) = 0',
    `<... accept4 resumed>${peer}, [16], 0) = 4`,
    'recvfrom(4, "hello\\n", 4096, 0, NULL, NULL) = 6',
    'sendto(4, "HELLO\\n", 6, 0, NULL, 0)     = 6',
    'close(4)                                = 0',
    '',
  ].join('\n'));
});

test('two processes on one tracer: [pid N] prefixes, and calls interleave as strace -f shows them', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  ka.spawn('init'); // so the client is pid 2 (each kernel counts its own pids)
  const cli = ka.spawn('cli');
  const lines: string[] = [];
  const t = new Tracer({ write: (s) => void lines.push(s.trimEnd()), trace: 'accept4,connect,recvfrom' });
  t.attach(srv);
  t.attach(cli);
  await exchange(srv, cli, sim);
  t.detachAll();
  // The client's connect starts while the server's accept4 waits: accept4 is split; the
  // client's recvfrom waits across the end of accept4: split too (strace -f's layout).
  assert.deepEqual(lines, [
    '[pid     1] accept4(3,  <unfinished ...>',
    '[pid     2] connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("192.0.2.2")}, 16) = 0',
    '[pid     2] recvfrom(3,  <unfinished ...>',
    '[pid     1] <... accept4 resumed>{sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr("192.0.2.1")}, [16], 0) = 4',
    '[pid     1] recvfrom(4, "hello\\n", 4096, 0, NULL, NULL) = 6',
    '[pid     2] <... recvfrom resumed>"HELLO\\n", 64, 0, NULL, NULL) = 6',
  ]);

});

test('-e trace= hooks only the calls it names; the others stay the plain implementation', () => {
  const { ka } = kernelPair();
  const p = ka.spawn();
  const plain: SyscallTable = { ...p.sys };
  const t = trace(p, { trace: '%desc', write: () => undefined });
  assert.equal(p.sys.send, plain.send);
  assert.equal(p.sys.socket, plain.socket);
  assert.notEqual(p.sys.close, plain.close);
  assert.notEqual(p.sys.closeAsync, plain.closeAsync, 'close covers closeAsync too');
  t.detachAll();
  assert.equal(p.sys.close, plain.close);
  assert.throws(() => new Tracer({ trace: 'socket,nosuchcall' }), { code: 'NETCH_ERR_HOOK_SPEC' });
  assert.throws(() => new Tracer({ trace: '%memory' }), { code: 'NETCH_ERR_HOOK_SPEC' });
  assert.equal(new Tracer({ trace: '!%network' }).calls.has('socket'), false);
  assert.equal(new Tracer({ trace: '?nosuchcall,bind' }).calls.size, 1);
});

test('-Z prints failed calls only, -z successful ones; -T and -r use the kernel clock', () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn();
  let failed = '';
  let ok = '';
  const tf = new Tracer({ status: 'failed', write: (s) => void (failed += s) });
  tf.attach(p);
  const ts = new Tracer({ status: 'successful', timestamps: 'relative', duration: true, write: (s) => void (ok += s) });
  ts.attach(p);
  const s = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  sim.clock.advance(1.5);
  p.sys.listen(s, 1);
  p.sys.recv(s, new Uint8Array(10), 0, 10, 0);
  assert.equal(failed, 'recvfrom(3, 0x7ffd00001000, 10, 0, NULL, NULL) = -1 ENOTCONN (Transport endpoint is not connected)\n');
  assert.equal(ok, [
    '     0.000000 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3 <0.000000>',
    '     0.001500 listen(3, 1)              = 0 <0.000000>',
    '',
  ].join('\n'));
  tf.detachAll();
  ts.detachAll();
});

test('-tt prints the time of day from epochMs plus the kernel clock; -c counts calls and errors', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  let out = '';
  const t = trace(srv, { timestamps: 'time-us', epochMs: Date.UTC(2024, 0, 1, 9, 30, 0), trace: 'socket', write: (s) => void (out += s) });
  const c = trace(cli, { summary: 'only', write: () => assert.fail('-c prints no lines') });
  sim.clock.advance(0.25);
  await exchange(srv, cli, sim);
  assert.equal(out, '09:30:00.000250 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n');
  const table = c.summaryTable().split('\n');
  assert.equal(table[0], '% time     seconds  usecs/call     calls    errors syscall');
  const rows = Object.fromEntries(c.stats.list().map((r) => [r.syscall, r.calls]));
  assert.deepEqual(rows, { socket: 1, connect: 1, sendto: 1, recvfrom: 1, close: 1 });
  assert.ok(c.stats.list().find((r) => r.syscall === 'connect')!.timeMs >= 2, 'connect waited a round trip on the virtual clock');
  assert.match(table.at(-2)!, /^100\.00 +\d+\.\d{6} +\d+ +5 +total$/);
  t.detachAll();
  c.detachAll();
});

/** Assert that `want` appears in `lines` in order (other lines may come between). */
function assertInOrder(lines: readonly string[], want: readonly string[]): void {
  let i = 0;
  for (const l of lines) if (i < want.length && l === want[i]) i++;
  assert.equal(i, want.length, `missing, in order:\n  ${want.slice(i).join('\n  ')}\nin:\n  ${lines.join('\n  ')}`);
}

/** The C reference's split: a blocking accept4(3, NULL, NULL, SOCK_CLOEXEC) split by the other process's calls, then both exit. */
async function splitAccept(opts: { toFile: boolean }): Promise<string[]> {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const srv = kb.spawn('srv');
  const cli = ka.spawn('cli');
  const lines: string[] = [];
  const t = new Tracer({ write: (s) => void lines.push(s.slice(0, -1)), trace: '%network', follow: true, ...opts, pidOf: (p) => (p === srv ? 1 : 2) });
  t.attach(srv);
  t.attach(cli);
  const l = srv.sys.socket(AF_INET, SOCK_STREAM, 0);
  srv.sys.bind(l, sockaddrIn(INADDR_ANY, 80));
  srv.sys.listen(l, 5);
  const accepted = srv.acceptAsync(l, null, SOCK_CLOEXEC);
  const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(await drive(sim, cli.connectAsync(c, addrB(80))), 0);
  assert.equal(await drive(sim, accepted), 4);
  cli.exit(0);
  srv.exit(0);
  return lines;
}

test('accept4 with no address splits as strace -f splits it; exits print +++ exited with N +++ (to a file: PID prefixes)', async () => {
  // strace 6.1, `strace -f -o FILE` of test/hooks/fixtures/strace-calls.c split (pids renumbered by scripts/strace-reference.mjs).
  assertInOrder(await splitAccept({ toFile: true }), [
    '1     accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>',
    '1     <... accept4 resumed>)            = 4',
    '2     +++ exited with 0 +++',
    '1     +++ exited with 0 +++',
  ]);
  // `strace -f` to stderr: [pid N] while two processes are traced, no prefix for the last one.
  assertInOrder(await splitAccept({ toFile: false }), [
    '[pid     1] accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>',
    '[pid     1] <... accept4 resumed>)      = 4',
    '[pid     2] +++ exited with 0 +++',
    '+++ exited with 0 +++',
  ]);
});

test('a send after SHUT_WR on TCP: EPIPE and the SIGPIPE line, none with MSG_NOSIGNAL; exit(3) prints +++ exited with 3 +++', () => {
  const { ka, kb, sim } = kernelPair({ delay: 1 });
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  cli.sys.socket(AF_INET, SOCK_DGRAM, 0); // fd 3, so the TCP socket is 4 as in the C reference
  const { c } = connected(sim, cli, srv);
  assert.equal(c, 4);
  let out = '';
  const t = trace(cli, { write: (s) => void (out += s), pidOf: () => 1, uid: 0 });
  cli.sys.shutdown(c, SHUT_WR);
  cli.sys.send(c, Buffer.from('x'), 0, 1, 0);
  cli.sys.send(c, Buffer.from('x'), 0, 1, MSG_NOSIGNAL);
  cli.exit(3);
  // The lines strace 6.1 printed for the same calls (strace-calls.c; si_pid renumbered).
  assert.equal(out, [
    'shutdown(4, SHUT_WR)                    = 0',
    'sendto(4, "x", 1, 0, NULL, 0)           = -1 EPIPE (Broken pipe)',
    '--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=1, si_uid=0} ---',
    'sendto(4, "x", 1, MSG_NOSIGNAL, NULL, 0) = -1 EPIPE (Broken pipe)',
    '+++ exited with 3 +++',
    '',
  ].join('\n'));
  t.detachAll();
});

test('-t with -r prints both, as strace 6.1 does; -e status= takes a set', () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn();
  const lines: string[] = [];
  const t = trace(p, { timestamps: 'time', relative: true, epochMs: Date.UTC(2026, 11, 8, 0, 35, 55), trace: 'socket,listen', write: (s) => void lines.push(s.trimEnd()) });
  const s = p.sys.socket(AF_INET, SOCK_STREAM, 0);
  sim.clock.advance(0.417);
  p.sys.listen(s, 5);
  assert.equal(Object.prototype.hasOwnProperty.call(p, 'exit'), true, 'exit() is watched while attached');
  t.detachAll();
  assert.equal(Object.prototype.hasOwnProperty.call(p, 'exit'), false, 'exit() is the plain method again');
  // strace -t -r's line for the same listen (its first line), and the relative time of the next.
  assert.deepEqual(lines, ['00:35:55 (+     0.000000) socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3', '00:35:55 (+     0.000417) listen(3, 5)  = 0']);

  const run = (status: string): string => {
    let out = '';
    const q = ka.spawn();
    const tr = trace(q, { status, trace: 'socket,listen', write: (x) => void (out += x) });
    q.sys.socket(AF_INET, SOCK_STREAM, 0);
    q.sys.listen(99, 1);
    tr.detachAll();
    return out;
  };
  const ok = 'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n';
  const failed = 'listen(99, 1)                           = -1 EBADF (Bad file descriptor)\n';
  assert.equal(run('successful,failed'), ok + failed);
  assert.equal(run('failed,unfinished'), failed);
  assert.equal(run('!successful'), failed);
  assert.equal(run('successful'), ok);
  assert.equal(run('none'), '');
  assert.throws(() => new Tracer({ status: 'bogus' }), { code: 'NETCH_ERR_HOOK_SPEC' });
});
