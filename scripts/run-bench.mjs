#!/usr/bin/env node
// `npm run bench -- <suite> [--json FILE] [suite options]`: run dist/bench/<suite>.js.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'dist', 'bench');
const [suite, ...rest] = process.argv.slice(2);
const available = existsSync(benchDir)
  ? readdirSync(benchDir).filter((f) => f.endsWith('.js') && !f.startsWith('_')).map((f) => f.slice(0, -3))
  : [];
if (!suite || !available.includes(suite)) {
  console.error(`usage: npm run bench -- <suite> [--json FILE]\nsuites: ${available.join(', ') || '(none built)'}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [join(benchDir, `${suite}.js`), ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
