// The vendored packetdrill corpus (google/packetdrill's gtests/net/tcp, GPL-2.0, see
// LICENSE here) and the outcome expected of each script (expectations.txt: one line per
// script, `path result reason`). Shared by the corpus test and the updater.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** test/packetdrill in the source tree (this file runs from dist/test/packetdrill). */
export const CORPUS_DIR = resolve(here, '..', '..', '..', 'test', 'packetdrill');
export const SCRIPTS_DIR = join(CORPUS_DIR, 'net', 'tcp');
export const EXPECTATIONS = join(CORPUS_DIR, 'expectations.txt');

/** Every .pkt under net/tcp, as paths relative to net/tcp, sorted. */
export function corpusScripts(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.pkt')) out.push(relative(SCRIPTS_DIR, p));
    }
  };
  walk(SCRIPTS_DIR);
  return out;
}

/** One expectation. */
export interface Expectation {
  result: string;
  reason: string;
}

/** Read expectations.txt: `path  result  reason` lines; `#` starts a comment. */
export function readExpectations(): Map<string, Expectation> {
  const m = new Map<string, Expectation>();
  for (const line of readFileSync(EXPECTATIONS, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [path, result, ...reason] = line.split(/\s+/);
    m.set(path!, { result: result!, reason: reason.join(' ') });
  }
  return m;
}
