import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { guestNetwork, loopbackServer, pattern, sha256, until } from './harness.js';

test('a guest connects through the gateway address to a host server on 127.0.0.1; bytes hashed both ways', async () => {
  const net = guestNetwork();
  const up = pattern(300_000, 7);
  const down = pattern(500_000, 9);
  let gotUp: Buffer[] = [];
  let peer = '';
  const { server, port } = await loopbackServer((k) => {
    peer = `${k.remoteAddress}`;
    k.on('data', (d) => gotUp.push(d));
    k.on('end', () => k.end(down));
  }, { allowHalfOpen: true });
  try {
    const s = net.stack.net.connect({ host: '10.0.2.2', port, allowHalfOpen: true }) as unknown as Socket;
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.once('connect', () => s.end(up));
      s.once('end', () => resolve());
    });
    assert.equal(sha256(Buffer.concat(gotUp)), sha256(up));
    assert.equal(sha256(Buffer.concat(chunks)), sha256(down));
    assert.equal(peer, '127.0.0.1');
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
    assert.equal(net.gw.counters.TcpOpened, 1);
    assert.equal(net.gw.counters.TcpBytesOut, up.length);
    assert.equal(net.gw.counters.TcpBytesIn, down.length);
  } finally {
    server.close();
    await net.close();
  }
});
