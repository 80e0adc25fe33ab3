// Channel mode end to end: the same apps served in one-thread mode and by 2 process
// threads behind a driver thread; clients on a second host over a shared memory link (one
// thread, and once a channel-mode host too); every byte checked by the apps
// (bench/_channels-app.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSharedMemoryLink } from '../../src/link/memory.js';
import { ChannelHost } from '../../src/runtime/channel-mode/index.js';
import { APP_MODULE, CLIENT_ADDR, CLIENT_MAC, SERVER_ADDR, SERVER_MAC, serverStats, startPair, until } from './harness.js';

const PORT = 5001;
const MiB = 1 << 20;

for (const mode of [1, 2]) {
  const label = mode === 1 ? 'one-thread mode' : `channel mode, ${mode} processes`;

  test(`bulk: 8 flows x 2 MiB into the server, every byte checked (${label})`, async () => {
    const flows = 8;
    const bytes = 2 * MiB;
    const p = await startPair(mode,
      { module: APP_MODULE, factory: 'bulkServer', options: { port: PORT } },
      { module: APP_MODULE, factory: 'bulkClient', options: { address: SERVER_ADDR, ports: [PORT], flows, bytesPerFlow: bytes } });
    try {
      const ok = await until(async () => Number((await p.client.stats()).app['done']) === flows, 30_000);
      const cs = await p.client.stats();
      assert.equal(cs.app['errors'], 0, String(cs.app['firstError']));
      assert.ok(ok, `client finished ${cs.app['done']} of ${flows} flows`);
      let ss = await serverStats(p.server);
      assert.equal(ss.reduce((a, s) => a + Number(s!.app['bytes']), 0), flows * bytes);
      // A second round on the same (warm) threads, as the benchmark runs them (StackApp.control).
      assert.deepEqual(await p.client.appControl({ op: 'again' }), { flows });
      assert.match(String((await p.client.appControl({ op: 'again' }))?.['error']), /still running/);
      assert.match(String((await p.client.appControl({ op: 'jump' }))?.['error']), /unknown op/);
      const again = await until(async () => Number((await p.client.stats()).app['done']) === flows, 30_000);
      assert.ok(again, 'the second round finished');
      ss = await serverStats(p.server);
      const total = ss.reduce((a, s) => a + Number(s!.app['bytes']), 0);
      for (const s of ss) assert.equal(s!.app['errors'], 0, String(s!.app['firstError']));
      assert.equal(total, 2 * flows * bytes);
      // Each thread says how much CPU it used (Linux: /proc/thread-self/schedstat).
      for (const s of ss) assert.ok(s!.loop.cpuMs > 0 && Number.isFinite(s!.loop.cpuMs), `cpuMs ${s!.loop.cpuMs}`);
      if (mode > 1) {
        // SO_REUSEPORT: the connections are spread over both processes, each kept by one.
        for (const s of ss) assert.ok(Number(s!.app['conns']) > 0, 'every process got connections');
        assert.equal(ss.reduce((a, s) => a + Number(s!.app['conns']), 0), 2 * flows);
        const d = await (p.server as ChannelHost).driverStats();
        assert.ok(d.driver.fastFrames > 0);
        assert.equal(d.driver.procs.reduce((a, x) => a + x.rxQuotaDrops, 0), 0);
      }
    } finally {
      await p.close();
    }
  });

  test(`echo: 16 flows x 200 requests of 1000 bytes, replies checked (${label})`, async () => {
    const flows = 16;
    const requests = 200;
    const p = await startPair(mode,
      { module: APP_MODULE, factory: 'echoServer', options: { port: PORT } },
      { module: APP_MODULE, factory: 'rrClient', options: { address: SERVER_ADDR, ports: [PORT], flows, reqSize: 1000, requests, durationMs: 0 } });
    try {
      const ok = await until(async () => Number((await p.client.stats()).app['done']) === flows, 30_000);
      const cs = await p.client.stats();
      assert.equal(cs.app['errors'], 0, String(cs.app['firstError']));
      assert.ok(ok, `client finished ${cs.app['done']} of ${flows} flows`);
      assert.equal(cs.app['requests'], flows * requests);
      const ss = await serverStats(p.server);
      assert.equal(ss.reduce((a, s) => a + Number(s!.app['bytes']), 0), flows * requests * 1000);
    } finally {
      await p.close();
    }
  });
}

test('both ends in channel mode: a client of 2 processes shares out 16 echo flows, each opened once, every reply checked', async () => {
  const flows = 16;
  const requests = 100;
  const [c, s] = createSharedMemoryLink({ mtu: 9000, frames: 1024, checksumOffload: true });
  const tcp = { sendBufSize: 1 << 20, recvBufSize: 1 << 20 };
  const server = ChannelHost.start({ link: s, mac: SERVER_MAC, address: `${SERVER_ADDR}/24`, procs: 2, app: { module: APP_MODULE, factory: 'echoServer', options: { port: PORT } }, tcp });
  await server.ready();
  const client = ChannelHost.start({
    link: c, mac: CLIENT_MAC, address: `${CLIENT_ADDR}/24`, procs: 2, tcp,
    app: { module: APP_MODULE, factory: 'rrClient', options: { address: SERVER_ADDR, ports: [PORT], flows, reqSize: 1000, requests, durationMs: 0 } },
  });
  try {
    const sum = async (key: string): Promise<number> => (await client.procStats()).reduce((a, x) => a + Number(x?.app[key] ?? NaN), 0);
    const ok = await until(async () => (await sum('done')) === flows, 30_000);
    const cs = await client.procStats();
    for (const x of cs) assert.equal(x!.app['errors'], 0, String(x!.app['firstError']));
    assert.ok(ok, `client finished ${await sum('done')} of ${flows} flows`);
    assert.deepEqual(cs.map((x) => x!.app['conns']), [flows / 2, flows / 2], 'each client process opened its half');
    assert.equal(await sum('requests'), flows * requests);
    const ss = await server.procStats();
    assert.equal(ss.reduce((a, x) => a + Number(x!.app['bytes']), 0), flows * requests * 1000);
  } finally {
    await client.close();
    await server.close();
  }
});
