#!/usr/bin/env node
// `npm run bench -- <suite> [--json FILE] [suite options]`: run dist/bench/<suite>.js.
// `npm run bench -- all [--json DIR] [suite options]`: every suite in turn, each writing
// DIR/<suite>.json (the machine, Node and kernel versions, commit and date are in each).
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
/** Node flags a suite needs: scale and soak measure the heap after a full GC. */
const NODE_FLAGS = { scale: ['--expose-gc', '--max-old-space-size=4096'], soak: ['--expose-gc'] };
const benchDir = join(root, 'dist', 'bench');
const [suite, ...rest] = process.argv.slice(2);
const available = existsSync(benchDir)
  ? readdirSync(benchDir).filter((f) => f.endsWith('.js') && !f.startsWith('_')).map((f) => f.slice(0, -3))
  : [];
if (suite === 'all') {
  const i = rest.findIndex((a) => a === '--json' || a.startsWith('--json='));
  let dir = null;
  if (i >= 0) {
    dir = rest[i].startsWith('--json=') ? rest[i].slice('--json='.length) : rest[i + 1];
    if (!dir) {
      console.error('bench all: --json needs a directory');
      process.exit(2);
    }
    rest.splice(i, rest[i].startsWith('--json=') ? 1 : 2);
    mkdirSync(dir, { recursive: true });
  }
  let failed = 0;
  for (const s of available) {
    console.log(`\n== ${s} ==`);
    const args = dir === null ? rest : [...rest, '--json', join(dir, `${s}.json`)];
    const r = spawnSync(process.execPath, [...(NODE_FLAGS[s] ?? []), join(benchDir, `${s}.js`), ...args], { stdio: 'inherit' });
    if (r.status !== 0) {
      failed++;
      console.error(`bench all: ${s} exited with ${r.status ?? r.signal}`);
    }
  }
  process.exit(failed > 0 ? 1 : 0);
}
if (!suite || !available.includes(suite)) {
  console.error(`usage: npm run bench -- <suite> [--json FILE] | all [--json DIR]\nsuites: ${available.join(', ') || '(none built)'}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [...(NODE_FLAGS[suite] ?? []), join(benchDir, `${suite}.js`), ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
