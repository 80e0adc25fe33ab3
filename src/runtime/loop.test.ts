import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Loop } from './loop.js';
import { Host } from '../iface/host.js';
import { IpErr } from '../iface/errors.js';
import { newEchoReply } from '../iface/ping.js';
import { newUdpPeerInfo } from '../iface/datagram-queue.js';
import { memoryLinkPair } from '../link/memory.js';
import type { PollNode } from './node.js';

function pair(): { a: Host; b: Host } {
  const [la, lb] = memoryLinkPair();
  const a = new Host({ name: 'a', arp: { retransMs: 20 } });
  const b = new Host({ name: 'b' });
  a.addInterface(la, { mac: 0x020000000001, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: 0x020000000002, address: '192.0.2.2/24' });
  return { a, b };
}

/** Resolve when `pred` holds, checking on each turn of the event loop; reject after `ms`. */
function until(pred: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = (): void => {
      if (pred()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(check, 1);
    };
    check();
  });
}

test('in real time: a ping and a UDP echo complete through wake-ups, with no polling from the test', async () => {
  const { a, b } = pair();
  const loop = new Loop();
  loop.add(a).add(b).start();
  try {
    const server = b.udpSocket().bind(0, 7);
    const buf = new Uint8Array(64);
    const from = newUdpPeerInfo();
    server.setReadableNotify(() => {
      for (let n = server.recvFrom(buf, 0, 64, from); n >= 0; n = server.recvFrom(buf, 0, 64, from)) {
        server.sendTo(buf, 0, n, from.address, from.port, loop.clock.now());
      }
    });
    const p = a.pingSocket();
    assert.equal(p.sendEcho('192.0.2.2', 1, loop.clock.now()), IpErr.Ok);
    await until(() => p.pending === 1, 2000);
    const r = newEchoReply();
    p.recv(r);
    assert.ok(r.rtt >= 0 && r.rtt < 2000);
    const c = a.udpSocket().bind();
    c.sendTo(new Uint8Array([1, 2, 3]), 0, 3, '192.0.2.2', 7, loop.clock.now());
    await until(() => c.pending === 1, 2000);
  } finally {
    loop.stop();
  }
});

test('in real time: ARP retries run on deadlines alone, then the failure is reported', async () => {
  const { a } = pair();
  const loop = new Loop({ unref: true });
  loop.add(a).start();
  try {
    const s = a.udpSocket({ recvErrors: true });
    s.sendTo(new Uint8Array(1), 0, 1, '192.0.2.99', 9, loop.clock.now());
    await until(() => a.counters.Arp.ResFailed === 1, 2000);
    assert.equal(a.counters.Arp.OutRequests, 3);
    assert.equal(s.takeError(), IpErr.HostUnreach);
  } finally {
    loop.stop();
  }
});

test('stop cancels everything: a stopped loop polls nothing; start resumes', async () => {
  let polls = 0;
  let due = 0;
  const node: PollNode = {
    poll(now) {
      polls++;
      if (now >= due) {
        due = now + 5;
        return 1;
      }
      return 0;
    },
    pollAt: () => due,
  };
  const loop = new Loop();
  loop.add(node).start();
  await until(() => polls > 5, 2000);
  loop.stop();
  assert.equal(loop.isRunning, false);
  const seen = polls;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(polls, seen);
  loop.start();
  await until(() => polls > seen, 2000);
  loop.stop();
});

test('a round budget that would never poll is refused with EINVAL, not a silent spin', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new Loop({ maxRoundsPerRun: bad }), { code: 'EINVAL' });
  }
  assert.equal(new Loop({ maxRoundsPerRun: 1 }).isRunning, false);
});
