// Bulk transfers with the Linux kernel over a TAP device opened with offload (IFF_VNET_HDR,
// TUN_F_CSUM | TUN_F_TSO4): the kernel hands us TCP super-frames of up to 64 KiB with
// partial checksums, and we send TSO super-segments that the kernel segments. 64 MiB each
// way (NETCH_OFFLOAD_BYTES), SHA-256 checked on both sides, plus a transfer of ours that
// loses 1 % of its super-segments (SACK recovery with MSS-sized retransmissions).
//
// Checks of the wire: tshark reads the capture of the first frames (taken on the kernel's
// side of the device, where both directions appear as super-frames: the kernel's before it
// would segment them, ours before it does) with no malformed frame and no bad IPv4
// checksum; TCP checksums there are partial by design, so they are checked end to end
// instead: the hashes, and the checksum and error counters of both stacks.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { FrameSink, LinkDevice, LinkStats } from '../../src/link/device.js';
import type { TapDevice } from '../../src/link/tap.js';
import type { Millis } from '../../src/time.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpState, tcpStateName } from '../../src/transport/tcp/state.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { HOST_ADDR, KERNEL_ADDR, openBench, toolSkipReason, waitFor, type Bench, type Capture } from './bench.js';
import { HashSink, RandomSource, errText, ss, startTcpHost, type TcpBenchHost } from './tcp-peer.js';

const MiB = 1 << 20;
const BYTES = Number(process.env['NETCH_OFFLOAD_BYTES'] ?? 64 * MiB);
const LOSSY_BYTES = Number(process.env['NETCH_OFFLOAD_LOSSY_BYTES'] ?? 16 * MiB);
const CAPTURE_FRAMES = 4000;
/** A receive buffer big enough for several 64 KiB super-frames in flight. */
const TCP_OPTS = { sendBufSize: 4 << 20, recvBufSize: 1 << 20 };

interface Setup extends TcpBenchHost {
  bench: Bench;
  tap: TapDevice;
  cap: Capture;
}

/**
 * A test wrapper of an offloading TAP that forwards everything it offers (TSO, the
 * per-frame checksum state) and drops a seeded 1 in `every` of the frames we transmit.
 */
class TxDropper implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly txBytes: Uint8Array;
  readonly txChecksumOffload: boolean;
  readonly tsoMaxBytes: number;
  dropped = 0;
  private seed = 12345;

  constructor(
    private readonly inner: TapDevice,
    private readonly every: number,
  ) {
    this.name = inner.name;
    this.maxFrameLen = inner.maxFrameLen;
    this.txBytes = inner.txBytes;
    this.txChecksumOffload = inner.txChecksumOffload;
    this.tsoMaxBytes = inner.tsoMaxBytes;
  }

  get stats(): LinkStats {
    return this.inner.stats;
  }

  get rxChecksumOk(): boolean {
    return this.inner.rxChecksumOk;
  }

  private drop(): boolean {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    if (this.seed % this.every !== 0) return false;
    this.dropped++;
    return true;
  }

  receive(sink: FrameSink, budget: number, now: Millis): number {
    return this.inner.receive(sink, budget, now);
  }

  transmitBegin(len: number): number {
    return this.inner.transmitBegin(len);
  }

  transmitCommit(off: number, len: number, now: Millis): void {
    if (!this.drop()) this.inner.transmitCommit(off, len, now);
  }

  transmitCommitTso(off: number, len: number, segSize: number, now: Millis): void {
    if (!this.drop()) this.inner.transmitCommitTso(off, len, segSize, now);
  }

  setRxNotify(cb: (() => void) | null): void {
    this.inner.setRxNotify(cb);
  }

  pollAt(): Millis {
    return this.inner.pollAt();
  }

  close(): void {
    this.inner.close();
  }
}

async function setup(t: TestContext, wrap?: (tap: TapDevice) => LinkDevice): Promise<Setup | null> {
  const missing = toolSkipReason('tcpdump', 'tshark', 'socat', 'sha256sum', 'head', 'ss');
  if (missing !== null) {
    t.skip(missing);
    return null;
  }
  const bench = await openBench(t, { offload: true });
  if (bench === null) return null;
  const cap = await bench.capture('capture.pcap', { maxFrames: CAPTURE_FRAMES });
  const dev = wrap === undefined ? bench.tap : wrap(bench.tap);
  return { bench, tap: bench.tap, cap, ...startTcpHost(t, dev, TCP_OPTS) };
}

async function counters(bench: Bench, file: string, group: string): Promise<Record<string, number>> {
  const r = await bench.exec(['cat', file], { check: true });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith(`${group}:`));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** tshark: no malformed frame, no bad IPv4 checksum; return the number of frames longer than the MTU allows. */
async function checkWire(s: Setup): Promise<number> {
  await s.cap.stop();
  const r = await s.bench.checkCapture(s.cap.file, { tcpChecksums: false });
  assert.deepEqual(r.bad, [], 'malformed frames or bad IPv4 checksums in the capture');
  assert.ok(r.total >= 100, `capture holds ${r.total} frames`);
  const k = await counters(s.bench, '/proc/net/snmp', 'Tcp');
  const x = await counters(s.bench, '/proc/net/netstat', 'TcpExt');
  assert.equal(k['InCsumErrors'], 0, 'the kernel saw no bad TCP checksum');
  assert.equal(k['InErrs'], x['TCPSYNChallenge'] ?? 0, `the kernel saw bad segments: ${JSON.stringify(k)}`);
  const ours = s.tcp.counters.Tcp;
  assert.equal(ours.InCsumErrors, 0, 'we saw no bad TCP checksum');
  assert.equal(ours.InErrs, 0, 'we saw no bad segment');
  assert.equal(s.host.counters.Ip.InHdrErrors, 0);
  assert.equal(s.tap.stats.rxDropped, 0, 'the TAP device dropped no received frame');
  return (await s.bench.summarize(s.cap.file, 'ip.len > 1500')).length;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function rate(bytes: number, ms: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB in ${(ms / 1000).toFixed(2)} s (${((bytes * 8) / 1e6 / ms).toFixed(2)} Gbit/s)`;
}

/** Linux sends `n` random bytes with socat to our listener; both sides hash them. */
async function kernelToUs(t: TestContext, s: Setup, n: number, port: number): Promise<void> {
  const file = join(s.bench.dir, 'send.bin');
  await s.bench.exec(['sh', '-c', `head -c ${n} /dev/urandom > ${file}`], { check: true, timeoutMs: 60_000 });
  const want = await sha256File(file);
  const l = s.tcp.socket();
  assert.equal(l.bind(0, port), 0);
  assert.equal(l.listen(4), 0);
  let sink: HashSink | null = null;
  l.onReadiness = () => {
    const c = l.accept();
    if (c !== null) sink = new HashSink(c, s.loop.clock);
  };
  const t0 = performance.now();
  const r = await s.bench.exec(['socat', '-u', `OPEN:${file},rdonly`, `TCP:${HOST_ADDR}:${port}`], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, `socat: ${r.stderr}`);
  const got = (): HashSink | null => sink;
  assert.ok(await waitFor(() => got()?.eof === true || (got()?.error ?? 0) !== 0, 30_000), `received ${got()?.bytes ?? 0} of ${n}`);
  t.diagnostic(`Linux -> us with offload: ${rate(n, performance.now() - t0)}; super-frames received: ${s.tap.rxGsoFrames}`);
  const done = got()!;
  assert.equal(errText(done.error), '0');
  assert.equal(done.bytes, n);
  assert.equal(done.digest, want, 'SHA-256 of the bytes we received = SHA-256 of the file Linux sent');
  done.s.close(s.loop.clock.now());
  assert.ok(await waitFor(() => done.s.state === TcpState.Closed, 10_000), `our socket is ${tcpStateName(done.s.state)}`);
  l.close(s.loop.clock.now());
}

/** We send `n` random bytes to socat on Linux, which hashes them with sha256sum. */
async function usToKernel(t: TestContext, s: Setup, n: number, port: number): Promise<void> {
  const child = s.bench.spawn(['sh', '-c', `socat -u TCP-LISTEN:${port},bind=${KERNEL_ADDR},reuseaddr STDOUT | sha256sum`]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let listening = false;
  for (let i = 0; i < 100 && !listening; i++) {
    listening = (await ss(s.bench)).some((e) => e.state === 'LISTEN' && e.local === `${KERNEL_ADDR}:${port}`);
    if (!listening) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(listening, 'socat listens');
  const sock = s.tcp.socket();
  assert.equal(sock.connect(parseIpv4(KERNEL_ADDR), port, s.loop.clock.now()), -TcpErr.InProgress);
  const t0 = performance.now();
  const src = new RandomSource(sock, n, s.loop.clock);
  const limitMs = 300_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limitMs)))]);
  clearTimeout(timer);
  assert.notEqual(code, 'timeout', `socat did not finish in ${limitMs} ms: sent ${src.sent} of ${n}, ${tcpStateName(sock.state)}`);
  t.diagnostic(`us -> Linux with offload: ${rate(n, performance.now() - t0)}; super-segments sent: ${s.tap.txTsoFrames}`);
  assert.equal(errText(src.error), '0');
  assert.equal(src.sent, n);
  assert.equal(out.split(' ')[0], src.digest, 'SHA-256 Linux computed = SHA-256 of the bytes we sent');
  assert.ok(await waitFor(() => sock.state === TcpState.TimeWait, 10_000), `our socket is ${tcpStateName(sock.state)}`);
}

test(`offload: ${BYTES / MiB} MiB from Linux to our host as super-frames, SHA-256 checked`, { timeout: 600_000 }, async (t) => {
  const s = await setup(t);
  if (s === null) return;
  await kernelToUs(t, s, BYTES, 45200);
  assert.ok(s.tap.rxGsoFrames > 0, 'the kernel handed us GSO super-frames');
  const big = await checkWire(s);
  assert.ok(big > 0, 'the capture shows the kernel sending super-frames longer than the MTU');
});

test(`offload: ${BYTES / MiB} MiB from our host to Linux as TSO super-segments, SHA-256 checked`, { timeout: 600_000 }, async (t) => {
  const s = await setup(t);
  if (s === null) return;
  await usToKernel(t, s, BYTES, 46200);
  assert.ok(s.tap.txTsoFrames > 0, 'we sent TSO super-segments');
  assert.equal(s.tap.stats.txDropped, 0, 'the kernel took every frame we wrote');
  const big = await checkWire(s);
  assert.ok(big > 0, 'the capture shows our super-segments before the kernel segments them');
});

test(`offload without TSO (tso: false): ${BYTES / 4 / MiB} MiB each way, checksums completed by the kernel`, { timeout: 600_000 }, async (t) => {
  const missing = toolSkipReason('tcpdump', 'tshark', 'socat', 'sha256sum', 'head', 'ss');
  if (missing !== null) return t.skip(missing);
  const bench = await openBench(t, { offload: true });
  if (bench === null) return;
  const cap = await bench.capture('capture.pcap', { maxFrames: CAPTURE_FRAMES });
  const s: Setup = { bench, tap: bench.tap, cap, ...startTcpHost(t, bench.tap, { ...TCP_OPTS, tso: false }) };
  await usToKernel(t, s, BYTES / 4, 46201);
  assert.equal(s.tap.txTsoFrames, 0, 'no super-segment with tso: false');
  await kernelToUs(t, s, BYTES / 4, 45201);
  await checkWire(s);
});

test(`offload: ${LOSSY_BYTES / MiB} MiB to Linux losing 1 in 50 of our frames, SHA-256 checked`, { timeout: 600_000 }, async (t) => {
  let dropper: TxDropper | null = null;
  const s = await setup(t, (tap) => (dropper = new TxDropper(tap, 50)));
  if (s === null) return;
  await usToKernel(t, s, LOSSY_BYTES, 46202);
  const d = dropper as TxDropper | null;
  const c = s.tcp.counters;
  t.diagnostic(`dropped ${d?.dropped}; ours: RetransSegs ${c.Tcp.RetransSegs}, TCPTimeouts ${c.TcpExt.TCPTimeouts}, TCPFastRetrans ${c.TcpExt.TCPFastRetrans}`);
  assert.ok(d !== null && d.dropped > 0, 'frames were dropped');
  assert.ok(s.tap.txTsoFrames > 0, 'super-segments went out');
  assert.ok(c.Tcp.RetransSegs > 0, 'we retransmitted');
  await checkWire(s);
});
