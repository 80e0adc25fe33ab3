import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as HostUdp } from 'node:dgram';
import { guestNetwork, until } from './harness.js';

/** A UDP echo server on 127.0.0.1; resolve with it and its port. */
function echoServer(): Promise<{ sock: HostUdp; port: number; peers: string[] }> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const peers: string[] = [];
    sock.on('message', (msg, r) => {
      peers.push(`${r.address}:${r.port}`);
      sock.send(msg, r.port, r.address);
    });
    sock.bind(0, '127.0.0.1', () => resolve({ sock, port: sock.address().port, peers }));
  });
}

test('UDP round trip: a guest datagram to the gateway address reaches 127.0.0.1, the reply comes back from the gateway address', async () => {
  const net = guestNetwork();
  const echo = await echoServer();
  try {
    const s = net.stack.dgram.createSocket('udp4');
    const reply = await new Promise<{ msg: Buffer; address: string; port: number }>((resolve) => {
      s.on('message', (msg: Buffer, r: { address: string; port: number }) => resolve({ msg, address: r.address, port: r.port }));
      s.send(Buffer.from('ping over nat'), echo.port, '10.0.2.2');
    });
    assert.equal(reply.msg.toString(), 'ping over nat');
    assert.equal(reply.address, '10.0.2.2');
    assert.equal(reply.port, echo.port);
    assert.equal(echo.peers[0]!.startsWith('127.0.0.1:'), true);
    assert.equal(net.gw.counters.UdpOpened, 1);
    assert.equal(net.gw.counters.UdpOut, 1);
    assert.equal(net.gw.counters.UdpIn, 1);
    // A second datagram from the same guest endpoint uses the same flow (one host socket).
    await new Promise<void>((resolve) => {
      s.once('message', () => resolve());
      s.send(Buffer.from('again'), echo.port, '10.0.2.2');
    });
    assert.equal(net.gw.counters.UdpOpened, 1);
    assert.equal(new Set(echo.peers).size, 1);
    const flows = net.gw.flows();
    assert.equal(flows.length, 1);
    assert.equal(flows[0]!.proto, 'udp');
    // Idle: the sweep closes it and releases the count.
    assert.equal(net.gw.sweep(net.gw.now() + net.gw.config.udpIdleMs + 1), 1);
    assert.equal(net.gw.counters.UdpFlows, 0);
    assert.equal(net.gw.flows().length, 0);
    s.close();
  } finally {
    echo.sock.close();
    await net.close();
  }
});

test('UDP egress: a denied destination gets ICMP port unreachable and opens no host socket', async () => {
  const net = guestNetwork({ egress: 'none' });
  const echo = await echoServer();
  try {
    const s = net.stack.dgram.createSocket('udp4');
    s.connect(echo.port, '10.0.2.2');
    await new Promise((r) => s.once('connect', r));
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      s.on('error', resolve);
      s.send(Buffer.from('x'));
      // The ICMP error is reported on the next send of a connected socket.
      setTimeout(() => s.send(Buffer.from('y')), 50);
    });
    assert.equal(err.code, 'ECONNREFUSED');
    assert.ok(net.gw.counters.UdpDenied >= 1);
    assert.equal(net.gw.counters.UdpOpened, 0);
    assert.equal(echo.peers.length, 0);
    s.close();
  } finally {
    echo.sock.close();
    await net.close();
  }
});

test('malformed frames from a guest are counted and dropped; the gateway keeps working', async () => {
  const net = guestNetwork();
  const echo = await echoServer();
  try {
    const { memoryLinkPair } = await import('../../src/link/memory.js');
    const { transmitCopy } = await import('../../src/link/device.js');
    const [evil, port] = memoryLinkPair({ names: ['evil', 'gw-evil'] });
    net.gw.attach(port);
    const gwMac = [0x52, 0x55, 10, 0, 2, 2];
    let x = 12345;
    for (let i = 0; i < 500; i++) {
      const len = 1 + (i * 37) % 1500;
      const f = new Uint8Array(len);
      for (let j = 0; j < len; j++) {
        x = (x * 1103515245 + 12345) >>> 0;
        f[j] = x >>> 24;
      }
      // Half of them to the gateway's MAC as IPv4, so they reach the IP and NAT input.
      if (i % 2 === 0 && len >= 34) {
        f.set(gwMac, 0);
        f[12] = 0x08;
        f[13] = 0x00;
        f[14] = 0x45;
      }
      transmitCopy(evil, f, 0, len, net.gw.now());
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await until(() => port.stats.rxFrames >= 500, 5000, 'frames received');
    const s = net.stack.dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => {
      s.on('message', (m: Buffer) => resolve(m));
      s.send(Buffer.from('still alive'), echo.port, '10.0.2.2');
    });
    assert.equal(reply.toString(), 'still alive');
    assert.ok(net.gw.host.counters.Ip.InHdrErrors + net.gw.host.counters.Link.InTruncated + net.gw.switch.counters.runts > 0);
    s.close();
  } finally {
    echo.sock.close();
    await net.close();
  }
});

test('inbound UDP forward: a loopback client reaches a guest UDP port (seen as the gateway address) and gets the answer', async () => {
  const net = guestNetwork();
  const g = net.stack.dgram.createSocket('udp4');
  const seen: string[] = [];
  g.on('message', (m: Buffer, r: { address: string; port: number }) => {
    seen.push(r.address);
    g.send(Buffer.concat([Buffer.from('re: '), m]), r.port, r.address);
  });
  await new Promise<void>((r) => g.bind(5353, () => r()));
  const c = createSocket('udp4');
  try {
    const f = await net.gw.forward('udp:127.0.0.1:0-:5353');
    const reply = await new Promise<string>((resolve) => {
      c.on('message', (m) => resolve(m.toString()));
      c.send('query', f.address().port, '127.0.0.1');
    });
    assert.equal(reply, 're: query');
    assert.deepEqual(seen, ['10.0.2.2']);
  } finally {
    c.close();
    g.close();
    await net.close();
  }
});

test('--pcap captures the guest frames of a UDP round trip', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readPcapFile } = await import('../../src/link/pcap.js');
  const dir = mkdtempSync(join(tmpdir(), 'netch-gw-pcap-'));
  const file = join(dir, 'guest.pcap');
  const net = guestNetwork({ pcap: file, dns: false });
  const echo = await echoServer();
  try {
    const s = net.stack.dgram.createSocket('udp4');
    await new Promise<void>((resolve) => {
      s.on('message', () => resolve());
      s.send(Buffer.from('captured'), echo.port, '10.0.2.2');
    });
    s.close();
    await net.close();
    const cap = readPcapFile(file);
    const udp = cap.frames.filter((f) => f.data.length >= 42 && f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 17);
    // The guest's datagram in, the reply out (ARP frames besides).
    assert.equal(udp.length, 2);
    assert.ok(Buffer.from(udp[0]!.data).includes('captured'));
  } finally {
    echo.sock.close();
    await net.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('datagrams with valid IPv4 headers and random TCP, UDP and ICMP bodies to outside addresses are counted and dropped', async () => {
  const net = guestNetwork({ dns: false });
  const echo = await echoServer();
  try {
    const { memoryLinkPair } = await import('../../src/link/memory.js');
    const { transmitCopy } = await import('../../src/link/device.js');
    const { internetChecksum } = await import('../../src/wire/checksum.js');
    const [evil, port] = memoryLinkPair({ names: ['evil', 'gw-evil'] });
    net.gw.attach(port);
    let x = 777;
    const rnd = (): number => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x >>> 24;
    };
    for (let i = 0; i < 600; i++) {
      const body = 8 + (rnd() * 5) % 200;
      const f = new Uint8Array(34 + body);
      f.set([0x52, 0x55, 10, 0, 2, 2, 2, 0, 0, 0, 0, 0xee, 0x08, 0x00], 0);
      const ip = 14;
      const proto = [6, 17, 1][i % 3]!;
      f.set([0x45, 0, (20 + body) >> 8, (20 + body) & 255, 0, i & 255, 0x40, 0, 64, proto, 0, 0, 10, 0, 2, 99, 192, 0, 2, 1 + (i % 7)], ip);
      const ck = internetChecksum(f, ip, 20);
      f[ip + 10] = ck >> 8;
      f[ip + 11] = ck & 255;
      for (let j = 34; j < f.length; j++) f[j] = rnd();
      // Every other UDP datagram without a checksum: it parses, and meets the egress policy.
      if (proto === 17 && i % 2 === 0) {
        f[34 + 4] = (body >> 8) & 255;
        f[34 + 5] = body & 255;
        f[34 + 6] = 0;
        f[34 + 7] = 0;
      }
      transmitCopy(evil, f, 0, f.length, net.gw.now());
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await until(() => port.stats.rxFrames >= 600, 5000, 'frames received');
    await new Promise((r) => setTimeout(r, 50));
    const c = net.gw.counters;
    assert.ok(c.UdpDenied > 0, 'UDP to outside addresses met the egress policy');
    assert.equal(c.UdpOpened + c.TcpOpened, 0);
    assert.ok(net.gw.host.counters.Ip.ForwDatagrams >= 600);
    // Still serving.
    const s = net.stack.dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => {
      s.on('message', (m: Buffer) => resolve(m));
      s.send(Buffer.from('after the storm'), echo.port, '10.0.2.2');
    });
    assert.equal(reply.toString(), 'after the storm');
    s.close();
  } finally {
    echo.sock.close();
    await net.close();
  }
});
