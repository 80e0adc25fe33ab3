import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { Gateway } from '../../src/gateway/index.js';
import { connectStream, parseStreamSpec } from '../../src/gateway/stream-link.js';
import { addGuest, loopbackServer, pattern, sha256, until } from './harness.js';

test('two guests on QEMU stream links (unix socket, 4-byte length framing) share one gateway and fetch from 127.0.0.1', async () => {
  const path = join(tmpdir(), `netch-gw-${process.pid}.sock`);
  const gw = new Gateway({ egress: 'loopback' });
  const body = pattern(1_000_000, 5);
  const { server, port } = await loopbackServer((k) => k.end(body));
  try {
    const l = await gw.listenStream(`unix:${path}`);
    assert.equal(l.address(), `unix:${path}`);
    const guests: ReturnType<typeof addGuest>[] = [];
    for (const addr of ['10.0.2.15', '10.0.2.16']) {
      const dev = await connectStream(parseStreamSpec(`unix:${path}`));
      guests.push(addGuest(gw, addr, dev));
    }
    await until(() => gw.switch.portList().length === 2, 5000, 'two ports');
    const results = await Promise.all(
      guests.map(
        (g) =>
          new Promise<string>((resolve, reject) => {
            const s = g.stack.net.connect({ host: '10.0.2.2', port }) as unknown as Socket;
            const chunks: Buffer[] = [];
            s.on('data', (d: Buffer) => chunks.push(d));
            s.on('error', reject);
            s.on('end', () => resolve(sha256(Buffer.concat(chunks))));
          }),
      ),
    );
    assert.deepEqual(results, [sha256(body), sha256(body)]);
    // Guest to guest: the switch carries it without the gateway's IP layer.
    const srv = guests[1]!.stack.net.createServer((s) => {
      s.end('from guest 2');
    });
    await new Promise<void>((r) => srv.listen(7000, () => r()));
    const got = await new Promise<string>((resolve, reject) => {
      const s = guests[0]!.stack.net.connect({ host: '10.0.2.16', port: 7000 }) as unknown as Socket;
      let t = '';
      s.on('data', (d: Buffer) => (t += d.toString()));
      s.on('error', reject);
      s.on('end', () => resolve(t));
    });
    assert.equal(got, 'from guest 2');
    assert.ok(gw.switch.counters.guestToGuest > 0);
    srv.close();
    for (const g of guests) {
      g.stack.close();
      g.host.close();
    }
  } finally {
    server.close();
    await gw.close();
  }
});

test('a bad length prefix closes the stream connection and is counted; a bad spec is NETCH_ERR_GATEWAY_LINK', async () => {
  assert.throws(() => parseStreamSpec('udp:1.2.3.4'), { code: 'NETCH_ERR_GATEWAY_LINK' });
  const path = join(tmpdir(), `netch-gw-bad-${process.pid}.sock`);
  const gw = new Gateway({ egress: 'loopback' });
  try {
    const l = await gw.listenStream(`unix:${path}`);
    const { connect } = await import('node:net');
    const c = connect(path);
    await new Promise((r) => c.once('connect', r));
    await until(() => l.ports.size === 1, 5000, 'port');
    const p = [...l.ports][0]!;
    c.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await new Promise((r) => c.once('close', r));
    assert.equal(p.framingErrors, 1);
    await until(() => gw.switch.portList().length === 0, 5000, 'port detached');
  } finally {
    await gw.close();
  }
});

test('--stream tcp:HOST:PORT: a guest on a TCP stream connection fetches from 127.0.0.1', async () => {
  const gw = new Gateway({ egress: 'loopback', dns: false });
  const { server, port } = await loopbackServer((k) => k.end('over tcp stream'));
  try {
    const l = await gw.listenStream('tcp:127.0.0.1:0');
    assert.match(l.address(), /^tcp:127\.0\.0\.1:\d+$/);
    const dev = await connectStream(parseStreamSpec(l.address()));
    const g = addGuest(gw, '10.0.2.15', dev);
    const got = await new Promise<string>((resolve, reject) => {
      const s = g.stack.net.connect({ host: '10.0.2.2', port }) as unknown as Socket;
      let t = '';
      s.on('data', (d: Buffer) => (t += d.toString()));
      s.on('error', reject);
      s.on('end', () => resolve(t));
    });
    assert.equal(got, 'over tcp stream');
    g.stack.close();
    g.host.close();
  } finally {
    server.close();
    await gw.close();
  }
});
