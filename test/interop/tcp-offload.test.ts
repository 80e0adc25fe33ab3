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
import type { FrameSink, LinkDevice, LinkStats } from '../../src/link/device.js';
import type { TapDevice } from '../../src/link/tap.js';
import type { Millis } from '../../src/time.js';
import { openBench, toolSkipReason, type Bench, type Capture } from './bench.js';
import { bulkFromKernel, bulkToKernel, startTcpHost, transferRate, type TcpBenchHost } from './tcp-peer.js';
import { skipOrFail } from '../require-all.js';

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
    skipOrFail(t, missing);
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

/** Linux sends `n` bytes to us (bulkFromKernel); print the rate and the super-frames received. */
async function kernelToUs(t: TestContext, s: Setup, n: number, port: number): Promise<void> {
  const ms = await bulkFromKernel(s, n, port);
  t.diagnostic(`Linux -> us with offload: ${transferRate(n, ms)}; super-frames received: ${s.tap.rxGsoFrames}`);
}

/** We send `n` bytes to Linux (bulkToKernel); print the rate and the super-segments sent. */
async function usToKernel(t: TestContext, s: Setup, n: number, port: number): Promise<void> {
  const ms = await bulkToKernel(s, n, port);
  t.diagnostic(`us -> Linux with offload: ${transferRate(n, ms)}; super-segments sent: ${s.tap.txTsoFrames}`);
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
  if (missing !== null) return skipOrFail(t, missing);
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
