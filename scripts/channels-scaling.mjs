#!/usr/bin/env node
// The channel-mode scaling table in one go, for a many-core machine:
//   node scripts/channels-scaling.mjs [--procs 1,2,4,8] [--client-procs M] [--json DIR] [channels options]
// runs `bench/channels.js --only netch1,netchN --procs P` for each P (the client a
// channel-mode host of M processes, default P, so one client thread does not cap the
// server), each run writing DIR/channels-procsP.json (default DIR: bench-scaling-<date>),
// then prints Gbit/s, CPU per GiB and the ratio to one-thread mode per P. Build first
// (npm run build). Nothing here is published unless a run on such a machine made it.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
function take(name) {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}
const procsList = (take('--procs') ?? '1,2,4,8').split(',').map(Number);
const clientProcs = take('--client-procs');
const dir = take('--json') ?? `bench-scaling-${new Date().toISOString().slice(0, 10)}`;
for (const p of procsList) {
  if (!Number.isInteger(p) || p < 1) {
    console.error(`channels-scaling: --procs ${p} is not a positive integer`);
    process.exit(2);
  }
}
mkdirSync(dir, { recursive: true });
const rows = [];
for (const p of procsList) {
  const file = join(dir, `channels-procs${p}.json`);
  const c = clientProcs ?? String(p);
  console.error(`channels-scaling: --procs ${p} --client-procs ${c}`);
  const r = spawnSync(process.execPath, [join(root, 'dist/bench/channels.js'), '--only', 'netch1,netchN', '--procs', String(p), '--client-procs', c, '--json', file, ...argv], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`channels-scaling: the run with --procs ${p} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
  const res = Object.fromEntries(JSON.parse(readFileSync(file, 'utf8')).results.map((x) => [x.name, x.value]));
  rows.push({ p, c, n1: res['netch1.bulk_gbps'], nN: res['netchN.bulk_gbps'], cpu1: res['netch1.cpu_s_per_gib'], cpuN: res['netchN.cpu_s_per_gib'] });
}
console.log(`\nchannel-mode scaling, ${cpus().length} cpus (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}; results in ${dir}/`);
console.log('procs  client  netch1 Gbit/s  netchN Gbit/s  netchN/netch1  netch1 s/GiB  netchN s/GiB');
for (const r of rows) {
  console.log(`${String(r.p).padStart(5)}  ${String(r.c).padStart(6)}  ${r.n1.toFixed(2).padStart(13)}  ${r.nN.toFixed(2).padStart(13)}  ${(r.nN / r.n1).toFixed(2).padStart(13)}  ${r.cpu1.toFixed(3).padStart(12)}  ${r.cpuN.toFixed(3).padStart(12)}`);
}
