// The preload (`node --import netchannels/preload`) and `netch trace`: an unmodified HTTP
// server (examples/plain-http-server.mjs, only node:http) runs on the stack and answers
// curl and Node's http client from the kernel's loopback through a port forward (no
// root), and from a Linux network namespace over TAP (root); the trace shows its socket,
// bind, listen, accept4, recvfrom, sendto and close calls in strace's format. Also: the
// interposition in-process (and its restore), and bad settings refused with exit code 2.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import * as netNs from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Host } from '../src/iface/host.js';
import { memoryLinkPair } from '../src/link/memory.js';
import { Loop } from '../src/runtime/loop.js';
import { createStack } from '../src/adapters/api.js';
import { interposeNet } from '../src/cli/interpose.js';
import { parseTraceFlags } from '../src/cli/trace.js';
import { benchSkipReason, netnsExists, run, uniqueNetnsName } from './interop/bench.js';
import { partSkippedOrFail, skipOrFail } from './require-all.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const PRELOAD = new URL('../src/cli/preload.js', import.meta.url).href;
// Compiled to dist/test/: the examples are at the repository's root.
const SERVER = fileURLToPath(new URL('../../examples/plain-http-server.mjs', import.meta.url));

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject)
      .setTimeout(15_000, function (this: http.ClientRequest) {
        this.destroy(new Error(`GET ${url} timed out`));
      });
  });
}

/** A child with its combined output so far and its exit. */
interface Child {
  child: ChildProcess;
  out: () => string;
  exited: Promise<unknown[]>;
}

function start(t: TestContext, cmd: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, out: () => out, exited };
}

async function exitCode(c: Child, ms = 15_000): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([c.exited, new Promise<null>((res) => (timer = setTimeout(() => res(null), ms)))]);
  clearTimeout(timer);
  if (r === null) throw new Error(`no exit within ${ms} ms:\n${c.out()}`);
  return r[0] as number | null;
}

function tmp(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'netch-trace-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Assert that `text` holds a line starting with each call, in strace's shape. */
function assertCalls(text: string, names: string[]): void {
  for (const n of names) assert.match(text, new RegExp(`^(<\\.\\.\\. ${n} resumed>.*|${n}\\(.*)= -?\\d+`, 'm'), `a ${n} line in:\n${text}`);
}

test('netch trace: the plain http server on the memory network answers curl and http through a forward; the trace file shows its calls', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'trace.txt');
  const c = start(t, process.execPath, [MAIN, 'trace', '--forward', 'tcp:127.0.0.1:0-192.0.2.2:80', '-o', file, '-e', 'trace=%network,close', '--', process.execPath, SERVER], { REQUESTS: '2' });
  assert.ok(await waitFor(() => /listening on 0\.0\.0\.0:80/.test(c.out()) || c.child.exitCode !== null, 15_000), c.out());
  const m = /forwarding tcp:127\.0\.0\.1:(\d+)-192\.0\.2\.2:80/.exec(c.out());
  assert.ok(m, c.out());
  const port = Number(m[1]);

  const r1 = await get(`http://127.0.0.1:${port}/from-node`);
  assert.equal(r1.status, 200);
  // The server sees the gateway host, the forward's side on the stack.
  assert.equal(r1.body, 'hello 192.0.2.1, you asked for /from-node\n');
  if (hasCommand('curl')) {
    const r = spawnSync('curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${port}/from-curl`], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hello 192.0.2.1, you asked for /from-curl\n');
  } else {
    partSkippedOrFail(t, 'curl is not installed: the second request used Node, not curl');
    await get(`http://127.0.0.1:${port}/from-curl`);
  }
  // The server closes itself after two requests; the program then exits on its own.
  assert.equal(await exitCode(c), 0, c.out());
  assert.match(c.out(), /closed/);
  const trace = readFileSync(file, 'utf8');
  assertCalls(trace, ['socket', 'bind', 'listen', 'accept4', 'recvfrom', 'sendto', 'close']);
  assert.match(trace, /^socket\(AF_INET, SOCK_STREAM\|SOCK_CLOEXEC, IPPROTO_IP\) = 3$/m);
  assert.match(trace, /^bind\(3, \{sa_family=AF_INET, sin_port=htons\(80\), sin_addr=inet_addr\("0\.0\.0\.0"\)\}, 16\) = 0$/m);
  assert.match(trace, /^listen\(3, 511\) +\s= 0$/m);
  assert.match(trace, /recvfrom\(\d+, "GET \/from-node HTTP\/1\.1\\r\\n/);
  assert.match(trace, /sendto\(\d+, "HTTP\/1\.1 200 OK\\r\\n/);
  assert.doesNotMatch(trace, /epoll_wait/, 'trace=%network,close leaves epoll out');
  assert.doesNotMatch(c.out(), /socket\(/, 'with -o the trace goes to the file only');
});

test('netch trace -o: node processes started by the traced command append to the file, which netch trace emptied first', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'trace.txt');
  writeFileSync(file, 'old contents\n');
  const prog = (port: number): string => `${JSON.stringify(process.execPath)} -e "require('net').createServer().listen(${port}, function () { this.close(); })"`;
  const c = start(t, process.execPath, [MAIN, 'trace', '-o', file, '-e', 'trace=listen', '--', 'sh', '-c', `${prog(81)} && ${prog(82)}`], {});
  assert.equal(await exitCode(c, 30_000), 0, c.out());
  const trace = readFileSync(file, 'utf8');
  assert.doesNotMatch(trace, /old contents/, 'the first traced process emptied the file');
  assert.equal(trace.match(/^listen\(\d+, 511\) +=\s*0$/gm)?.length, 2, `both processes' listen() calls are in the file:\n${trace}`);
});

test('the preload alone traces to stderr (NETCH_TRACE) and -c prints the summary table at exit', async (t) => {
  const c = start(t, process.execPath, ['--import', PRELOAD, SERVER], {
    REQUESTS: '1',
    NETCH_FORWARD: 'tcp::0-:80',
    NETCH_TRACE: '-e trace=listen,accept4,close -C',
  });
  assert.ok(await waitFor(() => /listening on/.test(c.out()) || c.child.exitCode !== null, 15_000), c.out());
  const port = Number(/forwarding tcp:127\.0\.0\.1:(\d+)-/.exec(c.out())![1]);
  assert.equal((await get(`http://127.0.0.1:${port}/x`)).status, 200);
  assert.equal(await exitCode(c), 0, c.out());
  const out = c.out();
  assert.match(out, /^listen\(3, 511\)/m);
  assert.match(out, /accept4\(3,/);
  assert.doesNotMatch(out, /^recvfrom\(/m);
  assert.match(out, /% time +seconds +usecs\/call +calls +errors syscall/);
  assert.match(out, /^\s*[\d.]+\s+[\d.]+\s+\d+\s+1\s+listen$/m);
});

test('netch trace --netns: curl from a Linux network namespace over TAP reaches the plain server; the namespace is removed', async (t) => {
  const why = benchSkipReason() ?? (hasCommand('curl') ? null : 'curl is not installed');
  if (why !== null) return skipOrFail(t, why);
  const ns = uniqueNetnsName();
  t.after(() => {
    if (netnsExists(ns)) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  });
  const file = join(tmp(t), 'trace.txt');
  const c = start(t, process.execPath, [MAIN, 'trace', '--netns', ns, '-o', file, '-e', 'trace=%network,close', '--', process.execPath, SERVER], { REQUESTS: '2' });
  assert.ok(await waitFor(() => /listening on/.test(c.out()) || c.child.exitCode !== null, 20_000), c.out());
  assert.match(c.out(), new RegExp(`TAP netch0 in network namespace ${ns} \\(kernel side 192\\.0\\.2\\.1/24\\)`));
  assert.ok(netnsExists(ns));
  for (const path of ['/one', '/two']) {
    const r = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '10', `http://192.0.2.2${path}`], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, r.stderr + c.out());
    assert.equal(r.stdout, `hello 192.0.2.1, you asked for ${path}\n`);
  }
  assert.equal(await exitCode(c, 20_000), 0, c.out());
  assert.equal(netnsExists(ns), false, 'the namespace is gone');
  const trace = readFileSync(file, 'utf8');
  assertCalls(trace, ['socket', 'bind', 'listen', 'accept4', 'recvfrom', 'sendto', 'close']);
  assert.match(trace, /getpeername\(\d+, \{sa_family=AF_INET, sin_port=htons\(\d+\), sin_addr=inet_addr\("192\.0\.2\.1"\)\}/);
});

test('netch trace and the preload refuse bad settings with exit code 2', () => {
  const trace = (args: string[]) => spawnSync(process.execPath, [MAIN, 'trace', ...args], { encoding: 'utf8', timeout: 15_000 });
  for (const [args, why] of [
    [['--', ], /no command/],
    [['-e', 'trace=nosuchcall', '--', 'node', '-e', '0'], /nosuchcall/],
    [['-q', '--', 'node', '-e', '0'], /unknown strace option -q/],
    [['--forward', 'udp:127.0.0.1:53-192.0.2.2:53', '--', 'node', '-e', '0'], /only tcp/],
    [['--address', '192.0.2.300/24', '--', 'node', '-e', '0'], /--address/],
  ] as const) {
    const r = trace([...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  const pre = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', PRELOAD, '-e', 'console.log("ran")'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...env } });
  for (const [env, why] of [
    [{ NETCH_FORWARD: 'tcp:127.0.0.1:8080' }, /NETCH_ERR_FORWARD_SPEC|one '-'/],
    [{ NETCH_ADDRESS: 'nope' }, /NETCH_ADDRESS=nope/],
    [{ NETCH_TRACE: '-e trace=bogus' }, /bogus/],
    [{ NETCH_LINK: 'wifi' }, /NETCH_LINK=wifi/],
  ] as const) {
    const r = pre(env);
    assert.equal(r.status, 2, `${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, /^netchannels\/preload: /);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stdout, /ran/);
  }
  const ok = pre({ NETCH_QUIET: '1' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, 'ran\n');
  assert.equal(ok.stderr, '');
});

test('parseTraceFlags maps strace options to tracer options', () => {
  assert.deepEqual(parseTraceFlags(['-e', 'trace=%network', '-r', '-T', '-s', '64', '-Z', '-C']), { trace: '%network', relative: true, duration: true, stringLimit: 64, status: 'failed', summary: 'also' });
  assert.deepEqual(parseTraceFlags(['-etrace=accept4', '-tt', '-r', '-s100', '-f']), { trace: 'accept4', timestamps: 'time-us', relative: true, stringLimit: 100, follow: true });
  assert.deepEqual(parseTraceFlags(['1']), {});
  assert.deepEqual(parseTraceFlags(['-e', 'status=successful,failed', '-e', 'inject=accept4:error=EMFILE:when=1', '-einject=listen:delay_enter=1ms']), {
    status: 'successful,failed',
    inject: ['accept4:error=EMFILE:when=1', 'listen:delay_enter=1ms'],
  });
  const spec = (e: Error & { code?: string }): boolean => e.code === 'NETCH_ERR_HOOK_SPEC';
  assert.throws(() => parseTraceFlags(['-e', 'inject=accept4:error=ENOPE']), spec);
  assert.throws(() => parseTraceFlags(['-e', 'status=bogus']), spec);
  assert.throws(() => parseTraceFlags(['-e', 'signal=none']), spec);
});

test('netch trace -f -o FILE -e inject=: the injected fault in the program, PID prefixes, +++ exited with N +++', async (t) => {
  const file = join(tmp(t), 'trace.txt');
  const prog = "require('net').createServer().on('error', (e) => { console.log(e.code); process.exit(7); }).listen(81)";
  const c = start(t, process.execPath, [MAIN, 'trace', '-f', '-o', file, '-e', 'trace=listen', '-e', 'inject=listen:error=EADDRINUSE', '--', process.execPath, '-e', prog], { NETCH_QUIET: '1' });
  assert.equal(await exitCode(c, 30_000), 7, c.out());
  assert.match(c.out(), /EADDRINUSE/);
  const trace = readFileSync(file, 'utf8');
  // strace -f -o's layout: the pid left-aligned in 5 and a space, the result at column 40.
  const m = /^(\d+) +listen\(3, 511\) += -1 EADDRINUSE \(Address already in use\) \(INJECTED\)\n(\d+) +\+\+\+ exited with 7 \+\+\+\n$/.exec(trace);
  assert.ok(m, trace);
  assert.equal(m[1], m[2]);
  assert.equal(trace.indexOf('listen'), Math.max(6, m[1]!.length + 1));
});

test('netch trace: a program killed by a signal ends its trace with +++ killed by SIG +++', async (t) => {
  const file = join(tmp(t), 'trace.txt');
  const prog = "require('net').createServer().listen(81, () => process.kill(process.pid, 'SIGTERM'))";
  const c = start(t, process.execPath, [MAIN, 'trace', '-o', file, '-e', 'trace=listen', '--', process.execPath, '-e', prog], { NETCH_QUIET: '1' });
  assert.equal(await exitCode(c, 30_000), 128 + 15, c.out());
  assert.equal(readFileSync(file, 'utf8'), 'listen(3, 511)                          = 0\n+++ killed by SIGTERM +++\n');
});

test('interposeNet in-process: http.createServer().listen() and http.get() run on the stack; restore() puts node:net back', async (t) => {
  const [la, lb] = memoryLinkPair({ checksumOffload: true });
  const a = new Host({ name: 'app' });
  const b = new Host({ name: 'peer' });
  a.addInterface(la, { mac: 0x020000000001, address: '192.0.2.2/24' });
  b.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.1/24' });
  const loop = new Loop({ unref: true });
  const app = createStack({ host: a, loop, name: 'app' });
  const peer = createStack({ host: b, loop, name: 'peer' });
  const origListen = net.Server.prototype.listen;
  const origConnect = net.connect;
  const ip = interposeNet(app);
  t.after(() => {
    ip.restore();
    app.close();
    peer.close();
    loop.stop();
  });
  assert.throws(() => interposeNet(app), (e: Error & { code?: string }) => e.code === 'NETCH_ERR_INTERPOSED');
  assert.notEqual(netNs.connect, origConnect, 'the ESM named export follows');

  const server = http.createServer((req, res) => res.end(`stack ${req.socket.remoteAddress} ${req.url}`));
  await new Promise<void>((r) => server.listen(80, '::', r));
  assert.equal(server.listening, true);
  assert.deepEqual(server.address(), { address: '0.0.0.0', family: 'IPv4', port: 80 });
  // Another host of the stack reaches it: the server is on the stack, not the kernel.
  const viaPeer = await new Promise<string>((resolve, reject) => {
    const s = peer.connect(80, '192.0.2.2', () => s.end('GET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
  assert.match(viaPeer, /^HTTP\/1\.1 200 OK/);
  assert.match(viaPeer, /stack 192\.0\.2\.1 \/p$/);
  // http's client (the global agent) connects through the stack too: 192.0.2.2 is ours.
  const res = await get('http://192.0.2.2/self');
  assert.equal(res.body, 'stack 192.0.2.2 /self');
  assert.ok(new net.Socket() instanceof net.Socket);
  await new Promise<void>((r) => server.close(() => r()));
  assert.equal(server.listening, false);

  // A kernel server made while interposed, marked by nothing, would go to the stack; a Unix socket stays on the kernel.
  const unix = net.createServer();
  const path = join(tmp(t), 'sock');
  await new Promise<void>((r) => unix.listen(path, r));
  assert.equal(unix.address(), path);
  await new Promise<void>((r) => unix.close(() => r()));

  ip.restore();
  assert.equal(net.Server.prototype.listen, origListen);
  assert.equal(net.connect, origConnect);
  assert.equal(netNs.connect, origConnect);
  const k = http.createServer((_q, s) => s.end('kernel'));
  await new Promise<void>((r) => k.listen(0, '127.0.0.1', r));
  const kr = await get(`http://127.0.0.1:${(k.address() as net.AddressInfo).port}/`);
  assert.equal(kr.body, 'kernel');
  await new Promise<void>((r) => k.close(() => r()));
});
