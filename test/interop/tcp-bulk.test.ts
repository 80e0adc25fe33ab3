// Bulk transfers between our TCP and the Linux kernel's over the TAP bench, with socat on
// the kernel side, SHA-256 checked on both sides: 256 MiB each way on a clean link, and a
// smaller amount each way with loss 2 %, delay 5 ms and reordering 10 % (netem's
// `loss 2% delay 5ms reorder 10%`). Sizes: NETCH_BULK_BYTES (default 256 MiB) and
// NETCH_BULK_LOSSY_BYTES (default 16 MiB); times are printed as test diagnostics.
//
// Faults: the kernel's side gets `tc qdisc ... netem` on its egress when this kernel has
// sch_netem; otherwise nftables drops 2 % of what the kernel sends (an output chain in the
// namespace) and our host's fault injector delays and reorders the frames it receives (what
// netem would have done to them), and the diagnostics say so. Our host's transmit side
// always goes through the injector with all the faults, so both directions are lossy.
//
// Checks of the wire: a full capture of the first frames of each transfer (tshark: no
// malformed frame, no bad checksum), and across every frame the checksum and error
// counters of both stacks (the kernel's /proc/net/snmp in the namespace, ours).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { faultInjector, type FaultInjector } from '../../src/link/fault-injector.js';
import type { LinkDevice } from '../../src/link/device.js';
import { HOST_ADDR, openBench, toolSkipReason, type Bench, type Capture } from './bench.js';
import { bulkFromKernel, bulkToKernel, startTcpHost, transferRate, type TcpBenchHost } from './tcp-peer.js';
import { skipOrFail } from '../require-all.js';

const MiB = 1 << 20;
const BYTES = Number(process.env['NETCH_BULK_BYTES'] ?? 256 * MiB);
const LOSSY_BYTES = Number(process.env['NETCH_BULK_LOSSY_BYTES'] ?? 16 * MiB);
/** Frames captured in full at the start of each transfer. */
const CAPTURE_FRAMES = 10_000;
/** netem's arguments, and the same faults for our injector. */
const NETEM = ['loss', '2%', 'delay', '5ms', 'reorder', '10%'];
const FAULTS = { loss: 0.02, delay: 5, reorder: 0.1, reorderDelay: 5 };

interface Setup extends TcpBenchHost {
  bench: Bench;
  cap: Capture;
  faults: FaultInjector | null;
  /** How the kernel's egress is made lossy ("netem", "injector rx") or "none". */
  kernelSide: string;
}

/** A bench, a capture of the first frames, our host with TCP; lossy links when `lossy`. */
async function setup(t: TestContext, lossy: boolean): Promise<Setup | null> {
  const missing = toolSkipReason('tcpdump', 'tshark', 'socat', 'sha256sum', 'head', 'ss');
  if (missing !== null) {
    skipOrFail(t, missing);
    return null;
  }
  const bench = await openBench(t);
  if (bench === null) return null;
  let dev: LinkDevice = bench.tap;
  let faults: FaultInjector | null = null;
  let kernelSide = 'none';
  if (lossy) {
    const why = await bench.netem(NETEM);
    let rx = {};
    if (why === null) {
      kernelSide = `netem ${NETEM.join(' ')}`;
    } else {
      const nftWhy = await bench.nftLoss(FAULTS.loss * 100, 'output');
      if (nftWhy !== null) {
        skipOrFail(t, `${why}; and ${nftWhy}`);
        return null;
      }
      kernelSide = `nftables (drop ${FAULTS.loss * 100} % on output; no sch_netem here) and our injector's delay and reordering on the frames we receive`;
      rx = { delay: FAULTS.delay, reorder: FAULTS.reorder, reorderDelay: FAULTS.reorderDelay };
    }
    faults = faultInjector(bench.tap, { seed: 42, tx: FAULTS, rx });
    dev = faults;
    t.diagnostic(`faults: kernel egress by ${kernelSide}; our egress by our injector (loss 2%, delay 5 ms, reorder 10%)`);
  }
  const cap = await bench.capture('capture.pcap', { maxFrames: CAPTURE_FRAMES });
  return { bench, cap, faults, kernelSide, ...startTcpHost(t, dev) };
}

/** Return the kernel's `Tcp:` counters in the namespace (from /proc/net/snmp). */
async function kernelTcpCounters(bench: Bench): Promise<Record<string, number>> {
  const r = await bench.exec(['cat', '/proc/net/snmp'], { check: true });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** Return the kernel's `TcpExt:` counters in the namespace (from /proc/net/netstat). */
async function kernelTcpExtCounters(bench: Bench): Promise<Record<string, number>> {
  const r = await bench.exec(['cat', '/proc/net/netstat'], { check: true });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** Check the capture of the first frames and both stacks' checksum and error counters. */
async function checkWire(s: Setup): Promise<void> {
  await s.cap.stop();
  const r = await s.bench.checkCapture(s.cap.file);
  assert.deepEqual(r.bad, [], 'malformed or bad-checksum frames in the capture');
  assert.ok(r.total >= 100, `capture holds ${r.total} frames`);
  const k = await kernelTcpCounters(s.bench);
  const x = await kernelTcpExtCounters(s.bench);
  assert.equal(k['InCsumErrors'], 0, 'the kernel saw no bad TCP checksum');
  // Linux counts a SYN that reaches a synchronized connection (a duplicate of ours, late
  // through reordering) in InErrs as well, with TCPSYNChallenge; nothing else may be there.
  assert.equal(k['InErrs'], x['TCPSYNChallenge'] ?? 0, `the kernel saw bad segments: Tcp ${JSON.stringify(k)} TcpExt ${JSON.stringify(x)}`);
  const ours = s.tcp.counters.Tcp;
  assert.equal(ours.InCsumErrors, 0, 'we saw no bad TCP checksum');
  assert.equal(ours.InErrs, 0, 'we saw no bad segment');
  assert.equal(s.host.counters.Ip.InHdrErrors, 0);
}

/** Linux sends `n` bytes to us (bulkFromKernel); print the rate. */
async function kernelToUs(t: TestContext, s: Setup, n: number, port: number): Promise<void> {
  const ms = await bulkFromKernel(s, n, port);
  t.diagnostic(`Linux -> us: ${transferRate(n, ms)} (socat -u OPEN:file TCP:${HOST_ADDR}:${port})`);
}

/** We send `n` bytes to Linux (bulkToKernel); print the rate. */
async function usToKernel(t: TestContext, s: Setup, n: number, port: number): Promise<void> {
  const ms = await bulkToKernel(s, n, port);
  t.diagnostic(`us -> Linux: ${transferRate(n, ms)} (socat -u TCP-LISTEN:${port} STDOUT | sha256sum)`);
}

test(`bulk: ${BYTES / MiB} MiB from Linux to our host (socat), SHA-256 checked`, { timeout: 600_000 }, async (t) => {
  const s = await setup(t, false);
  if (s === null) return;
  await kernelToUs(t, s, BYTES, 45100);
  await checkWire(s);
});

test(`bulk: ${BYTES / MiB} MiB from our host to Linux (socat), SHA-256 checked`, { timeout: 600_000 }, async (t) => {
  const s = await setup(t, false);
  if (s === null) return;
  await usToKernel(t, s, BYTES, 46100);
  await checkWire(s);
});

test(`bulk under loss 2% delay 5ms reorder 10%: ${LOSSY_BYTES / MiB} MiB each way, SHA-256 checked`, { timeout: 600_000 }, async (t) => {
  const s = await setup(t, true);
  if (s === null) return;
  await kernelToUs(t, s, LOSSY_BYTES, 45101);
  await usToKernel(t, s, LOSSY_BYTES, 46101);
  const ours = { ...s.tcp.counters.Tcp, ...s.tcp.counters.TcpExt };
  const kt = { ...(await kernelTcpCounters(s.bench)), ...(await kernelTcpExtCounters(s.bench)) };
  const pick = (c: Record<string, number>, names: string[]): string => names.map((n) => `${n} ${c[n] ?? '-'}`).join(', ');
  const names = ['OutSegs', 'RetransSegs', 'TCPTimeouts', 'TCPFastRetrans', 'TCPLossProbes', 'TCPOFOQueue', 'TCPWinProbe', 'TCPSYNChallenge'];
  t.diagnostic(`ours: ${pick(ours, names)}`);
  t.diagnostic(`kernel: ${pick(kt, names)}`);
  const f = s.faults!;
  t.diagnostic(`our injector: tx ${JSON.stringify(f.txFaults)} rx ${JSON.stringify(f.rxFaults)}`);
  assert.ok(f.txFaults.lost > 0 && f.txFaults.reordered > 0, 'our egress lost and reordered frames');
  if (s.kernelSide.startsWith('nftables')) {
    const drops = await s.bench.nftDrops();
    t.diagnostic(`nftables: ${JSON.stringify(drops)}`);
    assert.ok(drops.output > 0, 'nftables dropped some of what the kernel sent');
  }
  assert.ok(s.tcp.counters.Tcp.RetransSegs > 0, 'we retransmitted');
  await checkWire(s);
});
