// `netch demo basics`: two hosts, 192.0.2.1 and 192.0.2.2, on a memory link in this process, driven
// by the real-time loop. ARP resolves the peer, ten pings measure round trips, a UDP echo
// exchange checks every byte, and a table compares both hosts' counters. `--pcap FILE`
// captures every frame on the link.

import { openSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Host } from '../iface/host.js';
import { newEchoReply } from '../iface/ping.js';
import type { UdpPeerInfo } from '../iface/datagram-queue.js';
import type { UdpSocket } from '../iface/udp-socket.js';
import { memoryLinkPair } from '../link/memory.js';
import { PcapTap, PcapWriter } from '../link/pcap.js';
import type { LinkDevice } from '../link/device.js';
import { Loop } from '../runtime/loop.js';
import { macToString } from '../wire/ethernet.js';
import { ipv4ToString } from '../wire/ipv4.js';

const USAGE = `usage: netch demo basics [--pcap FILE] [--count N] [--interval MS]

Two hosts, 192.0.2.1 (alpha) and 192.0.2.2 (beta), on a memory link in this process:
ARP resolution, ping, a UDP echo exchange, and both hosts' counters.

options:
  --pcap FILE      write every frame on the link to FILE (libpcap, Ethernet)
  --count N        echo requests to send (default 10)
  --interval MS    milliseconds between echo requests (default 100)
  -h, --help       show this help
`;

const ALPHA = '192.0.2.1';
const BETA = '192.0.2.2';
const ECHO_PORT = 7;
/** Datagram sizes of the UDP echo exchange: the edges (0, 1, max without fragmenting) and some between. */
const UDP_SIZES = [0, 1, 2, 63, 64, 512, 1000, 1400, 1471, 1472];

/** Run the basics demo; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      options: {
        pcap: { type: 'string' },
        count: { type: 'string', default: '10' },
        interval: { type: 'string', default: '100' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`netch demo basics: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const count = Number(opts.count);
  const interval = Number(opts.interval);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    process.stderr.write(`netch demo basics: --count must be an integer in 1..1000\n`);
    return 2;
  }
  if (!Number.isFinite(interval) || interval < 0 || interval > 10_000) {
    process.stderr.write(`netch demo basics: --interval must be in 0..10000 ms\n`);
    return 2;
  }

  const demo = new Demo(opts.pcap);
  try {
    return await demo.run(count, interval);
  } finally {
    demo.close();
  }
}

class Demo {
  readonly loop = new Loop();
  readonly alpha = new Host({ name: 'alpha' });
  readonly beta = new Host({ name: 'beta' });
  private readonly writer: PcapWriter | null = null;
  private readonly out: string[] = [];

  constructor(pcapPath: string | undefined) {
    const [a, b] = memoryLinkPair({ names: ['mem0', 'mem1'] });
    let devA: LinkDevice = a;
    if (pcapPath !== undefined) {
      this.writer = new PcapWriter(openSync(pcapPath, 'w'), {}, true);
      // The link is point to point: what alpha sends and receives is all of its traffic.
      devA = new PcapTap(a, this.writer, { epochBaseMs: Date.now() - this.loop.clock.now() });
    }
    this.alpha.addInterface(devA, { mac: '02:00:00:00:00:01', address: `${ALPHA}/24`, name: 'eth0' });
    this.beta.addInterface(b, { mac: '02:00:00:00:00:02', address: `${BETA}/24`, name: 'eth0' });
    this.loop.add(this.alpha).add(this.beta);
  }

  async run(count: number, interval: number): Promise<number> {
    this.loop.start();
    this.print(`netch demo basics: alpha ${ALPHA}/24 and beta ${BETA}/24 on a memory link (MTU 1500)\n`);
    const pingOk = await this.ping(count, interval);
    const udpOk = await this.udpEcho();
    this.print(this.counterTable());
    if (this.writer) {
      this.writer.flush();
      this.print(`\ncapture: ${this.writer.records} frames written`);
    }
    return pingOk && udpOk ? 0 : 1;
  }

  close(): void {
    this.loop.stop();
    this.alpha.close();
    this.beta.close();
    this.writer?.close();
  }

  private print(line: string): void {
    this.out.push(line);
    process.stdout.write(line + '\n');
  }

  /** Send `count` echo requests and print each reply the way ping(8) does. */
  private async ping(count: number, interval: number): Promise<boolean> {
    const sock = this.alpha.pingSocket();
    const reply = newEchoReply();
    const size = 56;
    this.print(`PING ${BETA} (${BETA}) ${size}(${size + 28}) bytes of data.`);
    const rtts: number[] = [];
    const started = this.loop.clock.now();
    for (let seq = 1; seq <= count; seq++) {
      const code = sock.sendEcho(BETA, seq, this.loop.clock.now(), size);
      this.loop.wake();
      if (code !== 0) {
        this.print(`ping: sendEcho failed (IpErr ${code})`);
        continue;
      }
      if (seq === 1) {
        await waitForReadable(sock, 1000);
        const n = this.alpha.lookupNeighbour(BETA);
        if (n) this.print(`ARP: who-has ${BETA} tell ${ALPHA}; ${BETA} is at ${macToString(n.mac)} (${n.state})`);
      } else {
        await waitForReadable(sock, 1000);
      }
      while (sock.recv(reply)) {
        if (reply.msgType === 0) {
          rtts.push(reply.rtt);
          this.print(`${reply.dataLength + 8} bytes from ${ipv4ToString(reply.from)}: icmp_seq=${reply.seq} ttl=${reply.ttl} time=${reply.rtt.toFixed(3)} ms`);
        } else {
          this.print(`From ${ipv4ToString(reply.from)} icmp_seq=${reply.seq} error type ${reply.msgType} code ${reply.msgCode}`);
        }
      }
      if (seq < count && interval > 0) await sleep(interval);
    }
    const elapsed = this.loop.clock.now() - started;
    sock.close();
    const received = rtts.length;
    const loss = Math.round((100 * (count - received)) / count);
    this.print(`\n--- ${BETA} ping statistics ---`);
    this.print(`${count} packets transmitted, ${received} received, ${loss}% packet loss, time ${Math.round(elapsed)}ms`);
    if (received > 0) {
      const min = Math.min(...rtts);
      const max = Math.max(...rtts);
      const avg = rtts.reduce((s, x) => s + x, 0) / received;
      const mdev = Math.sqrt(rtts.reduce((s, x) => s + (x - avg) ** 2, 0) / received);
      this.print(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms\n`);
    }
    return received === count;
  }

  /** Run an echo server on beta's port 7 and check every datagram alpha sends comes back intact. */
  private async udpEcho(): Promise<boolean> {
    const server = this.beta.udpSocket().bind(BETA, ECHO_PORT);
    const client = this.alpha.udpSocket().bind(ALPHA, 0);
    const buf = new Uint8Array(2048);
    const from: UdpPeerInfo = { address: 0, port: 0, localAddress: 0, size: 0, truncated: false };
    server.setReadableNotify((s: UdpSocket) => {
      for (;;) {
        const n = s.recvFrom(buf, 0, buf.length, from);
        if (n < 0) break;
        s.sendTo(buf, 0, n, from.address, from.port, this.loop.clock.now());
      }
      this.loop.wake();
    });
    let intact = 0;
    const rx = new Uint8Array(2048);
    for (const size of UDP_SIZES) {
      const msg = new Uint8Array(size);
      for (let i = 0; i < size; i++) msg[i] = (i * 7 + size) & 0xff;
      client.sendTo(msg, 0, size, BETA, ECHO_PORT, this.loop.clock.now());
      this.loop.wake();
      await waitForReadable(client, 1000);
      const n = client.recvFrom(rx, 0, rx.length, from);
      if (n === size && ipv4ToString(from.address) === BETA && from.port === ECHO_PORT && equalBytes(rx, msg, size)) intact++;
    }
    const local = client.address();
    this.print(`UDP echo: ${intact}/${UDP_SIZES.length} datagrams echoed intact (${local.address}:${local.port} <-> ${BETA}:${ECHO_PORT}, sizes ${UDP_SIZES[0]}..${UDP_SIZES[UDP_SIZES.length - 1]} bytes)\n`);
    server.close();
    client.close();
    return intact === UDP_SIZES.length;
  }

  /** Return the two hosts' counters side by side (only the rows where one is non-zero). */
  private counterTable(): string {
    const rows: [string, number, number][] = [];
    const groups = ['Ip', 'Icmp', 'Udp', 'Arp'] as const;
    for (const g of groups) {
      const a = this.alpha.counters[g] as unknown as Record<string, number>;
      const b = this.beta.counters[g] as unknown as Record<string, number>;
      for (const field of Object.keys(a)) {
        if (field === 'Forwarding' || field === 'DefaultTTL') continue;
        if (a[field] !== 0 || b[field] !== 0) rows.push([`${g} ${field}`, a[field]!, b[field]!]);
      }
    }
    const [devA] = this.alpha.interfaces();
    const [devB] = this.beta.interfaces();
    if (devA && devB) {
      rows.push(['Link frames out', devA.dev.stats.txFrames, devB.dev.stats.txFrames]);
      rows.push(['Link frames in', devA.dev.stats.rxFrames, devB.dev.stats.rxFrames]);
    }
    const w = Math.max(...rows.map((r) => r[0].length), 7);
    const lines = [`${'counter'.padEnd(w)}  ${'alpha'.padStart(8)}  ${'beta'.padStart(8)}`, `${'-'.repeat(w)}  --------  --------`];
    for (const [name, a, b] of rows) lines.push(`${name.padEnd(w)}  ${String(a).padStart(8)}  ${String(b).padStart(8)}`);
    return lines.join('\n');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A socket that queues what it receives and can say when something arrives. */
interface Queueing {
  readonly pending: number;
  setReadableNotify(cb: (() => void) | null): void;
}

/** Resolve when `sock` has something queued, or after `timeoutMs`. */
function waitForReadable(sock: Queueing, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (sock.pending > 0) return resolve();
    const timer = setTimeout(done, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      sock.setReadableNotify(null);
      resolve();
    }
    sock.setReadableNotify(done);
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
