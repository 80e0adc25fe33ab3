// Our stack against our stack over a fault-injecting link (loss, reordering, duplication,
// corruption), seeded: the bytes received in each direction hash (SHA-256) to the bytes
// sent. As issue 4 asks: 50 seeds x 16 MiB each way (about 30 s on a 2-core machine).
// `NETCH_TCP_QUICK=1` runs 5 seeds x 2 MiB for a fast edit-test loop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { memoryLinkPair } from '../../src/link/memory.js';
import { faultInjector } from '../../src/link/fault-injector.js';
import { Host } from '../../src/iface/host.js';
import { Sim } from '../../src/runtime/sim.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { Prng } from '../../src/storage/prng.js';
import { IP_B, TEST_ISN_KEY } from './harness.js';

const FULL = process.env.NETCH_TCP_QUICK !== '1';
const SEEDS = FULL ? Array.from({ length: 50 }, (_, i) => i + 1) : [1, 2, 3, 4, 5];
const BYTES = FULL ? 16 << 20 : 2 << 20;
const FAULTS = { loss: 0.05, reorder: 0.05, reorderDelay: 5, duplicate: 0.01, corrupt: 0.001, delay: 1 };

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function randomBytes(n: number, seed: number): Uint8Array {
  const r = new Prng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = r.nextU32();
    b[i] = v & 0xff;
    b[i + 1] = (v >>> 8) & 0xff;
    b[i + 2] = (v >>> 16) & 0xff;
    b[i + 3] = v >>> 24;
  }
  return b;
}

/** Send `data` through `s` and hash what `s` receives, as readiness allows. */
class Pump {
  sent = 0;
  received = 0;
  closedWrite = false;
  eof = false;
  private readonly hash = createHash('sha256');
  private readonly buf = new Uint8Array(65536);
  constructor(readonly s: TcpSocket, readonly data: Uint8Array) {}
  step(now: number): void {
    const s = this.s;
    while (this.sent < this.data.length) {
      const n = s.send(this.data, this.sent, this.data.length - this.sent, now);
      if (n <= 0) break;
      this.sent += n;
    }
    if (this.sent === this.data.length && !this.closedWrite) {
      s.shutdown(1, now);
      this.closedWrite = true;
    }
    for (;;) {
      const n = s.recv(this.buf, 0, this.buf.length, now);
      if (n === 0) this.eof = true;
      if (n <= 0) break;
      this.hash.update(this.buf.subarray(0, n));
      this.received += n;
    }
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

for (const seed of SEEDS) {
  test(`seed ${seed}: ${BYTES >> 20} MiB each way over 5% loss, 5% reordering, 1% duplication, 0.1% corruption`, () => {
    const [la, lb] = memoryLinkPair();
    const fa = faultInjector(la, { seed, tx: FAULTS });
    const fb = faultInjector(lb, { seed: seed + 1000, tx: FAULTS });
    const a = new Host({ name: 'a' });
    const b = new Host({ name: 'b' });
    a.addInterface(fa, { mac: 0x020000000001, address: '192.0.2.1/24' });
    b.addInterface(fb, { mac: 0x020000000002, address: '192.0.2.2/24' });
    const sim = new Sim().add(a, b);
    const ta = new TcpLayer(a, { isnKey: TEST_ISN_KEY });
    const tb = new TcpLayer(b, { isnKey: TEST_ISN_KEY.map((x) => x ^ seed) });
    const l = tb.socket();
    l.bind(0, 9);
    l.listen(4);
    const dataA = randomBytes(BYTES, seed);
    const dataB = randomBytes(BYTES, seed + 77);
    const client = ta.socket();
    const pa = new Pump(client, dataA);
    let pb: Pump | null = null;
    client.onReadiness = () => pa.step(sim.now());
    l.onReadiness = () => {
      const c = l.accept();
      if (c === null) return;
      const p = new Pump(c, dataB);
      pb = p;
      c.onReadiness = () => p.step(sim.now());
      p.step(sim.now());
    };
    client.connect(IP_B, 9, sim.now());
    const done = (): boolean => pb !== null && pa.eof && pb.eof;
    assert.ok(sim.runUntil(done, { maxTime: 3_600_000 }), `transfer stalled: a sent ${pa.sent} got ${pa.received}, b got ${pb === null ? -1 : (pb as Pump).received}`);
    const server = pb as unknown as Pump;
    assert.equal(pa.received, BYTES);
    assert.equal(server.received, BYTES);
    assert.equal(server.digest(), sha256(dataA));
    assert.equal(pa.digest(), sha256(dataB));
    client.close(sim.now());
    server.s.close(sim.now());
    assert.ok(sim.runUntil(() => client.state === TcpState.Closed || client.state === TcpState.TimeWait, { maxTime: 600_000 }));
    assert.ok(ta.counters.Tcp.RetransSegs > 0, 'the faults did strike');
  });
}
