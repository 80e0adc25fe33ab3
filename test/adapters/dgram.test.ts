// The dgram-compatible UDP socket over two hosts on a memory link: bind and 'listening',
// send and 'message' with rinfo, implicit bind, connect/remoteAddress/disconnect, address
// errors, and that calls go through the process's syscall table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { IP_A, IP_B, loopPair, within } from './harness.js';
import type { RemoteInfo } from '../../src/adapters/index.js';

test('dgram: bind, send, message with rinfo, reply, close', async () => {
  const p = loopPair();
  try {
    const server = p.b.dgram.createSocket('udp4');
    server.on('message', (msg: Buffer, rinfo: RemoteInfo) => server.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    server.bind(5353, IP_B);
    await within(5000, 'listening', once(server, 'listening'));
    assert.deepEqual(server.address(), { address: IP_B, family: 'IPv4', port: 5353 });
    const client = p.a.createSocket('udp4');
    assert.throws(() => client.address(), { code: 'EBADF', syscall: 'getsockname' }, 'unbound: as Node on Linux');
    const sent = new Promise<[Error | null, number]>((r) => client.send("hi there", 5353, IP_B, (e: Error | null, n: number) => r([e, n])));
    const [msg, rinfo] = (await within(5000, 'reply', once(client, 'message'))) as [Buffer, RemoteInfo];
    assert.deepEqual(await sent, [null, 8]);
    assert.equal(msg.toString(), 'echo:hi there');
    assert.deepEqual(rinfo, { address: IP_B, family: 'IPv4', port: 5353, size: 13 });
    assert.equal(client.address().address, '0.0.0.0');
    // offset/length form
    client.send(Buffer.from('xxabcxx'), 2, 3, 5353, IP_B);
    const [m2] = (await within(5000, 'reply 2', once(client, 'message'))) as [Buffer];
    assert.equal(m2.toString(), 'echo:abc');
    client.close();
    await once(client, 'close');
    assert.throws(() => client.close(), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
    server.close();
  } finally {
    p.close();
  }
});

test('dgram: connect, send without address, remoteAddress, disconnect, errors', async () => {
  const p = loopPair();
  try {
    const server = p.b.createSocket('udp4');
    const got: string[] = [];
    server.on('message', (m: Buffer, r: RemoteInfo) => {
      got.push(`${m.toString()}@${r.address}`);
      server.send('pong', r.port, r.address);
    });
    server.bind({ port: 9999 });
    await once(server, 'listening');
    const c = p.a.createSocket({ type: 'udp4' });
    c.connect(9999, IP_B);
    await within(5000, 'connect', once(c, 'connect'));
    assert.deepEqual(c.remoteAddress(), { address: IP_B, family: 'IPv4', port: 9999 });
    assert.throws(() => c.connect(9999, IP_B), { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' });
    assert.throws(() => c.send('x', 9999, IP_B), { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' });
    c.send('ping');
    const [pong] = (await within(5000, 'pong', once(c, 'message'))) as [Buffer];
    assert.equal(pong.toString(), 'pong');
    assert.deepEqual(got, [`ping@${IP_A}`]);
    c.disconnect();
    assert.throws(() => c.remoteAddress(), { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' });
    assert.throws(() => p.a.createSocket('udp6' as 'udp4'), { code: 'NETCH_ERR_UNSUPPORTED' });
    const taken = p.b.createSocket('udp4');
    taken.bind(9999, IP_B);
    const [err] = await within(5000, 'EADDRINUSE', once(taken, 'error'));
    assert.equal(err.code, 'EADDRINUSE');
    assert.equal(err.syscall, 'bind');
    taken.close();
    c.close();
    server.close();
  } finally {
    p.close();
  }
});
