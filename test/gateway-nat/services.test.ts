// The gateway's own services as a guest of our stack sees them: the DNS forwarder on
// 10.0.2.3 relays to an upstream the test runs on 127.0.0.1; ping to the gateway is answered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { newEchoReply } from '../../src/iface/ping.js';
import { guestNetwork } from './harness.js';

/** A DNS query for `name` A IN, id `id`, RD set. */
function query(id: number, name: string): Buffer {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  return Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
}

test('DNS: a guest query to 10.0.2.3 is answered through the upstream on 127.0.0.1', async () => {
  const up = createSocket('udp4');
  up.on('message', (q, r) => {
    const a = Buffer.concat([q, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 9])]);
    a[2] = 0x81;
    a[3] = 0x80;
    a[7] = 1;
    up.send(a, r.port, r.address);
  });
  await new Promise<void>((r) => up.bind(0, '127.0.0.1', () => r()));
  const net = guestNetwork({ dnsUpstream: [`127.0.0.1:${up.address().port}`] });
  try {
    await net.gw.ready;
    assert.notEqual(net.gw.dns, null);
    const s = net.stack.dgram.createSocket('udp4');
    const answer = await new Promise<Buffer>((resolve) => {
      s.on('message', (m: Buffer) => resolve(m));
      s.send(query(0x1234, 'example.test'), 53, '10.0.2.3');
    });
    assert.equal(answer.readUInt16BE(0), 0x1234);
    assert.deepEqual([...answer.subarray(answer.length - 4)], [192, 0, 2, 9]);
    s.close();
  } finally {
    up.close();
    await net.close();
  }
});

test('ping: the gateway answers echo requests to its address', async () => {
  const net = guestNetwork({ dns: false });
  try {
    const p = net.host.pingSocket();
    const got = new Promise<number>((resolve) => {
      p.setReadableNotify((s) => {
        const r = newEchoReply();
        if (s.recv(r)) resolve(r.from === 0x0a00_0202 ? r.msgType : -1);
      });
    });
    assert.equal(p.sendEcho('10.0.2.2', 1, net.gw.now()), 0);
    assert.equal(await got, 0);
    p.close();
  } finally {
    await net.close();
  }
});
