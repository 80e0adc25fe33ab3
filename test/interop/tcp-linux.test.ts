// Our TCP against the Linux kernel's over the TAP bench (test/interop/bench.ts), our side on
// the real-time Loop: curl against the HTTP responder (keep-alive, sizes, SHA-256), socat
// against echo and discard, refused connections both ways, and graceful close (either side
// first), half-close (either side) and abort (either side), with the kernel's socket state
// read from `ss -tan` in the namespace and ours from TcpSocket. Every test captures the
// link and checks with tshark that no frame is malformed or has a bad checksum.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesPattern, startServices } from '../../src/cli/services/index.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { SHUT_WR, type TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState, tcpStateName } from '../../src/transport/tcp/state.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { HOST_ADDR, KERNEL_ADDR, openBench, toolSkipReason, waitFor, type Bench, type Capture } from './bench.js';
import { HashSink, LinuxPeer, RandomSource, errText, ss, ssState, startTcpHost, waitForSs, type TcpBenchHost } from './tcp-peer.js';
import { skipOrFail } from '../require-all.js';

interface Setup extends TcpBenchHost {
  bench: Bench;
  cap: Capture;
}

/** Frames captured by the tests that move tens of MiB (a capture of all takes long to check). */
const BIG_CAPTURE_FRAMES = 10_000;

/**
 * Open a bench with a capture running and our host with TCP on it, or skip. `maxFrames`
 * limits the capture to the first frames.
 */
async function setup(t: TestContext, tools: string[] = [], maxFrames?: number): Promise<Setup | null> {
  const missing = toolSkipReason('tcpdump', 'tshark', 'python3', 'ss', ...tools);
  if (missing !== null) {
    skipOrFail(t, missing);
    return null;
  }
  const bench = await openBench(t);
  if (bench === null) return null;
  const cap = await bench.capture('capture.pcap', maxFrames === undefined ? {} : { maxFrames });
  return { bench, cap, ...startTcpHost(t, bench.tap) };
}

/** Stop the capture; assert it holds at least `minFrames` frames and none is malformed or has a bad checksum. */
async function checkCapture(s: Setup, minFrames: number): Promise<void> {
  await s.cap.stop();
  const r = await s.bench.checkCapture(s.cap.file);
  assert.deepEqual(r.bad, [], 'malformed or bad-checksum frames in the capture');
  assert.ok(r.total >= minFrames, `capture holds ${r.total} frames, expected at least ${minFrames}`);
}

/** Wait (bounded) until our socket is in `state`; fail with the state it is in. */
async function ourState(sock: TcpSocket, state: number, what: string, ms = 5000): Promise<void> {
  await waitFor(() => sock.state === state, ms);
  assert.equal(tcpStateName(sock.state), tcpStateName(state), what);
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Listen on our `port`; resolve with the first connection accepted (bounded wait). */
function listen(s: Setup, port: number): { accepted: () => Promise<TcpSocket> } {
  const l = s.tcp.socket();
  assert.equal(l.bind(0, port), 0);
  assert.equal(l.listen(8), 0);
  return {
    accepted: async () => {
      let c: TcpSocket | null = null;
      assert.ok(await waitFor(() => (c ??= l.accept()) !== null, 5000), `no connection on our port ${port}`);
      return c!;
    },
  };
}

/** Connect from our host to the kernel's `port`; resolve once ESTABLISHED. */
async function connectOut(s: Setup, port: number): Promise<TcpSocket> {
  const sock = s.tcp.socket();
  assert.equal(sock.connect(parseIpv4(KERNEL_ADDR), port, s.loop.clock.now()), -TcpErr.InProgress);
  await ourState(sock, TcpState.Established, `our connect to ${KERNEL_ADDR}:${port}`);
  return sock;
}

/** Read exactly what is readable now into one array (bounded by the receive buffer). */
function readAll(s: Setup, sock: TcpSocket): { bytes: Uint8Array; result: number } {
  const buf = new Uint8Array(1 << 20);
  let n = 0;
  let r = 0;
  for (let i = 0; i < 64; i++) {
    r = sock.recv(buf, n, buf.length - n, s.loop.clock.now());
    if (r <= 0) break;
    n += r;
  }
  return { bytes: buf.slice(0, n), result: r };
}

const ours = (port: number): string => `${HOST_ADDR}:${port}`;
const kernels = (port: number): string => `${KERNEL_ADDR}:${port}`;

test('curl: GET / and GET /bytes/N on one kept-alive connection, sizes and SHA-256 checked', async (t) => {
  const s = await setup(t, ['curl']);
  if (s === null) return;
  const svc = startServices(s.tcp, {}, s.loop.clock);
  t.after(() => svc.stop());
  const n = 3_000_000;
  const f1 = join(s.bench.dir, 'index.txt');
  const f2 = join(s.bench.dir, 'bytes.bin');
  const r = await s.bench.exec(
    ['curl', '-sS', '--max-time', '30', '-w', '%{http_code} %{size_download} %{num_connects}\\n', '-o', f1, `http://${HOST_ADDR}/`, '-o', f2, `http://${HOST_ADDR}/bytes/${n}`],
    { timeoutMs: 40_000, check: true },
  );
  // One connection (num_connects 1, then 0: the second transfer reused it).
  assert.deepEqual(r.stdout.trim().split('\n'), [`200 ${readFileSync(f1).length} 1`, `200 ${n} 0`]);
  assert.match(readFileSync(f1, 'latin1'), /^netchannels/);
  const body = readFileSync(f2);
  assert.equal(body.length, n);
  assert.equal(sha256(body), sha256(bytesPattern(n)));
  const k = svc.counters().http;
  assert.equal(k.accepted, 1, 'both requests on one connection');
  assert.equal(k.requests, 2);
  // curl closed; the responder closed its side: nothing of ours is left open on port 80.
  assert.ok(await waitFor(() => svc.counters().http.active === 0, 5000), 'the responder closed after curl did');
  await checkCapture(s, 2000);
});

test('curl: 404, HEAD, Connection: close, and a large body streamed (64 MiB, SHA-256 checked)', async (t) => {
  const s = await setup(t, ['curl', 'sha256sum'], BIG_CAPTURE_FRAMES);
  if (s === null) return;
  const svc = startServices(s.tcp, {}, s.loop.clock);
  t.after(() => svc.stop());
  const nf = await s.bench.exec(['curl', '-sS', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', `http://${HOST_ADDR}/nothing`], { check: true });
  assert.equal(nf.stdout, '404');
  const head = await s.bench.exec(['curl', '-sS', '--max-time', '10', '-I', `http://${HOST_ADDR}/bytes/12345`], { check: true });
  assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head.stdout, /\r\nContent-Length: 12345\r\n/i);
  const close = await s.bench.exec(['curl', '-sS', '--max-time', '10', '-H', 'Connection: close', '-D', '-', '-o', '/dev/null', `http://${HOST_ADDR}/`], { check: true });
  assert.match(close.stdout, /\r\nConnection: close\r\n/i);
  const n = 64 << 20;
  const t0 = performance.now();
  const big = await s.bench.exec(['sh', '-c', `curl -sS --max-time 120 http://${HOST_ADDR}/bytes/${n} | tee /dev/null | sha256sum`], { timeoutMs: 130_000, check: true });
  const secs = (performance.now() - t0) / 1000;
  t.diagnostic(`curl GET /bytes/${n}: ${secs.toFixed(2)} s, ${(n / secs / 1e6).toFixed(1)} MB/s`);
  assert.equal(big.stdout.split(' ')[0], sha256(bytesPattern(n)));
  assert.ok(await waitFor(() => svc.counters().http.active === 0, 5000));
  assert.deepEqual(svc.counters().http.byStatus, { 200: 3, 404: 1 });
  // The capture holds the first BIG_CAPTURE_FRAMES frames: the small requests and the start of the big one.
  await checkCapture(s, 1000);
});

test('socat: echo returns every byte (SHA-256) and closes after the client; discard counts and closes', async (t) => {
  const s = await setup(t, ['socat', 'sha256sum', 'head']);
  if (s === null) return;
  const svc = startServices(s.tcp, {}, s.loop.clock);
  t.after(() => svc.stop());
  const n = 4 << 20;
  const file = join(s.bench.dir, 'echo.bin');
  await s.bench.exec(['sh', '-c', `head -c ${n} /dev/urandom > ${file}`], { check: true });
  const want = sha256(readFileSync(file));
  // socat sends the file, shuts down writing at its end, and prints what comes back.
  const echo = await s.bench.exec(['sh', '-c', `socat -t 30 STDIO TCP:${HOST_ADDR}:7 < ${file} | sha256sum`], { timeoutMs: 60_000, check: true });
  assert.equal(echo.stdout.split(' ')[0], want);
  const d = await s.bench.exec(['sh', '-c', `socat -u OPEN:${file},rdonly TCP:${HOST_ADDR}:9`], { timeoutMs: 60_000, check: true });
  assert.equal(d.code, 0);
  assert.ok(await waitFor(() => svc.counters().discard.active === 0 && svc.counters().echo.active === 0, 5000), 'both services closed');
  const k = svc.counters();
  assert.deepEqual([k.echo.bytesIn, k.echo.bytesOut, k.echo.errors], [n, n, 0]);
  assert.deepEqual([k.discard.bytesIn, k.discard.errors], [n, 0]);
  await checkCapture(s, 1000);
});

test('Linux connecting to a closed port of ours gets ECONNREFUSED (our RST)', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const script = `
import socket, sys
s = socket.socket(); s.settimeout(5)
try:
    s.connect((sys.argv[1], 4444)); print("CONNECTED")
except ConnectionRefusedError:
    print("ECONNREFUSED")
except socket.timeout:
    print("TIMEOUT")
`;
  const r = await s.bench.python(script, [HOST_ADDR], { check: true, timeoutMs: 10_000 });
  assert.equal(r.stdout.trim(), 'ECONNREFUSED');
  assert.equal(s.tcp.counters.Tcp.OutRsts, 1);
  await s.cap.stop();
  const rst = await s.bench.summarize(s.cap.file, `tcp.flags.reset == 1 && tcp.flags.ack == 1 && ip.src == ${HOST_ADDR} && tcp.srcport == 4444`);
  assert.equal(rst.length, 1, 'one RST,ACK from our host');
  await checkCapture(s, 2);
});

test('our connect to a closed port on Linux reports connection refused', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const sock = s.tcp.socket();
  assert.equal(sock.connect(parseIpv4(KERNEL_ADDR), 4444, s.loop.clock.now()), -TcpErr.InProgress);
  let woke = 0;
  sock.onReadiness = () => woke++;
  await ourState(sock, TcpState.Closed, 'after the kernel refused');
  assert.ok(woke > 0, 'the readiness callback ran');
  assert.equal(errText(sock.send(new Uint8Array(1), 0, 1, s.loop.clock.now())), errText(-TcpErr.Refused));
  assert.equal(s.tcp.counters.Tcp.AttemptFails, 1);
  assert.equal(s.tcp.connectionCount, 0);
  await checkCapture(s, 2);
});

test('graceful close, Linux first: kernel FIN-WAIT-2 and then TIME-WAIT; ours CLOSE-WAIT, LAST-ACK, CLOSED', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const l = listen(s, 45000);
  const peer = LinuxPeer.start(s.bench);
  const [kport] = await peer.ok(`connect ${HOST_ADDR} 45000`);
  const conn = await l.accepted();
  const k = kernels(Number(kport));
  await peer.ok('send 3000');
  await peer.ok('close');
  await ourState(conn, TcpState.CloseWait, 'our side after the kernel FIN');
  const got = readAll(s, conn);
  assert.equal(got.bytes.length, 3000);
  assert.equal(got.result, 0, 'end of stream after the data');
  assert.equal(await waitForSs(s.bench, k, ours(45000), 'FIN-WAIT-2'), 'FIN-WAIT-2');
  assert.equal(conn.close(s.loop.clock.now()), 0);
  await ourState(conn, TcpState.Closed, 'our side after the kernel ACKed our FIN');
  assert.equal(await waitForSs(s.bench, k, ours(45000), 'TIME-WAIT'), 'TIME-WAIT');
  assert.equal(s.tcp.connectionCount, 0);
  await checkCapture(s, 8);
});

test('graceful close, ours first: ours FIN-WAIT-2 then TIME-WAIT; kernel CLOSE-WAIT then gone', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const peer = LinuxPeer.start(s.bench);
  await peer.ok(`listen ${KERNEL_ADDR} 46000`);
  const sock = await connectOut(s, 46000);
  await peer.ok('accept');
  const q = ours(sock.localPort);
  assert.equal(sock.send(new Uint8Array(45000).fill(1), 0, 45000, s.loop.clock.now()), 45000);
  assert.deepEqual(await peer.ok('recv 45000'), ['45000', 'damaged']); // not the pattern: ours is all ones
  assert.equal(sock.shutdown(SHUT_WR, s.loop.clock.now()), 0);
  await ourState(sock, TcpState.FinWait2, 'our side after the kernel ACKed our FIN');
  assert.equal(await waitForSs(s.bench, kernels(46000), q, 'CLOSE-WAIT'), 'CLOSE-WAIT');
  await peer.ok('close');
  await ourState(sock, TcpState.TimeWait, 'our side after the kernel FIN');
  assert.equal(readAll(s, sock).result, 0);
  assert.equal(await waitForSs(s.bench, kernels(46000), q, null), null, 'the kernel socket is gone (LAST-ACK ended)');
  await checkCapture(s, 8);
});

test('half-close by Linux: our side keeps sending after the kernel FIN until it closes too', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const l = listen(s, 45001);
  const peer = LinuxPeer.start(s.bench);
  const [kport] = await peer.ok(`connect ${HOST_ADDR} 45001`);
  const conn = await l.accepted();
  const k = kernels(Number(kport));
  await peer.ok('shutwr');
  await ourState(conn, TcpState.CloseWait, 'our side after the kernel half-close');
  assert.equal(readAll(s, conn).result, 0);
  assert.equal(await waitForSs(s.bench, k, ours(45001), 'FIN-WAIT-2'), 'FIN-WAIT-2');
  // 1 MiB of the peer's pattern from our half-open side, then our FIN.
  const n = 1 << 20;
  const src = new RandomSource(conn, n, s.loop.clock, 'none');
  const recv = peer.ok(`recv ${n}`, 30_000);
  assert.ok(await waitFor(() => src.shut || src.error !== 0, 20_000), `sent ${src.sent} of ${n}, error ${errText(src.error)}`);
  assert.equal((await recv)[0], String(n));
  assert.equal(conn.shutdown(SHUT_WR, s.loop.clock.now()), 0);
  assert.deepEqual(await peer.ok('recveof'), ['0'], 'then the kernel reads our FIN');
  await ourState(conn, TcpState.Closed, 'our side after LAST-ACK');
  assert.equal(await waitForSs(s.bench, k, ours(45001), 'TIME-WAIT'), 'TIME-WAIT');
  await checkCapture(s, 100);
});

test('half-close by us: the kernel keeps sending after our FIN until it closes too', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const peer = LinuxPeer.start(s.bench);
  await peer.ok(`listen ${KERNEL_ADDR} 46001`);
  const sock = await connectOut(s, 46001);
  await peer.ok('accept');
  const q = ours(sock.localPort);
  assert.equal(sock.shutdown(SHUT_WR, s.loop.clock.now()), 0);
  await ourState(sock, TcpState.FinWait2, 'our side after our FIN was ACKed');
  assert.equal(await waitForSs(s.bench, kernels(46001), q, 'CLOSE-WAIT'), 'CLOSE-WAIT');
  const sink = new HashSink(sock, s.loop.clock);
  const n = 1 << 20;
  await peer.ok(`send ${n}`, 30_000);
  await peer.ok('close');
  assert.ok(await waitFor(() => sink.eof || sink.error !== 0, 20_000), `received ${sink.bytes} of ${n}`);
  assert.equal(sink.bytes, n);
  assert.equal(sink.digest, sha256(Uint8Array.from({ length: n }, (_, i) => i & 0xff)));
  await ourState(sock, TcpState.TimeWait, 'our side after the kernel FIN');
  assert.equal(await waitForSs(s.bench, kernels(46001), q, null), null);
  await checkCapture(s, 100);
});

test('abort by Linux (RST): our recv reports the reset, our socket is CLOSED, the kernel has none', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const l = listen(s, 45002);
  const peer = LinuxPeer.start(s.bench);
  const [kport] = await peer.ok(`connect ${HOST_ADDR} 45002`);
  const conn = await l.accepted();
  const k = kernels(Number(kport));
  await peer.ok('send 1000');
  assert.ok(await waitFor(() => conn.readable === 1000, 5000));
  await peer.ok('rst');
  await ourState(conn, TcpState.Closed, 'our side after the kernel RST');
  // As on Linux: the data that arrived before the reset is read first, then the error.
  const got = readAll(s, conn);
  assert.equal(got.bytes.length, 1000);
  assert.equal(errText(got.result), errText(-TcpErr.Reset));
  assert.equal(await ssState(s.bench, k, ours(45002)), null);
  assert.equal(s.tcp.counters.Tcp.EstabResets, 1);
  assert.equal(s.tcp.connectionCount, 0);
  await checkCapture(s, 6);
});

test('abort by us (RST): the kernel reports ECONNRESET and keeps no socket; ours is CLOSED', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const peer = LinuxPeer.start(s.bench);
  await peer.ok(`listen ${KERNEL_ADDR} 46002`);
  const sock = await connectOut(s, 46002);
  await peer.ok('accept');
  const q = ours(sock.localPort);
  assert.equal(await waitForSs(s.bench, kernels(46002), q, 'ESTAB'), 'ESTAB');
  assert.equal(sock.abort(s.loop.clock.now()), 0);
  assert.equal(tcpStateName(sock.state), 'CLOSED');
  assert.deepEqual(await peer.cmd('recveof'), `err ConnectionResetError 104`);
  assert.equal(await waitForSs(s.bench, kernels(46002), q, null), null);
  assert.equal(s.tcp.counters.Tcp.OutRsts, 1);
  await checkCapture(s, 4);
});

test('zero window: Linux stops reading; our persist timer probes it; then every byte arrives', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const peer = LinuxPeer.start(s.bench);
  await peer.ok('rcvbuf 8192');
  await peer.ok(`listen ${KERNEL_ADDR} 46003`);
  const sock = await connectOut(s, 46003);
  await peer.ok('accept');
  const n = 2 << 20;
  const src = new RandomSource(sock, n, s.loop.clock, 'shutdown');
  // Nobody reads on the Linux side: its window closes, we probe.
  assert.ok(await waitFor(() => s.tcp.counters.TcpExt.TCPWinProbe >= 2, 10_000), `probes: ${s.tcp.counters.TcpExt.TCPWinProbe}, sent ${src.sent}`);
  assert.equal(sock.sndWnd, 0, 'the kernel advertises a zero window');
  assert.ok(src.sent < n);
  const e = (await ss(s.bench)).find((x) => x.local === kernels(46003) && x.peer === ours(sock.localPort));
  assert.ok(e !== undefined && e.state === 'ESTAB' && e.recvQ > 0, `kernel socket: ${JSON.stringify(e)}`);
  assert.deepEqual(await peer.ok('recveof', 30_000), [String(n)]);
  assert.ok(src.shut, 'everything was sent');
  await ourState(sock, TcpState.FinWait2, 'our side after the kernel read everything');
  await peer.ok('close');
  await ourState(sock, TcpState.TimeWait, 'our side after the kernel FIN');
  await checkCapture(s, 100);
});

test('zero window: we stop reading; Linux probes us; once we read, every byte arrives', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const l = listen(s, 45003);
  const peer = LinuxPeer.start(s.bench);
  const [kport] = await peer.ok(`connect ${HOST_ADDR} 45003`);
  const conn = await l.accepted();
  const n = 1 << 20;
  // The kernel's send buffer takes it all; our window (64 KiB) closes at once.
  const sent = peer.ok(`send ${n}`, 30_000);
  assert.ok(await waitFor(() => conn.readable === s.tcp.config.recvBufSize, 5000), `readable ${conn.readable}`);
  await new Promise((r) => setTimeout(r, 1500)); // the kernel probes meanwhile
  await s.cap.stop();
  const probes = await s.bench.summarize(s.cap.file, `ip.src == ${KERNEL_ADDR} && tcp.srcport == ${kport} && tcp.len <= 1 && tcp.flags.fin == 0 && tcp.flags.syn == 0`);
  const ours0 = await s.bench.summarize(s.cap.file, `ip.src == ${HOST_ADDR} && tcp.window_size_value == 0`);
  assert.ok(ours0.length >= 1, 'we advertised a zero window');
  assert.ok(probes.length >= 1, 'the kernel probed our zero window');
  const sink = new HashSink(conn, s.loop.clock);
  await sent;
  await peer.ok('close');
  assert.ok(await waitFor(() => sink.eof || sink.error !== 0, 20_000), `received ${sink.bytes} of ${n}`);
  assert.equal(sink.digest, sha256(Uint8Array.from({ length: n }, (_, i) => i & 0xff)));
  const r = await s.bench.checkCapture(s.cap.file);
  assert.deepEqual(r.bad, []);
});

test('echo with a Linux client that stops reading: both windows close and reopen; every byte comes back', async (t) => {
  const s = await setup(t);
  if (s === null) return;
  const svc = startServices(s.tcp, { discard: false, http: false }, s.loop.clock);
  t.after(() => svc.stop());
  const n = 4 << 20;
  // The Linux client sends 4 MiB to our echo service in a thread and reads nothing: its
  // receive buffer fills and its window closes while our echo still has bytes to send (4 MiB
  // cannot fit in the buffers between), so we must probe its zero window; our echo, its
  // send buffer full, stops reading and our window closes too. Then the client reads
  // everything back. (Until 2026-12-04 socat's reader was held instead; a blocked pipe could
  // stop socat's sending as well, and the echo then drained with the kernel's window at 1024
  // bytes, not zero: no probe was due, about 1 run in 15. A fixed SO_RCVBUF of 64 KiB was
  // worse: the kernel dropped in-window bytes for want of buffer memory, 2 runs in 6, so we
  // retransmitted instead of probing and waited out the backed-off RTO.)
  // A small receive buffer for the kernel (this namespace only), auto-tuned as usual.
  await s.bench.exec(['sysctl', '-qw', 'net.ipv4.tcp_rmem=4096 65536 262144'], { check: true });
  const peer = LinuxPeer.start(s.bench);
  await peer.ok(`connect ${HOST_ADDR} 7`);
  await peer.ok(`sendbg ${n}`);
  const probed = await waitFor(() => s.tcp.counters.TcpExt.TCPWinProbe > 0, 20_000);
  const seen: string[] = [];
  s.tcp.forEachSocket((x) => {
    if (x.localPort === 7 && x.state !== TcpState.Listen) {
      seen.push(`${x.stateName()} sndWnd ${x.sndWnd} mss ${x.sendMss} unsent+inflight ${x.sendBuf.length} inflight ${x.sndNxt - x.sndUna} persist ${x.persistTimer.isArmed()} rtx ${x.rtxTimer.isArmed()} txBlocked ${x.txBlocked} recvQ ${x.recvBuf.length}`);
    }
  });
  assert.ok(probed, `we probed the kernel's zero window (no probe in 20 s; our echo side then: ${seen.join('; ') || 'no connection'})`);
  // The client reads all of it back, checking every byte against the pattern it sent.
  assert.deepEqual(await peer.ok(`recv ${n} 50`, 60_000), [String(n), 'intact']);
  await peer.ok('join', 65_000);
  await peer.ok('close');
  assert.ok(await waitFor(() => svc.counters().echo.active === 0, 5000));
  assert.deepEqual([svc.counters().echo.bytesOut, svc.counters().echo.errors], [n, 0]);
  await checkCapture(s, 1000);
  // Our window closed as well (our echo stopped reading while its send buffer was full).
  const ours0 = await s.bench.summarize(s.cap.file, `ip.src == ${HOST_ADDR} && tcp.srcport == 7 && tcp.window_size_value == 0`);
  assert.ok(ours0.length >= 1, 'we advertised a zero window');
});
