// Short fuzz runs of every target (seconds; `npm run fuzz -- TARGET --runs N` for long
// ones), and every crash input ever found (test/fuzz/crashes/TARGET-*.bin) replayed as a
// regression test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS, hostStats, loadSeeds } from './targets.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const crashes = join(root, 'test', 'fuzz', 'crashes');

test('every seed input, and every crash input saved under test/fuzz/crashes, runs without breaking an invariant', async () => {
  await loadSeeds();
  for (const [name, t] of Object.entries(TARGETS)) {
    const seeds = t.seeds();
    assert.ok(seeds.length > 0, `${name} has seeds`);
    for (const s of seeds) t.run(s);
  }
  const files = existsSync(crashes) ? readdirSync(crashes).filter((f) => f.endsWith('.bin')) : [];
  for (const f of files) {
    const name = f.slice(0, f.indexOf('-'));
    const t = TARGETS[name];
    assert.ok(t !== undefined, `${f}: no target ${name}`);
    t.run(new Uint8Array(readFileSync(join(crashes, f))));
  }
});

test('the host target exercises its live connection: bytes checked intact after a few hundred frames', () => {
  const host = TARGETS['host']!;
  for (let i = 0; i < 400; i++) host.run(Uint8Array.from({ length: 60 + (i % 100) }, (_, k) => (i * 31 + k * 7) & 0xff));
  const s = hostStats();
  assert.ok(s.connections >= 1 && s.checkedBytes > 10_000, JSON.stringify(s));
});

for (const name of Object.keys(TARGETS)) {
  test(`fuzz ${name} briefly (scripts/fuzz.mjs --seconds 2): no crash`, () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'fuzz.mjs'), name, '--seconds', '2', '--seed', String(Date.now() & 0xffff)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`fuzz ${name}: \\d+ executions .* 0 crashes`));
  });
}
