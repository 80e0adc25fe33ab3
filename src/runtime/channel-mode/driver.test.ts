// A channel-mode driver, deterministically: the driver and two processes stepped in this
// thread on a virtual clock, facing a client host on a shared memory link that checks
// checksums. The filter hooks: received frames cross PREROUTING and INPUT before the driver
// steers them; a process's frames cross OUTPUT and POSTROUTING before the link. And ICMP
// errors quoting a process's segment are steered to that process.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toIpv4 } from '../../iface/cidr.js';
import { Host } from '../../iface/host.js';
import { createSharedMemoryLink, openMemoryLink } from '../../link/memory.js';
import type { LinkDevice } from '../../link/device.js';
import { TcpErr } from '../../transport/tcp/errors.js';
import { TcpLayer } from '../../transport/tcp/layer.js';
import type { TcpSocket } from '../../transport/tcp/socket.js';
import { TcpState } from '../../transport/tcp/state.js';
import { set16, set32, set48 } from '../../wire/bytes.js';
import { ChannelDriver } from './driver.js';
import { ChannelProcess } from './process.js';
import { createChannelModeSpec } from './spec.js';

const SERVER = '198.51.100.2';
const CLIENT = '198.51.100.1';
const SERVER_MAC = 0x020000000202;
const CLIENT_MAC = 0x020000000201;
const TCP = { sendBufSize: 64 << 10, recvBufSize: 64 << 10 };

interface Rig {
  now: number;
  dev: LinkDevice;
  client: TcpLayer;
  driver: ChannelDriver;
  procs: ChannelProcess[];
  /** Listeners on `port` in every process. */
  listen(port: number): TcpSocket[];
  connect(port: number): TcpSocket;
  /** Advance the clock by 1 ms `n` times, polling every part each time. */
  run(n: number): void;
}

function rig(): Rig {
  // No checksum offload: the client checks every checksum the driver and processes send.
  const [c, s] = createSharedMemoryLink({ mtu: 1500, frames: 512 });
  const dev = openMemoryLink(c);
  const ch = new Host({ name: 'client' });
  ch.addInterface(dev, { mac: CLIENT_MAC, address: `${CLIENT}/24` });
  const client = new TcpLayer(ch, TCP);
  const spec = createChannelModeSpec({ link: s, mac: SERVER_MAC, address: `${SERVER}/24`, procs: 2, rxQuota: 256, txFrames: 64 });
  const driver = new ChannelDriver(spec);
  const procs = spec.procs.map((p) => new ChannelProcess(p, TCP));
  const r: Rig = {
    now: 0, dev, client, driver, procs,
    listen: (port) => procs.map((p) => {
      const l = p.tcp.socket();
      assert.equal(l.bind(0, port), 0);
      assert.equal(l.listen(16), 0);
      return l;
    }),
    connect: (port) => {
      const x = client.socket();
      assert.equal(x.connect(toIpv4(SERVER), port, r.now), -TcpErr.InProgress);
      return x;
    },
    run: (n) => {
      for (let i = 0; i < n; i++) {
        const now = ++r.now;
        ch.poll(now);
        driver.step(now);
        for (const p of procs) p.poll(now);
      }
    },
  };
  r.run(5); // the processes' port registrations reach the driver
  return r;
}

/** Accept what the listeners hold. */
function acceptAll(ls: TcpSocket[]): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const l of ls) for (let a = l.accept(); a !== null; a = l.accept()) out.push(a);
  return out;
}

/** Listen on `port` in every process and connect one client socket; return both ends. */
function established(r: Rig, port: number): { ls: TcpSocket[]; a: TcpSocket; srv: TcpSocket } {
  const ls = r.listen(port);
  const a = r.connect(port);
  r.run(50);
  const [srv] = acceptAll(ls);
  assert.ok(srv !== undefined && a.state === TcpState.Established, 'connected');
  return { ls, a, srv };
}

function rule(r: Rig, chain: string, num: number): { packets: number; bytes: number } {
  const c = r.driver.host.filter.list(chain as 'INPUT')[0]!;
  return c.rules[num - 1]!;
}

test('driver INPUT DROP: SYNs to the port never reach a process; other ports connect; deleting the rule lets the retransmitted SYN in', () => {
  const r = rig();
  const l7000 = r.listen(7000);
  const l7001 = r.listen(7001);
  r.driver.host.filter.append('INPUT', { proto: 'tcp', dport: 7000, verdict: 'DROP' });
  const fast0 = r.driver.counters.fastFrames;
  const a = r.connect(7000);
  const b = r.connect(7001);
  r.run(200);
  assert.equal(b.state, TcpState.Established, 'port 7001 connected');
  assert.equal(acceptAll(l7001).length, 1);
  assert.equal(a.state, TcpState.SynSent, 'the SYN to 7000 was dropped');
  assert.equal(acceptAll(l7000).length, 0);
  assert.equal(r.driver.counters.filterInDrops, 1);
  assert.deepEqual([rule(r, 'INPUT', 1).packets, rule(r, 'INPUT', 1).bytes], [1, 60], 'the rule counted the SYN (IPv4 total length)');
  // The chain's policy counted the 7001 connection's segments; the dropped SYN never went to a process.
  const steered = r.driver.counters.fastFrames - fast0;
  assert.equal(r.driver.host.filter.input.packets, steered);
  r.driver.host.filter.delete('INPUT', 1);
  r.run(1500); // the SYN's retransmission at 1 s
  assert.equal(a.state, TcpState.Established, 'the retransmitted SYN got in');
  assert.equal(acceptAll(l7000).length, 1);
  assert.equal(r.driver.counters.filterInDrops, 1);
});

test('driver INPUT REJECT answers the client with a RST from the driver: connect fails with ECONNREFUSED', () => {
  const r = rig();
  const ls = r.listen(7000);
  r.driver.host.filter.append('INPUT', { proto: 'tcp', dport: 7000, verdict: 'REJECT' });
  const a = r.connect(7000);
  r.run(50);
  assert.equal(a.state, TcpState.Closed);
  assert.equal(a.takeError(), TcpErr.Refused);
  assert.equal(acceptAll(ls).length, 0);
  assert.equal(r.driver.counters.filterInDrops, 1);
  assert.equal(r.client.counters.Tcp.InErrs, 0, 'the RST checked out (checksum, length)');
});

test('driver PREROUTING on TCP flags: new connections from a source are dropped while its established flow keeps moving', () => {
  const r = rig();
  const { ls, a, srv } = established(r, 7000);
  r.driver.host.filter.append('PREROUTING', { proto: 'tcp', src: CLIENT, tcpFlags: { mask: 'SYN,ACK,FIN,RST', comp: 'SYN' }, verdict: 'DROP' });
  const b = r.connect(7000);
  const data = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
  const got = new Uint8Array(data.length);
  let sent = 0;
  let rcvd = 0;
  for (let i = 0; i < 5000 && rcvd < data.length; i++) {
    if (sent < data.length) {
      const n = a.send(data, sent, data.length - sent, r.now);
      if (n > 0) sent += n;
    }
    r.run(1);
    const n = srv.recv(got, rcvd, got.length - rcvd, r.now);
    if (n > 0) rcvd += n;
  }
  assert.equal(rcvd, data.length);
  assert.deepEqual(got, data, 'the established flow delivered every byte');
  assert.equal(b.state, TcpState.SynSent, 'the new connection\'s SYN was dropped');
  assert.equal(acceptAll(ls).length, 0);
  assert.ok(rule(r, 'PREROUTING', 1).packets >= 1);
  assert.equal(r.driver.counters.filterInDrops, rule(r, 'PREROUTING', 1).packets);
});

test('driver OUTPUT DROP: a process\'s SYN-ACKs never reach the link, and the frames go back to the pool', () => {
  const r = rig();
  const ls = r.listen(7000);
  r.driver.host.filter.append('OUTPUT', { proto: 'tcp', sport: 7000, verdict: 'DROP' });
  const a = r.connect(7000);
  r.run(2500); // the SYN-ACK and its retransmission at 1 s
  assert.equal(a.state, TcpState.SynSent);
  assert.ok(r.driver.counters.filterOutDrops >= 2, `${r.driver.counters.filterOutDrops} SYN-ACKs dropped`);
  assert.equal(rule(r, 'OUTPUT', 1).packets, r.driver.counters.filterOutDrops);
  assert.equal(acceptAll(ls).length, 0);
  const snap = r.driver.snapshot();
  for (const p of snap.procs) assert.ok(p.txLent <= 64, 'no transmit frame leaked');
  r.driver.host.filter.flush();
  r.run(3000); // the client's next SYN, the SYN-ACK that now passes
  assert.equal(a.state, TcpState.Established);
});

test('driver OUTPUT REJECT: the RST goes to the process that sent the segment, which sees ECONNRESET; the client sees nothing', () => {
  const r = rig();
  const { a, srv } = established(r, 7000);
  r.driver.host.filter.append('OUTPUT', { proto: 'tcp', sport: 7000, verdict: 'REJECT' });
  const ins0 = r.client.counters.Tcp.InSegs;
  assert.equal(srv.send(new Uint8Array(100), 0, 100, r.now), 100);
  r.run(20);
  assert.equal(r.driver.counters.filterOutDrops, 1);
  assert.equal(r.driver.counters.rejectsToProc, 1);
  assert.equal(srv.state, TcpState.Closed, 'the process\'s connection was reset by the RST');
  assert.equal(srv.takeError(), TcpErr.Reset);
  assert.equal(a.state, TcpState.Established, 'nothing reached the client');
  assert.equal(r.client.counters.Tcp.InSegs, ins0);
  r.run(50);
  assert.deepEqual(r.driver.snapshot().procs.map((p) => p.rxLent), [0, 0], 'the frame the RST was steered in came back');
});

test('driver filter: a received frame with a bad IPv4 header checksum goes to the driver host\'s input, which counts it', () => {
  const r = rig();
  r.listen(7000);
  r.driver.host.filter.append('INPUT', { proto: 'udp', dport: 9, verdict: 'DROP' }); // present, never matching
  const rx0 = r.driver.counters.procs.map((p) => p.rxFrames);
  // A SYN to 7000 by hand, its IPv4 header checksum wrong.
  const len = 14 + 20 + 20;
  const off = r.dev.transmitBegin(len);
  assert.ok(off >= 0);
  const b = r.dev.txBytes;
  b.fill(0, off, off + len);
  set48(b, off, SERVER_MAC);
  set48(b, off + 6, CLIENT_MAC);
  set16(b, off + 12, 0x0800);
  const ip = off + 14;
  b[ip] = 0x45;
  set16(b, ip + 2, 40);
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  set16(b, ip + 10, 0x1234); // wrong
  set32(b, ip + 12, toIpv4(CLIENT));
  set32(b, ip + 16, toIpv4(SERVER));
  set16(b, ip + 20, 40000);
  set16(b, ip + 22, 7000);
  b[ip + 32] = 0x50;
  b[ip + 33] = 0x02;
  r.dev.transmitCommit(off, len, r.now);
  r.run(5);
  assert.equal(r.driver.host.counters.IpExt.InCsumErrors, 1);
  assert.deepEqual(r.driver.counters.procs.map((p) => p.rxFrames), rx0, 'no process got it');
  assert.equal(r.driver.host.filter.input.packets, 0, 'INPUT never saw it');
});

test('an ICMP port unreachable quoting a process\'s SYN is steered to that process: its connect fails with ECONNREFUSED at once', () => {
  const r = rig();
  // The client host answers SYNs to 9999 with ICMP port unreachable instead of a RST.
  r.client.host.filter.append('INPUT', { proto: 'tcp', dport: 9999, verdict: 'REJECT', rejectWith: 'icmp-port-unreachable' });
  const c = r.procs[1]!.tcp.socket();
  assert.equal(c.connect(toIpv4(CLIENT), 9999, r.now), -TcpErr.InProgress);
  const slow0 = r.driver.counters.slowFrames;
  const rx0 = r.driver.counters.procs[1]!.rxFrames;
  r.run(50);
  assert.equal(c.state, TcpState.Closed, 'the connect ended on the ICMP error, not after SYN retries');
  assert.equal(c.takeError(), TcpErr.Refused);
  assert.ok(r.driver.counters.procs[1]!.rxFrames > rx0, 'the error went to the process that sent the SYN');
  assert.equal(r.procs[1]!.host.counters.Icmp.InDestUnreachs, 1);
  assert.equal(r.driver.host.counters.Icmp.InDestUnreachs, 0, 'the driver\'s host did not take it');
  assert.ok(r.driver.counters.slowFrames - slow0 <= 2, 'only ARP went the slow path');
});

test('driver OUTPUT REJECT with an ICMP error: the error goes to the process whose SYN it refused, which sees ECONNREFUSED', () => {
  const r = rig();
  r.driver.host.filter.append('OUTPUT', { proto: 'tcp', dport: 9998, verdict: 'REJECT', rejectWith: 'icmp-port-unreachable' });
  const c = r.procs[0]!.tcp.socket();
  assert.equal(c.connect(toIpv4(CLIENT), 9998, r.now), -TcpErr.InProgress);
  r.run(50);
  assert.equal(c.state, TcpState.Closed);
  assert.equal(c.takeError(), TcpErr.Refused);
  assert.equal(r.driver.counters.filterOutDrops, 1);
  assert.equal(r.driver.counters.rejectsToProc, 1);
  assert.equal(r.procs[0]!.host.counters.Icmp.InDestUnreachs, 1);
  assert.equal(r.client.counters.Tcp.InSegs, 0, 'the SYN never reached the client');
});
