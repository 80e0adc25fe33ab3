import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as wire from './index.js';

const srcDir = new URL('../../../src/wire/', import.meta.url);
const modules = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts');

test('index re-exports every export of every wire module', async () => {
  for (const f of modules) {
    const mod = (await import(`./${f.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
    for (const name of Object.keys(mod)) {
      assert.equal((wire as Record<string, unknown>)[name], mod[name], `${f}: ${name}`);
    }
  }
});

test('wire imports nothing outside wire, and nothing from Node', () => {
  const dirs = [srcDir, new URL('fixtures/', srcDir)];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      for (const m of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
        assert.match(m[1]!, /^\.\/[a-z0-9-]+\.js$/, `${f} imports ${m[1]}`);
      }
    }
  }
});

test('parse and emit paths contain no allocation syntax', () => {
  // A cheap guard for the rule "no new, closure, subarray or template string per packet":
  // inside each parse*Into / emit* / *BufferLen function body, none of those appear.
  for (const f of modules) {
    const text = readFileSync(new URL(f, srcDir), 'utf8');
    const re = /export function ((?:parse\w+Into|parseTcpOptions|emit\w+|\w+BufferLen|tcpOptionsLen)\([^]*?\n)\}\n/g;
    for (const m of text.matchAll(re)) {
      assert.doesNotMatch(m[1]!, /\bnew\b|=>|\bfunction\b|subarray|slice\(|`/, `${f}: ${m[1]!.slice(0, 40)}`);
    }
  }
});
