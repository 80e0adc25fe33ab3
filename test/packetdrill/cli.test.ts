// `netch packetdrill`: one line per script, --json, and the exit status (0 only when every
// script passed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPTS_DIR } from './corpus.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const PASS = join(SCRIPTS_DIR, 'close', 'close-on-syn-sent.pkt');
const UNSUPPORTED = join(SCRIPTS_DIR, 'zerocopy', 'basic.pkt');

test('netch packetdrill: a passing script exits 0; with an unsupported one it exits 1, and --json records both', (t) => {
  const ok = spawnSync(process.execPath, [MAIN, 'packetdrill', PASS], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^pass +\S+close-on-syn-sent\.pkt$/m);
  const dir = mkdtempSync(join(tmpdir(), 'netch-pd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const json = join(dir, 'out.json');
  const both = spawnSync(process.execPath, [MAIN, 'packetdrill', '--json', json, PASS, UNSUPPORTED], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(both.status, 1, both.stdout + both.stderr);
  assert.match(both.stdout, /^unsupported +\S+basic\.pkt:\d+ +constant SO_ZEROCOPY$/m);
  assert.match(both.stdout, /2 scripts: 1 pass, 0 fail, 1 unsupported/);
  const rows = JSON.parse(readFileSync(json, 'utf8')) as { file: string; result: string; line: number | null; reason: string }[];
  assert.deepEqual(rows.map((r) => r.result), ['pass', 'unsupported']);
  assert.equal(rows[0]!.line, null);
  assert.ok(typeof rows[1]!.line === 'number' && rows[1]!.reason.includes('SO_ZEROCOPY'));
  const none = spawnSync(process.execPath, [MAIN, 'packetdrill'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(none.status, 2);
});
