import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { Gateway } from '../../src/gateway/index.js';
import { parseWsSpec } from '../../src/gateway/ws-link.js';
import { type FrameSink, type LinkDevice, newLinkStats } from '../../src/link/device.js';
import type { Millis } from '../../src/time.js';
import { addGuest, loopbackServer, pattern, sha256, until } from './harness.js';

/** A guest NIC that speaks v86's relay framing: one Ethernet frame per binary WebSocket message. */
class WsClientDevice implements LinkDevice {
  readonly name = 'v86';
  readonly maxFrameLen = 1514;
  readonly stats = newLinkStats();
  readonly txBytes = new Uint8Array(1514);
  private readonly q: Buffer[] = [];
  private notify: (() => void) | null = null;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (m: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      this.q.push(m);
      this.stats.rxFrames++;
      if (this.q.length === 1) this.notify?.();
    });
  }

  receive(sink: FrameSink, budget: number, now: Millis): number {
    let n = 0;
    while (n < budget && this.q.length > 0) {
      const f = this.q.shift()!;
      sink.onFrame(f, 0, f.length, now);
      n++;
    }
    return n;
  }

  transmitBegin(len: number): number {
    return len <= 1514 && this.ws.bufferedAmount < 1 << 20 ? 0 : -1;
  }

  transmitCommit(off: number, len: number): void {
    this.stats.txFrames++;
    this.ws.send(Buffer.from(this.txBytes.subarray(off, off + len)), { binary: true });
  }

  setRxNotify(cb: (() => void) | null): void {
    this.notify = cb === null ? null : () => setImmediate(cb);
  }

  pollAt(): Millis {
    return Infinity;
  }

  close(): void {
    this.ws.close();
  }
}

test('a v86-style WebSocket guest (one frame per binary message) fetches 1 MB from 127.0.0.1 through the gateway', async () => {
  assert.throws(() => parseWsSpec('x:y'), { code: 'NETCH_ERR_GATEWAY_LINK' });
  const gw = new Gateway({ egress: 'loopback' });
  const body = pattern(1_000_000, 11);
  const up = pattern(200_000, 12);
  let gotUp: Buffer[] = [];
  const { server, port } = await loopbackServer((k) => {
    k.on('data', (d) => gotUp.push(d));
    k.on('end', () => k.end(body));
  }, { allowHalfOpen: true });
  try {
    const l = await gw.listenWs('127.0.0.1:0');
    const ws = new WebSocket(l.url());
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const g = addGuest(gw, '10.0.2.15', new WsClientDevice(ws));
    await until(() => gw.switch.portList().length === 1, 5000, 'port');
    const h = await new Promise<string>((resolve, reject) => {
      const s = g.stack.net.connect({ host: '10.0.2.2', port, allowHalfOpen: true }) as unknown as Socket;
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('error', reject);
      s.on('connect', () => s.end(up));
      s.on('end', () => resolve(sha256(Buffer.concat(chunks))));
    });
    assert.equal(h, sha256(body));
    assert.equal(sha256(Buffer.concat(gotUp)), sha256(up));
    g.stack.close();
    g.host.close();
    ws.close();
    await until(() => gw.switch.portList().length === 0, 5000, 'port detached on close');
  } finally {
    server.close();
    await gw.close();
  }
});

test('a WebSocket message longer than the largest frame closes the connection with 1009', async () => {
  const gw = new Gateway({ egress: 'loopback' });
  try {
    const l = await gw.listenWs('127.0.0.1:0');
    const ws = new WebSocket(l.url());
    await new Promise((r) => ws.once('open', r));
    await until(() => l.ports.size === 1, 5000, 'port');
    const p = [...l.ports][0]!;
    const closed = new Promise<number>((r) => ws.once('close', (code: number) => r(code)));
    ws.send(Buffer.alloc(4000), { binary: true });
    assert.equal(await closed, 1009);
    assert.equal(p.protocolErrors, 1);
  } finally {
    await gw.close();
  }
});
