// Our host against the Linux kernel over a TAP device, inside a namespace of our own
// (test/interop/bench.ts): ping both ways, ARP both ways, UDP both ways with socat, and a
// datagram to a closed port that Linux reports as ECONNREFUSED. Every test captures the
// link with tcpdump and checks with tshark that no frame is malformed or carries a bad
// checksum.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { newEchoReply } from '../../src/iface/ping.js';
import type { UdpPeerInfo } from '../../src/iface/datagram-queue.js';
import { UdpEchoService } from '../../src/cli/up.js';
import { parseMac } from '../../src/wire/ethernet.js';
import type { LinkDevice } from '../../src/link/device.js';
import { faultInjector } from '../../src/link/fault-injector.js';
import { ipv4ToString } from '../../src/wire/ipv4.js';
import { HOST_ADDR, HOST_MAC, KERNEL_ADDR, openBench, startHost, toolSkipReason, waitFor, type Bench, type Capture } from './bench.js';
import { skipOrFail } from '../require-all.js';

/** Open a bench with a capture running, or skip; check the capture at teardown. */
async function setup(t: TestContext, ...tools: string[]): Promise<{ bench: Bench; cap: Capture } | null> {
  const missing = toolSkipReason('tcpdump', 'tshark', 'python3', ...tools);
  if (missing !== null) {
    skipOrFail(t, missing);
    return null;
  }
  const bench = await openBench(t);
  if (bench === null) return null;
  const cap = await bench.capture();
  return { bench, cap };
}

/** Stop the capture and assert it holds frames and none is malformed or has a bad checksum. */
async function checkCapture(bench: Bench, cap: Capture, minFrames: number): Promise<void> {
  await cap.stop();
  const r = await bench.checkCapture(cap.file);
  assert.deepEqual(r.bad, [], 'malformed or bad-checksum frames in the capture');
  assert.ok(r.total >= minFrames, `capture holds ${r.total} frames, expected at least ${minFrames}`);
}

/** Return the kernel side's MAC. */
async function kernelMac(bench: Bench): Promise<number> {
  const r = await bench.ip(['-br', 'link', 'show', bench.ifname]);
  return parseMac(r.stdout.trim().split(/\s+/)[2]!);
}

test('the kernel pings our host; it resolves our MAC with ARP', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const { bench, cap } = s;
  const { host } = startHost(t, bench);
  const r = await bench.ping(HOST_ADDR, 5, 56);
  assert.deepEqual(r.received, [1, 2, 3, 4, 5], `replies: ${JSON.stringify(r)}`);
  assert.ok(r.ttl.every((x) => x === 64), `reply TTLs ${r.ttl}`);
  // A larger request: 1472 bytes of data fill a 1500-byte MTU exactly.
  const big = await bench.ping(HOST_ADDR, 1, 1472);
  assert.deepEqual(big.received, [1]);
  assert.equal(host.counters.Icmp.InEchos, 6);
  assert.equal(host.counters.Icmp.OutEchoReps, 6);
  // The kernel asked for us (ARP request from 192.0.2.1) and keeps our MAC in its table.
  const neigh = await bench.exec(['ip', 'neigh', 'show', HOST_ADDR, 'dev', bench.ifname], { check: true });
  assert.match(neigh.stdout, new RegExp(`lladdr ${HOST_MAC}`, 'i'));
  assert.doesNotMatch(neigh.stdout, /FAILED|INCOMPLETE/);
  await cap.stop();
  const arp = await bench.summarize(cap.file, `arp.opcode == 2 && arp.src.proto_ipv4 == ${HOST_ADDR} && arp.dst.proto_ipv4 == ${KERNEL_ADDR}`);
  assert.ok(arp.length >= 1, 'our ARP reply to the kernel is in the capture');
  await checkCapture(bench, cap, 14);
});

test('our host pings the kernel; it resolves the kernel MAC with ARP', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const { bench, cap } = s;
  const { host, loop } = startHost(t, bench);
  const mac = await kernelMac(bench);
  const sock = host.pingSocket();
  t.after(() => sock.close());
  const reply = newEchoReply();
  const seqs: number[] = [];
  for (let seq = 1; seq <= 5; seq++) {
    assert.equal(sock.sendEcho(KERNEL_ADDR, seq, loop.clock.now(), 56), 0);
    loop.wake();
    assert.ok(await waitFor(() => sock.pending > 0, 2000), `no reply to seq ${seq}`);
    while (sock.recv(reply)) {
      assert.equal(reply.msgType, 0, `an error instead of a reply: type ${reply.msgType} code ${reply.msgCode}`);
      assert.equal(ipv4ToString(reply.from), KERNEL_ADDR);
      assert.equal(reply.dataLength, 56);
      seqs.push(reply.seq);
    }
  }
  assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
  const n = host.lookupNeighbour(KERNEL_ADDR);
  assert.ok(n !== null, 'the kernel is in our neighbour table');
  assert.equal(n.mac, mac);
  await cap.stop();
  const arp = await bench.summarize(cap.file, `arp.opcode == 1 && arp.src.proto_ipv4 == ${HOST_ADDR} && arp.dst.proto_ipv4 == ${KERNEL_ADDR}`);
  assert.ok(arp.length >= 1, 'our ARP request is in the capture');
  await checkCapture(bench, cap, 12);
});

test('UDP from the kernel to our echo service and back, with socat', async (t) => {
  const s = await setup(t, 'socat');
  if (s === null) return;
  const { bench, cap } = s;
  const { host, loop } = startHost(t, bench);
  const echo = new UdpEchoService(host, loop, 7);
  t.after(() => echo.close());
  const r = await bench.exec(['socat', '-t', '2', '-', `UDP:${HOST_ADDR}:7`], { input: 'hello from the kernel\n', timeoutMs: 10_000, check: true });
  assert.equal(r.stdout, 'hello from the kernel\n');
  // Sizes from empty to the largest unfragmented datagram, checked byte for byte.
  const script = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
ok = 0
sizes = [0, 1, 18, 512, 1000, 1472]
for n in sizes:
    msg = bytes((i * 7 + n) & 0xff for i in range(n))
    s.sendto(msg, (sys.argv[1], 7))
    data, addr = s.recvfrom(65536)
    ok += data == msg and addr == (sys.argv[1], 7)
print(ok, len(sizes))
`;
  const sizes = await bench.python(script, [HOST_ADDR], { check: true, timeoutMs: 20_000 });
  assert.equal(sizes.stdout.trim(), '6 6');
  assert.equal(echo.echoed, 7);
  assert.equal(host.counters.Udp.InDatagrams, 7);
  assert.equal(host.counters.Udp.OutDatagrams, 7);
  await checkCapture(bench, cap, 16);
});

test('UDP from our host to a socat echo server in the kernel and back', async (t) => {
  const s = await setup(t, 'socat');
  if (s === null) return;
  const { bench, cap } = s;
  const { host, loop } = startHost(t, bench);
  // socat answers every datagram on 192.0.2.1:9000 with the same bytes.
  bench.spawn(['socat', '-T', '20', `UDP4-LISTEN:9000,bind=${KERNEL_ADDR},reuseaddr,fork`, 'PIPE']);
  const sock = host.udpSocket().bind(HOST_ADDR, 0);
  t.after(() => sock.close());
  const rx = new Uint8Array(2048);
  const from: UdpPeerInfo = { address: 0, port: 0, localAddress: 0, size: 0, truncated: false };
  const sizes = [1, 100, 1000, 1472];
  let intact = 0;
  for (const size of sizes) {
    const msg = new Uint8Array(size);
    for (let i = 0; i < size; i++) msg[i] = (i * 13 + size) & 0xff;
    // socat may still be starting (port unreachable then): retry, bounded.
    let got = -1;
    for (let attempt = 0; attempt < 20 && got < 0; attempt++) {
      sock.sendTo(msg, 0, size, KERNEL_ADDR, 9000, loop.clock.now());
      loop.wake();
      if (await waitFor(() => sock.pending > 0, 250)) got = sock.recvFrom(rx, 0, rx.length, from);
    }
    assert.equal(got, size, `no echo of ${size} bytes`);
    assert.equal(ipv4ToString(from.address), KERNEL_ADDR);
    assert.equal(from.port, 9000);
    if (Buffer.compare(Buffer.from(rx.subarray(0, size)), Buffer.from(msg)) === 0) intact++;
  }
  assert.equal(intact, sizes.length);
  await checkCapture(bench, cap, 8);
});

test('a datagram to a closed port of our host is refused: Linux reports ECONNREFUSED', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const { bench, cap } = s;
  const { host } = startHost(t, bench);
  const script = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.connect((sys.argv[1], 9999))
s.send(b"anyone there?")
try:
    s.recv(100)
    print("DATA")
except ConnectionRefusedError:
    print("ECONNREFUSED")
except socket.timeout:
    print("TIMEOUT")
`;
  const r = await bench.python(script, [HOST_ADDR], { check: true });
  assert.equal(r.stdout.trim(), 'ECONNREFUSED');
  assert.equal(host.counters.Udp.NoPorts, 1);
  assert.equal(host.counters.Icmp.OutDestUnreachs, 1);
  await cap.stop();
  const unreach = await bench.summarize(cap.file, `icmp.type == 3 && icmp.code == 3 && ip.src == ${HOST_ADDR}`);
  assert.equal(unreach.length, 1, 'one ICMP port unreachable from our host');
  await checkCapture(bench, cap, 4);
});

test('ping and UDP echo still work through a delayed, reordering and lossy link (netem, or nftables loss and our injector)', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const { bench, cap } = s;
  // Linux's side: netem where this kernel has sch_netem; otherwise nftables drops 3 % of
  // the namespace's packets each way, and our host's transmit side is delayed 5 ms ± 2 ms
  // (so replies reorder) by our injector.
  const netemWhy = await bench.netem(['delay', '5ms', '2ms']);
  let nft = false;
  let dev: LinkDevice = bench.tap;
  if (netemWhy !== null) {
    const nftWhy = await bench.nftLoss(3);
    if (nftWhy !== null) return skipOrFail(t, `${netemWhy}; and ${nftWhy}`);
    nft = true;
    dev = faultInjector(bench.tap, { seed: 7, tx: { delay: 5, jitter: 2 } });
  }
  t.diagnostic(nft ? `no sch_netem here: nftables drops 3 % each way on Linux's side; our transmit side is delayed 5 ms ± 2 ms` : 'netem delay 5ms 2ms on Linux\'s side');
  const { host, loop } = startHost(t, bench, dev);
  const echo = new UdpEchoService(host, loop, 7);
  t.after(() => echo.close());
  const pings = nft ? 20 : 3;
  const r = await bench.ping(HOST_ADDR, pings, 56, 2000);
  if (nft) {
    // About 6 % of echoes lose the request or the reply; the others come back.
    assert.ok(r.received.length >= 14 && r.received.every((x) => x >= 1 && x <= pings), `replies: ${JSON.stringify(r.received)}`);
  } else {
    assert.deepEqual(r.received, [1, 2, 3]);
  }
  const n = nft ? 200 : 20;
  const script = `
import socket, sys
n = int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
for i in range(n):
    try: s.sendto(b"m%03d" % i, (sys.argv[1], 7))
    except PermissionError: pass  # nftables dropped it on output (EPERM)
got = []
try:
    while len(got) < n: got.append(s.recvfrom(100)[0])
except socket.timeout:
    pass
sent = set(b"m%03d" % i for i in range(n))
print(len(got), len(set(got)) == len(got) and all(g in sent for g in got))
`;
  const u = await bench.python(script, [HOST_ADDR, String(n)], { check: true, timeoutMs: 30_000 });
  const [count, intact] = u.stdout.trim().split(' ');
  assert.equal(intact, 'True', 'every echo is one of the datagrams sent, none twice');
  if (nft) {
    assert.ok(Number(count) >= 160, `${count} of ${n} echoes came back through 3 % loss each way`);
    const drops = await bench.nftDrops();
    assert.ok(drops.input + drops.output > 0, `nftables dropped packets (${JSON.stringify(drops)}): the impairment applied`);
    t.diagnostic(`nftables drops: ${JSON.stringify(drops)}; echoes back: ${count} of ${n}`);
  } else {
    assert.equal(Number(count), n);
  }
  await checkCapture(bench, cap, 20);
});
