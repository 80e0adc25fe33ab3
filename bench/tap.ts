// `npm run bench -- tap [--json FILE] [--quick]`: UDP packets per second between the Linux
// kernel and our host over a TAP device, beside the same traffic between two kernel
// namespaces over a veth pair, in the same run:
//   tap.udp_rx_pps     kernel -> our host: a python sender in the namespace floods 64-byte
//                      datagrams at our UDP socket; we count what the socket receives
//   tap.udp_tx_pps     our host -> kernel: our host sends 64-byte datagrams as fast as it
//                      can; a python receiver in the namespace counts what arrives
//   veth.udp_rx_pps    kernel -> kernel: the same python sender in one namespace, the same
//                      python receiver in another, over a veth pair
// Each figure is the median of three runs of 2 s after a short warm-up (about 40 s in all;
// --quick: one run of 1 s). Needs root, /dev/net/tun, the TAP addon and python3; without
// them the suite says why and reports nothing. Everything lives in namespaces it creates
// and removes.

import { spawn, spawnSync } from 'node:child_process';
import { Host } from '../src/iface/host.js';
import type { UdpPeerInfo } from '../src/iface/datagram-queue.js';
import { Loop } from '../src/runtime/loop.js';
import { Bench, HOST_ADDR, HOST_MAC, KERNEL_ADDR, PREFIX_LEN, benchSkipReason, sleep, toolSkipReason, uniqueNetnsName } from '../test/interop/bench.js';
import { median, parseBenchArgs, report, type BenchResult } from './_report.js';

const args = parseBenchArgs();
const quick = args.rest.includes('--quick');
const SECONDS = quick ? 1 : 2;
const REPEATS = quick ? 1 : 3;
const PAYLOAD = 64;
const PORT = 9000;

/** Send PAYLOAD-byte datagrams to argv[1]:argv[2] for argv[3] seconds; print "sent elapsed". */
const SENDER_PY = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = (sys.argv[1], int(sys.argv[2])); dur = float(sys.argv[3]); b = bytes(int(sys.argv[4]))
n = 0; t0 = time.monotonic(); end = t0 + dur
while True:
    for _ in range(256):
        try: s.sendto(b, dst)
        except BlockingIOError: pass
    n += 256
    if time.monotonic() >= end: break
print(n, time.monotonic() - t0)
`;

/** Count datagrams on port argv[1] until argv[2] seconds pass with none; print the count. */
const RECEIVER_PY = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("ready", flush=True)
s.settimeout(10); n = 0
try:
    s.recv(2048); n = 1
    s.settimeout(float(sys.argv[2]))
    while True:
        s.recv(2048); n += 1
except socket.timeout:
    pass
print(n, flush=True)
`;

/** Run a command to completion (bounded); return its stdout. */
function sh(cmd: string, argv: string[], timeoutMs = 10_000): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr?.trim() || r.error?.message || `exit ${r.status}`}`);
  return r.stdout;
}

/** Start a python script in namespace `ns`; resolve with its stdout when it exits. */
function pythonIn(ns: string, script: string, argv: (string | number)[], onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', script, ...argv.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), (SECONDS + 20) * 1000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (onLine) for (const l of d.toString().split('\n')) if (l.trim() !== '') onLine(l.trim());
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python in ${ns} exited ${code}: ${err.trim()}`));
    });
  });
}

/** Start the receiver in `ns` and resolve once it is bound, with a promise of its count (wrapped: an async function would flatten it). */
async function receiver(ns: string, idleSeconds: number): Promise<{ count: Promise<number> }> {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const done = pythonIn(ns, RECEIVER_PY, [PORT, idleSeconds], (l) => l === 'ready' && ready());
  await Promise.race([isReady, done]);
  return { count: done.then((out) => Number(out.trim().split('\n').pop())) };
}

/** Run the sender in `ns` towards `dst`; resolve with [sent, elapsed seconds]. */
async function sender(ns: string, dst: string, seconds: number): Promise<[number, number]> {
  const out = await pythonIn(ns, SENDER_PY, [dst, PORT, seconds, PAYLOAD]);
  const [sent, elapsed] = out.trim().split(/\s+/).map(Number);
  return [sent!, elapsed!];
}

/** Our host on the TAP bench, with a UDP socket on PORT that counts what it receives. */
class TapSide {
  readonly host = new Host({ name: 'netch', udpRcvQueueLen: 1024, udpRcvbufBytes: 1 << 20 });
  readonly loop = new Loop();
  readonly sock;
  received = 0;
  private readonly buf = new Uint8Array(2048);
  private readonly from: UdpPeerInfo = { address: 0, port: 0, localAddress: 0, size: 0, truncated: false };

  constructor(readonly bench: Bench) {
    this.host.addInterface(bench.tap, { mac: HOST_MAC, address: `${HOST_ADDR}/${PREFIX_LEN}` });
    this.sock = this.host.udpSocket().bind(HOST_ADDR, PORT);
    this.sock.setReadableNotify((s) => {
      while (s.recvFrom(this.buf, 0, this.buf.length, this.from) >= 0) this.received++;
    });
    this.loop.add(this.host).start();
  }

  /** Kernel -> host: return [datagrams per second received by our socket, per second sent]. */
  async rx(seconds: number): Promise<[number, number]> {
    const before = this.received;
    const [sent, elapsed] = await sender(this.bench.ns, HOST_ADDR, seconds);
    await sleep(50);
    return [(this.received - before) / elapsed, sent / elapsed];
  }

  /** Host -> kernel: send as fast as the loop allows; return [datagrams per second the kernel received, per second sent]. */
  async tx(seconds: number): Promise<[number, number]> {
    const { count } = await receiver(this.bench.ns, 0.5);
    const payload = new Uint8Array(PAYLOAD);
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    let now = t0;
    let sent = 0;
    while (now < end) {
      for (let i = 0; i < 256; i++) if (this.sock.sendTo(payload, 0, PAYLOAD, KERNEL_ADDR, PORT, now) === 0) sent++;
      this.loop.wake();
      await new Promise((r) => setImmediate(r)); // let the loop poll (ARP, inbound frames)
      now = performance.now();
    }
    const elapsed = (now - t0) / 1000;
    return [(await count) / elapsed, sent / elapsed];
  }

  close(): void {
    this.loop.stop();
    this.host.close();
  }
}

/** Two namespaces joined by a veth pair, created inside them (nothing in the root namespace). */
class VethSide {
  readonly a = uniqueNetnsName();
  readonly b = uniqueNetnsName();

  constructor() {
    sh('ip', ['netns', 'add', this.a]);
    sh('ip', ['netns', 'add', this.b]);
    sh('ip', ['-n', this.a, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', this.b]);
    sh('ip', ['-n', this.a, 'addr', 'add', '198.51.100.1/24', 'dev', 'va']);
    sh('ip', ['-n', this.b, 'addr', 'add', '198.51.100.2/24', 'dev', 'vb']);
    for (const [ns, dev] of [[this.a, 'va'], [this.b, 'vb']] as const) {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  }

  /** Kernel -> kernel: return [datagrams per second the receiver counted, per second sent]. */
  async rx(seconds: number): Promise<[number, number]> {
    const { count } = await receiver(this.b, 0.5);
    const [sent, elapsed] = await sender(this.a, '198.51.100.2', seconds);
    return [(await count) / elapsed, sent / elapsed];
  }

  close(): void {
    for (const ns of [this.a, this.b]) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }
}

async function main(): Promise<number> {
  const why = benchSkipReason() ?? toolSkipReason('python3');
  if (why !== null) {
    console.log(`tap: skipped: ${why}`);
    report('tap', [], [], args);
    return 0;
  }
  const bench = await Bench.create();
  let tap: TapSide | null = null;
  let veth: VethSide | null = null;
  try {
    tap = new TapSide(bench);
    veth = new VethSide();
    // The kernel knows our MAC without asking; we learn its MAC from the first exchange.
    sh('ip', ['-n', bench.ns, 'neigh', 'replace', HOST_ADDR, 'lladdr', HOST_MAC, 'dev', bench.ifname, 'nud', 'permanent']);
    await tap.rx(0.3);
    await tap.tx(0.3);
    await veth.rx(0.3);
    const rx: [number, number][] = [];
    const tx: [number, number][] = [];
    const vx: [number, number][] = [];
    for (let i = 0; i < REPEATS; i++) {
      rx.push(await tap.rx(SECONDS));
      tx.push(await tap.tx(SECONDS));
      vx.push(await veth.rx(SECONDS));
    }
    const m = (xs: [number, number][], k: 0 | 1): number => Math.round(median(xs.map((x) => x[k])));
    const results: BenchResult[] = [
      { name: 'tap.udp_rx_pps', value: m(rx, 0), unit: 'datagrams/s' },
      { name: 'tap.udp_tx_pps', value: m(tx, 0), unit: 'datagrams/s' },
      { name: 'veth.udp_rx_pps', value: m(vx, 0), unit: 'datagrams/s' },
      // What was offered: a received figure close to its sent figure means the sender, not
      // the receiver, set the pace.
      { name: 'tap.udp_rx_sent_pps', value: m(rx, 1), unit: 'datagrams/s (python sender)' },
      { name: 'tap.udp_tx_sent_pps', value: m(tx, 1), unit: 'datagrams/s (our host)' },
      { name: 'veth.udp_rx_sent_pps', value: m(vx, 1), unit: 'datagrams/s (python sender)' },
    ];
    const drops = bench.tap.stats;
    report('tap', results, [], args);
    console.log(`\n${PAYLOAD}-byte datagrams, ${REPEATS} x ${SECONDS} s each; TAP link counters: rx ${drops.rxFrames} (${drops.rxDropped} dropped), tx ${drops.txFrames} (${drops.txDropped} dropped)`);
    return 0;
  } finally {
    tap?.close();
    veth?.close();
    await bench.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
