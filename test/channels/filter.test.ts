// The driver's filter table driven from the main thread (ChannelHost.filter): rules set here
// act in the driver thread on every process's frames, counters and listings come back, and
// a bad call keeps its stable code across the thread boundary. The rules themselves are
// tested deterministically in src/runtime/channel-mode/driver.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChannelHost } from '../../src/runtime/channel-mode/index.js';
import { APP_MODULE, SERVER_ADDR, startPair, until } from './harness.js';

const PORT = 5003;
const FLOWS = 8;

test('ChannelHost.filter: an INPUT REJECT set from the main thread refuses every flow to the port, counted in the driver', async () => {
  const p = await startPair(2,
    { module: APP_MODULE, factory: 'echoServer', options: { port: PORT } },
    { module: APP_MODULE, factory: 'rrClient', options: { address: SERVER_ADDR, ports: [PORT], flows: FLOWS, reqSize: 64, requests: 10, durationMs: 0 } },
    { beforeClient: async (s) => {
      assert.equal(await (s as ChannelHost).filter('append', 'INPUT', { proto: 'tcp', dport: PORT, verdict: 'REJECT' }), 1);
    } });
  const server = p.server as ChannelHost;
  try {
    assert.ok(await until(async () => Number((await p.client.stats()).app['errors']) === FLOWS, 10_000), 'every flow failed');
    const cs = await p.client.stats();
    assert.equal(cs.app['requests'], 0);
    assert.match(String(cs.app['firstError']), /error 2\)/, 'refused (TcpErr.Refused)');
    const [input] = await server.filter('list', 'INPUT');
    assert.equal(input!.rules.length, 1);
    assert.equal(input!.rules[0]!.packets, FLOWS, 'one SYN per flow, each answered by a RST');
    const d = await server.driverStats();
    assert.equal(d.driver.filterInDrops, FLOWS);
    assert.ok(d.driver.procs.every((x) => x.rxFrames === 0), 'no process saw a SYN');
    assert.match(await server.filter('format', 'INPUT'), /REJECT +tcp .*dpt:5003/);
    await assert.rejects(server.filter('append', 'FORWARD' as 'INPUT', { verdict: 'DROP' }), { code: 'NETCH_ERR_FILTER_CHAIN' });
    await assert.rejects(server.filter('append', 'INPUT', { sport: 80, verdict: 'DROP' }), { code: 'NETCH_ERR_FILTER_NEEDS_PROTO' });
    await assert.rejects(server.filter('constructor' as 'list'), { code: 'EINVAL' });
    assert.equal((await server.filter('list', 'INPUT'))[0]!.rules.length, 1, 'a failed call changed nothing');
  } finally {
    await p.close();
  }
});
