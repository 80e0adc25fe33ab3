// `netch up` end to end, as a user runs it: a child process started with --netns creates
// its namespace and TAP device, answers ping and UDP echo from the kernel, and on SIGTERM
// removes the namespace and prints its counters. The --udp-tunnel mode needs no root: a
// host in this process is the peer at the other end of the tunnel.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Host } from '../../src/iface/host.js';
import { newEchoReply } from '../../src/iface/ping.js';
import type { UdpPeerInfo } from '../../src/iface/datagram-queue.js';
import { parseTunnelSpec } from '../../src/cli/up.js';
import { openUdpTunnel } from '../../src/link/udp-tunnel.js';
import { Loop } from '../../src/runtime/loop.js';
import { PING_PY, benchSkipReason, netnsExists, run, toolSkipReason, uniqueNetnsName, waitFor, type PingResult } from './bench.js';
import { skipOrFail } from '../require-all.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** A running `netch up` child with its output so far. */
interface UpProcess {
  child: ChildProcess;
  out: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Start `netch up ARGS`; resolve once it printed "ready" (or reject with its output). Killed at teardown. */
async function startUp(t: TestContext, args: string[]): Promise<UpProcess> {
  const child = spawn(process.execPath, [MAIN, 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const ready = await waitFor(() => out.includes('ready (') || child.exitCode !== null, 15_000);
  if (!ready || !out.includes('ready (')) throw new Error(`netch up did not start:\n${out}`);
  return { child, out: () => out, exited };
}

test('netch up --netns: ping and UDP echo from the namespace, SIGTERM removes it', async (t) => {
  const why = benchSkipReason() ?? toolSkipReason('python3', 'socat');
  if (why !== null) return skipOrFail(t, why);
  const ns = uniqueNetnsName();
  t.after(() => {
    if (netnsExists(ns)) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  });
  const up = await startUp(t, ['--netns', ns, '--every', '1']);
  assert.match(up.out(), new RegExp(`TAP netch0 in network namespace ${ns} \\(kernel side 192\\.0\\.2\\.1/24\\)`));
  assert.ok(netnsExists(ns));

  // The bench's ping uses an ICMP datagram socket: allow them in the namespace.
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ping_group_range=0 2147483647'], { check: true });
  const ping = await run('ip', ['netns', 'exec', ns, 'python3', '-c', PING_PY, '192.0.2.2', '3', '56', '1000'], { check: true, timeoutMs: 20_000 });
  const p = JSON.parse(ping.stdout.trim()) as PingResult;
  assert.deepEqual(p.received, [1, 2, 3]);
  const echo = await run('ip', ['netns', 'exec', ns, 'socat', '-t', '2', '-', 'UDP:192.0.2.2:7'], { input: 'ping-pong\n', check: true });
  assert.equal(echo.stdout, 'ping-pong\n');

  up.child.kill('SIGTERM');
  const [code] = await Promise.race([up.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit after SIGTERM:\n${up.out()}`)), 10_000))]);
  assert.equal(code, 0, up.out());
  assert.equal(netnsExists(ns), false, 'the namespace is gone');
  const out = up.out();
  assert.match(out, new RegExp(`removed network namespace ${ns}`));
  assert.match(out, /stopped by SIGTERM/);
  assert.match(out, /icmp:\s+InEchos 3 OutEchoReps 3/);
  assert.match(out, /echoed 1/);
  assert.match(out, /^status: /m, 'a status line was printed (--every 1)');
});

test('netch up --netns refuses a namespace that already exists and leaves it alone', async (t) => {
  const why = benchSkipReason();
  if (why !== null) return skipOrFail(t, why);
  const ns = uniqueNetnsName();
  await run('ip', ['netns', 'add', ns], { check: true });
  t.after(() => void spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 }));
  const r = spawnSync(process.execPath, [MAIN, 'up', '--netns', ns], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already exists/);
  assert.ok(netnsExists(ns), 'the existing namespace was not removed');
});

test('netch up --udp-tunnel: a host at the other end pings it and gets UDP echoes (no root)', async (t) => {
  // Our end of the tunnel first, so netch up can be pointed at it; then we learn its port.
  const tunnel = await openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: 9 });
  const ourPort = tunnel.localPort;
  tunnel.close();
  const up = await startUp(t, ['--udp-tunnel', `0:127.0.0.1:${ourPort}`, '--address', '198.51.100.2/24']);
  const m = /UDP tunnel 127\.0\.0\.1:(\d+) <-> 127\.0\.0\.1:(\d+)/.exec(up.out());
  assert.ok(m, up.out());
  assert.equal(Number(m[2]), ourPort);
  const dev = await openUdpTunnel({ localPort: ourPort, remoteAddress: '127.0.0.1', remotePort: Number(m[1]) });
  const host = new Host({ name: 'peer' });
  host.addInterface(dev, { mac: '02:00:00:00:00:09', address: '198.51.100.1/24' });
  const loop = new Loop();
  loop.add(host).start();
  t.after(() => {
    loop.stop();
    host.close();
    dev.close();
  });

  const ping = host.pingSocket();
  const reply = newEchoReply();
  const got: number[] = [];
  for (let seq = 1; seq <= 3; seq++) {
    ping.sendEcho('198.51.100.2', seq, loop.clock.now());
    loop.wake();
    assert.ok(await waitFor(() => ping.pending > 0, 3000), `no reply to ${seq}`);
    while (ping.recv(reply)) if (reply.msgType === 0) got.push(reply.seq);
  }
  assert.deepEqual(got, [1, 2, 3]);

  const sock = host.udpSocket().bind(0, 0);
  const msg = new TextEncoder().encode('through the tunnel');
  sock.sendTo(msg, 0, msg.length, '198.51.100.2', 7, loop.clock.now());
  loop.wake();
  assert.ok(await waitFor(() => sock.pending > 0, 3000), 'no UDP echo');
  const buf = new Uint8Array(100);
  const from: UdpPeerInfo = { address: 0, port: 0, localAddress: 0, size: 0, truncated: false };
  const n = sock.recvFrom(buf, 0, buf.length, from);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)), 'through the tunnel');
  assert.equal(from.port, 7);

  up.child.kill('SIGINT');
  const [code] = await up.exited;
  assert.equal(code, 0, up.out());
  assert.match(up.out(), /stopped by SIGINT/);
  assert.match(up.out(), /InEchos 3 OutEchoReps 3/);
});

test('netch up rejects bad arguments with exit code 2', () => {
  for (const args of [['--forward', 'udp:1-2'], ['--udp-tunnel', 'nonsense'], ['--tap', 'x', '--udp-tunnel', '1:127.0.0.1:2'], ['--netns', 'bad name'], ['--tap', 'x', '--address', '300.1.1.1/24'], ['--offload'], ['--tap', 'x', '--offload', '--pcap', '/tmp/x.pcap']]) {
    const r = spawnSync(process.execPath, [MAIN, 'up', ...args], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('parseTunnelSpec reads [LHOST:]LPORT:RHOST:RPORT', () => {
  assert.deepEqual(parseTunnelSpec('5555:127.0.0.1:6666'), { localAddress: '127.0.0.1', localPort: 5555, remoteAddress: '127.0.0.1', remotePort: 6666 });
  assert.deepEqual(parseTunnelSpec('127.0.0.2:0:127.0.0.3:1'), { localAddress: '127.0.0.2', localPort: 0, remoteAddress: '127.0.0.3', remotePort: 1 });
  for (const bad of ['', '1:2', '1:localhost:2', '1:127.0.0.1:0', '70000:127.0.0.1:1', 'a:b:c:d:e']) assert.equal(parseTunnelSpec(bad), null, bad);
});
