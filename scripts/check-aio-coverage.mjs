#!/usr/bin/env node
// Check docs/aio.md's coverage table against the AIO tests: every test file of the Open
// POSIX Test Suite for the AIO functions (LTP commit 695827725f4f, 2026-08-20:
// testcases/open_posix_testsuite/conformance/interfaces/{aio_*,lio_listio}) is listed once,
// each with the name of a test in test/aio/*.test.ts that starts with its id ("aio_cancel/5-1:
// ...") or, without one, a reason; and every test named after such an id is listed.
// Exits 1 and names each mismatch. Run by test/aio/coverage.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The suite's test files per interface (the ids are file names without ".c"). */
const OPTS = {
  aio_cancel: ['1-1', '2-1', '2-2', '3-1', '4-1', '5-1', '6-1', '7-1', '8-1', '9-1', '10-1'],
  aio_error: ['1-1', '2-1', '3-1'],
  aio_fsync: ['2-1', '3-1', '4-1', '5-1', '8-1', '8-2', '8-3', '8-4', '9-1', '12-1', '14-1'],
  aio_read: ['1-1', '3-1', '3-2', '4-1', '5-1', '7-1', '8-1', '9-1', '10-1', '11-1', '11-2'],
  aio_return: ['1-1', '2-1', '3-1', '3-2', '4-1'],
  aio_suspend: ['1-1', '3-1', '4-1', '5-1', '9-1'],
  aio_write: ['1-1', '1-2', '2-1', '3-1', '5-1', '6-1', '7-1', '8-1', '8-2', '9-1', '9-2'],
  lio_listio: ['1-1', '2-1', '3-1', '4-1', '5-1', '6-1', '7-1', '8-1', '9-1', '10-1', '12-1', '13-1', '14-1', '15-1', '18-1'],
};

const root = new URL('..', import.meta.url).pathname;
const ID = /^((?:aio_[a-z]+|lio_listio)\/\d+-\d+)(?::|$)/;

/** Return the names of the tests in test/aio/*.test.ts (string literals given to test()). */
function testNames() {
  const names = new Set();
  const dir = join(root, 'test', 'aio');
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.test.ts')) continue;
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/\btest\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)) names.add(m[2].replace(/\\(.)/g, '$1'));
  }
  return names;
}

/** Return the coverage table's rows as { id, test, note } (test null for "—"). */
function tableRows() {
  const doc = readFileSync(join(root, 'docs', 'aio.md'), 'utf8');
  const start = doc.indexOf('## Conformance (Open POSIX Test Suite)');
  if (start < 0) return null;
  const end = doc.indexOf('\n## ', start + 1);
  const rows = [];
  for (const line of doc.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|\s*(?:`([^`]+)`|—)\s*\|(.*)\|\s*$/.exec(line);
    if (m !== null) rows.push({ id: m[1], test: m[2] ?? null, note: m[3].trim() });
  }
  return rows;
}

const problems = [];
const expected = new Set(Object.entries(OPTS).flatMap(([iface, files]) => files.map((f) => `${iface}/${f}`)));
const names = testNames();
const rows = tableRows();
if (rows === null) problems.push('docs/aio.md has no "## Conformance (Open POSIX Test Suite)" section');
const listed = new Map();
for (const row of rows ?? []) {
  if (!expected.has(row.id)) problems.push(`${row.id}: in the table but not a file of the suite`);
  if (listed.has(row.id)) problems.push(`${row.id}: listed twice`);
  listed.set(row.id, row);
  if (row.test === null) {
    if (row.note === '') problems.push(`${row.id}: no test and no reason`);
  } else {
    if (!row.test.startsWith(`${row.id}:`)) problems.push(`${row.id}: the test "${row.test}" is not named after it`);
    if (!names.has(row.test)) problems.push(`${row.id}: no test named "${row.test}" in test/aio`);
  }
}
for (const id of expected) if (!listed.has(id)) problems.push(`${id}: not in the table`);
for (const name of names) {
  const m = ID.exec(name);
  if (m !== null && listed.get(m[1])?.test !== name) problems.push(`test "${name}" is named after ${m[1]} but the table does not list it`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`check-aio-coverage: ${p}`);
  process.exit(1);
}
const tested = [...listed.values()].filter((r) => r.test !== null).length;
console.log(`check-aio-coverage: ${expected.size} files of the suite, ${tested} with a test, ${expected.size - tested} with a reason`);
