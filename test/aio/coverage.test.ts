// docs/aio.md's table of the Open POSIX Test Suite's AIO files agrees with the tests named
// after them (scripts/check-aio-coverage.mjs does the checking; this runs it with the suite).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('every Open POSIX Test Suite AIO file is in docs/aio.md with its test or a reason, and every test named after one is listed', () => {
  // From dist/test/aio/ (compiled) up to the repository root.
  const script = fileURLToPath(new URL('../../../scripts/check-aio-coverage.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /72 files of the suite/);
});
