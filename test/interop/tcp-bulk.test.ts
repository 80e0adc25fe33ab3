// Bulk transfers between our TCP and the Linux kernel's over the TAP bench, with socat on
// the kernel side, SHA-256 checked on both sides: 256 MiB each way on a clean link, and a
// smaller amount each way with loss 2 %, delay 5 ms and reordering 10 % (netem's
// `loss 2% delay 5ms reorder 10%`). Sizes: NETCH_BULK_BYTES (default 256 MiB) and
// NETCH_BULK_LOSSY_BYTES (default 16 MiB); times are printed as test diagnostics.
//
// Faults: the kernel's side gets `tc qdisc ... netem` on its egress when this kernel has
// sch_netem; otherwise our host's fault injector applies the same faults to the frames it
// receives (what netem would have done to them). Our host's transmit side always goes
// through the injector with the same faults, so both directions are lossy either way.
//
// Checks of the wire: a full capture of the first frames of each transfer (tshark: no
// malformed frame, no bad checksum), and across every frame the checksum and error
// counters of both stacks (the kernel's /proc/net/snmp in the namespace, ours).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { faultInjector, type FaultInjector } from '../../src/link/fault-injector.js';
import type { LinkDevice } from '../../src/link/device.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import { TcpState, tcpStateName } from '../../src/transport/tcp/state.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { HOST_ADDR, KERNEL_ADDR, openBench, toolSkipReason, waitFor, type Bench, type Capture } from './bench.js';
import { HashSink, RandomSource, errText, ss, startTcpHost, type TcpBenchHost } from './tcp-peer.js';

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
    t.skip(missing);
    return null;
  }
  const bench = await openBench(t);
  if (bench === null) return null;
  let dev: LinkDevice = bench.tap;
  let faults: FaultInjector | null = null;
  let kernelSide = 'none';
  if (lossy) {
    const why = await bench.netem(NETEM);
    kernelSide = why === null ? `netem ${NETEM.join(' ')}` : 'our injector (rx): this kernel has no sch_netem';
    faults = faultInjector(bench.tap, { seed: 42, tx: FAULTS, ...(why === null ? {} : { rx: FAULTS }) });
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

/** Return the SHA-256 of a file. */
async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function rate(bytes: number, ms: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB in ${(ms / 1000).toFixed(2)} s (${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s)`;
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
  const limitMs = 300_000;
  const r = await s.bench.exec(['socat', '-u', `OPEN:${file},rdonly`, `TCP:${HOST_ADDR}:${port}`], { timeoutMs: limitMs });
  assert.equal(r.code, 0, `socat: ${r.stderr}`);
  const got = (): HashSink | null => sink;
  assert.ok(await waitFor(() => got()?.eof === true || (got()?.error ?? 0) !== 0, 30_000), `received ${got()?.bytes ?? 0} of ${n}`);
  const ms = performance.now() - t0;
  const done = got()!;
  t.diagnostic(`Linux -> us: ${rate(n, ms)} (socat -u OPEN:file TCP:${HOST_ADDR}:${port})`);
  assert.equal(errText(done.error), '0');
  assert.equal(done.bytes, n);
  assert.equal(done.digest, want, 'SHA-256 of the bytes we received = SHA-256 of the file Linux sent');
  // socat closed; we close too: our side ends (LAST-ACK, then CLOSED).
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
  // Wait for socat to listen (bounded).
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
  const ms = performance.now() - t0;
  assert.notEqual(code, 'timeout', `socat did not finish in ${limitMs} ms: sent ${src.sent} of ${n}, ${tcpStateName(sock.state)}`);
  t.diagnostic(`us -> Linux: ${rate(n, ms)} (socat -u TCP-LISTEN:${port} STDOUT | sha256sum)`);
  assert.equal(errText(src.error), '0');
  assert.equal(src.sent, n);
  assert.equal(out.split(' ')[0], src.digest, 'SHA-256 Linux computed = SHA-256 of the bytes we sent');
  // socat read our FIN and closed: we end in TIME-WAIT.
  assert.ok(await waitFor(() => sock.state === TcpState.TimeWait, 10_000), `our socket is ${tcpStateName(sock.state)}`);
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
  assert.ok(s.tcp.counters.Tcp.RetransSegs > 0, 'we retransmitted');
  await checkWire(s);
});
