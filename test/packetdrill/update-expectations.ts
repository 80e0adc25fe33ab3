// Rewrite expectations.txt from a run of the whole corpus:
//   npx tsc -p tsconfig.json && node dist/test/packetdrill/update-expectations.js
// Review the diff: a new pass is progress, a new fail or unsupported is a regression.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScriptFile } from '../../src/packetdrill/runner.js';
import { EXPECTATIONS, SCRIPTS_DIR, corpusScripts } from './corpus.js';

const lines = [
  '# Outcome of each script of the vendored packetdrill corpus (net/tcp) on our stack.',
  '# path  result  reason (the first non-pass: the script line and what differed or is missing)',
];
for (const s of corpusScripts()) {
  const r = await runScriptFile(join(SCRIPTS_DIR, s));
  const reason = r.result === 'pass' ? '' : `line ${r.line ?? '?'}: ${r.reason.replace(/\s+/g, ' ').slice(0, 200)}`;
  lines.push(`${s}  ${r.result}${reason !== '' ? `  ${reason}` : ''}`);
}
writeFileSync(EXPECTATIONS, lines.join('\n') + '\n');
process.stdout.write(`wrote ${lines.length - 2} expectations to ${EXPECTATIONS}\n`);
