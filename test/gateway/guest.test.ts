// The judge: a real Linux guest (Debian's kernel and busybox, booted under QEMU's TCG)
// attached to the gateway over each link kind, running the checks of issue 18 from its
// /init: DHCP, ping, DNS through the forwarder, 64 MiB each way through the host alias
// with SHA-256 compared, a UDP round trip through NAT, a refused connection, an inbound
// forward to the guest's busybox httpd (which logs the client's address), and egress none.
// The same image attached to QEMU's own -netdev user shows the harness judges a known
// gateway the same way. Skips (fails under NETCH_REQUIRE_ALL=1) when QEMU, the kernel or
// busybox cannot be had. All host traffic stays on 127.0.0.1.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { DnsForwarder } from '../../src/gateway/dns.js';
import { Gateway, type GatewayRunOptions } from '../../src/gateway/index.js';
import { type GuestParts, type GuestResult, bootGuest, buildInitramfs, findGuestParts, removeImage, skipOrFail } from './guest.js';
import { type BlobServer, type TinyDns, closedPort, startBlobServer, startTinyDns } from './services.js';

const MIB64 = 64 << 20;
const BOOT_MS = 300_000;
const NAME = 'judge.netch.test';
const NAME_ADDR = '192.0.2.53';

interface Fixture {
  parts: GuestParts;
  image: { dir: string; path: string };
  blob: BlobServer;
  dns: TinyDns;
  closed: number;
  tmp: string;
}

let fixture: Fixture | null | string = null;

/** Build the image and start the host-side servers once; return null (and skip or fail `t`) when the guest cannot run. */
async function setup(t: TestContext): Promise<Fixture | null> {
  if (fixture === null) {
    const parts = findGuestParts();
    if (typeof parts === 'string') {
      fixture = parts;
    } else {
      fixture = {
        parts,
        image: buildInitramfs(parts),
        blob: await startBlobServer(MIB64),
        dns: await startTinyDns({ [NAME]: NAME_ADDR, 'udp.netch.test': '192.0.2.77' }),
        closed: await closedPort(),
        tmp: mkdtempSync(join(tmpdir(), 'netch-judge-')),
      };
    }
  }
  if (typeof fixture === 'string') {
    skipOrFail(t, fixture);
    return null;
  }
  return fixture;
}

test.after(async () => {
  if (fixture === null || typeof fixture === 'string') return;
  await fixture.blob.close();
  await fixture.dns.close();
  removeImage(fixture.image.dir);
  rmSync(fixture.tmp, { recursive: true, force: true });
});

/** A gateway as the tests use it: egress loopback, its DNS forwarder asking the tiny server. */
async function gateway(f: Fixture, opts: GatewayRunOptions = {}): Promise<{ gw: Gateway; fwd: DnsForwarder }> {
  const gw = new Gateway({ egress: 'loopback', dnsUpstream: [`127.0.0.1:${f.dns.port}`], ...opts });
  await gw.ready;
  assert.ok(gw.dns !== null, 'the gateway runs a DNS forwarder');
  return { gw, fwd: gw.dns };
}

/** Boot the guest on `netdev` with every check; when it says READY, fetch its page through forward port `fwd`. */
async function boot(f: Fixture, netdev: string, fwd: number, extra: Record<string, string | number> = {}, extraArgs: string[] = []): Promise<GuestResult & { page: string }> {
  let page = '';
  const r = await bootGuest({
    parts: f.parts,
    initrd: f.image.path,
    netdev,
    timeoutMs: BOOT_MS,
    extraArgs,
    params: { http: f.blob.port, sink: f.blob.sinkPort, udp: f.dns.port, closed: f.closed, name: NAME, addr: NAME_ADDR, ...extra },
    onLine: (line) => {
      if (line !== 'NETCH-READY forward') return;
      fetch(`http://127.0.0.1:${fwd}/index.html`)
        .then(async (res) => (page = `${res.status} ${await res.text()}`))
        .catch((e: unknown) => (page = `error ${String(e)}`));
    },
  });
  return { ...r, page };
}

/** Assert every check the guest ran passed, with the console in the message when not. */
function assertChecks(t: TestContext, r: GuestResult & { page: string }, f: Fixture, names: string[], clientAddr: string): void {
  for (const l of r.lines) if (l.startsWith('NETCH-CHECK') || l.startsWith('NETCH-LEASE')) t.diagnostic(l);
  const console = r.lines.filter((l) => !l.startsWith('NETCH-CHECK')).slice(-40).join('\n');
  assert.ok(r.done, `the guest finished its checks (timed out: ${r.timedOut})\n${console}`);
  for (const n of names) {
    const c = r.checks.get(n);
    assert.ok(c?.ok, `check ${n}: ${c?.detail ?? 'not run'}\n${console}`);
  }
  const get = (n: string): string => r.checks.get(n)!.detail;
  if (names.includes('dhcp')) assert.match(get('dhcp'), /^10\.0\.2\.15\/24 via=10\.0\.2\.2 dns=10\.0\.2\.3 ?$/);
  if (names.includes('fetch')) {
    assert.match(get('fetch'), new RegExp(`sha256=${f.blob.sha} bytes=${MIB64} `));
  }
  if (names.includes('upload')) {
    assert.equal(get('upload'), `sha256=${f.blob.sha} sent=${f.blob.sha}`);
    assert.deepEqual(f.blob.uploads.at(-1)?.bytes, MIB64);
  }
  if (names.includes('forward')) {
    assert.equal(r.page, '200 hello from the guest\n');
    assert.match(get('forward'), new RegExp(`\\[(::ffff:)?${clientAddr.replace(/\./g, '\\.')}\\]:\\d+: url:/index\\.html`));
  }
}

const ALL = ['dhcp', 'ping', 'dns', 'fetch', 'upload', 'udp', 'refused', 'forward'];

test('QEMU -netdev stream (unix, length-prefixed): every check passes through the gateway', { timeout: BOOT_MS + 30_000 }, async (t) => {
  const f = await setup(t);
  if (f === null) return;
  const { gw, fwd } = await gateway(f);
  try {
    const path = join(f.tmp, 'stream.sock');
    await gw.listenStream(`unix:${path}`);
    const port = await closedPort();
    await gw.forward(`tcp:127.0.0.1:${port}-:80`);
    const r = await boot(f, `stream,server=off,addr.type=unix,addr.path=${path}`, port);
    assertChecks(t, r, f, ALL, '10.0.2.2');
    assert.ok(fwd.counters.Answers >= 1);
    assert.equal(gw.dhcp?.leases()[0]?.state, 'bound');
  } finally {
    await gw.close();
  }
});

test('QEMU -netdev dgram (UDP tunnel): every check passes through the gateway', { timeout: BOOT_MS + 30_000 }, async (t) => {
  const f = await setup(t);
  if (f === null) return;
  const { gw } = await gateway(f);
  try {
    const [qemuPort, ourPort] = [await freeUdpPort(), await freeUdpPort()];
    await gw.openDgram({ remoteAddress: '127.0.0.1', remotePort: qemuPort, localAddress: '127.0.0.1', localPort: ourPort });
    const port = await closedPort();
    await gw.forward(`tcp:127.0.0.1:${port}-:80`);
    const r = await boot(f, `dgram,local.type=inet,local.host=127.0.0.1,local.port=${qemuPort},remote.type=inet,remote.host=127.0.0.1,remote.port=${ourPort}`, port);
    assertChecks(t, r, f, ALL, '10.0.2.2');
  } finally {
    await gw.close();
  }
});

test('WebSocket link, a client speaking v86\'s framing (one frame per binary message) relaying the guest: every check passes', { timeout: BOOT_MS + 30_000 }, async (t) => {
  const f = await setup(t);
  if (f === null) return;
  const { gw } = await gateway(f);
  const path = join(f.tmp, 'relay.sock');
  const relay = await v86Relay(path, gw);
  try {
    const port = await closedPort();
    await gw.forward(`tcp:127.0.0.1:${port}-:80`);
    const r = await boot(f, `stream,server=off,addr.type=unix,addr.path=${path}`, port);
    assertChecks(t, r, f, ALL, '10.0.2.2');
    assert.ok(relay.messages > 1000, `${relay.messages} WebSocket messages`);
  } finally {
    relay.close();
    await gw.close();
  }
});

test('--egress none: DHCP still works, the fetch through the host alias does not', { timeout: BOOT_MS + 30_000 }, async (t) => {
  const f = await setup(t);
  if (f === null) return;
  const { gw } = await gateway(f, { egress: 'none' });
  try {
    const path = join(f.tmp, 'none.sock');
    await gw.listenStream(`unix:${path}`);
    const gets = f.blob.gets.length;
    const r = await bootGuest({
      parts: f.parts,
      initrd: f.image.path,
      netdev: `stream,server=off,addr.type=unix,addr.path=${path}`,
      timeoutMs: BOOT_MS,
      params: { checks: 'dhcp,fetch', http: f.blob.port, wait: 20 },
    });
    assert.ok(r.done, r.lines.slice(-20).join('\n'));
    assert.equal(r.checks.get('dhcp')?.ok, true);
    assert.equal(r.checks.get('fetch')?.ok, false, r.checks.get('fetch')?.detail);
    assert.equal(f.blob.gets.length, gets, 'no request reached the server');
    assert.ok(gw.counters.TcpDenied >= 1, `TcpDenied ${gw.counters.TcpDenied}`);
  } finally {
    await gw.close();
  }
});

test('the judge judges QEMU\'s own -netdev user (libslirp) the same way (DNS aside: slirp asks the host\'s resolver)', { timeout: BOOT_MS + 30_000 }, async (t) => {
  const f = await setup(t);
  if (f === null) return;
  const port = await closedPort();
  const r = await boot(f, `user,hostfwd=tcp:127.0.0.1:${port}-:80`, port, { checks: ALL.filter((c) => c !== 'dns').join(',') });
  assertChecks(t, r, f, ALL.filter((c) => c !== 'dns'), '10.0.2.2');
});

/** Return a UDP port on 127.0.0.1 that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/**
 * A relay in v86's place: QEMU connects to a unix socket (-netdev stream, 4-byte length
 * before each frame); each frame becomes one binary WebSocket message to the gateway's
 * --ws listener, and each message back one length-prefixed frame.
 */
async function v86Relay(path: string, gw: Gateway): Promise<{ messages: number; close(): void }> {
  const url = (await gw.listenWs('127.0.0.1:0')).url();
  const state = { messages: 0, close: () => {} };
  const server = net.createServer((q) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'nodebuffer';
    const early: Buffer[] = [];
    let acc: Buffer = Buffer.alloc(0);
    q.on('data', (c: Buffer) => {
      acc = acc.length === 0 ? c : Buffer.concat([acc, c]);
      while (acc.length >= 4 && acc.length >= 4 + acc.readUInt32BE(0)) {
        const frame = acc.subarray(4, 4 + acc.readUInt32BE(0));
        acc = acc.subarray(4 + frame.length);
        state.messages++;
        if (ws.readyState === WebSocket.OPEN) ws.send(frame);
        else early.push(Buffer.from(frame));
      }
    });
    ws.on('open', () => {
      for (const b of early.splice(0)) ws.send(b);
    });
    ws.on('message', (m: Buffer) => {
      state.messages++;
      const len = Buffer.alloc(4);
      len.writeUInt32BE(m.length, 0);
      q.write(Buffer.concat([len, m]));
    });
    const end = (): void => {
      ws.terminate();
      q.destroy();
    };
    q.on('close', end);
    q.on('error', end);
    ws.on('close', end);
    ws.on('error', end);
  });
  await new Promise<void>((r) => server.listen(path, r));
  state.close = () => server.close();
  return state;
}
