import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameSink } from '../link/device.js';
import { newLinkStats } from '../link/device.js';
import type { Millis } from '../time.js';
import { type GuestPort, GuestSwitch } from './switch.js';

const GW = 0x5255_0a00_0202;

/** A port whose guest sends the frames pushed into `inbox` and records what it is sent. */
class FakePort implements GuestPort {
  readonly stats = newLinkStats();
  readonly inbox: Uint8Array[] = [];
  readonly sent: Uint8Array[] = [];
  full = false;
  constructor(readonly name: string) {}
  receive(sink: FrameSink, budget: number, now: Millis): number {
    let n = 0;
    while (n < budget && this.inbox.length > 0) {
      const f = this.inbox.shift()!;
      sink.onFrame(f, 0, f.length, now);
      n++;
    }
    return n;
  }
  writable(): boolean {
    return !this.full;
  }
  send(buf: Uint8Array, off: number, len: number): boolean {
    if (this.full) return false;
    this.sent.push(buf.slice(off, off + len));
    return true;
  }
  setNotify(): void {}
  pollAt(): Millis {
    return Infinity;
  }
  close(): void {}
}

function frame(dst: number, src: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < 6; i++) {
    f[i] = Math.floor(dst / 2 ** (8 * (5 - i))) & 255;
    f[6 + i] = Math.floor(src / 2 ** (8 * (5 - i))) & 255;
  }
  f[12] = 0x08;
  return f;
}

function collectUp(sw: GuestSwitch): Uint8Array[] {
  const up: Uint8Array[] = [];
  sw.receive({ onFrame: (b, o, l) => up.push(b.slice(o, o + l)) }, 64, 0);
  return up;
}

test('frames to the gateway MAC go up; broadcast goes up and to the other ports; guest to guest stays below', () => {
  const sw = new GuestSwitch(GW);
  const a = new FakePort('a');
  const b = new FakePort('b');
  sw.attach(a);
  sw.attach(b);
  const A = 0x0200_0000_000a;
  const B = 0x0200_0000_000b;
  a.inbox.push(frame(GW, A), frame(0xffff_ffff_ffff, A));
  b.inbox.push(frame(A, B));
  const up = collectUp(sw);
  assert.equal(up.length, 2, 'unicast to the gateway and the broadcast');
  assert.equal(b.sent.length, 1, 'the broadcast flooded to b');
  assert.equal(a.sent.length, 1, "b's frame to a's learned MAC");
  assert.equal(sw.counters.guestToGuest, 1);
  // Host → guest: to the port that owns the MAC only.
  const at = sw.transmitBegin(60);
  sw.txBytes.set(frame(B, GW), at);
  sw.transmitCommit(at, 60, 0);
  assert.equal(b.sent.length, 2);
  assert.equal(a.sent.length, 1);
  assert.deepEqual(sw.formatFdb().length, 2);
});

test('runts are counted; transmitBegin refuses only when no port can take a frame; detach forgets MACs', () => {
  const sw = new GuestSwitch(GW);
  const a = new FakePort('a');
  sw.attach(a);
  a.inbox.push(new Uint8Array(10), frame(GW, 0x0200_0000_000a));
  collectUp(sw);
  assert.equal(sw.counters.runts, 1);
  a.full = true;
  assert.equal(sw.transmitBegin(60), -1);
  a.full = false;
  assert.equal(sw.transmitBegin(60), 0);
  sw.detach(a);
  assert.equal(sw.formatFdb().length, 0);
  assert.equal(sw.portList().length, 0);
});
