#!/usr/bin/env node
// Run every compiled test file (dist/**/*.test.js) with Node's built-in runner.
// Arguments filter by substring: `npm test -- wire channel` runs only files whose path
// contains "wire" or "channel".
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = walk(dist, [])
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// A hung test fails after this long instead of holding CI until its own clock runs out.
// Generous: interop tests against Linux take about a minute; tests that need longer say so
// with their own { timeout }. `--test-timeout=N` on our command line overrides it.
const TEST_TIMEOUT_MS = 300_000;
// (Node 20.11 and later have the flag; an older Node runs without the limit.)
const [major, minor] = process.versions.node.split('.').map(Number);
const hasFlag = major > 20 || (major === 20 && minor >= 11);
const timeout = !hasFlag || passThrough.some((a) => a.startsWith('--test-timeout')) ? [] : [`--test-timeout=${TEST_TIMEOUT_MS}`];
const r = spawnSync(process.execPath, ['--test', ...timeout, ...passThrough, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
