// `netch demo backlog`: a connection storm against a listener that never calls accept(),
// for several backlogs under the `linux` and `linux-2.6` personalities, on two hosts and a
// memory link driven by the virtual clock, so a 10-second storm takes a fraction of a
// second and every run prints the same figures. The clients arrive evenly over the first
// half of the storm. For each case it reports the largest
// number of established, not yet accepted connections the listener held ("queued"), how
// many clients believe they are connected, how many SYNs and final ACKs the listener
// dropped, how many SYN cookies it sent, how many SYN retransmissions the clients made,
// how long the last client to connect waited, and a chart of the accept queue over time.
// docs/backlog.md explains the rules behind the figures.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Host } from '../iface/host.js';
import { memoryLinkPair } from '../link/memory.js';
import { Sim } from '../runtime/sim.js';
import { type TcpPersonality, TCP_PERSONALITIES } from '../transport/tcp/config.js';
import { TcpLayer } from '../transport/tcp/layer.js';
import type { TcpSocket } from '../transport/tcp/socket.js';
import { TcpState } from '../transport/tcp/state.js';
import { parseIpv4 } from '../wire/ipv4.js';

const USAGE = `usage: netch demo backlog [--json FILE] [--seconds S] [--backlogs LIST] [--personalities LIST]

A connection storm against a listener that does not accept, for each backlog and kernel
personality: how many connections the listener queued, how many SYNs and ACKs it dropped,
the SYN cookies it sent, the clients' retries, and the accept queue over time.
Runs on a virtual clock: the figures are the same on every machine.

options:
  --json FILE            also write the results as JSON
  --seconds S            virtual seconds each storm lasts (default 10)
  --backlogs LIST        comma-separated listen() backlogs (default 0,-1,128,511,4096)
  --personalities LIST   comma-separated personalities (default linux,linux-2.6)
  --clients N            clients per storm (default: twice the effective backlog + 64)
  -h, --help             show this help
`;

const PORT = 80;
/** Accept-queue samples per storm (the chart's width). */
const SAMPLES = 50;

/** The outcome of one storm. */
export interface BacklogCase {
  personality: TcpPersonality;
  /** The backlog passed to listen(). */
  backlog: number;
  /** The backlog the listener kept (after the personality's clamp). */
  effectiveBacklog: number;
  clients: number;
  /** The largest number of established, not yet accepted connections the listener held. */
  queued: number;
  /** Clients in ESTABLISHED at the end (some may hold a cookie the listener could not queue). */
  clientsConnected: number;
  /** Clients still sending SYNs at the end. */
  clientsWaiting: number;
  /** Clients whose connect failed (timed out or reset). */
  clientsFailed: number;
  listenOverflows: number;
  listenDrops: number;
  syncookiesSent: number;
  /** SYNs the clients sent again. */
  synRetransmits: number;
  /** Milliseconds from its connect() to ESTABLISHED, for the last client to get there. */
  lastConnectMs: number;
  /** Accept-queue length at SAMPLES even steps of the storm. */
  queueOverTime: number[];
}

/** Run one storm on a virtual clock and return what happened. */
export function runBacklogStorm(personality: TcpPersonality, backlog: number, seconds: number, clientsWanted = 0): BacklogCase {
  const [la, lb] = memoryLinkPair({ frames: 4096 });
  const client = new Host({ name: 'clients' });
  const server = new Host({ name: 'server' });
  client.addInterface(la, { mac: '02:00:00:00:00:01', address: '192.0.2.1/24' });
  server.addInterface(lb, { mac: '02:00:00:00:00:02', address: '192.0.2.2/24' });
  const sim = new Sim().add(client, server);
  // Small buffers: thousands of connections, no data.
  const bufs = { sendBufSize: 2048, recvBufSize: 2048 };
  // The clients run the same kernel as the listener (their SYN retransmission schedule differs).
  const tc = new TcpLayer(client, { ...bufs, personality, isnKey: new Uint8Array(16).fill(1) });
  const ts = new TcpLayer(server, { ...bufs, personality, isnKey: new Uint8Array(16).fill(2) });
  const l = ts.socket();
  if (l.bind(0, PORT) < 0 || l.listen(backlog) < 0) throw new Error('demo backlog: listen failed');
  const clients = clientsWanted > 0 ? clientsWanted : 2 * l.backlog + 64;
  const socks: TcpSocket[] = [];
  const started: number[] = [];
  const connectedAt: number[] = [];
  const dst = parseIpv4('192.0.2.2');
  const total = seconds * 1000;
  const step = total / SAMPLES;
  const queueOverTime: number[] = [];
  let queued = 0;
  // The clients arrive at an even pace over the first half of the storm.
  const arrival = total / 2 / clients;
  let next = 0;
  for (let t = 0; t < total; t += 1) {
    for (; next < clients && next * arrival <= t; next++) {
      const s = tc.socket();
      const i = socks.length;
      socks.push(s);
      started.push(sim.now());
      connectedAt.push(-1);
      s.onReadiness = () => {
        if (connectedAt[i] === -1 && s.state === TcpState.Established) connectedAt[i] = sim.now();
      };
      s.connect(dst, PORT, sim.now());
    }
    sim.runFor(1);
    queued = Math.max(queued, l.acceptQueue.length);
    if (t % step === 0) queueOverTime.push(l.acceptQueue.length);
  }
  let connected = 0;
  let waiting = 0;
  let failed = 0;
  let last = 0;
  for (let i = 0; i < socks.length; i++) {
    const st = socks[i]!.state;
    if (st === TcpState.Established) connected++;
    else if (st === TcpState.SynSent) waiting++;
    else failed++;
    if (connectedAt[i]! >= 0) last = Math.max(last, connectedAt[i]! - started[i]!);
  }
  const x = ts.counters.TcpExt;
  return {
    personality,
    backlog,
    effectiveBacklog: l.backlog,
    clients,
    queued,
    clientsConnected: connected,
    clientsWaiting: waiting,
    clientsFailed: failed,
    listenOverflows: x.ListenOverflows,
    listenDrops: x.ListenDrops,
    syncookiesSent: x.SyncookiesSent,
    synRetransmits: tc.counters.Tcp.RetransSegs,
    lastConnectMs: Math.round(last),
    queueOverTime,
  };
}

/** Return `xs` as a one-line chart of block characters scaled to `max`. */
export function sparkline(xs: readonly number[], max: number): string {
  const blocks = ' ▁▂▃▄▅▆▇█';
  return xs.map((x) => blocks[max <= 0 ? 0 : Math.min(8, Math.ceil((x / max) * 8))]).join('');
}

/** Run `netch demo backlog`; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      options: {
        json: { type: 'string' },
        seconds: { type: 'string', default: '10' },
        backlogs: { type: 'string', default: '0,-1,128,511,4096' },
        personalities: { type: 'string', default: 'linux,linux-2.6' },
        clients: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowNegative: false,
    }).values;
  } catch (err) {
    process.stderr.write(`netch demo backlog: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const seconds = Number(opts.seconds);
  const clients = Number(opts.clients);
  const backlogs = opts.backlogs.split(',').map((b) => Number(b.trim()));
  const personalities = opts.personalities.split(',').map((p) => p.trim()) as TcpPersonality[];
  const bad =
    !(Number.isInteger(seconds) && seconds >= 1 && seconds <= 600) ? `--seconds ${opts.seconds} is not a whole number from 1 to 600`
    : !(Number.isInteger(clients) && clients >= 0 && clients <= 20_000) ? `--clients ${opts.clients} is not a whole number from 0 to 20000`
    : backlogs.some((b) => !Number.isInteger(b)) ? `--backlogs ${opts.backlogs} is not a list of integers`
    : personalities.find((p) => !TCP_PERSONALITIES.includes(p));
  if (bad !== undefined) {
    process.stderr.write(`netch demo backlog: ${bad.startsWith('--') ? bad : `unknown personality '${bad}'`}\n`);
    return 2;
  }
  const results: BacklogCase[] = [];
  const rows: string[][] = [['personality', 'backlog', 'kept', 'clients', 'queued', 'connected', 'waiting', 'failed', 'overflows', 'drops', 'cookies', 'SYN retries', 'last wait']];
  const charts: string[] = [];
  for (const p of personalities) {
    for (const b of backlogs) {
      const r = runBacklogStorm(p, b, seconds, clients);
      results.push(r);
      rows.push([p, String(b), String(r.effectiveBacklog), String(r.clients), String(r.queued), String(r.clientsConnected), String(r.clientsWaiting), String(r.clientsFailed),
        String(r.listenOverflows), String(r.listenDrops), String(r.syncookiesSent), String(r.synRetransmits), `${(r.lastConnectMs / 1000).toFixed(1)} s`]);
      charts.push(`${`${p} ${b}`.padEnd(15)} |${sparkline(r.queueOverTime, r.queued)}| max ${r.queued}`);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const out = rows.map((r) => r.map((v, c) => (c < 1 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  '));
  process.stdout.write(`Connection storm, ${seconds} s of virtual time, listener never accepts:\n\n${out.join('\n')}\n\n`);
  process.stdout.write(`Accept queue over the storm (0 to ${seconds} s):\n${charts.join('\n')}\n`);
  if (opts.json !== undefined) {
    writeFileSync(opts.json, JSON.stringify({ demo: 'backlog', seconds, cases: results }, null, 2) + '\n');
  }
  return 0;
}
