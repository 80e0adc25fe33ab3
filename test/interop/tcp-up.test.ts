// `netch up` with its TCP services, as a user runs it: a child process started with
// --netns serves curl (GET /, GET /bytes/N), TCP echo and discard to the kernel in the
// namespace, and prints the TCP counters when stopped with SIGTERM; once plainly, once with
// --offload (IFF_VNET_HDR: the 1 MB body goes out as TSO super-segments); and once with our
// fault injector on the link (--loss --delay --reorder: no sch_netem needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { bytesPattern } from '../../src/cli/services/index.js';
import { benchSkipReason, netnsExists, run, toolSkipReason, uniqueNetnsName, waitFor } from './bench.js';
import { skipOrFail } from '../require-all.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

for (const offload of [false, true]) {
test(`netch up --netns${offload ? ' --offload' : ''} serves HTTP, TCP echo and discard to the kernel; SIGTERM prints the TCP counters`, async (t) => {
  const why = benchSkipReason() ?? toolSkipReason('curl', 'socat', 'sha256sum');
  if (why !== null) return skipOrFail(t, why);
  const ns = uniqueNetnsName();
  t.after(() => {
    if (netnsExists(ns)) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  });
  const child = spawn(process.execPath, [MAIN, 'up', '--netns', ns, '--every', '0', ...(offload ? ['--offload'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  assert.ok(await waitFor(() => out.includes('ready (') || child.exitCode !== null, 15_000), `netch up did not start:\n${out}`);
  assert.match(out, /TCP: echo on 7, discard on 9, HTTP on 80/);
  if (offload) assert.match(out, /offloads on/);

  const exec = (cmd: string[], timeoutMs = 20_000) => run('ip', ['netns', 'exec', ns, ...cmd], { check: true, timeoutMs });
  const index = await exec(['curl', '-sS', '--max-time', '10', 'http://192.0.2.2/']);
  assert.match(index.stdout, /^netchannels/);
  const n = 1_000_000;
  const body = await exec(['sh', '-c', `curl -sS --max-time 20 http://192.0.2.2/bytes/${n} | sha256sum`]);
  assert.equal(body.stdout.split(' ')[0], createHash('sha256').update(bytesPattern(n)).digest('hex'));
  const echo = await exec(['socat', '-t', '5', '-', 'TCP:192.0.2.2:7'], 20_000);
  assert.equal(echo.stdout, '');
  const echo2 = await run('ip', ['netns', 'exec', ns, 'socat', '-t', '5', '-', 'TCP:192.0.2.2:7'], { input: 'over TCP\n', check: true });
  assert.equal(echo2.stdout, 'over TCP\n');
  await run('ip', ['netns', 'exec', ns, 'socat', '-u', '-', 'TCP:192.0.2.2:9'], { input: 'x'.repeat(10_000), check: true });

  child.kill('SIGTERM');
  const [code] = await Promise.race([exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit after SIGTERM:\n${out}`)), 10_000).unref())]);
  assert.equal(code, 0, out);
  assert.equal(netnsExists(ns), false);
  assert.match(out, /^tcp: +ActiveOpens 0 PassiveOpens 5 /m);
  assert.match(out, /tcp echo :7: accepted 2 active 0 errors 0 in 9 out 9 bytes/);
  assert.match(out, /tcp discard :9: accepted 1 active 0 errors 0 in 10000 out 0 bytes/);
  assert.match(out, /http requests 2 \(200:2\)/);
});
}

test('netch up --netns --loss 2% --delay 5:2 --reorder 5%: Linux fetches 4 MB through our fault injector intact, and we retransmit', async (t) => {
  const why = benchSkipReason() ?? toolSkipReason('curl', 'sha256sum');
  if (why !== null) return skipOrFail(t, why);
  const ns = uniqueNetnsName();
  t.after(() => {
    if (netnsExists(ns)) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  });
  const child = spawn(process.execPath, [MAIN, 'up', '--netns', ns, '--every', '0', '--loss', '2%', '--delay', '5:2', '--reorder', '5%'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  assert.ok(await waitFor(() => out.includes('ready (') || child.exitCode !== null, 15_000), `netch up did not start:\n${out}`);
  assert.match(out, /faults each way \(our injector\): loss 2%, delay 5±2 ms, reorder 5% \(\+5 ms\)/);
  const n = 4_000_000;
  const body = await run('ip', ['netns', 'exec', ns, 'sh', '-c', `curl -sS --max-time 60 http://192.0.2.2/bytes/${n} | sha256sum`], { check: true, timeoutMs: 90_000 });
  assert.equal(body.stdout.split(' ')[0], createHash('sha256').update(bytesPattern(n)).digest('hex'));
  child.kill('SIGTERM');
  const [code] = await Promise.race([exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit after SIGTERM:\n${out}`)), 10_000).unref())]);
  assert.equal(code, 0, out);
  const retrans = Number(/RetransSegs (\d+)/.exec(out)?.[1]);
  assert.ok(retrans > 0, `we retransmitted what our injector dropped (RetransSegs ${retrans}):\n${out}`);
});
