import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Millis } from '../time.js';
import { type FrameSink, type LinkDevice, newLinkStats, transmitCopy } from './device.js';
import { formatBrief, traceTap } from './tracer.js';
import { faultInjector } from './fault-injector.js';

/** A queue-backed fake device: `inject` queues a received frame, `sent` logs transmitted ones. */
class FakeLink implements LinkDevice {
  readonly name = 'fake0';
  readonly maxFrameLen = 1514;
  readonly stats = newLinkStats();
  readonly txBytes = new Uint8Array(1514);
  readonly rxQueue: Uint8Array[] = [];
  readonly sent: Uint8Array[] = [];
  closed = false;
  notify: (() => void) | null = null;
  inject(frame: Uint8Array): void {
    this.rxQueue.push(frame.slice());
  }
  receive(sink: FrameSink, budget: number, now: Millis): number {
    let n = 0;
    while (n < budget && this.rxQueue.length > 0) {
      const f = this.rxQueue.shift()!;
      sink.onFrame(f, 0, f.length, now);
      n++;
    }
    return n;
  }
  transmitBegin(len: number): number {
    return this.closed || len > this.maxFrameLen ? -1 : 0;
  }
  transmitCommit(off: number, len: number): void {
    this.sent.push(this.txBytes.slice(off, off + len));
  }
  setRxNotify(cb: (() => void) | null): void {
    this.notify = cb;
  }
  pollAt(): Millis {
    return 42;
  }
  close(): void {
    this.closed = true;
  }
}

const ARP_REQUEST = Uint8Array.from(Buffer.from(
  'ffffffffffff020000000001080600010800060400010200000000010c000201000000000000c0000202' + '00'.repeat(18),
  'hex',
));

test('the tracer prints one line per frame in each direction and passes frames through', () => {
  const link = new FakeLink();
  const lines: string[] = [];
  const dev = traceTap(link, (l) => lines.push(l));
  link.inject(ARP_REQUEST);
  const got: number[] = [];
  assert.equal(dev.receive({ onFrame: (_b, _o, len) => got.push(len) }, 8, 1.5), 1);
  assert.deepEqual(got, [60]);
  assert.ok(transmitCopy(dev, ARP_REQUEST, 0, 60, 2));
  assert.deepEqual(link.sent, [ARP_REQUEST]);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^1\.500 fake0 rx 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 60: /);
  assert.match(lines[0]!, /192\.0\.2\.2/);
  assert.match(lines[1]!, /^2\.000 fake0 tx /);
  assert.equal(dev.lines, 2);
});

test('the tracer is transparent: name, counters, tx buffer, poll time, notify and close', () => {
  const link = new FakeLink();
  const dev = traceTap(link, () => {});
  assert.equal(dev.name, link.name);
  assert.equal(dev.stats, link.stats);
  assert.equal(dev.txBytes, link.txBytes);
  assert.equal(dev.maxFrameLen, 1514);
  assert.equal(dev.pollAt(), 42);
  const cb = (): void => {};
  dev.setRxNotify(cb);
  assert.equal(link.notify, cb);
  dev.close();
  assert.ok(link.closed);
});

test('a custom formatter, a label, and direction filters', () => {
  const link = new FakeLink();
  const lines: string[] = [];
  const dev = traceTap(link, (l) => lines.push(l), { format: formatBrief, label: 'wire', rx: false });
  link.inject(ARP_REQUEST);
  dev.receive({ onFrame() {} }, 8, 0);
  transmitCopy(dev, ARP_REQUEST, 0, 60, 0.25);
  transmitCopy(dev, ARP_REQUEST, 0, 10, 0.5);
  assert.deepEqual(lines, ['0.250 wire tx length 60, ethertype ARP (0x0806)', '0.500 wire tx length 10 (runt)']);
  dev.enabled = false;
  transmitCopy(dev, ARP_REQUEST, 0, 60, 1);
  assert.equal(lines.length, 2);
  assert.equal(link.sent.length, 3);
});

test('a throwing formatter or printer never breaks the frame path', () => {
  const link = new FakeLink();
  const lines: string[] = [];
  const dev = traceTap(link, (l) => lines.push(l), {
    format: () => {
      throw new Error('boom');
    },
  });
  link.inject(ARP_REQUEST);
  assert.equal(dev.receive({ onFrame() {} }, 8, 0), 1);
  assert.match(lines[0]!, /\[format error: boom\] length 60/);
  const dev2 = traceTap(link, () => {
    throw new Error('printer');
  });
  assert.ok(transmitCopy(dev2, ARP_REQUEST, 0, 60, 0));
  assert.equal(link.sent.length, 1);
});

test('middleware stacks: a tracer over a fault injector sees only what the injector lets through', () => {
  const link = new FakeLink();
  const lines: string[] = [];
  const lossy = faultInjector(link, { rx: { loss: 1 } });
  const dev = traceTap(lossy, (l) => lines.push(l), { format: formatBrief });
  link.inject(ARP_REQUEST);
  dev.receive({ onFrame() {} }, 8, 0);
  assert.deepEqual(lines, []);
  assert.ok(transmitCopy(dev, ARP_REQUEST, 0, 60, 0));
  assert.equal(lines.length, 1);
  assert.equal(link.sent.length, 1);
});
