// `netch demo backlog`: the storm's figures follow the personality's rules, and the CLI
// writes one JSON entry per case.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runBacklogStorm, sparkline } from '../src/cli/demo-backlog.js';

test('a storm queues backlog + 1 under linux, and the clamp to 128 under linux-2.6', () => {
  assert.equal(runBacklogStorm('linux', 0, 4).queued, 1);
  const l = runBacklogStorm('linux', 128, 4);
  assert.equal(l.queued, 129);
  assert.ok(l.listenOverflows > 0, 'the clients beyond the queue were dropped');
  assert.ok(l.clientsWaiting > 0, 'and are still retrying');
  const old = runBacklogStorm('linux-2.6', 511, 4);
  assert.equal(old.effectiveBacklog, 128);
  assert.equal(old.queued, 129);
});

test('a storm under freebsd queues 3/2 of the backlog + 1', () => {
  assert.equal(runBacklogStorm('freebsd', 4, 4).queued, 7);
});

test('the CLI writes one JSON entry per personality and backlog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netch-backlog-'));
  try {
    const file = join(dir, 'out.json');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    let code: number;
    try {
      code = await run(['--json', file, '--seconds', '3', '--backlogs', '0,-1,8', '--personalities', 'linux,linux-2.6']);
    } finally {
      process.stdout.write = write;
    }
    assert.equal(code, 0);
    const out = JSON.parse(readFileSync(file, 'utf8')) as { cases: { personality: string; backlog: number; queued: number }[] };
    assert.deepEqual(
      out.cases.map((c) => [c.personality, c.backlog, c.queued]),
      [['linux', 0, 1], ['linux', -1, 4097], ['linux', 8, 9], ['linux-2.6', 0, 1], ['linux-2.6', -1, 129], ['linux-2.6', 8, 9]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad arguments exit 2', async () => {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    assert.equal(await run(['--personalities', 'solaris']), 2);
    assert.equal(await run(['--backlogs', '1,x']), 2);
    assert.equal(await run(['--seconds', '0']), 2);
  } finally {
    process.stderr.write = write;
  }
});

test('sparkline scales to the maximum', () => {
  assert.equal(sparkline([0, 1, 2, 4], 4), ' ▂▄█');
});
