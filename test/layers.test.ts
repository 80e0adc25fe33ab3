// The layering rule of ARCHITECTURE.md, checked: imports point down only, and wire, storage
// and channel import nothing else from the project (src/time.ts and src/errno.ts are shared
// by every layer).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS = ['wire', 'storage', 'channel', 'link', 'iface', 'transport', 'posix', 'aio', 'hooks', 'runtime', 'adapters', 'gateway', 'packetdrill', 'cli'] as const;
/** Layers that may import no other layer at all. */
const LEAVES = new Set(['wire', 'storage', 'channel']);

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/layers.test.js; the sources live at <repo>/src.
const srcRoot = resolve(here, '..', '..', 'src');

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Top-level files every layer may import. */
const SHARED = new Set(['time.js', 'time.ts', 'errno.js', 'errno.ts']);

/** Return the layer of a path under src/, or null for top-level files (time.ts, errno.ts, index.ts). */
function layerOf(file: string): string | null {
  const rel = relative(srcRoot, file).split(/[\\/]/);
  return rel.length > 1 ? rel[0]! : null;
}

test('imports point down the layer stack only', () => {
  const violations: string[] = [];
  const importRe = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const file of walk(srcRoot, [])) {
    const from = layerOf(file);
    if (from === null) continue;
    const fromRank = LAYERS.indexOf(from as (typeof LAYERS)[number]);
    assert.ok(fromRank >= 0, `unknown layer folder src/${from}`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(srcRoot)) continue; // tests importing test helpers, etc.
      const to = layerOf(target);
      if (to === null) {
        const top = relative(srcRoot, target);
        if (!SHARED.has(top)) violations.push(`${relative(srcRoot, file)} imports src/${top}`);
        continue;
      }
      if (to === from) continue;
      const toRank = LAYERS.indexOf(to as (typeof LAYERS)[number]);
      if (LEAVES.has(from) || toRank > fromRank) violations.push(`${relative(srcRoot, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});
