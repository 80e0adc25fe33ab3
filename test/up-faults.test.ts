// `netch up --loss --delay --reorder --duplicate --corrupt --rate`: our fault injector on
// the host's link, both ways. The flags' parser, and a transfer through a forward on the
// memory network under loss that arrives intact after retransmissions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { describeLinkFaults, parseLinkFaults } from '../src/cli/link-faults.js';
import { bytesPattern } from '../src/cli/services/index.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

test('parseLinkFaults: probabilities or percentages, MS[:JITTER], Mbit/s; bad values say which flag', () => {
  assert.equal(parseLinkFaults({}), null);
  assert.deepEqual(parseLinkFaults({ loss: '2%', delay: '10:3', reorder: '0.25', duplicate: '0.01', corrupt: '1%', rate: '100' }), {
    loss: 0.02, delay: 10, jitter: 3, reorder: 0.25, reorderDelay: 10, duplicate: 0.01, corrupt: 0.01, rateBps: 100e6,
  });
  assert.deepEqual(parseLinkFaults({ reorder: '10%' }), { reorder: 0.1, reorderDelay: 1 });
  for (const [k, v] of [['loss', '2'], ['loss', '-0.1'], ['loss', ''], ['delay', '5:9'], ['delay', 'x'], ['rate', '0'], ['corrupt', '150%']] as const) {
    const r = parseLinkFaults({ [k]: v });
    assert.equal(typeof r, 'string', `${k} ${v}`);
    assert.match(r as string, new RegExp(`^--${k} `));
  }
  assert.equal(describeLinkFaults({ loss: 0.02, delay: 10, jitter: 3 }), 'loss 2%, delay 10±3 ms');
});

test('netch up refuses a bad --loss with exit code 2', () => {
  const r = spawnSync(process.execPath, [MAIN, 'up', '--loss', '3'], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--loss 3: expected a probability/);
});

test('netch up --loss 3% --delay 2:1 --reorder 5%: a 2 MB body through a forward arrives intact, with retransmissions', async (t) => {
  const child = spawn(process.execPath, [MAIN, 'up', '--every', '0', '--loss', '3%', '--delay', '2:1', '--reorder', '5%', '--forward', 'tcp:127.0.0.1:0-192.0.2.2:80'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit');
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  for (let i = 0; i < 750 && !out.includes('ready (') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(out, /ready \(/, out);
  assert.match(out, /faults each way \(our injector\): loss 3%, delay 2±1 ms, reorder 5% \(\+2 ms\)/);
  const port = Number(/forwarding tcp:127\.0\.0\.1:(\d+)-192\.0\.2\.2:80/.exec(out)?.[1]);
  assert.ok(port > 0, out);
  const N = 2_000_000;
  const digest = await new Promise<string>((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}/bytes/${N}`, { agent: false }, (res) => {
      const h = createHash('sha256');
      res.on('data', (d: Buffer) => h.update(d));
      res.on('end', () => resolve(h.digest('hex')));
      res.on('error', reject);
    }).on('error', reject);
  });
  assert.equal(digest, createHash('sha256').update(bytesPattern(N)).digest('hex'));
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, out);
  const retrans = Number(/RetransSegs (\d+)/.exec(out)?.[1]);
  assert.ok(retrans > 0, `our host retransmitted under loss (RetransSegs ${retrans}):\n${out}`);
});
