// Shared helpers of every benchmark suite: argument parsing (`--json FILE`), the median of
// repeated measurements, a worker's next message, the printed table, and the JSON file
//   { "suite", "node", "cpu", "cores", "memoryBytes", "kernel", "commit", "dirty", "date",
//     "results": [{ "name", "value", "unit" }] }
// (the machine, the Node and kernel versions and the git commit, so that a figure a doc
// quotes can name the file it came from and say where and at which code it was measured).
// Every suite measures its comparison in the same run, repeats each measurement and reports
// the median. Files starting with "_" are not suites (scripts/run-bench.mjs skips them).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { Worker } from 'node:worker_threads';

/**
 * Resolve with the worker's next message, or reject with its error; both listeners go once
 * either comes, so a worker asked many times does not pile them up.
 */
export function nextMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T): void => {
      w.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      reject(e);
    };
    w.once('message', onMessage);
    w.once('error', onError);
  });
}

/** One measured figure. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** A ratio printed under the table, with the target it is compared to (reported, not asserted). */
export interface BenchRatio {
  readonly label: string;
  readonly value: number;
  /** How the target reads, e.g. "<= 2". */
  readonly target: string;
  /** Whether the value meets the target. */
  readonly met: boolean;
}

/** The parsed command line of a suite. */
export interface BenchArgs {
  /** Where to write the JSON results, or null. */
  readonly json: string | null;
  /** Every other argument, for the suite's own options. */
  readonly rest: readonly string[];
}

/** Parse `--json FILE` (or `--json=FILE`) out of `argv`; throw on `--json` without a file. */
export function parseBenchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  let json: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      const file = argv[++i];
      if (file === undefined || file.startsWith('--')) throw new Error('--json needs a file name');
      json = file;
    } else if (a.startsWith('--json=')) {
      json = a.slice('--json='.length);
    } else {
      rest.push(a);
    }
  }
  return { json, rest };
}

/** Return the median of `xs` (the mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Run `fn` `warmups` times (results discarded) then `repeats` times; return the median result. */
export async function medianOf(repeats: number, fn: () => number | Promise<number>, warmups = 1): Promise<number> {
  for (let i = 0; i < warmups; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < repeats; i++) xs.push(await fn());
  return median(xs);
}

/**
 * Measure `a` and `b` alternately (a warm-up of each, then `repeats` rounds of a, b) so that
 * both see the same machine conditions; return the two medians.
 */
export async function medianOfPair(
  repeats: number,
  a: () => number | Promise<number>,
  b: () => number | Promise<number>,
): Promise<[number, number]> {
  await a();
  await b();
  const xa: number[] = [];
  const xb: number[] = [];
  for (let i = 0; i < repeats; i++) {
    xa.push(await a());
    xb.push(await b());
  }
  return [median(xa), median(xb)];
}

/** Return the nanoseconds elapsed since `t0` (a performance.now() reading), per `count` operations. */
export function nsPer(t0: number, count: number): number {
  return ((performance.now() - t0) * 1e6) / count;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Return the printed table of a suite's results and ratios. */
export function formatReport(suite: string, results: readonly BenchResult[], ratios: readonly BenchRatio[] = []): string {
  const lines: string[] = [];
  lines.push(`${suite} — node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} (${cpus().length} cpus); medians`);
  const w = Math.max(4, ...results.map((r) => r.name.length));
  lines.push(`${'name'.padEnd(w)}  ${'value'.padStart(10)}  unit`);
  for (const r of results) lines.push(`${r.name.padEnd(w)}  ${fmt(r.value).padStart(10)}  ${r.unit}`);
  if (ratios.length > 0) {
    const lw = Math.max(5, ...ratios.map((r) => r.label.length));
    lines.push('');
    lines.push(`${'ratio'.padEnd(lw)}  ${'value'.padStart(10)}  target`);
    for (const r of ratios) lines.push(`${r.label.padEnd(lw)}  ${(fmt(r.value) + 'x').padStart(10)}  ${r.target} ${r.met ? '(met)' : '(not met)'}`);
  }
  return lines.join('\n');
}

/** The git commit of the working tree the suite runs from, and whether it has uncommitted changes. */
function gitState(): { commit: string; dirty: boolean } {
  const root = new URL('../..', import.meta.url).pathname; // dist/bench -> the repository
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** The JSON document of a suite's results. */
export interface BenchJson {
  suite: string;
  node: string;
  cpu: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  commit: string;
  dirty: boolean;
  date: string;
  results: BenchResult[];
}

/** Return the JSON document of a suite's results, with the machine, versions and commit. */
export function benchJson(suite: string, results: readonly BenchResult[]): BenchJson {
  const git = gitState();
  return {
    suite,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: release(),
    commit: git.commit,
    dirty: git.dirty,
    date: new Date().toISOString(),
    results: results.map((r) => ({ name: r.name, value: r.value, unit: r.unit })),
  };
}

/** Print the table and, when asked (`--json FILE`), write the JSON file. */
export function report(suite: string, results: readonly BenchResult[], ratios: readonly BenchRatio[], args: BenchArgs): void {
  console.log(formatReport(suite, results, ratios));
  if (args.json !== null) {
    writeFileSync(args.json, JSON.stringify(benchJson(suite, results), null, 2) + '\n');
    console.log(`\nwrote ${args.json}`);
  }
}
