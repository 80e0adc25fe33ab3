// `netch ss` and `netch netstat -s`: the socket table and counters as ss and netstat print
// them, and the control socket through which a running stack answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryControl, startControl } from '../src/cli/control.js';
import { answerControl, formatNetstatS, formatSs } from '../src/cli/ss.js';
import { IP_B, tcpPair } from './tcp/harness.js';

/** A listener on port 80 with backlog 5 holding one unaccepted connection, and that connection's client. */
function stack() {
  const p = tcpPair();
  const l = p.tb.socket();
  l.bind(0, 80);
  l.listen(5);
  const c = p.ta.socket();
  c.connect(IP_B, 80, p.sim.now());
  assert.ok(p.sim.runUntil(() => l.acceptQueue.length === 1, { maxTime: 5000 }));
  return { ...p, l, c };
}

test('ss -l: Recv-Q is the accept queue, Send-Q the backlog', () => {
  const { tb } = stack();
  const out = formatSs(tb, { listening: true, all: false }).split('\n');
  assert.match(out[0]!, /^State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port$/);
  assert.match(out[1]!, /^LISTEN\s+1\s+5\s+0\.0\.0\.0:80\s+0\.0\.0\.0:\*$/);
  assert.equal(out.length, 3, 'one listener, no connections');
});

test('ss without -l lists connections; -a lists both', () => {
  const { ta, tb, c } = stack();
  c.send(new Uint8Array(10), 0, 10, 0);
  const client = formatSs(ta, { listening: false, all: false });
  assert.match(client, new RegExp(`ESTAB\\s+0\\s+\\d+\\s+192\\.0\\.2\\.1:${c.localPort}\\s+192\\.0\\.2\\.2:80`));
  const all = formatSs(tb, { listening: false, all: true });
  assert.match(all, /LISTEN/);
  assert.match(all, /ESTAB/);
});

test('netstat -s prints net-tools sentences for the listen counters', () => {
  const { a, ta, tb, b } = stack();
  tb.counters.TcpExt.ListenOverflows = 3;
  const out = formatNetstatS(b, tb);
  assert.match(out, /^Tcp:\n/m);
  assert.match(out, /^ {4}3 times the listen queue of a socket overflowed$/m);
  assert.match(out, /^ {4}1 passive connection openings$/m);
  assert.doesNotMatch(out, /RtoAlgorithm/);
  assert.match(formatNetstatS(a, ta), /^ {4}1 active connection openings$/m);
});

test('a running stack answers ss and netstat through its control socket', async () => {
  const { b, tb } = stack();
  const dir = mkdtempSync(join(tmpdir(), 'netch-ctl-'));
  const path = join(dir, 'ctl.sock');
  const server = await startControl((w) => answerControl(b, tb, w), path);
  try {
    assert.equal(await queryControl(['ss', '-l'], path), formatSs(tb, { listening: true, all: false }));
    assert.match(await queryControl(['netstat', '-s'], path), /passive connection openings/);
    assert.match(await queryControl(['bogus'], path), /^error: unknown request 'bogus'/);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
