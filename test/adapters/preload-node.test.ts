// Programs under the preload behave as under Node on the kernel: small CommonJS programs,
// each from a failure group of Node's own tests (issue #25), run with
// `node --import netchannels/preload` and must print what Node prints and exit by themselves.
// The child's time limit is a hang guard, not a timing assertion.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PRELOAD = new URL('../../src/cli/preload.js', import.meta.url).href;

/** Run `src` as a CommonJS program under the preload; return its exit status and output. */
function runUnderPreload(src: string): { status: number | null; signal: string | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netch-preload-'));
  try {
    const file = join(dir, 'prog.cjs');
    writeFileSync(file, src);
    const r = spawnSync(process.execPath, ['--import', PRELOAD, file], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, NETCH_QUIET: '1' },
    });
    return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an unread socket still sees the FIN: server.close() completes and the program exits', () => {
  const r = runUnderPreload(`
    const net = require('net');
    const s = net.createServer((c) => c.end('hi')).listen(0, () => {
      const c = net.connect(s.address().port);
      c.on('data', () => { c.end(); s.close(() => console.log('server closed')); });
    });
  `);
  assert.equal(r.signal, null, `killed: the program hung\n${r.out}`);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /server closed/);
});

test('an open socket past end-of-stream (allowHalfOpen, never ended) lets the program exit', () => {
  const r = runUnderPreload(`
    const net = require('net');
    const s = net.createServer((c) => c.end('', () => c.destroy())).listen(0, () => {
      s.unref();
      const c = net.connect({ port: s.address().port, allowHalfOpen: true }, () => console.log('connected'));
      c.on('end', () => console.log('end'));
      // c stays open for writing, but nothing is pending on it: Node lets the program exit
    });
  `);
  assert.equal(r.signal, null, `killed: the program hung\n${r.out}`);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /connected\nend/);
});

test('accepted and connected stack sockets are instanceof net.Socket; a subclass keeps its prototype', () => {
  const r = runUnderPreload(`
    const net = require('net');
    class Mine extends net.Socket { hello() { return 'mine'; } }
    const m = new Mine();
    console.log('sub', m instanceof Mine, m instanceof net.Socket, m.hello());
    m.destroy();
    const s = net.createServer((c) => {
      console.log('accepted', c instanceof net.Socket);
      c.end();
      s.close();
    }).listen(0, () => {
      const c = net.connect(s.address().port);
      console.log('connected', c instanceof net.Socket, net.Socket() instanceof net.Socket);
      c.resume();
    });
  `);
  assert.equal(r.signal, null, `killed: the program hung\n${r.out}`);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /sub true true mine/);
  assert.match(r.out, /connected true true/);
  assert.match(r.out, /accepted true/);
});
