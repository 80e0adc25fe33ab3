// The bench cleans up after itself: when a test fails, and after a crashed run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchSkipReason, cleanStaleNamespaces, netnsExists, openBench, run, HOST_ADDR } from './bench.js';
import { skipOrFail } from '../require-all.js';

test('a failing test still removes its namespace, device, capture and children', (t) => {
  const why = benchSkipReason();
  if (why !== null) return skipOrFail(t, why);
  const fixture = fileURLToPath(new URL('./_failing-fixture.js', import.meta.url));
  // NODE_TEST_CONTEXT would make the child report to us in the runner's internal format.
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', fixture], { encoding: 'utf8', timeout: 60_000, env });
  const m = /NETNS (netch-\d+-\d+)/.exec(r.stdout);
  assert.ok(m, `the fixture did not open a bench:\n${r.stdout}\n${r.stderr}`);
  assert.notEqual(r.status, 0, 'the fixture fails');
  assert.match(r.stdout, /on purpose/);
  assert.equal(netnsExists(m[1]!), false, `${m[1]} was left behind`);
});

test('namespaces left by a crashed run (dead pid) are removed; live ones are kept', async (t) => {
  const why = benchSkipReason();
  if (why !== null) return skipOrFail(t, why);
  // A pid that no process has: probe downward from the top of the pid space.
  let dead = 4_194_000;
  for (; dead > 1000; dead--) {
    try {
      process.kill(dead, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') break;
    }
  }
  const stale = `netch-${dead}-1`;
  const live = `netch-${process.pid}-9999`;
  await run('ip', ['netns', 'add', stale], { check: true });
  await run('ip', ['netns', 'add', live], { check: true });
  t.after(() => {
    for (const ns of [stale, live]) if (netnsExists(ns)) spawnSync('ip', ['netns', 'del', ns]);
  });
  const removed = cleanStaleNamespaces();
  assert.ok(removed.includes(stale));
  assert.equal(netnsExists(stale), false);
  assert.equal(netnsExists(live), true);
});

test('commands run inside the namespace see only the bench device and its address', async (t) => {
  const bench = await openBench(t);
  if (bench === null) return;
  const r = await bench.exec(['ip', '-br', '-4', 'addr'], { check: true });
  assert.match(r.stdout, new RegExp(`${bench.ifname}\\s+UNKNOWN\\s+192\\.0\\.2\\.1/24|${bench.ifname}\\s+UP\\s+192\\.0\\.2\\.1/24`));
  assert.doesNotMatch(r.stdout, /eth0/);
  // A command that outlives its timeout is killed, and the result says so.
  const slow = await bench.exec(['sleep', '5'], { timeoutMs: 200 });
  assert.equal(slow.signal, 'SIGKILL');
  // Nobody answers for our address until a host runs: the kernel's ARP fails.
  const unanswered = await bench.ping(HOST_ADDR, 1, 56, 300);
  assert.deepEqual(unanswered.received, []);
});
