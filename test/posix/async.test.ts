// The promise-returning calls end to end: two hosts, a client process and a server process
// exchanging data with acceptAsync / connectAsync / sendAsync / recvAsync; UDP
// sendto/recvfrom; a lingering close; a blocking call on an O_NONBLOCK fd.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AF_INET, EAGAIN, ECONNREFUSED, EDESTADDRREQ, ETIMEDOUT, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_LINGER, TcpFile,
  newSockAddrIn, sockaddrIn, type Process, formatSockAddr, inetNtoa, INADDR_ANY,
} from '../../src/posix/index.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { addrA, addrB, drive, kernelPair, IP_A, IP_B } from './harness.js';

/** The server: accept one connection, echo everything back, close at EOF; resolve with the byte count. */
async function echoServer(p: Process, l: number): Promise<number> {
  const peer = newSockAddrIn();
  const s = await p.acceptAsync(l, peer);
  assert.ok(s >= 0, `accept: ${s}`);
  assert.equal(peer.addr, IP_A);
  const buf = new Uint8Array(8192);
  let total = 0;
  for (;;) {
    const n = await p.recvAsync(s, buf);
    assert.ok(n >= 0, `recv: ${n}`);
    if (n === 0) break;
    total += n;
    assert.equal(await p.sendAsync(s, buf, 0, n), n);
  }
  assert.equal(p.sys.close(s), 0);
  return total;
}

test('a client and a server process exchange 200 KB with the blocking calls', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 2 });
  const srv = kb.spawn('server');
  const cli = ka.spawn('client');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(srv.sys.bind(l, sockaddrIn(INADDR_ANY, 7)), 0);
  assert.equal(srv.sys.listen(l, 511), 0);
  const served = echoServer(srv, l);
  const data = new Uint8Array(200_000).map((_, i) => (i * 31 + 7) & 0xff);
  const client = (async () => {
    const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
    assert.equal(await cli.connectAsync(c, addrB(7)), 0);
    const me = newSockAddrIn();
    cli.sys.getsockname(c, me);
    assert.equal(me.addr, IP_A);
    assert.ok(me.port >= 32768 && me.port <= 60999);
    const peer = newSockAddrIn();
    assert.equal(cli.sys.getpeername(c, peer), 0);
    assert.equal(formatSockAddr(peer), `${inetNtoa(IP_B)}:7`);
    const got: Uint8Array[] = [];
    let received = 0;
    const reader = (async () => {
      const buf = new Uint8Array(16384);
      for (;;) {
        const n = await cli.recvAsync(c, buf);
        if (n <= 0) return n;
        got.push(buf.slice(0, n));
        received += n;
        if (received === data.length) return 0;
      }
    })();
    assert.equal(await cli.sendAsync(c, data), data.length);
    assert.equal(await reader, 0);
    assert.equal(cli.sys.shutdown(c, 1), 0);
    const end = await cli.recvAsync(c, new Uint8Array(10));
    assert.equal(end, 0, 'the server closed after echoing');
    cli.sys.close(c);
    return Buffer.concat(got);
  })();
  const echoed = await drive(sim, client);
  assert.equal(await drive(sim, served), data.length);
  assert.equal(createHash('sha256').update(echoed).digest('hex'), createHash('sha256').update(data).digest('hex'));
});

test('connectAsync resolves with ECONNREFUSED and ETIMEDOUT', async () => {
  const { ka, kb, sim } = kernelPair({ tcp: { synRetries: 3 } });
  const cli = ka.spawn('c');
  const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(await drive(sim, cli.connectAsync(c, addrB(1234))), -ECONNREFUSED);
  kb.host.close();
  const d = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  const t0 = sim.now();
  assert.equal(await drive(sim, cli.connectAsync(d, addrB(80))), -ETIMEDOUT);
  // tcp_syn_retries 3 allows 1 + 2 + 4 + 8 = 15 s; with Linux's linear start the SYNs go
  // at 0, 1, 2, 3, 4, 5, 7 and 11 s, and the timer that finds the time spent fires at 19 s.
  assert.equal(sim.now() - t0, 19_000);
});

test('the blocking calls on an O_NONBLOCK fd answer at once', async () => {
  const { ka, sim } = kernelPair();
  const p = ka.spawn('p');
  const l = p.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  p.sys.bind(l, sockaddrIn(0, 99));
  p.sys.listen(l, 1);
  assert.equal(await drive(sim, p.acceptAsync(l)), -EAGAIN);
});

test('UDP: sendto and recvfrom between processes, with the source address', async () => {
  const { ka, kb, sim } = kernelPair();
  const a = ka.spawn('a');
  const b = kb.spawn('b');
  const ub = b.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(b.sys.bind(ub, sockaddrIn(0, 5000)), 0);
  const ua = a.sys.socket(AF_INET, SOCK_DGRAM, 0);
  const msg = new TextEncoder().encode('hello over udp');
  assert.equal(a.sys.send(ua, msg, 0, msg.length, 0), -EDESTADDRREQ);
  const buf = new Uint8Array(100);
  const from = newSockAddrIn();
  assert.equal(b.sys.recvfrom(ub, buf, 0, 100, 0, from), -EAGAIN);
  const pending = b.recvfromAsync(ub, buf, from);
  assert.equal(a.sys.sendto(ua, msg, 0, msg.length, 0, addrB(5000)), msg.length);
  assert.equal(await drive(sim, pending), msg.length);
  assert.equal(new TextDecoder().decode(buf.subarray(0, msg.length)), 'hello over udp');
  assert.equal(from.addr, IP_A);
  const me = newSockAddrIn();
  a.sys.getsockname(ua, me);
  assert.equal(from.port, me.port);
  // connect() sets the default destination; the reply goes back with send().
  assert.equal(b.sys.connect(ub, from), 0);
  assert.equal(b.sys.send(ub, msg, 0, 5, 0), 5);
  assert.equal(await drive(sim, a.recvfromAsync(ua, buf)), 5);
  void addrA;
});

test('UDP to a closed port: the ICMP error comes back as ECONNREFUSED on a connected socket', async () => {
  const { ka, sim } = kernelPair();
  const a = ka.spawn('a');
  const u = a.sys.socket(AF_INET, SOCK_DGRAM, 0);
  assert.equal(a.sys.connect(u, addrB(6000)), 0);
  assert.equal(a.sys.send(u, new Uint8Array(3), 0, 3, 0), 3);
  sim.runFor(50);
  assert.equal(a.sys.recv(u, new Uint8Array(10), 0, 10, 0), -ECONNREFUSED);
});

test('closeAsync with SO_LINGER waits for the FIN to be acknowledged; l_linger 0 resets', async () => {
  const { ka, kb, sim } = kernelPair({ delay: 100 });
  const srv = kb.spawn('s');
  const cli = ka.spawn('c');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM, 0);
  srv.sys.bind(l, sockaddrIn(0, 80));
  srv.sys.listen(l, 4);
  const acc = srv.acceptAsync(l);
  const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  assert.equal(await drive(sim, cli.connectAsync(c, addrB(80))), 0);
  const s = await drive(sim, acc);
  assert.ok(s >= 0);
  assert.equal(cli.sys.setsockopt(c, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 5 }), 0);
  const sock = (cli.file(c) as TcpFile).sock;
  const t0 = sim.now();
  assert.equal(await drive(sim, cli.closeAsync(c)), 0);
  assert.ok(sim.now() - t0 >= 200, 'waited a round trip for the ACK of the FIN');
  assert.ok(sock.state === TcpState.FinWait2 || sock.state === TcpState.TimeWait);
  // The reset variant: the peer's socket sees ECONNRESET.
  const c2 = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  const acc2 = srv.acceptAsync(l);
  assert.equal(await drive(sim, cli.connectAsync(c2, addrB(80))), 0);
  const s2 = await drive(sim, acc2);
  cli.sys.setsockopt(c2, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 });
  assert.equal(await drive(sim, cli.closeAsync(c2)), 0);
  const r = await drive(sim, srv.recvAsync(s2, new Uint8Array(10)));
  assert.equal(r, -104);
});
