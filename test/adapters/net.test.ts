// The net-compatible Socket and Server over two hosts on a memory link: events and their
// order, errors and their shape, addresses, counters, half-close, timeouts, resets, server
// limits, exact backpressure, and that every socket call goes through the process's
// syscall table. Most tests run on the real-time Loop; one runs the same echo on a Sim.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { IP_A, IP_B, loopPair, simPair, within } from './harness.js';
import { type Socket, createConnection, connect, createServer, setDefaultStack } from '../../src/adapters/index.js';
import { SYSCALL_MAN_NAMES, SYSCALL_NAMES, wrapSyscall } from '../../src/posix/syscalls.js';
import { IPPROTO_TCP, SOL_SOCKET, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_NODELAY } from '../../src/posix/constants.js';

async function echoServer(p: ReturnType<typeof loopPair>, port: number, opts = {}) {
  const srv = p.b.createServer(opts, (s: Socket) => s.pipe(s));
  srv.listen(port, IP_B);
  await once(srv, 'listening');
  return srv;
}

async function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  await once(s, 'end');
  return Buffer.concat(parts);
}

test('connect emits connect then ready; echo round trip; addresses and counters', async () => {
  const p = loopPair();
  try {
    const srv = await echoServer(p, 7);
    const seen: string[] = [];
    const c = p.a.connect({ port: 7, host: IP_B });
    assert.equal(c.connecting, true);
    assert.equal(c.pending, true);
    assert.equal(c.readyState, 'opening');
    c.on('lookup', () => seen.push('lookup'));
    c.on('connect', () => seen.push('connect'));
    c.on('ready', () => seen.push('ready'));
    await within(5000, 'connect', once(c, 'ready'));
    assert.deepEqual(seen, ['connect', 'ready'], 'no lookup event for a literal address');
    assert.equal(c.connecting, false);
    assert.equal(c.pending, false);
    assert.equal(c.readyState, 'open');
    assert.equal(c.remoteAddress, IP_B);
    assert.equal(c.remotePort, 7);
    assert.equal(c.remoteFamily, 'IPv4');
    assert.equal(c.localAddress, IP_A);
    assert.ok(c.localPort! >= 1024);
    assert.deepEqual(c.address(), { address: IP_A, family: 'IPv4', port: c.localPort });
    assert.deepEqual(srv.address(), { address: IP_B, family: 'IPv4', port: 7 });
    const got = collect(c);
    c.end('hello, stack');
    assert.equal((await within(5000, 'echo', got)).toString(), 'hello, stack');
    assert.equal(c.bytesWritten, 12);
    assert.equal(c.bytesRead, 12);
    const [hadError] = await within(5000, 'close', once(c, 'close'));
    assert.equal(hadError, false);
    assert.equal(c.readyState, 'closed');
    srv.close();
    await within(5000, 'server close', once(srv, 'close'));
  } finally {
    p.close();
  }
});

test('a name is resolved through the stack and reported by a lookup event; unknown names fail with ENOTFOUND', async () => {
  const p = loopPair();
  try {
    p.a.hosts.set('server.test', IP_B);
    const srv = await echoServer(p, 7);
    const c = p.a.connect(7, 'server.test');
    const [err, address, family, host] = await within(5000, 'lookup', once(c, 'lookup'));
    assert.deepEqual([err, address, family, host], [null, IP_B, 4, 'server.test']);
    await within(5000, 'connect', once(c, 'connect'));
    c.destroy();
    const bad = p.a.connect(7, 'nowhere.test');
    const [e] = await within(5000, 'error', once(bad, 'error'));
    assert.equal(e.code, 'ENOTFOUND');
    assert.equal(e.syscall, 'getaddrinfo');
    assert.equal(e.hostname, 'nowhere.test');
    srv.close();
  } finally {
    p.close();
  }
});

test('a refused connection errors like Node: ECONNREFUSED, errno, syscall, address, port, message', async () => {
  const p = loopPair();
  try {
    const c = p.a.connect(81, IP_B);
    const [err] = await within(5000, 'error', once(c, 'error'));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.errno, -111);
    assert.equal(err.syscall, 'connect');
    assert.equal(err.address, IP_B);
    assert.equal(err.port, 81);
    assert.equal(err.message, `connect ECONNREFUSED ${IP_B}:81`);
    const [hadError] = await once(c, 'close');
    assert.equal(hadError, true);
  } finally {
    p.close();
  }
});

test('bad ports throw ERR_SOCKET_BAD_PORT synchronously, as net does', () => {
  const p = loopPair();
  try {
    assert.throws(() => p.a.connect(70000, IP_B), { code: 'ERR_SOCKET_BAD_PORT' });
    assert.throws(() => p.b.createServer().listen(-1), { code: 'ERR_SOCKET_BAD_PORT' });
  } finally {
    p.close();
  }
});

test('listen on a taken port emits EADDRINUSE with syscall listen; listen twice throws; close of a stopped server reports ERR_SERVER_NOT_RUNNING', async () => {
  const p = loopPair();
  try {
    const s1 = await echoServer(p, 80);
    assert.equal(s1.listening, true);
    assert.throws(() => s1.listen(81), { code: 'ERR_SERVER_ALREADY_LISTEN' });
    const s2 = p.b.createServer();
    s2.listen(80, IP_B);
    const [err] = await within(5000, 'error', once(s2, 'error'));
    assert.equal(err.code, 'EADDRINUSE');
    assert.equal(err.errno, -98);
    assert.equal(err.syscall, 'listen');
    assert.equal(err.address, IP_B);
    assert.equal(err.port, 80);
    assert.match(err.message, /^listen EADDRINUSE: address already in use 192\.0\.2\.2:80$/);
    assert.equal(s2.listening, false);
    const e2 = await new Promise<Error | undefined>((r) => s2.close(r));
    assert.equal((e2 as { code?: string }).code, 'ERR_SERVER_NOT_RUNNING');
    s1.close();
    await once(s1, 'close');
    // Port 0: an ephemeral port, reported by address().
    const s3 = p.b.createServer();
    s3.listen({ port: 0, host: IP_B, backlog: 8 });
    await once(s3, 'listening');
    assert.ok(s3.address()!.port >= 1024);
    s3.close();
  } finally {
    p.close();
  }
});

test('allowHalfOpen: the server keeps writing after the client FIN; without it the socket ends itself', async () => {
  const p = loopPair();
  try {
    const srv = p.b.createServer({ allowHalfOpen: true }, (s: Socket) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => {
        assert.equal(s.readyState, 'writeOnly');
        setTimeout(() => s.end(`got ${Buffer.concat(parts).length} bytes`), 20);
      });
    });
    srv.listen(9, IP_B);
    await once(srv, 'listening');
    const c = p.a.connect({ port: 9, host: IP_B, allowHalfOpen: true });
    await once(c, 'connect');
    const got = collect(c);
    c.end(Buffer.alloc(1000));
    assert.equal((await within(5000, 'half-close reply', got)).toString(), 'got 1000 bytes');
    await within(5000, 'close', once(c, 'close'));

    // Default allowHalfOpen false: the server's end makes the client end its side too.
    const srv2 = p.b.createServer((s: Socket) => s.end('bye'));
    srv2.listen(10, IP_B);
    await once(srv2, 'listening');
    const c2 = p.a.connect(10, IP_B);
    const got2 = collect(c2);
    assert.equal((await within(5000, 'bye', got2)).toString(), 'bye');
    await within(5000, 'auto close', once(c2, 'close'));
    assert.equal(c2.writableEnded, true);
    srv.close();
    srv2.close();
  } finally {
    p.close();
  }
});

test('setTimeout emits timeout after idleness, and activity postpones it', async () => {
  const p = loopPair();
  try {
    const srv = await echoServer(p, 7);
    const c = p.a.connect(7, IP_B);
    await once(c, 'connect');
    let timeouts = 0;
    c.setTimeout(60, () => timeouts++);
    await within(5000, 'timeout', once(c, 'timeout'));
    assert.equal(timeouts, 1);
    assert.equal(c.destroyed, false, 'timeout does not destroy, as in net');
    // Activity postpones it: a write every 25 ms (echoed back) for 1.5 s against a 400 ms
    // timeout, then silence, which lets it fire once more.
    c.resume();
    c.setTimeout(400, () => timeouts++);
    for (let i = 0; i < 60; i++) {
      c.write('x');
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(timeouts, 1, 'no timeout while writes and echoes kept the socket busy');
    await within(5000, 'timeout after the activity', once(c, 'timeout'));
    assert.equal(timeouts, 2);
    c.setTimeout(0);
    c.destroy();
    srv.close();
  } finally {
    p.close();
  }
});

test('resetAndDestroy sends a RST: the peer sees ECONNRESET on read', async () => {
  const p = loopPair();
  try {
    const peerErr = new Promise<Error & { code: string; syscall: string }>((resolve) => {
      const srv = p.b.createServer((s: Socket) => {
        s.on('error', resolve);
        s.resume();
      });
      srv.listen(7, IP_B);
    });
    const c = p.a.connect(7, IP_B);
    await once(c, 'connect');
    c.write('x');
    await new Promise((r) => setTimeout(r, 20));
    c.resetAndDestroy();
    const e = await within(5000, 'reset', peerErr);
    assert.equal(e.code, 'ECONNRESET');
    assert.equal(e.syscall, 'read');
  } finally {
    p.close();
  }
});

test('getConnections, maxConnections with drop, and close waiting for connections', async () => {
  const p = loopPair();
  try {
    const conns: Socket[] = [];
    const srv = p.b.createServer((s: Socket) => {
      conns.push(s);
      s.resume();
    });
    srv.maxConnections = 2;
    srv.listen(7, IP_B);
    await once(srv, 'listening');
    const c1 = p.a.connect(7, IP_B);
    const c2 = p.a.connect(7, IP_B);
    await Promise.all([once(c1, 'connect'), once(c2, 'connect')]);
    while (conns.length < 2) await new Promise((r) => setTimeout(r, 5));
    const dropped = once(srv, 'drop');
    const c3 = p.a.connect(7, IP_B);
    c3.on('error', () => {});
    c3.resume();
    const [info] = await within(5000, 'drop', dropped);
    assert.equal(info.remoteAddress, IP_A);
    assert.equal(info.localPort, 7);
    await within(5000, 'dropped client closes', once(c3, 'close'));
    const n = await new Promise<number>((r) => srv.getConnections((_e, k) => r(k)));
    assert.equal(n, 2);
    let closed = false;
    srv.close(() => {
      closed = true;
    });
    assert.equal(srv.listening, false);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(closed, false, "'close' waits for the open connections");
    c1.end();
    c2.end();
    await within(5000, 'server close', once(srv, 'close'));
    assert.equal(closed, true);
  } finally {
    p.close();
  }
});

test('setNoDelay and setKeepAlive reach the socket options through the syscall table', async () => {
  const p = loopPair();
  try {
    const srv = await echoServer(p, 7);
    const c = p.a.connect(7, IP_B);
    c.setNoDelay(true);
    c.setKeepAlive(true, 30_000);
    await once(c, 'connect');
    const sys = p.a.process.sys;
    assert.equal(sys.getsockopt(c._fd, IPPROTO_TCP, TCP_NODELAY), 1);
    assert.equal(sys.getsockopt(c._fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert.equal(sys.getsockopt(c._fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    c.setNoDelay(false);
    assert.equal(sys.getsockopt(c._fd, IPPROTO_TCP, TCP_NODELAY), 0);
    c.destroy();
    srv.close();
  } finally {
    p.close();
  }
});

test('every socket operation goes through the process syscall table (what a tracer sees)', async () => {
  const p = loopPair();
  try {
    const calls: string[] = [];
    for (const name of SYSCALL_NAMES) {
      wrapSyscall(p.a.process.sys, name, (n, args, next) => {
        calls.push(SYSCALL_MAN_NAMES[n]);
        return (next as (...a: unknown[]) => unknown)(...args) as never;
      });
    }
    const srvCalls: string[] = [];
    for (const name of SYSCALL_NAMES) {
      wrapSyscall(p.b.process.sys, name, (n, args, next) => {
        srvCalls.push(SYSCALL_MAN_NAMES[n]);
        return (next as (...a: unknown[]) => unknown)(...args) as never;
      });
    }
    const srv = await echoServer(p, 7);
    const c = p.a.connect(7, IP_B);
    const got = collect(c);
    c.end('ping');
    assert.equal((await within(5000, 'echo', got)).toString(), 'ping');
    await once(c, 'close');
    srv.close();
    await once(srv, 'close');
    for (const s of ['socket', 'connect', 'sendto', 'recvfrom', 'shutdown', 'close', 'epoll_ctl', 'epoll_wait', 'getsockopt']) {
      assert.ok(calls.includes(s), `client made no ${s}: ${[...new Set(calls)].join(' ')}`);
    }
    for (const s of ['socket', 'setsockopt', 'bind', 'listen', 'accept4', 'recvfrom', 'sendto', 'close']) {
      assert.ok(srvCalls.includes(s), `server made no ${s}: ${[...new Set(srvCalls)].join(' ')}`);
    }
  } finally {
    p.close();
  }
});

test('backpressure is exact: a paused reader closes the window, write() returns false, queued bytes stay bounded', async () => {
  const p = loopPair();
  try {
    let server: Socket | null = null;
    const srv = p.b.createServer({ pauseOnConnect: true }, (s: Socket) => {
      server = s;
    });
    srv.listen(7, IP_B);
    await once(srv, 'listening');
    const c = p.a.connect(7, IP_B);
    await once(c, 'connect');
    const chunk = Buffer.alloc(16384, 1);
    let offered = 0;
    let refused = 0;
    // Offer data whenever the socket drains; count how often write() said "stop".
    const offer = (): void => {
      for (let i = 0; i < 64; i++) {
        offered += chunk.length;
        if (!c.write(chunk)) {
          refused++;
          c.once('drain', offer);
          return;
        }
      }
    };
    offer();
    // Wait until the stack stops taking bytes (bounded: 200 checks).
    let last = -1;
    let still = 0;
    for (let i = 0; i < 200 && still < 5; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const taken = c.bytesWritten - c.writableLength;
      still = taken === last ? still + 1 : 0;
      last = taken;
    }
    assert.ok(refused >= 1, 'write() returned false');
    assert.ok(c.writableLength > 0, 'bytes wait in the stream: nothing drains');
    // What left the stream sits in the client's send buffer and the server's receive
    // buffer (64 KiB each by default): bounded, however long we wait.
    const taken = c.bytesWritten - c.writableLength;
    assert.ok(taken <= 2 * 65536 + 16384, `stack took ${taken} bytes`);
    assert.ok(offered - taken <= c.writableHighWaterMark + 64 * chunk.length, 'the writer stopped offering');
    assert.ok(server !== null);
    // Resume: everything arrives.
    const s = server as Socket;
    const total = offered;
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got === total) c.end();
    });
    s.resume();
    c.removeAllListeners('drain');
    await within(10_000, 'all bytes', once(s, 'end'));
    assert.equal(got, total);
    s.end();
    srv.close();
  } finally {
    p.close();
  }
});

test('module-level createServer/connect use the default stack; Socket.connect with a callback', async () => {
  const p = loopPair();
  setDefaultStack(p.a);
  try {
    const fds = p.a.process.openFds().length;
    const srv = createServer((s: Socket) => s.end('default stack'));
    srv.listen(7, '127.0.0.1');
    await once(srv, 'listening');
    assert.ok(p.a.process.openFds().length > fds, 'the listener is an fd of the default stack\'s process');
    const c = createConnection({ port: 7, host: '127.0.0.1' });
    let connected = false;
    c.on('connect', () => {
      connected = true;
    });
    assert.equal((await within(5000, 'loopback', collect(c))).toString(), 'default stack');
    assert.ok(connected);
    const c2 = connect(7, 'localhost', () => {});
    assert.equal((await within(5000, 'localhost', collect(c2))).toString(), 'default stack');
    const S = p.a.net.Socket;
    const c3 = new S();
    const got = new Promise<string>((r) => {
      c3.connect(7, '127.0.0.1', () => {
        collect(c3).then((b) => r(b.toString()), () => {});
      });
    });
    assert.equal(await within(5000, 'Socket.connect', got), 'default stack');
    srv.close();
  } finally {
    setDefaultStack(null);
    p.close();
  }
});

test('the same adapter code runs on a Sim (virtual clock): echo and a timeout in virtual time', async () => {
  const p = simPair();
  try {
    const srv = p.b.createServer((s: Socket) => s.pipe(s));
    srv.listen(7);
    await once(srv, 'listening');
    const c = p.a.connect(7, IP_B);
    const got = collect(c);
    c.end(Buffer.alloc(300_000, 9));
    const b = await within(10_000, 'sim echo', got);
    assert.equal(b.length, 300_000);
    const c2 = p.a.connect(7, IP_B);
    await once(c2, 'connect');
    const t0 = p.sim.now();
    c2.setTimeout(30_000);
    await within(10_000, 'virtual timeout', once(c2, 'timeout'));
    assert.ok(p.sim.now() - t0 >= 30_000, 'fired on the kernel clock');
    c2.destroy();
    srv.close();
  } finally {
    p.close();
  }
});
