// The seeded simulation matrix: our TCP against our TCP on the virtual clock, over a memory
// link made lossy and slow by fault injectors (loss and one-way delay on both directions,
// data and ACKs alike), for every combination of
//   loss {0, 1 %, 5 %} x receive buffer {64 KiB, 1 MiB} x RTT {1 ms, 50 ms},
// the receive buffer fixed at that size (auto-tuning capped there: recvBufMax).
// Each cell sends the same BYTES one way and checks that every byte arrived intact and in
// order (SHA-256 of what was read = SHA-256 of what was sent). The throughput table (bytes
// per virtual second, segments, retransmissions, timeouts) is compared with
// test/tcp/matrix.snapshot.txt, so a congestion-control change shows as a reviewed diff:
// when the table differs the test fails and prints the rows that changed.
//
//   NETCH_UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs tcp/matrix     # rewrite the snapshot
//
// Deterministic: fixed ISN keys, fault seeds derived from the cell, virtual time only, so
// the same code gives the same table on every machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Host } from '../../src/iface/host.js';
import { faultInjector } from '../../src/link/fault-injector.js';
import { memoryLinkPair } from '../../src/link/memory.js';
import { Sim } from '../../src/runtime/sim.js';
import { Prng } from '../../src/storage/prng.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import { SHUT_WR, type TcpSocket } from '../../src/transport/tcp/socket.js';
import { IP_B, TEST_ISN_KEY } from './harness.js';

/** Bytes each cell sends from a to b. */
const BYTES = 4 << 20;
const LOSSES = [0, 0.01, 0.05] as const;
const RCVBUFS = [64 << 10, 1 << 20] as const;
const RTTS = [1, 50] as const;
/** Virtual time after which a cell counts as stalled. */
const MAX_VIRTUAL_MS = 3_600_000;
/** Where the snapshot lives in the source tree (this file runs from dist/test/tcp). */
const SNAPSHOT = fileURLToPath(new URL('../../../test/tcp/matrix.snapshot.txt', import.meta.url));
const UPDATE = process.env['NETCH_UPDATE_SNAPSHOTS'] === '1';

const COLUMNS = ['loss', 'rcvbuf', 'rtt_ms', 'virtual_ms', 'bytes_per_s', 'out_segs', 'acks', 'retrans', 'timeouts', 'fast_retrans', 'frames_lost'] as const;

/** One row of the table. */
type Row = Record<(typeof COLUMNS)[number], string>;

function randomBytes(n: number, seed: number): Uint8Array {
  const r = new Prng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.nextU32() & 0xff;
  return b;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function counter(group: object, name: string): number {
  const v = (group as Record<string, unknown>)[name];
  return typeof v === 'number' ? v : 0;
}

/** Run one cell; return its row. Throws (an assertion) when the bytes differ or the transfer stalls. */
function runCell(loss: number, rcvbuf: number, rtt: number, seed: number): Row {
  // Enough frames for a 1 MiB window of 1460-byte segments to be in flight or held.
  const [la, lb] = memoryLinkPair({ frames: 2048 });
  const faults = { loss, delay: rtt / 2 };
  const fa = faultInjector(la, { seed, tx: faults, poolFrames: 2048 });
  const fb = faultInjector(lb, { seed: seed + 7919, tx: faults, poolFrames: 2048 });
  const a = new Host({ name: 'a' });
  const b = new Host({ name: 'b' });
  a.addInterface(fa, { mac: 0x020000000001, address: '192.0.2.1/24' });
  b.addInterface(fb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  const sim = new Sim().add(a, b);
  // The receive buffer stays at the cell's size: auto-tuning would otherwise grow both to
  // recvBufMax (6 MiB) and the axis would mean nothing.
  const opts = { sendBufSize: 1 << 20, recvBufSize: rcvbuf, recvBufMax: rcvbuf };
  const ta = new TcpLayer(a, { ...opts, isnKey: TEST_ISN_KEY });
  const tb = new TcpLayer(b, { ...opts, isnKey: TEST_ISN_KEY.map((x) => x ^ 0x5a) });
  const data = randomBytes(BYTES, seed);
  const l = tb.socket();
  l.bind(0, 9);
  l.listen(4);
  const hash = createHash('sha256');
  const buf = new Uint8Array(65536);
  let received = 0;
  let eof = false;
  let t1 = -1;
  let server: TcpSocket | null = null;
  const read = (s: TcpSocket): void => {
    for (;;) {
      const n = s.recv(buf, 0, buf.length, sim.now());
      if (n > 0) {
        hash.update(buf.subarray(0, n));
        received += n;
        continue;
      }
      if (n === 0 && !eof) {
        eof = true;
        t1 = sim.now();
      }
      return;
    }
  };
  l.onReadiness = () => {
    const c = l.accept();
    if (c === null) return;
    server = c;
    c.onReadiness = read;
    read(c);
  };
  const client = ta.socket();
  let sent = 0;
  let shut = false;
  const write = (s: TcpSocket): void => {
    while (sent < BYTES) {
      const n = s.send(data, sent, BYTES - sent, sim.now());
      if (n <= 0) {
        assert.ok(n === -TcpErr.WouldBlock || n === -TcpErr.NotConnected, `send: ${n}`);
        return;
      }
      sent += n;
    }
    if (!shut) {
      shut = true;
      s.shutdown(SHUT_WR, sim.now());
    }
  };
  client.onReadiness = write;
  const t0 = sim.now();
  client.connect(IP_B, 9, t0);
  const ok = sim.runUntil(() => eof, { maxTime: MAX_VIRTUAL_MS, maxSteps: 50_000_000 });
  assert.ok(ok, `stalled: sent ${sent}, received ${received} of ${BYTES} after ${sim.now() - t0} virtual ms (${client.stateName()}/${(server as TcpSocket | null)?.stateName() ?? 'not accepted'})`);
  assert.equal(received, BYTES, 'every byte arrived');
  assert.equal(hash.digest('hex'), sha256(data), 'the bytes arrived intact and in order');
  const ms = t1 - t0;
  const x = ta.counters.TcpExt;
  return {
    loss: `${loss * 100}%`,
    rcvbuf: `${rcvbuf >> 10}K`,
    rtt_ms: String(rtt),
    virtual_ms: ms.toFixed(1),
    bytes_per_s: String(Math.round((BYTES * 1000) / ms)),
    out_segs: String(ta.counters.Tcp.OutSegs),
    acks: String(tb.counters.Tcp.OutSegs),
    retrans: String(ta.counters.Tcp.RetransSegs),
    timeouts: String(counter(x, 'TCPTimeouts')),
    fast_retrans: String(counter(x, 'TCPFastRetrans')),
    frames_lost: String(fa.txFaults.lost + fb.txFaults.lost),
  };
}

/** Format the rows as an aligned table with a header that says how to regenerate it. */
function formatTable(rows: readonly Row[]): string {
  const width = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => cells.map((v, i) => (i < 3 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ').trimEnd();
  return [
    `# TCP simulation matrix (test/tcp/matrix.test.ts): ${BYTES >> 20} MiB from a to b per cell, MTU 1500,`,
    '# loss and half the RTT applied by a seeded fault injector on each direction; virtual time.',
    '# bytes_per_s: bytes / virtual seconds from connect to the receiver reading EOF; out_segs, retrans,',
    '# timeouts, fast_retrans: the sender\'s counters; acks: segments the receiver sent; frames_lost: both ways.',
    '# Regenerate: npx tsc -p tsconfig.json; NETCH_UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs tcp/matrix',
    line(COLUMNS),
    ...rows.map((r) => line(COLUMNS.map((c) => r[c]))),
  ].join('\n') + '\n';
}

/** Return the lines that differ between two tables, as `- old` / `+ new` pairs. */
function diffLines(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) out.push(`- ${a[i]}`);
    if (b[i] !== undefined) out.push(`+ ${b[i]}`);
  }
  return out.join('\n');
}

const rows: Row[] = [];
let cell = 0;
for (const loss of LOSSES) {
  for (const rcvbuf of RCVBUFS) {
    for (const rtt of RTTS) {
      const seed = 1000 + cell++;
      test(`matrix: loss ${loss * 100}%, receive buffer ${rcvbuf >> 10} KiB, RTT ${rtt} ms: ${BYTES >> 20} MiB intact`, () => {
        rows.push(runCell(loss, rcvbuf, rtt, seed));
      });
    }
  }
}

test('matrix: the throughput table matches test/tcp/matrix.snapshot.txt', () => {
  assert.equal(rows.length, LOSSES.length * RCVBUFS.length * RTTS.length, 'a cell failed (see above): no table to compare');
  const table = formatTable(rows);
  if (UPDATE) {
    writeFileSync(SNAPSHOT, table);
    return;
  }
  if (!existsSync(SNAPSHOT)) {
    assert.fail(`no snapshot at ${SNAPSHOT}; write it with NETCH_UPDATE_SNAPSHOTS=1. The table:\n${table}`);
  }
  const want = readFileSync(SNAPSHOT, 'utf8');
  if (want !== table) {
    const header = table.split('\n').find((l) => l.startsWith('loss')) ?? '';
    assert.fail(`the throughput table differs from ${SNAPSHOT} (NETCH_UPDATE_SNAPSHOTS=1 rewrites it after review):\n  ${header}\n${diffLines(want, table)}`);
  }
});
