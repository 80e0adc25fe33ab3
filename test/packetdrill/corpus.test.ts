// The packetdrill corpus against our stack: every script's outcome must be the one
// expectations.txt records. A regression (pass -> fail) and a new pass both fail the test,
// so the file always says where we stand; update it with update-expectations.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runScriptFile } from '../../src/packetdrill/runner.js';
import { SCRIPTS_DIR, corpusScripts, readExpectations } from './corpus.js';

test('every corpus script has an expectation, and no expectation names a missing script', () => {
  const scripts = corpusScripts();
  const exp = readExpectations();
  assert.equal(scripts.length, 162, 'the vendored corpus has 162 scripts');
  assert.deepEqual(scripts.filter((s) => !exp.has(s)), []);
  assert.deepEqual([...exp.keys()].filter((s) => !scripts.includes(s)), []);
  for (const [s, e] of exp) {
    assert.ok(['pass', 'fail', 'unsupported'].includes(e.result), `${s}: result ${e.result}`);
    if (e.result !== 'pass') assert.notEqual(e.reason, '', `${s}: a non-pass needs a reason`);
  }
});

test('each corpus script has the outcome expectations.txt records', async () => {
  const exp = readExpectations();
  const diffs: string[] = [];
  for (const s of corpusScripts()) {
    const r = await runScriptFile(join(SCRIPTS_DIR, s));
    const want = exp.get(s)?.result ?? '(none)';
    if (r.result !== want) diffs.push(`${s}: expected ${want}, got ${r.result}${r.line !== null ? ` at line ${r.line}` : ''} ${r.reason}`);
  }
  assert.deepEqual(diffs, [], `outcomes differ from expectations.txt (run update-expectations.js after review):\n${diffs.join('\n')}`);
});
