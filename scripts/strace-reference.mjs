#!/usr/bin/env node
// Regenerate the strace reference of src/hooks/format.test.ts: compile
// test/hooks/fixtures/strace-calls.c, run it under the machine's strace (Debian's, 6.1 when
// the reference was taken) in the ways the tracer imitates, and print what strace wrote,
// with what differs from run to run made stable: pids become 1, 2, ... in order of
// appearance (lines re-padded to strace's column 40 for the shorter prefix), ports other
// than 0 and 9 become 40000, 40001, ... in order of appearance, pointers 0x7f... stay (the
// test compares them as "0x..."), times and ephemeral bytes stay (the test matches them by
// shape).
//
//   node scripts/strace-reference.mjs          the reference, by section, as text
//   node scripts/strace-reference.mjs --json   { strace, sections: { name: lines[] }, tcpInfo: bytes[] }
//
// Needs strace, allowed to trace, and a C compiler (cc, or $CC); exits 77 with the reason
// when one is missing (the test skips on that, or fails under NETCH_REQUIRE_ALL=1).
// Traffic: 127.0.0.1 and one abstract Unix name only.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'test/hooks/fixtures/strace-calls.c');
/** strace's column for " = " (its -a 40). */
const COLUMN = 40;

/** Return the first of `cmds` found on PATH, or null. */
function which(...cmds) {
  for (const c of cmds) {
    if (c === undefined || c === '') continue;
    if (spawnSync('sh', ['-c', `command -v "${c}"`], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}

/** Return why the reference cannot be made here (a missing tool), or null. */
export function missingTool() {
  if (process.platform !== 'linux') return 'strace runs on Linux only';
  if (which('strace') === null) return 'strace is not installed (apt-get install strace)';
  if (which(process.env.CC, 'cc', 'gcc', 'clang') === null) return 'no C compiler (cc, gcc or clang; or set CC)';
  // A container without ptrace (seccomp, a Yama setting) has strace but cannot trace.
  const probe = spawnSync('strace', ['-o', '/dev/null', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) return `strace cannot trace here: ${(probe.stderr ?? '').split('\n')[0] || `exit ${probe.status}`}`;
  return null;
}

/** Make stable what changes between runs: pids and ports, as described above. */
function normalizer() {
  const pids = new Map();
  const ports = new Map();
  const pid = (p) => {
    if (!pids.has(p)) pids.set(p, String(pids.size + 1));
    return pids.get(p);
  };
  return (line) => {
    let out = line.replace(/htons\((\d+)\)/g, (m, p) => {
      if (p === '0' || p === '9' || p === '80') return m;
      if (!ports.has(p)) ports.set(p, String(40000 + ports.size));
      return `htons(${ports.get(p)})`;
    });
    out = out.replace(/si_pid=(\d+)/, (_m, p) => `si_pid=${pid(p)}`);
    let prefix = '';
    let m = /^\[pid +(\d+)\] /.exec(out);
    if (m !== null) {
      prefix = `[pid ${pid(m[1]).padStart(5)}] `;
      out = out.slice(m[0].length);
    } else if ((m = /^(\d+) +/.exec(out)) !== null) {
      prefix = `${pid(m[1]).padEnd(5)} `;
      out = out.slice(m[0].length);
    }
    // Re-pad " = " to column 40 for the new prefix (a padded line has 2+ spaces before "= ", or one at the column).
    const r = /^(.*?\)) +(= .*)$/.exec(out);
    if (r !== null && !out.startsWith('---') && !out.startsWith('+++')) {
      const head = `${prefix}${r[1]} `;
      return `${head.length < COLUMN ? head.padEnd(COLUMN) : head}${r[2]}`;
    }
    return prefix + out;
  };
}

/** Run `strace args...` and return [its trace lines, the program's stdout]. */
function strace(dir, name, args, toStderr = false) {
  const out = join(dir, `${name}.trace`);
  const argv = toStderr ? args : ['-o', out, ...args];
  const r = spawnSync('strace', argv, { encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined) throw r.error;
  const text = toStderr ? r.stderr : readFileSync(out, 'utf8');
  return [text.split('\n').filter((l) => l !== ''), r.stdout];
}

/** Compile the program, run it under strace, return the sections and the TCP_INFO bytes. */
export function makeReference() {
  const why = missingTool();
  if (why !== null) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'netch-strace-'));
  try {
    const prog = join(dir, 'strace-calls');
    const cc = which(process.env.CC, 'cc', 'gcc', 'clang');
    const c = spawnSync(cc, ['-O0', '-pthread', '-o', prog, SOURCE], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`${cc} ${SOURCE}: ${c.stderr}`);
    const version = /version (\S+)/.exec(spawnSync('strace', ['-V'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
    const traced = '%network,poll,epoll_wait,epoll_ctl,epoll_create1,fcntl';
    const sections = {};
    const norm = () => normalizer();
    const [calls, stdout] = strace(dir, 'calls', ['-e', `trace=${traced}`, prog, 'calls']);
    sections.calls = calls.map(norm());
    const tcpInfo = (/^tcp_info (.*)$/m.exec(stdout)?.[1] ?? '').split(' ').filter((x) => x !== '').map(Number);
    // strace -f -o FILE: "PID  " prefixes; strace -f to stderr: "[pid N] " while two run.
    sections['split -f -o'] = strace(dir, 'split-o', ['-f', '-e', 'trace=%network', prog, 'split'])[0].map(norm());
    sections['split -f'] = strace(dir, 'split', ['-f', '-e', 'trace=%network', prog, 'split'], true)[0]
      .filter((l) => !l.startsWith('strace: '))
      .map(norm());
    sections['-t -r'] = strace(dir, 'tr', ['-t', '-r', '-e', 'trace=listen,accept4', prog, 'split'])[0].map(norm());
    sections['-c'] = strace(dir, 'c', ['-c', '-e', 'trace=%network', prog, 'calls'])[0];
    return { strace: version, sections, tcpInfo };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const why = missingTool();
  if (why !== null) {
    process.stderr.write(`strace-reference: ${why}\n`);
    process.exit(77);
  }
  const ref = makeReference();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(ref, null, 1) + '\n');
  } else {
    process.stdout.write(`# strace ${ref.strace}\n`);
    for (const [name, lines] of Object.entries(ref.sections)) process.stdout.write(`\n## ${name}\n${lines.join('\n')}\n`);
    process.stdout.write(`\n## tcp_info bytes\n${ref.tcpInfo.join(' ')}\n`);
  }
}
