// The DNS forwarder on a gateway host, asked by a guest of our own stack, relaying to tiny
// DNS servers this test runs on 127.0.0.1. No traffic leaves the machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { DnsForwarder, type DnsForwarderOptions, NETCH_ERR_DNS_CONFIG, parseDnsUpstream, parseResolvConf } from '../../src/gateway/dns.js';
import { Gateway } from '../../src/gateway/index.js';
import { addGuest } from '../gateway-nat/harness.js';
import { startTinyDns, type TinyDns } from './services.js';

/** A query for `name` (type A unless told) with id `id`. */
function query(name: string, id: number, type = 1, extra: Buffer = Buffer.alloc(0), arCount = 0): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)]));
  const hdr = Buffer.alloc(12);
  hdr.writeUInt16BE(id, 0);
  hdr.writeUInt16BE(0x0100, 2);
  hdr.writeUInt16BE(1, 4);
  hdr.writeUInt16BE(arCount, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([hdr, ...labels, Buffer.of(0), tail, extra]);
}

/** Return the A address in answer `m`, or null. */
function answerA(m: Buffer): string | null {
  if (m.readUInt16BE(6) === 0) return null;
  return [...m.subarray(m.length - 4)].join('.');
}

interface Net {
  gw: Gateway;
  fwd: DnsForwarder;
  udp: DgramSocket;
  ask(q: Buffer, timeoutMs?: number): Promise<Buffer | null>;
  tcpAsk(qs: Buffer[]): Promise<Buffer[]>;
  close(): Promise<void>;
}

async function network(upstreams: TinyDns[], opts: Partial<DnsForwarderOptions> = {}): Promise<Net> {
  const gw = new Gateway({ egress: 'loopback', dhcp: false, dns: false });
  const { host, stack } = addGuest(gw);
  const fwd = await new DnsForwarder(gw.host, {
    address: '10.0.2.3',
    upstreams: upstreams.map((u) => `127.0.0.1:${u.port}`),
    tcp: gw.tcp,
    timeoutMs: 300,
    now: () => gw.now(),
    ...opts,
  }).start();
  const udp = stack.dgram.createSocket('udp4') as unknown as DgramSocket;
  await new Promise<void>((r) => udp.bind(0, () => r()));
  const waiting: ((m: Buffer) => void)[] = [];
  udp.on('message', (m: Buffer) => waiting.shift()?.(m));
  return {
    gw,
    fwd,
    udp,
    ask: (q, timeoutMs = 3000) =>
      new Promise((resolve) => {
        const t = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1);
          resolve(null);
        }, timeoutMs);
        const done = (m: Buffer): void => {
          clearTimeout(t);
          resolve(m);
        };
        waiting.push(done);
        udp.send(q, 53, '10.0.2.3');
      }),
    tcpAsk: (qs) =>
      new Promise((resolve, reject) => {
        const s = stack.net.connect({ host: '10.0.2.3', port: 53 }) as unknown as Socket;
        const out: Buffer[] = [];
        let acc = Buffer.alloc(0);
        const t = setTimeout(() => reject(new Error(`TCP answers: ${out.length} of ${qs.length}`)), 5000);
        s.on('connect', () => {
          for (const q of qs) {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(q.length, 0);
            s.write(Buffer.concat([len, q]));
          }
        });
        s.on('data', (c: Buffer) => {
          acc = Buffer.concat([acc, c]);
          while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
            out.push(acc.subarray(2, 2 + acc.readUInt16BE(0)));
            acc = acc.subarray(2 + acc.readUInt16BE(0));
          }
          if (out.length === qs.length) {
            clearTimeout(t);
            s.end();
            resolve(out);
          }
        });
        s.on('error', reject);
      }),
    async close() {
      udp.close();
      fwd.close();
      stack.close();
      await gw.close();
      host.close();
      for (const u of upstreams) await u.close();
    },
  };
}

test('a UDP query is relayed with a remapped id, and the answer comes back with the guest\'s', async () => {
  const up = await startTinyDns({ 'www.netch.test': '192.0.2.80' });
  const n = await network([up]);
  try {
    const a = await n.ask(query('www.netch.test', 0x4242));
    assert.ok(a, 'an answer');
    assert.equal(a.readUInt16BE(0), 0x4242);
    assert.equal(answerA(a), '192.0.2.80');
    assert.equal(up.queries.length, 1);
    assert.equal(up.queries[0]!.name, 'www.netch.test');
    assert.notEqual(up.queries[0]!.id, 0x4242, 'the upstream saw another id');
    assert.equal(n.fwd.counters.Answers, 1);
    assert.equal(n.fwd.pendingCount, 0);
  } finally {
    await n.close();
  }
});

test('an upstream that times out, then one that answers SERVFAIL, are passed over for the next', async () => {
  const silent = await startTinyDns({ 'x.netch.test': 'silent' });
  const failing = await startTinyDns({ 'x.netch.test': 'servfail' });
  const good = await startTinyDns({ 'x.netch.test': '192.0.2.7' });
  const n = await network([silent, failing, good]);
  try {
    const a = await n.ask(query('x.netch.test', 7));
    assert.ok(a);
    assert.equal(answerA(a), '192.0.2.7');
    assert.equal(a.readUInt16BE(2) & 0xf, 0);
    assert.deepEqual([silent.queries.length, failing.queries.length, good.queries.length], [1, 1, 1]);
    assert.equal(n.fwd.counters.UpstreamTimeouts, 1);
    assert.equal(n.fwd.counters.UpstreamServFails, 1);
  } finally {
    await n.close();
  }
});

test('when every upstream fails the guest hears SERVFAIL from the forwarder', async () => {
  const a1 = await startTinyDns({ 'y.netch.test': 'servfail' });
  const a2 = await startTinyDns({ 'y.netch.test': 'silent' });
  const n = await network([a1, a2]);
  try {
    const a = await n.ask(query('y.netch.test', 9));
    assert.ok(a);
    assert.equal(a.readUInt16BE(0), 9);
    assert.equal(a.readUInt16BE(2) & 0x800f, 0x8002, 'QR and SERVFAIL');
    assert.equal(n.fwd.counters.ServFails, 1);
  } finally {
    await n.close();
  }
});

test('a truncated answer is asked again over TCP; the full answer reaches the UDP guest when it fits', async () => {
  const up = await startTinyDns({ 'big.netch.test': 'truncate' });
  const n = await network([up]);
  try {
    const a = await n.ask(query('big.netch.test', 11));
    assert.ok(a);
    assert.equal(a.readUInt16BE(2) & 0x0200, 0, 'not truncated');
    assert.equal(answerA(a), '192.0.2.99');
    assert.deepEqual(up.queries.map((q) => q.tcp), [false, true]);
    assert.equal(n.fwd.counters.TruncatedRetries, 1);
    assert.equal(n.fwd.counters.UpstreamTcp, 1);
  } finally {
    await n.close();
  }
});

test('DNS over TCP from the guest: pipelined queries, each answered with its length prefix and id (RFC 7766)', async () => {
  const up = await startTinyDns({ 'a.netch.test': '192.0.2.1', 'b.netch.test': '192.0.2.2' });
  const n = await network([up]);
  try {
    const answers = await n.tcpAsk([query('a.netch.test', 100), query('b.netch.test', 200)]);
    const byId = new Map(answers.map((m) => [m.readUInt16BE(0), answerA(m)]));
    assert.deepEqual([...byId.entries()].sort(), [
      [100, '192.0.2.1'],
      [200, '192.0.2.2'],
    ]);
    assert.equal(n.fwd.counters.TcpQueries, 2);
    assert.equal(n.fwd.counters.TcpConnections, 1);
  } finally {
    await n.close();
  }
});

test('malformed queries are counted and dropped; the forwarder keeps answering', async () => {
  const up = await startTinyDns({ 'ok.netch.test': '192.0.2.5' });
  const n = await network([up]);
  try {
    const response = query('ok.netch.test', 1);
    response.writeUInt16BE(0x8100, 2);
    const twoQuestions = query('ok.netch.test', 2);
    twoQuestions.writeUInt16BE(2, 4);
    const bad = [Buffer.alloc(5), response, twoQuestions, Buffer.from('not dns at all, really')];
    for (const b of bad) assert.equal(await n.ask(b, 400), null);
    assert.equal(n.fwd.counters.Malformed, bad.length);
    assert.equal(up.queries.length, 0);
    const a = await n.ask(query('ok.netch.test', 3));
    assert.equal(a && answerA(a), '192.0.2.5');
  } finally {
    await n.close();
  }
});

test('upstreams from options and resolv.conf; bad ones throw NETCH_ERR_DNS_CONFIG', () => {
  assert.deepEqual(parseDnsUpstream('192.0.2.1'), { address: '192.0.2.1', port: 53 });
  assert.deepEqual(parseDnsUpstream('127.0.0.1:5353'), { address: '127.0.0.1', port: 5353 });
  for (const bad of ['1.2.3', '1.2.3.4:0', '1.2.3.4:70000', 'dns.example', '::1']) {
    assert.throws(() => parseDnsUpstream(bad), { code: NETCH_ERR_DNS_CONFIG }, bad);
  }
  assert.deepEqual(parseResolvConf('# x\nsearch lan\nnameserver 10.0.0.1\nnameserver ::1\n  nameserver 10.0.0.2 # two\n'), [
    { address: '10.0.0.1', port: 53 },
    { address: '10.0.0.2', port: 53 },
  ]);
  const gw = new Gateway({ egress: 'none', dhcp: false, dns: false });
  const dir = mkdtempSync(join(tmpdir(), 'netch-dns-'));
  try {
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    assert.deepEqual(new DnsForwarder(gw.host, { address: '10.0.2.3', resolvConf: join(dir, 'resolv.conf') }).upstreams, [{ address: '127.0.0.1', port: 53 }]);
    writeFileSync(join(dir, 'empty.conf'), 'search lan\n');
    assert.throws(() => new DnsForwarder(gw.host, { address: '10.0.2.3', resolvConf: join(dir, 'empty.conf') }), { code: NETCH_ERR_DNS_CONFIG });
    assert.throws(() => new DnsForwarder(gw.host, { address: '10.0.2.3', resolvConf: join(dir, 'missing.conf') }), { code: NETCH_ERR_DNS_CONFIG });
    assert.throws(() => new DnsForwarder(gw.host, { address: 'nope', upstreams: ['127.0.0.1'] }), { code: NETCH_ERR_DNS_CONFIG });
    assert.throws(() => new DnsForwarder(gw.host, { address: '10.0.2.3', upstreams: ['127.0.0.1'], timeoutMs: 0 }), { code: NETCH_ERR_DNS_CONFIG });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    void gw.close();
  }
});
