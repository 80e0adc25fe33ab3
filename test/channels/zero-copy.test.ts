// Zero copy to the application across threads: the bulk server reads through views
// (AppStack.zeroCopy) in one-thread mode (every view a copy) and in channel mode (views of
// the arena frames), every stream checked against the pattern and by SHA-256; a process
// whose application sits on its views throttles only itself; a process that dies holding
// frames gives them all back.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { ChannelHost } from '../../src/runtime/channel-mode/index.js';
import { PATTERN_PERIOD, patternByte } from '../../bench/_channels-app.js';
import { APP_MODULE, SERVER_ADDR, serverStats, startPair, until } from './harness.js';

const PORT = 5003;
const MiB = 1 << 20;

function patternHash(len: number): string {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = patternByte(i % PATTERN_PERIOD);
  return createHash('sha256').update(b).digest('hex');
}

for (const mode of [1, 2]) {
  const label = mode === 1 ? 'one-thread mode' : `channel mode, ${mode} processes`;
  test(`zero copy: 8 flows x 2 MiB read through views, SHA-256 of every stream (${label})`, async () => {
    const flows = 8;
    const bytes = 2 * MiB;
    const p = await startPair(mode,
      { module: APP_MODULE, factory: 'bulkServer', options: { port: PORT, zeroCopy: true, hash: true } },
      { module: APP_MODULE, factory: 'bulkClient', options: { address: SERVER_ADDR, ports: [PORT], flows, bytesPerFlow: bytes } });
    try {
      const ok = await until(async () => Number((await p.client.stats()).app['done']) === flows, 30_000);
      const cs = await p.client.stats();
      assert.equal(cs.app['errors'], 0, String(cs.app['firstError']));
      assert.ok(ok, `client finished ${cs.app['done']} of ${flows} flows`);
      const ss = (await serverStats(p.server)).map((s) => s!.app);
      for (const s of ss) assert.equal(s['errors'], 0, String(s['firstError']));
      assert.equal(ss.reduce((a, s) => a + Number(s['bytes']), 0), flows * bytes);
      const want = patternHash(bytes);
      for (const s of ss) if (s['hashes'] !== '') assert.equal(s['hashes'], want, 'every stream hashes as sent');
      const framed = ss.reduce((a, s) => a + Number(s['framedBytes']), 0);
      const copied = ss.reduce((a, s) => a + Number(s['copiedBytes']), 0);
      assert.equal(framed + copied, flows * bytes);
      if (mode === 1) assert.equal(framed, 0, 'one-thread mode: every view is a copy');
      else assert.ok(framed > copied, `channel mode: payload read in place (framed ${framed}, copied ${copied})`);
      assert.equal(ss.reduce((a, s) => a + Number(s['heldFrames']), 0), 0);
    } finally {
      await p.close();
    }
  });
}

test('zero copy: a process sitting on its views throttles only its own flows; killed, it gives every frame back', async () => {
  const flows = 8;
  const bytes = 8 * MiB;
  const p = await startPair(2,
    { module: APP_MODULE, factory: 'bulkServer', options: { port: PORT, zeroCopy: true, hoardProc: 0 } },
    { module: APP_MODULE, factory: 'bulkClient', options: { address: SERVER_ADDR, ports: [PORT], flows, bytesPerFlow: bytes } },
    { bufSize: 512 << 10 });
  const server = p.server as ChannelHost;
  try {
    // Process 1's flows complete; process 0's stop once their windows are full of held views.
    const ok = await until(async () => {
      const ss = await server.procStats();
      return ss[1] !== null && Number(ss[1]!.app['done']) === Number(ss[1]!.app['conns']) && Number(ss[1]!.app['conns']) > 0;
    }, 60_000);
    const ss = await server.procStats();
    assert.ok(ok, `process 1 finished its flows: ${JSON.stringify(ss.map((s) => s?.app))}`);
    assert.equal(ss[1]!.app['errors'], 0, String(ss[1]!.app['firstError']));
    assert.equal(Number(ss[1]!.app['bytes']), Number(ss[1]!.app['conns']) * bytes);
    const held = Number(ss[0]!.link['heldFrames']);
    assert.ok(held > 0, 'process 0 holds frames');
    assert.ok(Number(ss[0]!.app['bytes']) < Number(ss[0]!.app['conns']) * bytes, 'process 0 is throttled');
    const d = await server.driverStats();
    assert.ok(d.driver.procs[0]!.rxLent >= held, 'held frames are still lent to process 0');
    assert.equal(d.driver.procs[0]!.rxQuotaDrops, 0, 'its windows closed: nothing had to be dropped');
    const after = await server.kill(0);
    assert.equal(after.driver.procs[0]!.rxLent, 0, 'the dead process\'s received frames are back');
    assert.equal(after.driver.procs[0]!.txLent, 0);
    assert.equal(after.framesLent, after.driver.procs[1]!.rxLent + after.driver.procs[1]!.txLent);
  } finally {
    await p.close();
  }
});

test('zero copy: a process that crashes while holding frames is detached and gives them back; the other finishes', async () => {
  const flows = 8;
  const bytes = 4 * MiB;
  const p = await startPair(2,
    { module: APP_MODULE, factory: 'bulkServer', options: { port: PORT, zeroCopy: true, hoardProc: 0, crashProc: 0, crashAfter: MiB } },
    { module: APP_MODULE, factory: 'bulkClient', options: { address: SERVER_ADDR, ports: [PORT], flows, bytesPerFlow: bytes } });
  const server = p.server as ChannelHost;
  try {
    assert.ok(await until(async () => server.procs[0]!.isGone, 30_000), 'process 0 crashed');
    assert.match(String(server.procs[0]!.error?.message), /crashes/);
    assert.ok(await until(async () => (await server.driverStats()).driver.procs[0]!.alive === false, 10_000), 'the driver detached it');
    const d = await server.driverStats();
    assert.equal(d.driver.procs[0]!.rxLent, 0, 'every frame it held is back');
    assert.equal(d.driver.procs[0]!.txLent, 0);
    const ok = await until(async () => {
      const s = (await server.procStats())[1];
      return s !== null && s !== undefined && Number(s.app['conns']) > 0 && Number(s.app['done']) === Number(s.app['conns']);
    }, 60_000);
    const s1 = (await server.procStats())[1]!;
    assert.ok(ok, `process 1 finished: ${JSON.stringify(s1.app)}`);
    assert.equal(s1.app['errors'], 0);
    assert.equal(Number(s1.app['bytes']), Number(s1.app['conns']) * bytes);
  } finally {
    await p.close();
  }
});
