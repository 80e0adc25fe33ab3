// Zero copy to the application, deterministically: the channel-mode driver and a process
// (or, for the one-thread API, a plain host) stepped in this thread on a virtual clock,
// facing a client host on a shared memory link with seeded loss and reordering. Every
// stream is checked with SHA-256 through the views.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Host } from '../../iface/host.js';
import { toIpv4 } from '../../iface/cidr.js';
import { faultInjector, type FaultConfig } from '../../link/fault-injector.js';
import { createSharedMemoryLink, memoryLinkPair, openMemoryLink } from '../../link/memory.js';
import { TcpErr } from '../../transport/tcp/errors.js';
import { TcpLayer } from '../../transport/tcp/layer.js';
import { SHUT_RD, SHUT_WR, type TcpSocket } from '../../transport/tcp/socket.js';
import { TcpState } from '../../transport/tcp/state.js';
import { ChannelDriver } from './driver.js';
import { ChannelProcess } from './process.js';
import { createChannelModeSpec } from './spec.js';
import { COPY_HOLDER, ZeroCopySocket } from './zero-copy.js';

const PORT = 7000;
const SERVER = '198.51.100.2';
const TCP = { sendBufSize: 256 << 10, recvBufSize: 256 << 10, recvBufMax: 256 << 10 };

interface Rig {
  now: number;
  client: TcpLayer;
  server: TcpLayer;
  /** The channel-mode parts (null in one-thread mode). */
  driver: ChannelDriver | null;
  proc: ChannelProcess | null;
  zeroCopy(s: TcpSocket): ZeroCopySocket;
  /** Advance the clock by 1 ms and poll every part once. */
  step(): void;
}

function rig(mode: 'channel' | 'one-thread', o: { faults?: Partial<FaultConfig>; holdFrames?: number; seed?: number } = {}): Rig {
  // Channel mode: the driver owns a shared link end. One-thread mode: a one-thread pair
  // (an end asleep on a shared link publishes in a microtask this synchronous loop never yields to).
  const [c, s] = createSharedMemoryLink({ mtu: 1500, frames: 512 });
  const pair = mode === 'channel' ? null : memoryLinkPair({ mtu: 1500, frames: 512 });
  const ch = new Host({ name: 'client' });
  ch.addInterface(faultInjector(pair?.[0] ?? openMemoryLink(c), { seed: o.seed ?? 7, tx: o.faults ?? {} }), { mac: 0x020000000201, address: '198.51.100.1/24' });
  const client = new TcpLayer(ch, TCP);
  let poll: (now: number) => void;
  let r: Rig;
  if (mode === 'channel') {
    const spec = createChannelModeSpec({ link: s, mac: 0x020000000202, address: `${SERVER}/24`, procs: 1, rxQuota: 256, txFrames: 64, ...(o.holdFrames === undefined ? {} : { holdFrames: o.holdFrames }) });
    const driver = new ChannelDriver(spec);
    const proc = new ChannelProcess(spec.procs[0]!, TCP);
    poll = (now) => {
      ch.poll(now);
      driver.step(now);
      proc.poll(now);
    };
    r = { now: 0, client, server: proc.tcp, driver, proc, zeroCopy: (x) => ZeroCopySocket.attach(x, proc.dev), step: () => poll(++r.now) };
  } else {
    const sh = new Host({ name: 'server' });
    sh.addInterface(pair![1], { mac: 0x020000000202, address: `${SERVER}/24` });
    const server = new TcpLayer(sh, TCP);
    poll = (now) => {
      ch.poll(now);
      sh.poll(now);
    };
    r = { now: 0, client, server, driver: null, proc: null, zeroCopy: (x) => ZeroCopySocket.attach(x, COPY_HOLDER), step: () => poll(++r.now) };
  }
  return r;
}

/** Open `n` connections client -> server; return both ends of each, accepted and with readers attached. */
function connect(r: Rig, n: number): { c: TcpSocket; z: ZeroCopySocket }[] {
  const l = r.server.socket();
  assert.equal(l.bind(0, PORT), 0);
  assert.equal(l.listen(64), 0);
  const cs: TcpSocket[] = [];
  for (let i = 0; i < n; i++) {
    const c = r.client.socket();
    assert.equal(c.connect(toIpv4(SERVER), PORT, r.now), -TcpErr.InProgress);
    cs.push(c);
  }
  const zs: ZeroCopySocket[] = [];
  for (let i = 0; i < 2000 && zs.length < n; i++) {
    r.step();
    for (let a = l.accept(); a !== null; a = l.accept()) zs.push(r.zeroCopy(a));
  }
  assert.equal(zs.length, n, 'every connection accepted');
  // Accepted in order of arrival: pair them by the client's port.
  return cs.map((c) => ({ c, z: zs.find((z) => z.socket.remotePort === c.localPort)! }));
}

function data(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  let x = seed | 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A sender: writes `src` into `c` as fast as it takes it, then shuts down writing. */
function sender(c: TcpSocket, src: Uint8Array): (now: number) => boolean {
  let sent = 0;
  return (now) => {
    while (sent < src.length) {
      const n = c.send(src, sent, Math.min(65536, src.length - sent), now);
      if (n <= 0) return false;
      sent += n;
    }
    if (c.state === TcpState.Established || c.state === TcpState.CloseWait) c.shutdown(SHUT_WR, now);
    return true;
  };
}

/** A reader: views hashed in stream order; `keep` views stay out before the oldest is released. */
class Reader {
  readonly h = createHash('sha256');
  bytes = 0;
  eof = false;
  out = 0;
  maxHeld = 0;
  constructor(readonly z: ZeroCopySocket, private readonly keep = 0) {}
  /** Read and release what is there; return true at the end of the stream. */
  step(r: Rig): boolean {
    for (;;) {
      const n = this.z.readView(r.now);
      if (n > 0) {
        const v = this.z.view;
        this.h.update(v.bytes.slice(v.offset, v.offset + v.length));
        this.bytes += n;
        this.out++;
        while (this.out > this.keep) this.release(r);
        continue;
      }
      if (r.proc !== null) this.maxHeld = Math.max(this.maxHeld, r.proc.dev.heldFrames);
      if (n === 0) {
        while (this.out > 0) this.release(r);
        this.eof = true;
        return true;
      }
      assert.equal(n, -TcpErr.WouldBlock, `readView: ${n}`);
      // Blocked with views out (a copied view, or the window is full of held ones): give one back.
      if (this.out > 0) {
        this.release(r);
        continue;
      }
      return false;
    }
  }
  private release(r: Rig): void {
    assert.ok(this.z.release(r.now) > 0);
    this.out--;
  }
}

/** Step until `done` or the bound; fail at the bound. */
function run(r: Rig, done: () => boolean, bound = 200_000): void {
  for (let i = 0; i < bound; i++) {
    r.step();
    if (done()) return;
  }
  assert.fail('did not finish in time');
}

for (const mode of ['channel', 'one-thread'] as const) {
  test(`zero copy (${mode}): 4 streams of 3 MiB under loss and reordering, SHA-256 through the views`, () => {
    const r = rig(mode, { faults: { loss: 0.01, reorder: 0.02, reorderDelay: 3, delay: 1 } });
    const pairs = connect(r, 4);
    const srcs = pairs.map((_, i) => data(3 << 20, i + 1));
    const sends = pairs.map((p, i) => sender(p.c, srcs[i]!));
    const readers = pairs.map((p) => new Reader(p.z, 8));
    run(r, () => {
      let all = true;
      pairs.forEach((_, i) => {
        sends[i]!(r.now);
        if (!readers[i]!.eof && !readers[i]!.step(r)) all = false;
      });
      return all;
    });
    readers.forEach((rd, i) => {
      assert.equal(rd.bytes, srcs[i]!.length);
      assert.equal(rd.h.digest('hex'), sha(srcs[i]!), `stream ${i} intact`);
    });
    const framed = readers.reduce((a, rd) => a + rd.z.framedBytes, 0);
    const copied = readers.reduce((a, rd) => a + rd.z.copiedBytes, 0);
    assert.equal(framed + copied, 4 * (3 << 20));
    assert.ok(r.server.counters.TcpExt.TCPOFOQueue > 0, 'segments arrived out of order');
    if (mode === 'channel') {
      // In-order text stayed in its frames; what the assembler queued out of order was copied.
      assert.ok(framed > copied, `framed ${framed} copied ${copied}`);
      assert.ok(copied > 0, 'out-of-order data came out as copies');
      for (const p of pairs) p.z.close(r.now);
      r.step();
      assert.equal(r.proc!.dev.heldFrames, 0);
      assert.equal(r.driver!.snapshot().procs[0]!.rxLent, 0, 'every frame is back with the driver');
    } else {
      assert.equal(framed, 0, 'COPY_HOLDER: every view is a copy');
    }
  });
}

test('zero copy: past the process\'s holdFrames, text is copied; the bytes are the same', () => {
  const r = rig('channel', { holdFrames: 8 });
  const [p] = connect(r, 1);
  const src = data(2 << 20, 99);
  const send = sender(p!.c, src);
  const rd = new Reader(p!.z, 40); // keeps 40 views out: more than the 8 frames it may hold
  run(r, () => {
    send(r.now);
    return rd.step(r);
  });
  assert.equal(rd.h.digest('hex'), sha(src));
  assert.ok(rd.maxHeld <= 8, `held at most the limit (${rd.maxHeld})`);
  assert.ok(rd.maxHeld === 8, 'the limit was reached');
  assert.ok(p!.z.copiedBytes > 0 && p!.z.framedBytes > 0, `copied ${p!.z.copiedBytes} framed ${p!.z.framedBytes}`);
  assert.equal(r.proc!.dev.heldFrames, 0);
});

test('zero copy: a reader sitting on its views closes its own window; the other connection of the process keeps flowing', () => {
  const r = rig('channel');
  const [a, b] = connect(r, 2);
  const srcA = data(4 << 20, 3);
  const srcB = data(4 << 20, 4);
  const sendA = sender(a!.c, srcA);
  const sendB = sender(b!.c, srcB);
  const rb = new Reader(b!.z, 4);
  let viewsA = 0;
  let bytesA = 0;
  run(r, () => {
    sendA(r.now);
    sendB(r.now);
    // A reads views and never gives them back (a stuck application).
    for (let n = a!.z.readView(r.now); n > 0; n = a!.z.readView(r.now)) {
      viewsA++;
      bytesA += n;
    }
    return rb.step(r);
  });
  assert.equal(rb.h.digest('hex'), sha(srcB), 'the other connection got everything');
  const sa = a!.z.socket;
  assert.ok(sa.recvBuf.free < 1460, `A's window is closed (${sa.recvBuf.free} bytes free)`);
  assert.ok(a!.c.sndWnd < 1460, 'the sender sees the closed window');
  assert.ok(bytesA < srcA.length);
  assert.ok(r.proc!.dev.heldFrames <= r.proc!.dev.holdLimit);
  // A gives its views back: the window opens and the stream completes.
  let released = 0;
  while (a!.z.release(r.now) > 0) released++;
  assert.equal(released, viewsA);
  const ra = new Reader(a!.z);
  run(r, () => {
    sendA(r.now);
    return ra.step(r);
  });
  assert.equal(bytesA + ra.bytes, srcA.length);
  assert.equal(sa.bytesReceived, srcA.length);
  assert.equal(r.proc!.dev.heldFrames, 0);
});

test('zero copy: shutdown(SHUT_RD), close and a reset while frames are held give every frame back', () => {
  const r = rig('channel');
  const pairs = connect(r, 3);
  const srcs = pairs.map((_, i) => data(512 << 10, 10 + i));
  const sends = pairs.map((p, i) => sender(p.c, srcs[i]!));
  // Hoard: read views and keep them until each connection holds frames.
  run(r, () => {
    pairs.forEach((p, i) => {
      sends[i]!(r.now);
      while (p.z.readView(r.now) > 0);
    });
    return pairs.every((p) => p.z.heldFrames > 4);
  });
  const lent = () => r.driver!.snapshot().procs[0]!.rxLent;
  const [x, y, z] = pairs;
  // shutdown(SHUT_RD): the frames go back, the stream ends for the reader.
  const before = r.proc!.dev.heldFrames;
  const hx = x!.z.heldFrames;
  assert.equal(x!.z.socket.shutdown(SHUT_RD, r.now), 0);
  assert.equal(x!.z.heldFrames, 0);
  assert.equal(r.proc!.dev.heldFrames, before - hx);
  assert.equal(x!.z.readView(r.now), 0, 'end of stream after SHUT_RD');
  assert.equal(x!.z.release(r.now), 0, 'no view is out any more');
  // A reset from the peer: the held bytes stay readable (as recv() would read them), close gives them back.
  const hy = y!.z.heldFrames;
  y!.c.abort(r.now);
  for (let i = 0; i < 20; i++) r.step();
  assert.equal(y!.z.socket.state, TcpState.Closed);
  assert.equal(y!.z.heldFrames, hy, 'held bytes survive the reset until the application closes');
  y!.z.close(r.now);
  assert.equal(y!.z.heldFrames, 0);
  // close() with views out: the frames go back and, as data was unread, the peer gets a RST.
  assert.ok(z!.z.heldFrames > 0);
  z!.z.close(r.now);
  assert.equal(z!.z.heldFrames, 0);
  assert.equal(r.proc!.dev.heldFrames, 0);
  for (let i = 0; i < 20; i++) r.step();
  assert.equal(z!.c.state, TcpState.Closed, 'the peer was reset');
  assert.equal(lent(), 0, 'the driver has every received frame back');
});

test('zero copy: recv() still works on a socket with a reader, mixed with views', () => {
  const r = rig('channel', { faults: { reorder: 0.05, reorderDelay: 2 } });
  const [p] = connect(r, 1);
  const src = data(1 << 20, 5);
  const send = sender(p!.c, src);
  const out = new Uint8Array(src.length);
  let got = 0;
  let eof = false;
  const buf = new Uint8Array(3000);
  const z = p!.z;
  run(r, () => {
    send(r.now);
    for (let k = 0; !eof && k < 64; k++) {
      // Alternate: a view (copied out, released), then a recv() of an odd size.
      const n = (k & 1) === 0 ? z.readView(r.now) : z.socket.recv(buf, 0, 1 + ((got * 7) % 2999), r.now);
      if (n > 0) {
        if ((k & 1) === 0) {
          out.set(z.view.bytes.subarray(z.view.offset, z.view.offset + n), got);
          assert.equal(z.socket.recv(buf, 0, 1, r.now), -TcpErr.WouldBlock, 'recv() waits while a view is out');
          z.release(r.now);
        } else {
          out.set(buf.subarray(0, n), got);
        }
        got += n;
      } else if (n === 0) {
        eof = true;
      }
    }
    return eof;
  });
  assert.equal(got, src.length);
  assert.equal(sha(out), sha(src));
  assert.ok(z.framedBytes > 0);
  assert.equal(r.proc!.dev.heldFrames, 0);
});
