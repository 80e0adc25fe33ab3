#!/usr/bin/env node
// Build the optional TAP addon (native/ -> native/build/Release/netch_tap.node) with
// node-gyp. Runs as the package's "install" script and never fails the install: when the
// addon cannot be built (not Linux, no compiler, no headers), it prints one notice and exits
// 0; the TAP link then reports NETCH_ERR_TAP_UNAVAILABLE and everything else works.
//
// Finding node-gyp: npm passes its own in npm_config_node_gyp to install scripts; otherwise
// the copy bundled with the npm next to this node; otherwise `npx --no-install node-gyp`.
// Headers: --nodedir from npm_config_nodedir, else the prefix of this node when it ships
// include/node (distribution packages do), else node-gyp's own cache or download.
// NETCH_SKIP_NATIVE=1 skips the build.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const native = join(root, 'native');

function notice(why) {
  process.stdout.write(`netchannels: optional TAP addon not built (${why}); the TAP link will be unavailable, everything else works.\n`);
  process.exit(0);
}

if (process.env.NETCH_SKIP_NATIVE === '1') notice('NETCH_SKIP_NATIVE=1');
if (process.platform !== 'linux') notice(`TAP needs Linux, this is ${process.platform}`);
if (!existsSync(join(native, 'binding.gyp'))) notice('native/binding.gyp is missing');

function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const prefix = dirname(dirname(process.execPath));
  for (const p of [
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]) {
    if (existsSync(p)) return [process.execPath, p];
  }
  return ['npx', '--no-install', 'node-gyp'];
}

function nodedirArgs() {
  const configured = process.env.npm_config_nodedir;
  if (configured) return [`--nodedir=${configured}`];
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) return [`--nodedir=${prefix}`];
  return [];
}

const [cmd, ...pre] = findNodeGyp();
const args = [...pre, 'rebuild', ...nodedirArgs()];
const r = spawnSync(cmd, args, { cwd: native, encoding: 'utf8', timeout: 300_000 });
if (r.error) notice(`${cmd}: ${r.error.message}`);
if (r.status !== 0) {
  const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  notice(`node-gyp exited with ${r.status ?? r.signal}${lines.length ? `: ${lines.slice(-1)[0].trim()}` : ''}`);
}
if (!existsSync(join(native, 'build', 'Release', 'netch_tap.node'))) notice('node-gyp produced no netch_tap.node');
process.stdout.write('netchannels: TAP addon built (native/build/Release/netch_tap.node)\n');
