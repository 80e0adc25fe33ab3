#!/usr/bin/env node
// A coverage-guided mutation fuzzer for the targets of test/fuzz/targets.ts, in plain Node:
// coverage comes from V8's precise block coverage (node:inspector's Profiler), so it needs
// no native addon. (Jazzer.js was the first choice: 4.0.0's prebuilt libFuzzer needs glibc
// 2.38, this Debian 12 has 2.36; 2.1.0 downloads its binary from GitHub at install, which is
// unreachable here. See docs/packetdrill.md, "Fuzzing".)
//
//   npm run fuzz -- TARGET [--runs N] [--seconds S] [--seed N] [--no-coverage]
//   npm run fuzz -- all --seconds 5          # every target, briefly
//
// An input that adds a covered block of the project's code (dist/src) joins the corpus;
// inputs are mutations (bit flips, byte sets, interesting values, inserts, deletions,
// chunk copies, splices) of corpus entries. A throw is a crash: the input is written to
// test/fuzz/crashes/TARGET-<sha1>.bin (fuzz.test.ts replays every file there) and the run
// exits 1. Prints executions, corpus size and covered blocks.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const which = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'all';
const runs = Number(opt('runs', 'Infinity'));
const seconds = Number(opt('seconds', which === 'all' ? '5' : 'Infinity'));
let seed = Number(opt('seed', '1')) >>> 0;
const coverage = !args.includes('--no-coverage');

const { TARGETS, loadSeeds } = await import(join(root, 'dist/test/fuzz/targets.js'));
await loadSeeds();
const names = which === 'all' ? Object.keys(TARGETS) : [which];
for (const n of names) if (!(n in TARGETS)) {
  console.error(`fuzz: unknown target ${n}; targets: ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}

function rand() {
  // xorshift32
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
const pick = (n) => rand() % n;
const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x40, 0x10, 0x20, 0x08, 0x45, 0x06, 0x11, 0x12, 0x14, 0x02];

function mutate(src, corpus) {
  let b = Uint8Array.from(src);
  const n = 1 + pick(4);
  for (let k = 0; k < n; k++) {
    const len = b.length;
    switch (pick(9)) {
      case 0: if (len) b[pick(len)] ^= 1 << pick(8); break;
      case 1: if (len) b[pick(len)] = pick(256); break;
      case 2: if (len) b[pick(len)] = INTERESTING[pick(INTERESTING.length)]; break;
      case 3: { // insert bytes
        const at = pick(len + 1); const m = 1 + pick(16);
        const out = new Uint8Array(len + m); out.set(b.subarray(0, at)); for (let i = 0; i < m; i++) out[at + i] = pick(256); out.set(b.subarray(at), at + m); b = out; break;
      }
      case 4: { // delete bytes
        if (!len) break; const at = pick(len); const m = 1 + pick(Math.min(16, len - at));
        const out = new Uint8Array(len - m); out.set(b.subarray(0, at)); out.set(b.subarray(at + m), at); b = out; break;
      }
      case 5: { // copy a chunk within
        if (len < 2) break; const from = pick(len); const to = pick(len); const m = 1 + pick(Math.min(32, len - Math.max(from, to)));
        b.copyWithin(to, from, from + m); break;
      }
      case 6: { // splice with another entry
        const o = corpus[pick(corpus.length)]; const at = pick(len + 1); const from = pick(o.length + 1);
        const out = new Uint8Array(at + (o.length - from)); out.set(b.subarray(0, at)); out.set(o.subarray(from), at); b = out; break;
      }
      case 7: if (len >= 2) { const at = pick(len - 1); const v = [0, 0xffff, 0x8000, 0x7fff, 1, 1500, 65535][pick(7)]; b[at] = v >> 8; b[at + 1] = v & 255; } break;
      case 8: if (len > 1) b = b.subarray(0, pick(len)); break;
    }
  }
  return b.length > 4096 ? b.subarray(0, 4096) : b;
}

const session = new inspector.Session();
session.connect();
const post = (method, params = {}) => {
  let out;
  session.post(method, params, (err, res) => {
    if (err) throw err;
    out = res;
  });
  return out;
};
if (coverage) {
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
}
const seen = new Set();
/** Take the coverage since the last call; return how many new blocks of dist/src it shows. */
function newBlocks() {
  if (!coverage) return 0;
  const r = post('Profiler.takePreciseCoverage');
  let fresh = 0;
  for (const s of r.result) {
    if (!s.url.includes('/dist/src/')) continue;
    for (const f of s.functions) for (const rg of f.ranges) {
      if (rg.count === 0) continue;
      const key = `${s.scriptId}:${rg.startOffset}:${rg.endOffset}`;
      if (!seen.has(key)) { seen.add(key); fresh++; }
    }
  }
  return fresh;
}

let failed = false;
for (const name of names) {
  const target = TARGETS[name];
  const corpus = target.seeds().map((s) => Uint8Array.from(s));
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  seen.clear();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let execs = 0;
  const runOne = (input) => {
    try {
      target.run(input);
    } catch (e) {
      const hash = createHash('sha1').update(input).digest('hex').slice(0, 16);
      const dir = join(root, 'test/fuzz/crashes');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name}-${hash}.bin`);
      writeFileSync(file, input);
      console.error(`fuzz ${name}: crash after ${execs} executions, input saved to ${file}\n${e?.stack ?? e}`);
      failed = true;
      return false;
    }
    return true;
  };
  for (const s of corpus) { if (!runOne(s)) break; execs++; }
  newBlocks();
  while (!failed && execs < runs && performance.now() < end) {
    const input = mutate(corpus[pick(corpus.length)], corpus);
    if (!runOne(input)) break;
    execs++;
    if (newBlocks() > 0) corpus.push(input);
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(`fuzz ${name}: ${execs} executions in ${secs.toFixed(1)} s (${Math.round(execs / secs)}/s), corpus ${corpus.length}, ${seen.size} blocks covered, ${failed ? 'CRASH' : '0 crashes'}`);
  if (failed) break;
}
process.exit(failed ? 1 : 0);
