// A locked policy under the preload: an app run with `node --import netchannels/preload`
// and NETCH_POLICY cannot open a socket by any route reachable from `net`, `dgram`, `http`,
// `tls` or Node's `process`: the stack's sockets meet the policy in the syscall layer, and
// the routes the interposition leaves on the kernel (Unix sockets, tls, dgram, the raw
// wraps of process.binding) meet it in the kernel fence. Nothing the app can reach from
// those objects leads to the kernel, the host or the process behind its stack.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createStack } from '../../src/adapters/api.js';
import { StackContext } from '../../src/adapters/stack.js';
import { fenceKernelSockets } from '../../src/cli/kernel-fence.js';
import { interposeNet } from '../../src/cli/interpose.js';
import { parsePolicySpec } from '../../src/cli/policy-spec.js';
import { applyPolicy } from '../../src/hooks/index.js';
import { Host } from '../../src/iface/host.js';
import { memoryLinkPair } from '../../src/link/memory.js';
import { Kernel, Process } from '../../src/posix/index.js';
import { Loop } from '../../src/runtime/loop.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';

const PRELOAD = fileURLToPath(new URL('../../src/cli/preload.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** What the app tries; it prints one JSON object: route -> "CODE/syscall", "connected", "threw CODE"... */
const APP = `
import net from 'node:net';
import http from 'node:http';
import tls from 'node:tls';
import dgram from 'node:dgram';
const [unixPath, tcpPort] = process.argv.slice(2);
const out = {};
const outcome = (mk) => new Promise((resolve) => {
  let o;
  try { o = mk(); } catch (e) { resolve('threw ' + (e.code ?? e.message)); return; }
  o.once('error', (e) => resolve(e.code + '/' + e.syscall));
  o.once('connect', () => resolve('connected'));
  o.once('secureConnect', () => resolve('connected'));
  o.once('listening', () => resolve('listening'));
  setTimeout(() => resolve('timeout'), 3000).unref();
});
out['net.connect'] = await outcome(() => net.connect(80, '192.0.2.1'));
out['net.Socket#connect'] = await outcome(() => new net.Socket().connect(80, '192.0.2.1'));
out['net.Server#listen'] = await outcome(() => net.createServer().listen(8080));
out['http.get'] = await outcome(() => http.get('http://192.0.2.1/'));
out['unix connect'] = await outcome(() => net.connect({ path: unixPath }));
out['unix listen'] = await outcome(() => net.createServer().listen(unixPath + '.2'));
out['tls.connect'] = await outcome(() => tls.connect(Number(tcpPort), '127.0.0.1', { rejectUnauthorized: false }));
out['dgram send'] = await new Promise((resolve) => {
  let s;
  try { s = dgram.createSocket('udp4'); } catch (e) { resolve('threw ' + e.code); return; }
  s.on('error', (e) => resolve(e.code + '/' + e.syscall));
  try {
    s.send(Buffer.from('x'), Number(tcpPort), '127.0.0.1', (e) => resolve(e ? e.code + '/' + e.syscall : 'sent'));
  } catch (e) { resolve('threw ' + e.code); }
});
try { process.binding('tcp_wrap'); out['process.binding'] = 'got tcp_wrap'; } catch (e) { out['process.binding'] = 'threw ' + e.code; }
console.log(JSON.stringify(out));
process.exit(0);
`;

/** Run APP with `prefix` (the preload, or netch trace) and `env`; return its outcomes per route. */
async function runApp(prefix: (app: string) => string[], env: Record<string, string>): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'netch-lock-'));
  const unixPath = join(dir, 'u.sock');
  // Kernel servers the app would reach if a route got through.
  const unix = net.createServer((c) => c.end()).listen(unixPath);
  const tcp = net.createServer((c) => c.end()).listen(0, '127.0.0.1');
  try {
    await Promise.all([once(unix, 'listening'), once(tcp, 'listening')]);
    const port = (tcp.address() as net.AddressInfo).port;
    writeFileSync(join(dir, 'app.mjs'), APP);
    const child = spawn(process.execPath, [...prefix(join(dir, 'app.mjs')), unixPath, String(port)], {
      env: { ...process.env, NETCH_QUIET: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
  } finally {
    unix.close();
    tcp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Check that every route failed with `errno`. */
function assertAllDenied(got: Record<string, string>, errno: string): void {
  assert.equal(got['net.connect'], `${errno}/socket`);
  assert.equal(got['net.Socket#connect'], `${errno}/socket`);
  assert.match(got['net.Server#listen']!, new RegExp(`^${errno}/`));
  assert.equal(got['http.get'], `${errno}/socket`);
  assert.equal(got['unix connect'], `${errno}/connect`, 'a Unix socket on the kernel is fenced');
  assert.equal(got['unix listen'], `${errno}/listen`);
  assert.notEqual(got['tls.connect'], 'connected', `tls reached the kernel: ${got['tls.connect']}`);
  assert.match(got['dgram send']!, new RegExp(errno));
  assert.equal(got['process.binding'], `threw ${errno}`);
}

test('NETCH_POLICY: an app under the preload cannot open a socket by any route of net, http, tls, dgram or process', async () => {
  assertAllDenied(await runApp((app) => ['--import', PRELOAD, app], { NETCH_POLICY: 'deny=socket' }), 'EPERM');
});

test('netch trace with NETCH_POLICY: the same routes are denied, with the errno asked for, and the trace shows the denials', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netch-lock-trace-'));
  const file = join(dir, 'trace.txt');
  try {
    const got = await runApp((app) => [MAIN, 'trace', '-o', file, '-e', 'trace=socket', '--', process.execPath, app], { NETCH_POLICY: 'deny=socket errno=EACCES' });
    assertAllDenied(got, 'EACCES');
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('socket('));
    assert.ok(lines.length >= 3, `the trace shows the denied socket calls:\n${lines.join('\n')}`);
    for (const l of lines) assert.match(l, /^socket\(AF_INET, SOCK_(STREAM|DGRAM).* = -1 EACCES \(Permission denied\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NETCH_POLICY is checked before the program runs: bad words, calls and errnos are refused', () => {
  assert.deepEqual(parsePolicySpec('deny=socket,connect errno=EACCES'), { deny: ['socket', 'connect'], errno: 'EACCES' });
  assert.deepEqual(parsePolicySpec('allow=%desc;allow=close otherwise=deny'), { allow: ['%desc', 'close'], otherwise: 'deny' });
  assert.throws(() => parsePolicySpec('deny='), { code: 'NETCH_ERR_PRELOAD_CONFIG' });
  assert.throws(() => parsePolicySpec('errno=EPERM'), { code: 'NETCH_ERR_PRELOAD_CONFIG' });
  assert.throws(() => parsePolicySpec('lock'), { code: 'NETCH_ERR_PRELOAD_CONFIG' });
  assert.throws(() => parsePolicySpec('deny=nosuchcall'), { code: 'NETCH_ERR_HOOK_SPEC' });
  assert.throws(() => parsePolicySpec('deny=socket errno=ENOPE'), { code: 'NETCH_ERR_HOOK_SPEC' });
});

test('the kernel fence: Unix sockets, tls, dgram and process.binding ask the process\'s filters; remove() puts them back', async () => {
  const host = new Host({ name: 'h' });
  const kernel = new Kernel(host, { clock: { now: () => 0 } as never });
  const proc = kernel.spawn('app');
  applyPolicy(proc, { deny: ['socket'], errno: 'EACCES' }).lock();
  const dir = mkdtempSync(join(tmpdir(), 'netch-fence-'));
  const fence = fenceKernelSockets(proc);
  try {
    const errOf = (o: net.Socket | net.Server | dgram.Socket): Promise<string> =>
      new Promise((resolve) => o.once('error', (e: NodeJS.ErrnoException) => resolve(`${e.code}/${e.syscall}`)));
    assert.equal(await errOf(net.connect({ path: join(dir, 'nobody.sock') })), 'EACCES/connect');
    assert.equal(await errOf(net.createServer().listen(join(dir, 'l.sock'))), 'EACCES/listen');
    assert.equal(await errOf(tls.connect(9, '127.0.0.1')), 'EACCES/connect');
    const u = dgram.createSocket('udp4');
    assert.equal(await errOf(u.bind(0)), 'EACCES/bind');
    const sent = await new Promise<string>((resolve) => u.send(Buffer.from('x'), 9, '127.0.0.1', (e) => resolve(e ? `${(e as NodeJS.ErrnoException).code}` : 'sent')));
    assert.equal(sent, 'EACCES');
    u.close();
    assert.throws(() => (process as unknown as { binding(n: string): unknown }).binding('udp_wrap'), { code: 'EACCES' });
  } finally {
    fence.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  // Back to the kernel's own behaviour.
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  s.close();
});

/** Every object reachable from `roots` through own properties (values, and getters' results), symbols and prototypes. */
function reachable(roots: unknown[], limit = 200_000): Set<object> {
  const seen = new Set<object>();
  const todo: unknown[] = [...roots];
  while (todo.length > 0 && seen.size < limit) {
    const o = todo.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
    seen.add(o);
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) continue;
    todo.push(Object.getPrototypeOf(o));
    if (o instanceof Map) for (const [k, v] of o) todo.push(k, v);
    if (o instanceof Set) for (const v of o) todo.push(v);
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d === undefined) continue;
      if ('value' in d) todo.push(d.value);
      else if (d.get !== undefined) {
        try {
          todo.push(Reflect.get(o, key));
        } catch {
          // a getter that needs another receiver
        }
      }
    }
  }
  return seen;
}

test('nothing reachable from the interposed net, http and dgram objects leads to the process, kernel or host behind the stack', async () => {
  const [la, lb] = memoryLinkPair();
  const a = new Host({ name: 'a' });
  const b = new Host({ name: 'b' });
  a.addInterface(la, { mac: 0x020000000001, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  const loop = new Loop({ unref: true });
  const server = createStack({ host: b, loop });
  const client = createStack({ host: a, loop });
  server.net.createServer((s) => s.end('hi')).listen(80);
  const ip = interposeNet(client);
  try {
    const sock = net.connect(80, '192.0.2.2');
    await once(sock, 'connect');
    const srv = net.createServer().listen(81);
    await once(srv, 'listening');
    const req = http.get('http://192.0.2.2:80/');
    req.on('error', () => {});
    const u = dgram.createSocket('udp4');
    const roots = [sock, srv, req, u, net, http, dgram, net.Socket, net.Server];
    const leaks = [...reachable(roots)].filter((o) => o instanceof Process || o instanceof Kernel || o instanceof Host || o instanceof StackContext || o instanceof TcpLayer);
    assert.deepEqual(leaks.map((o) => o.constructor.name), [], 'the stack is reachable from the app\'s objects');
    sock.destroy();
    srv.close();
    req.destroy();
    u.close();
  } finally {
    ip.restore();
    client.close();
    server.close();
    loop.stop();
  }
});
