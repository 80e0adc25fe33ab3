// The UDP tunnel link on loopback: two ends exchange frames byte for byte, a datagram is
// exactly the frame (QEMU's dgram/socket format), and the limits hold: oversized frames are
// refused on transmit and dropped on receive, the receive queue is bounded, strangers are
// ignored.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { NETCH_ERR_TUNNEL_CONFIG, UdpTunnel, openUdpTunnel } from './udp-tunnel.js';

/** Return two tunnels pointed at each other on 127.0.0.1. */
async function pair(opts: { rxQueueLen?: number; maxFrameLen?: number } = {}): Promise<[UdpTunnel, UdpTunnel]> {
  // Bind b on a free port first, then a towards it, then b learns a's port: reopen b there.
  const probe = await openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: 9 });
  const bPort = probe.localPort;
  probe.close();
  const a = await openUdpTunnel({ name: 'udpA', remoteAddress: '127.0.0.1', remotePort: bPort, ...opts });
  const b = await openUdpTunnel({ name: 'udpB', localPort: bPort, remoteAddress: '127.0.0.1', remotePort: a.localPort, ...opts });
  return [a, b];
}

/** Fill a frame of `len` bytes with a pattern that depends on `seed`. */
function frame(len: number, seed: number): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = (i * 31 + seed) & 0xff;
  return f;
}

function send(dev: UdpTunnel, f: Uint8Array): boolean {
  const off = dev.transmitBegin(f.length);
  if (off < 0) return false;
  dev.txBytes.set(f, off);
  dev.transmitCommit(off, f.length, 0);
  return true;
}

/** Wait until `dev` has `n` frames queued (bounded: 2 s). */
async function waitQueued(dev: UdpTunnel, n: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (dev.rxQueued < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(dev.rxQueued >= n, `${dev.name}: ${dev.rxQueued} frames queued, expected ${n}`);
}

function collect(dev: UdpTunnel, budget = 1000): Uint8Array[] {
  const out: Uint8Array[] = [];
  dev.receive({ onFrame: (b, o, l) => void out.push(b.slice(o, o + l)) }, budget, 0);
  return out;
}

test('two tunnel ends exchange frames intact, in order, both ways', async () => {
  const [a, b] = await pair();
  try {
    const sizes = [14, 60, 64, 100, 512, 1000, 1514];
    for (let i = 0; i < sizes.length; i++) assert.ok(send(a, frame(sizes[i]!, i)));
    await waitQueued(b, sizes.length);
    const got = collect(b);
    assert.deepEqual(got.map((f) => f.length), sizes);
    for (let i = 0; i < sizes.length; i++) assert.deepEqual(got[i], frame(sizes[i]!, i));
    assert.ok(send(b, frame(200, 99)));
    await waitQueued(a, 1);
    assert.deepEqual(collect(a), [frame(200, 99)]);
    assert.equal(b.stats.rxFrames, sizes.length);
    assert.equal(b.stats.rxBytes, sizes.reduce((s, x) => s + x, 0));
    assert.equal(a.stats.txFrames, sizes.length, 'txFrames counts completed sends');
  } finally {
    a.close();
    b.close();
  }
});

test('a frame longer than maxFrameLen is refused on transmit and dropped on receive', async () => {
  const [a, b] = await pair();
  try {
    assert.equal(a.transmitBegin(1515), -1);
    assert.equal(a.transmitBegin(-1), -1);
    // A plain UDP sender (what QEMU is to us) sends a 2000-byte datagram and a 10-byte one.
    const raw = createSocket('udp4');
    raw.bind(0, '127.0.0.1');
    await once(raw, 'listening');
    const b2 = await openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: raw.address().port });
    try {
      for (const len of [2000, 10, 60]) raw.send(new Uint8Array(len), b2.localPort, '127.0.0.1');
      await waitQueued(b2, 1);
      await new Promise((r) => setTimeout(r, 50));
      const got = collect(b2);
      assert.deepEqual(got.map((f) => f.length), [60]);
      assert.equal(b2.stats.rxDropped, 2);
    } finally {
      b2.close();
      raw.close();
    }
  } finally {
    a.close();
    b.close();
  }
});

test('a datagram is exactly the frame, as QEMU reads it', async () => {
  const raw = createSocket('udp4');
  raw.bind(0, '127.0.0.1');
  await once(raw, 'listening');
  const t = await openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: raw.address().port });
  try {
    const f = frame(98, 7);
    const got = once(raw, 'message');
    assert.ok(send(t, f));
    const [msg, rinfo] = (await got) as [Buffer, { port: number }];
    assert.deepEqual(new Uint8Array(msg), f);
    assert.equal(rinfo.port, t.localPort);
  } finally {
    t.close();
    raw.close();
  }
});

test('the receive queue is bounded and counts what it drops', async () => {
  const [a, b] = await pair({ rxQueueLen: 4 });
  try {
    for (let i = 0; i < 10; i++) assert.ok(send(a, frame(64, i)));
    await waitQueued(b, 4);
    const deadline = Date.now() + 2000;
    while (b.stats.rxFrames + b.stats.rxDropped < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const got = collect(b);
    assert.equal(got.length, 4);
    assert.deepEqual(got[0], frame(64, 0), 'the oldest frames are kept');
    assert.equal(b.stats.rxDropped, 6);
  } finally {
    a.close();
    b.close();
  }
});

test('datagrams from a source other than the remote are dropped', async () => {
  const [a, b] = await pair();
  const stranger = createSocket('udp4');
  try {
    stranger.bind(0, '127.0.0.1');
    await once(stranger, 'listening');
    stranger.send(frame(64, 1), b.localPort, '127.0.0.1');
    send(a, frame(64, 2));
    await waitQueued(b, 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(collect(b), [frame(64, 2)]);
    assert.equal(b.foreignDropped, 1);
  } finally {
    stranger.close();
    a.close();
    b.close();
  }
});

test('the receive notification fires once when a frame arrives at an empty queue', async () => {
  const [a, b] = await pair();
  try {
    let calls = 0;
    const fired = new Promise<void>((resolve) =>
      b.setRxNotify(() => {
        calls++;
        resolve();
      }),
    );
    send(a, frame(64, 1));
    send(a, frame(64, 2));
    await fired;
    await waitQueued(b, 2);
    assert.equal(calls, 1, 'edge-triggered: one call for a burst');
    assert.equal(collect(b).length, 2); // emptied: armed again
    const again = new Promise<void>((resolve) => b.setRxNotify(() => resolve()));
    send(a, frame(64, 3));
    await again;
  } finally {
    a.close();
    b.close();
  }
});

test('the transmit ring holds at most txSlots frames in flight', async () => {
  const t = await openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: 9, txSlots: 2 });
  try {
    // Three commits in one turn: the third begin finds both slots in flight.
    assert.ok(send(t, frame(64, 1)));
    assert.ok(send(t, frame(64, 2)));
    assert.equal(t.transmitBegin(64), -1);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(t.transmitBegin(64) >= 0, 'slots come back when the sends complete');
  } finally {
    t.close();
  }
});

test('bad options are refused with NETCH_ERR_TUNNEL_CONFIG; a taken port with EADDRINUSE', async () => {
  const bad = [
    { remoteAddress: 'localhost', remotePort: 9 },
    { remoteAddress: '127.0.0.1', remotePort: 0 },
    { remoteAddress: '127.0.0.1', remotePort: 9, localAddress: '::1' },
    { remoteAddress: '127.0.0.1', remotePort: 9, maxFrameLen: 70000 },
    { remoteAddress: '127.0.0.1', remotePort: 9, rxQueueLen: 0 },
  ];
  for (const o of bad) await assert.rejects(openUdpTunnel(o), { code: NETCH_ERR_TUNNEL_CONFIG }, JSON.stringify(o));
  const t = await openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: 9 });
  try {
    await assert.rejects(openUdpTunnel({ remoteAddress: '127.0.0.1', remotePort: 9, localPort: t.localPort }), { code: 'EADDRINUSE' });
  } finally {
    t.close();
  }
});
