// Port forwarding (src/cli/forward.ts, `netch up --forward`): the spec parser, `netch up` on
// its private memory network as a user runs it (a child process; Node's http client and
// curl on the kernel's loopback reach the stack's HTTP service through the forward), and
// the module in-process: half-close both ways, a refused stack connection, several forwards.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { connect as kernelConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Host } from '../src/iface/host.js';
import { memoryLinkPair } from '../src/link/memory.js';
import { Loop } from '../src/runtime/loop.js';
import { createStack } from '../src/adapters/api.js';
import { NETCH_ERR_FORWARD_SPEC, parseForwardList, parseForwardSpec, startForwards } from '../src/cli/forward.js';
import { bytesPattern } from '../src/cli/services/index.js';
import { partSkippedOrFail } from './require-all.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Resolve once `cond()` holds, or false after `ms` (polled every 20 ms). */
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

/** GET `url`; resolve with status, body and the body's SHA-256. */
function get(url: string): Promise<{ status: number; body: Buffer; sha256: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        const h = createHash('sha256');
        res.on('data', (d: Buffer) => {
          h.update(d);
          if (chunks.length < 64) chunks.push(d);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), sha256: h.digest('hex') }));
        res.on('error', reject);
      })
      .on('error', reject)
      .setTimeout(30_000, function (this: http.ClientRequest) {
        this.destroy(new Error(`GET ${url} timed out`));
      });
  });
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

test('parseForwardSpec reads QEMU hostfwd specs and refuses bad ones with NETCH_ERR_FORWARD_SPEC', () => {
  assert.deepEqual(parseForwardSpec('tcp:127.0.0.1:8080-192.0.2.2:80'), { proto: 'tcp', hostAddress: '127.0.0.1', hostPort: 8080, guestAddress: '192.0.2.2', guestPort: 80 });
  assert.deepEqual(parseForwardSpec('tcp::8080-:80', '192.0.2.9'), { proto: 'tcp', hostAddress: '127.0.0.1', hostPort: 8080, guestAddress: '192.0.2.9', guestPort: 80 });
  assert.deepEqual(parseForwardSpec('0.0.0.0:0-10.0.0.1:22'), { proto: 'tcp', hostAddress: '0.0.0.0', hostPort: 0, guestAddress: '10.0.0.1', guestPort: 22 });
  assert.deepEqual(parseForwardSpec('8080-80'), { proto: 'tcp', hostAddress: '127.0.0.1', hostPort: 8080, guestAddress: '192.0.2.2', guestPort: 80 });
  assert.equal(parseForwardList('tcp::1-:2, tcp::3-:4').length, 2);
  for (const bad of ['', 'tcp:', 'udp:127.0.0.1:53-192.0.2.2:53', 'tcp:127.0.0.1:8080', 'tcp:127.0.0.1:8080-192.0.2.2:0', 'tcp:127.0.0.1:70000-192.0.2.2:80',
    'tcp:localhost:8080-192.0.2.2:80', 'tcp:127.0.0.1:8080-192.0.2.2:80-1', 'tcp:1.2.3:80-192.0.2.2:80', 'tcp:127.0.0.1:x-192.0.2.2:80', 'tcp:::1:80-192.0.2.2:80']) {
    assert.throws(() => parseForwardSpec(bad), (e: Error & { code?: string }) => e.code === NETCH_ERR_FORWARD_SPEC, bad);
  }
});

test('netch up refuses bad --forward specs with exit code 2 and says why', () => {
  for (const [spec, why] of [
    ['udp:127.0.0.1:5353-192.0.2.2:53', /only tcp/],
    ['tcp:127.0.0.1:8080', /one '-'/],
    ['tcp:127.0.0.1:8080-192.0.2.2:99999', /guest port/],
    ['tcp:nowhere:8080-192.0.2.2:80', /host address/],
  ] as const) {
    const r = spawnSync(process.execPath, [MAIN, 'up', '--forward', 'tcp:127.0.0.1:0-192.0.2.2:80', '--forward', spec], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 2, `${spec}: ${r.stderr}`);
    assert.match(r.stderr, /^netch up: --forward /);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /expected \[tcp:\]/);
  }
});

/** A running `netch up` child and the kernel ports of its forwards, by guest port. */
interface UpChild {
  child: ChildProcess;
  out: () => string;
  ports: Map<number, number>;
  exited: Promise<unknown[]>;
}

async function startUp(t: TestContext, args: string[]): Promise<UpChild> {
  const child = spawn(process.execPath, [MAIN, 'up', '--every', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const ready = await waitFor(() => out.includes('ready (') || child.exitCode !== null, 15_000);
  if (!ready || !out.includes('ready (')) throw new Error(`netch up did not start:\n${out}`);
  const ports = new Map<number, number>();
  for (const m of out.matchAll(/forwarding tcp:127\.0\.0\.1:(\d+)-192\.0\.2\.2:(\d+)/g)) ports.set(Number(m[2]), Number(m[1]));
  return { child, out: () => out, ports, exited };
}

test('netch up --forward on the memory network: http, a large body, concurrent connections, echo half-close, curl', async (t) => {
  const up = await startUp(t, ['--forward', 'tcp:127.0.0.1:0-192.0.2.2:80', '--forward', 'tcp::0-:7']);
  assert.match(up.out(), /memory network: host 192\.0\.2\.2\/24, gateway 192\.0\.2\.1\/24/);
  const web = up.ports.get(80)!;
  const echo = up.ports.get(7)!;
  assert.ok(web > 0 && echo > 0, up.out());

  const index = await get(`http://127.0.0.1:${web}/`);
  assert.equal(index.status, 200);
  assert.match(index.body.toString(), /netchannels/);

  const N = 8 << 20;
  const big = await get(`http://127.0.0.1:${web}/bytes/${N}`);
  assert.equal(big.status, 200);
  assert.equal(big.sha256, sha256(bytesPattern(N)));

  // Several connections at once, each its own relay.
  const sizes = [1, 1000, 65536, 100_000, 1 << 20, 12345, 7, 300_000];
  const many = await Promise.all(sizes.map((n) => get(`http://127.0.0.1:${web}/bytes/${n}`)));
  many.forEach((r, i) => assert.equal(r.sha256, sha256(bytesPattern(sizes[i]!)), `/bytes/${sizes[i]}`));

  // Echo: the client's FIN reaches the stack's echo service, whose FIN comes back after the data.
  const payload = Buffer.from(bytesPattern(200_000));
  const k = kernelConnect(echo, '127.0.0.1');
  const got: Buffer[] = [];
  k.on('data', (d: Buffer) => got.push(d));
  k.end(payload);
  await once(k, 'end');
  assert.equal(sha256(Buffer.concat(got)), sha256(payload));

  if (hasCommand('curl')) {
    const r = spawnSync('curl', ['-sS', '--max-time', '20', `http://127.0.0.1:${web}/bytes/1000000`], { timeout: 25_000, maxBuffer: 4 << 20 });
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(sha256(r.stdout), sha256(bytesPattern(1_000_000)));
  } else {
    partSkippedOrFail(t, 'curl is not installed: the curl check');
  }

  up.child.kill('SIGTERM');
  const [code] = await up.exited;
  assert.equal(code, 0, up.out());
  assert.match(up.out(), /fwd:\s+tcp:127\.0\.0\.1:\d+-192\.0\.2\.2:80: accepted (1[0-9]|[2-9][0-9]) active 0 failed 0/);
  assert.match(up.out(), /fwd:\s+tcp:127\.0\.0\.1:\d+-192\.0\.2\.2:7: accepted 1 active 0 failed 0 in 200000 out 200000 bytes/);
});

test('netch up --forward: a kernel port already taken fails the start with a clear error', async (t) => {
  const holder = http.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  t.after(() => holder.close());
  const port = (holder.address() as { port: number }).port;
  const r = spawnSync(process.execPath, [MAIN, 'up', '--every', '0', '--forward', `tcp:127.0.0.1:${port}-192.0.2.2:80`], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`forward tcp:127\\.0\\.0\\.1:${port}-192\\.0\\.2\\.2:80: .*EADDRINUSE`));
});

/** Two hosts on a memory link in this process: `guest` (192.0.2.2) and `gw` (192.0.2.1) that dials. */
function pair(t: TestContext) {
  const [la, lb] = memoryLinkPair({ checksumOffload: true });
  const a = new Host({ name: 'gw' });
  const b = new Host({ name: 'guest' });
  a.addInterface(la, { mac: 0x020000000001, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  const loop = new Loop({ unref: true });
  const gw = createStack({ host: a, loop, name: 'forward' });
  const guest = createStack({ host: b, loop, name: 'guest' });
  t.after(() => {
    gw.close();
    guest.close();
    loop.stop();
  });
  return { gw, guest };
}

test('forward in-process: the guest half-closes first and still receives; a refused guest port resets the client', async (t) => {
  const { gw, guest } = pair(t);
  // The guest sends a greeting, ends its side, then reads everything the client sends and
  // answers with the count once the client ends (half-close in both directions).
  const srv = guest.net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.end('greeting\n');
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('end', () => {
      received = n;
    });
  });
  let received = -1;
  srv.listen(9000, '192.0.2.2');
  await once(srv, 'listening');
  const fwds = await startForwards([parseForwardSpec('tcp:127.0.0.1:0-192.0.2.2:9000'), parseForwardSpec('tcp:127.0.0.1:0-192.0.2.2:9001')], gw);
  t.after(() => Promise.all(fwds.map((f) => f.close())));
  const [ok, refused] = fwds as [(typeof fwds)[0], (typeof fwds)[0]];

  const k = kernelConnect({ port: ok.address().port, host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  k.on('data', (d: Buffer) => (text += d.toString()));
  await once(k, 'end');
  assert.equal(text, 'greeting\n');
  // Our side is still writable after the guest's FIN.
  k.end(Buffer.alloc(500_000, 1));
  await once(k, 'close');
  assert.ok(await waitFor(() => received >= 0, 5000));
  assert.equal(received, 500_000);
  assert.ok(await waitFor(() => ok.counters.active === 0, 5000));
  assert.equal(ok.counters.bytesIn, 500_000);
  assert.equal(ok.counters.bytesOut, 9);

  const r = kernelConnect(refused.address().port, '127.0.0.1');
  const [err] = (await Promise.race([once(r, 'error'), once(r, 'close').then(() => [null])])) as [NodeJS.ErrnoException | null];
  if (err !== null) assert.equal(err.code, 'ECONNRESET');
  assert.ok(await waitFor(() => refused.counters.failed === 1, 5000));
  assert.equal(refused.counters.active, 0);
});

test('forward in-process: a paused kernel reader stops the stack sender (flow control), then everything arrives', async (t) => {
  const { gw, guest } = pair(t);
  const TOTAL = 64 << 20;
  const CHUNK = 64 << 10;
  let produced = 0;
  const srv = guest.net.createServer((s) => {
    // Write only while the socket accepts more (write() true), as a well-behaved sender does.
    const pump = (): void => {
      while (produced < TOTAL) {
        const n = Math.min(CHUNK, TOTAL - produced);
        const ok = s.write(bytesPattern(n, produced));
        produced += n;
        if (!ok) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  srv.listen(9100, '192.0.2.2');
  await once(srv, 'listening');
  const [fwd] = await startForwards([parseForwardSpec('tcp:127.0.0.1:0-192.0.2.2:9100')], gw);
  t.after(() => fwd!.close());

  const k = kernelConnect(fwd!.address().port, '127.0.0.1');
  k.pause();
  await once(k, 'connect');
  // Wait until the sender stalls: no progress for 300 ms (bounded: 10 s).
  let last = -1;
  for (let i = 0; i < 100 && produced !== last; i++) {
    last = produced;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(produced, last, 'the sender stalled');
  t.diagnostic(`bytes produced while the reader was paused: ${produced} (kernel and stack buffers, stream high-water marks)`);
  assert.ok(produced < TOTAL / 2, `the sender stopped early: ${produced} of ${TOTAL} bytes produced while the reader was paused`);
  const h = createHash('sha256');
  let got = 0;
  k.on('data', (d: Buffer) => {
    h.update(d);
    got += d.length;
  });
  k.resume();
  await once(k, 'end');
  assert.equal(got, TOTAL);
  assert.equal(h.digest('hex'), sha256(bytesPattern(TOTAL)));
});
