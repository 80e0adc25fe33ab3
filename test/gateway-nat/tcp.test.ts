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

/** Connect from the guest; resolve with the socket once connected, reject with the error. */
function guestConnect(net: ReturnType<typeof guestNetwork>, port: number, host = '10.0.2.2'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = net.stack.net.connect({ host, port, allowHalfOpen: true }) as unknown as Socket;
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

/** Return a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const { server, port } = await loopbackServer(() => undefined);
  await new Promise((r) => server.close(r));
  return port;
}

test('a refused host connect reaches the guest as ECONNREFUSED (a RST), and nothing is left behind', async () => {
  const net = guestNetwork();
  try {
    const port = await closedPort();
    await assert.rejects(guestConnect(net, port), { code: 'ECONNREFUSED' });
    assert.equal(net.gw.counters.TcpRefused, 1);
    assert.equal(net.gw.tcpNat.pendingCount, 0);
    assert.equal(net.gw.flows().length, 0);
  } finally {
    await net.close();
  }
});

test('egress none: the guest is refused before any host socket is opened', async () => {
  const net = guestNetwork({ egress: 'none' });
  let accepted = 0;
  const { server, port } = await loopbackServer(() => accepted++);
  try {
    await assert.rejects(guestConnect(net, port), { code: 'ECONNREFUSED' });
    assert.equal(net.gw.counters.TcpDenied, 1);
    assert.equal(net.gw.counters.TcpOpened, 0);
    assert.equal(accepted, 0);
  } finally {
    server.close();
    await net.close();
  }
});

test('--deny 127.0.0.0/8 wins over egress loopback; an outside address is denied under loopback', async () => {
  const net = guestNetwork({ deny: ['127.0.0.0/8'] });
  const open = guestNetwork();
  let accepted = 0;
  const { server, port } = await loopbackServer(() => accepted++);
  try {
    await assert.rejects(guestConnect(net, port), { code: 'ECONNREFUSED' });
    assert.equal(net.gw.counters.TcpDenied, 1);
    // 192.0.2.1 (TEST-NET-1) is not loopback: refused without a host connect.
    await assert.rejects(guestConnect(open, 80, '192.0.2.1'), { code: 'ECONNREFUSED' });
    assert.equal(open.gw.counters.TcpDenied, 1);
    assert.equal(accepted, 0);
  } finally {
    server.close();
    await net.close();
    await open.close();
  }
});

test('a host RST reaches the guest as ECONNRESET; the flow is released', async () => {
  const net = guestNetwork();
  const { server, port } = await loopbackServer((k) => k.once('data', () => k.resetAndDestroy()));
  try {
    const s = await guestConnect(net, port);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      s.once('error', resolve);
      s.write('hello');
    });
    assert.equal(err.code, 'ECONNRESET');
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
    assert.equal(net.gw.counters.TcpResets, 1);
  } finally {
    server.close();
    await net.close();
  }
});

test('a guest RST reaches the host as ECONNRESET', async () => {
  const net = guestNetwork();
  let hostErr: string | undefined;
  let hostClosed!: () => void;
  const closed = new Promise<void>((r) => (hostClosed = r));
  const { server, port } = await loopbackServer((k) => {
    k.on('error', (e: NodeJS.ErrnoException) => (hostErr = e.code));
    k.on('close', () => hostClosed());
  });
  try {
    const s = await guestConnect(net, port);
    await until(() => net.gw.counters.TcpFlows === 1, 5000, 'flow up');
    (s as unknown as { resetAndDestroy(): void }).resetAndDestroy();
    await closed;
    assert.equal(hostErr, 'ECONNRESET');
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
  } finally {
    server.close();
    await net.close();
  }
});

test('half-close both ways: the host half-closes first, the guest keeps sending, then ends', async () => {
  const net = guestNetwork();
  const up = pattern(100_000, 3);
  const got: Buffer[] = [];
  const { server, port } = await loopbackServer((k) => {
    k.end('bye');
    k.on('data', (d) => got.push(d));
  }, { allowHalfOpen: true });
  try {
    const s = await guestConnect(net, port);
    const down: Buffer[] = [];
    s.on('data', (d: Buffer) => down.push(d));
    await new Promise<void>((r) => s.once('end', () => r()));
    assert.equal(Buffer.concat(down).toString(), 'bye');
    s.end(up);
    await until(() => Buffer.concat(got).length === up.length, 5000, 'upload after half-close');
    assert.equal(sha256(Buffer.concat(got)), sha256(up));
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
  } finally {
    server.close();
    await net.close();
  }
});

test('maxFlows caps a guest: the next SYN is refused, and a closed flow frees its place', async () => {
  const net = guestNetwork({ maxFlows: 2 });
  const hosts: Socket[] = [];
  const { server, port } = await loopbackServer((k) => hosts.push(k));
  try {
    const a = await guestConnect(net, port);
    const b = await guestConnect(net, port);
    await assert.rejects(guestConnect(net, port), { code: 'ECONNREFUSED' });
    assert.equal(net.gw.counters.TcpFlowLimit, 1);
    a.destroy();
    await until(() => net.gw.counters.TcpFlows === 1, 5000, 'one flow left');
    const c = await guestConnect(net, port);
    b.destroy();
    c.destroy();
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flows released');
  } finally {
    for (const h of hosts) h.destroy();
    server.close();
    await net.close();
  }
});

test('a SYN flood past maxHalfOpen is dropped and counted; every flow is released afterwards', async () => {
  const net = guestNetwork({ maxHalfOpen: 8 });
  const { server, port } = await loopbackServer((k) => k.on('error', () => undefined));
  try {
    const { newTcpRepr, TCP_SYN } = await import('../../src/wire/tcp.js');
    const seg = newTcpRepr();
    seg.flags = TCP_SYN;
    seg.dstPort = port;
    seg.windowLen = 65535;
    seg.mss = 1460;
    const guest = 0x0a00_020f;
    for (let i = 0; i < 50; i++) {
      seg.srcPort = 20000 + i;
      seg.seqNumber = i * 1000;
      assert.equal(net.gw.tcpNat.onSyn(seg, net.gw.config.gateway, guest, net.gw.now()), true);
    }
    assert.equal(net.gw.counters.TcpHalfOpenDrops, 42);
    assert.equal(net.gw.tcpNat.pendingCount, 8);
    // The guest's stack knows none of these connections: it answers each SYN-ACK with a RST.
    await until(() => net.gw.tcpNat.pendingCount === 0 && net.gw.counters.TcpFlows === 0, 10_000, 'flood flows released');
    assert.equal(net.gw.counters.TcpOpened, 8);
    assert.equal(net.gw.tcp.connectionCount, 0);
  } finally {
    server.close();
    await net.close();
  }
});

test('inbound TCP forward: a loopback client reaches the guest port and appears as the gateway address', async () => {
  const net = guestNetwork();
  const seen: string[] = [];
  const srv = net.stack.net.createServer((s) => {
    seen.push(`${s.remoteAddress}`);
    s.end('hello from the guest');
  });
  await new Promise<void>((r) => srv.listen(80, () => r()));
  try {
    const f = await net.gw.forward('tcp:127.0.0.1:0-10.0.2.15:80');
    const { connect } = await import('node:net');
    const got = await new Promise<string>((resolve, reject) => {
      const c = connect(f.address().port, '127.0.0.1');
      let t = '';
      c.on('data', (d) => (t += d.toString()));
      c.on('error', reject);
      c.on('end', () => resolve(t));
    });
    assert.equal(got, 'hello from the guest');
    assert.deepEqual(seen, ['10.0.2.2']);
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
    await assert.rejects(net.gw.forward('sctp:1-2'), { code: 'NETCH_ERR_FORWARD_SPEC' });
  } finally {
    srv.close();
    await net.close();
  }
});

test('inbound TCP forward to a closed guest port: the client is reset', async () => {
  const net = guestNetwork();
  try {
    const f = await net.gw.forward('tcp::0-:81');
    const { connect } = await import('node:net');
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const c = connect(f.address().port, '127.0.0.1');
      c.on('error', resolve);
      c.on('close', () => resolve(null));
    });
    assert.equal(err?.code, 'ECONNRESET');
    assert.equal(f.counters.failed, 1);
  } finally {
    await net.close();
  }
});

test('backpressure: a guest that stops reading stops the host side; memory per flow stays bounded; every byte arrives in order', async () => {
  const net = guestNetwork({ dns: false });
  const body = pattern(24 * 1024 * 1024, 21);
  const { server, port } = await loopbackServer((k) => {
    k.on('error', () => undefined);
    k.end(body);
  });
  try {
    const s = net.stack.net.connect({ host: '10.0.2.2', port }) as unknown as Socket;
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.pause();
    await until(() => net.gw.tcpNat.flows.size === 1, 5000, 'flow');
    const flow = [...net.gw.tcpNat.flows][0]!;
    // Let the host side fill whatever the relay takes (until what the gateway has read from
    // the host socket stops growing): it is bounded by the stack socket's buffers, not by
    // the 24 MiB offered.
    let last = -1;
    for (let stable = 0; stable < 3; ) {
      await new Promise((r) => setTimeout(r, 150));
      stable = flow.bytesIn === last && last > 0 ? stable + 1 : 0;
      last = flow.bytesIn;
    }
    assert.ok(flow.bytesIn < 12 * 1024 * 1024, `gateway read ${flow.bytesIn} bytes from the host while the guest read none`);
    s.resume();
    await new Promise<void>((r) => s.once('end', () => r()));
    assert.equal(sha256(Buffer.concat(chunks)), sha256(body));
    await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
  } finally {
    server.close();
    await net.close();
  }
});

test('a guest reusing its port at once opens a new flow though the gateway side of the last one waits in TIME-WAIT', async () => {
  const net = guestNetwork({ dns: false });
  const { server, port } = await loopbackServer((k) => k.end('bye'));
  try {
    for (let i = 0; i < 3; i++) {
      const got = await new Promise<string>((resolve, reject) => {
        const s = net.stack.net.connect({ host: '10.0.2.2', port, localPort: 40000 }) as unknown as Socket;
        let t = '';
        s.on('data', (d: Buffer) => (t += d.toString()));
        s.on('error', reject);
        s.on('close', () => resolve(t));
      });
      assert.equal(got, 'bye');
      await until(() => net.gw.counters.TcpFlows === 0, 5000, 'flow released');
    }
    assert.equal(net.gw.counters.TcpOpened, 3);
    // The host closed first each time, so the gateway's side ended in TIME-WAIT; the next SYN recycled it.
    assert.ok(net.gw.tcp.counters.TcpExt.TWRecycled >= 2);
  } finally {
    server.close();
    await net.close();
  }
});

test('hostLoopback off: the gateway address is not the host loopback (a SYN to it is refused, no host connect)', async () => {
  const net = guestNetwork({ dns: false, hostLoopback: false });
  let accepted = 0;
  const { server, port } = await loopbackServer(() => accepted++);
  try {
    await assert.rejects(guestConnect(net, port), { code: 'ECONNREFUSED' });
    assert.equal(accepted, 0);
    assert.equal(net.gw.counters.TcpOpened + net.gw.counters.TcpRefused, 0);
  } finally {
    server.close();
    await net.close();
  }
});
