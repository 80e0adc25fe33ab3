// `netch gateway` as a process: a guest of our own on its stream link fetches from a host
// server on 127.0.0.1; `netch ss` lists the NAT flow, `netch netstat -s` the counters, the
// exit summary prints them; bad options exit 2 with a message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { Loop } from '../../src/runtime/loop.js';
import { Host } from '../../src/iface/host.js';
import { createStack } from '../../src/adapters/api.js';
import { connectStream, parseStreamSpec } from '../../src/gateway/stream-link.js';
import { queryControl } from '../../src/cli/control.js';
import { loopbackServer, until } from './harness.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('netch gateway: bad options exit 2 with a clear message', () => {
  const r1 = spawnSync(process.execPath, [MAIN, 'gateway'], { encoding: 'utf8' });
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /at least one link/);
  const r2 = spawnSync(process.execPath, [MAIN, 'gateway', '--stream', 'unix:/tmp/x', '--egress', 'some'], { encoding: 'utf8' });
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--egress some/);
  const r3 = spawnSync(process.execPath, [MAIN, 'gateway', '--stream', 'unix:/tmp/x', '--net', '10.0.2.0/30'], { encoding: 'utf8' });
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /--net/);
  const r4 = spawnSync(process.execPath, [MAIN, 'gateway', '--stream', 'nope'], { encoding: 'utf8' });
  assert.equal(r4.status, 2);
  assert.match(r4.stderr, /unix:PATH or tcp:HOST:PORT/);
});

test('netch gateway --stream: a guest fetches from 127.0.0.1; ss lists the flow, netstat -s the counters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netch-gw-cli-'));
  const sockPath = join(dir, 'guest.sock');
  const control = join(dir, 'control.sock');
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  const { server, port } = await loopbackServer((k) => {
    k.on('error', () => undefined);
    k.write('hello ');
    void hold.then(() => k.end('guest'));
  });
  const child = spawn(process.execPath, [MAIN, 'gateway', '--stream', `unix:${sockPath}`, '--egress', 'loopback', '--control', control], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const loop = new Loop();
  const host = new Host({ name: 'guest' });
  try {
    await until(() => out.includes('ready'), 15_000, 'gateway ready');
    assert.match(out, /gateway 10\.0\.2\.2 on 10\.0\.2\.0\/24/);
    assert.match(out, /-netdev stream,id=n0,server=off,addr\.type=unix/);
    const dev = await connectStream(parseStreamSpec(`unix:${sockPath}`));
    host.addInterface(dev, { mac: '02:00:00:00:00:99', address: '10.0.2.15/24' });
    host.setDefaultGateway('10.0.2.2');
    const stack = createStack({ host, loop });
    const s = stack.net.connect({ host: '10.0.2.2', port }) as unknown as Socket;
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    await until(() => got === 'hello ', 10_000, 'first bytes');
    const ss = await queryControl(['ss'], control);
    assert.match(ss, new RegExp(`tcp\\s+ESTABLISHED\\s+10\\.0\\.2\\.15:\\d+\\s+10\\.0\\.2\\.2:${port}\\s+127\\.0\\.0\\.1:${port}`));
    const ns = await queryControl(['netstat', '-s'], control);
    assert.match(ns, /Gateway:\n {4}1 TCP flows open, 1 opened/);
    release();
    await new Promise<void>((r) => s.on('end', () => r()));
    assert.equal(got, 'hello guest');
    // The guest's FIN goes back through the gateway: the flow ends on its own.
    let ns2 = '';
    await until(() => {
      void queryControl(['netstat', '-s'], control).then((t) => (ns2 = t));
      return /0 TCP flows open, 1 opened/.test(ns2);
    }, 10_000, 'flow ended');
    stack.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    assert.match(out, /stopped by SIGTERM/);
    assert.match(out, /0 TCP flows open, 1 opened/);
  } finally {
    child.kill('SIGKILL');
    loop.stop();
    host.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
