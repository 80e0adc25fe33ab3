// `netch up`: run one host until Ctrl-C, SIGTERM or SIGHUP. The link is a TAP device
// (`--tap NAME`, root), a UDP tunnel (`--udp-tunnel`, no root: QEMU's dgram/socket
// backends speak it), or, with neither, a private memory network in this process: our
// host and a gateway host (--peer, 192.0.2.1) that carries the port forwards. `--netns NAME` does the whole TAP setup in a network namespace of its
// own: creates the namespace, the device inside it, 192.0.2.1/24 on the kernel side, and
// removes both on exit. The host answers ping, serves UDP echo (RFC 862) on port 7, and
// runs the TCP services of services/ (echo on 7, discard on 9, HTTP on 80);
// `--forward tcp:127.0.0.1:8080-192.0.2.2:80` (QEMU's hostfwd; forward.ts) accepts on the
// kernel's loopback and relays each connection into the stack: from the gateway host on the
// memory network, from our own host on the other links.
// It prints what it set up, a status line every N received frames, and its counters at exit.

import { spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { type Server, isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { Host } from '../iface/host.js';
import type { UdpPeerInfo } from '../iface/datagram-queue.js';
import type { UdpSocket } from '../iface/udp-socket.js';
import { parseCidr } from '../iface/cidr.js';
import type { LinkDevice } from '../link/device.js';
import { PcapTap, PcapWriter } from '../link/pcap.js';
import { type FaultConfig, faultInjector } from '../link/fault-injector.js';
import { LINK_FAULT_OPTIONS, LINK_FAULT_USAGE, describeLinkFaults, parseLinkFaults } from './link-faults.js';
import { netnsPath, openTap } from '../link/tap.js';
import { openUdpTunnel } from '../link/udp-tunnel.js';
import { memoryLinkPair } from '../link/memory.js';
import { Loop } from '../runtime/loop.js';
import { Kernel } from '../posix/kernel.js';
import { type Stack, createStack } from '../adapters/api.js';
import { type ForwardSpec, type PortForward, parseForwardSpec, startForwards } from './forward.js';
import { TcpLayer } from '../transport/tcp/layer.js';
import { startControl } from './control.js';
import { MAX_CONNECTIONS_DEFAULT, type Services, startServices } from './services/index.js';
import { answerControl } from './ss.js';

const USAGE = `usage: netch up [--tap NAME | --netns NAME | --udp-tunnel [LHOST:]LPORT:RHOST:RPORT] [--forward SPEC]... [options]

Run a host that answers ping and serves UDP and TCP echo on port 7, TCP discard on port 9
and HTTP on port 80 (GET /, GET /bytes/N), until Ctrl-C or SIGTERM.

links:
  --tap NAME            open (or create) TAP device NAME (needs root or CAP_NET_ADMIN)
  --netns NAME          create network namespace NAME with the TAP device inside it, the
                        kernel side addressed --peer and up; both are removed on exit (root)
  --offload             the TAP device with IFF_VNET_HDR: the kernel's 64 KiB super-frames in,
                        TCP segmentation offload out (docs/links.md); not with --pcap
  --udp-tunnel SPEC     Ethernet frames over UDP, one per datagram (QEMU -netdev dgram/socket):
                        bind [LHOST:]LPORT (default host 127.0.0.1), send to RHOST:RPORT
  (none)                a private memory network in this process (no root): our host and a
                        gateway host (--peer) that carries the forwards

forwarding (QEMU's hostfwd; may be repeated):
  --forward [tcp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
                        accept on the kernel at HOSTADDR:HOSTPORT (default address 127.0.0.1;
                        port 0 picks one) and relay each connection to GUESTADDR:GUESTPORT on
                        the stack (default address: ours), e.g. tcp:127.0.0.1:8080-192.0.2.2:80

options:
  --address CIDR        our address (default 192.0.2.2/24)
  --peer CIDR           the kernel side's address with --netns, the gateway's on the memory
                        network (default 192.0.2.1/24)
  --mac MAC             our MAC (default 02:6e:65:74:63:68)
  --gateway IP          default route via IP
  --echo-port PORT      UDP and TCP echo port (default 7; 0 turns it off)
  --discard-port PORT   TCP discard port (default 9; 0 turns it off)
  --http-port PORT      HTTP port (default 80; 0 turns it off)
  --max-connections N   connections each TCP service keeps open; one accepted past it is
                        closed at once and counted as dropped, as Node's
                        server.maxConnections (default 1048576)
  --pcap FILE           capture every frame of the link to FILE
${LINK_FAULT_USAGE}  --every N             print a status line every N received frames (default 1000; 0: never)
  --control PATH        the control socket \`netch ss\` and \`netch netstat\` ask (default: one per
                        process in \$TMPDIR/netch-\$UID/, which they find on their own)
  -h, --help            show this help
`;

const DEFAULT_ADDRESS = '192.0.2.2/24';
const DEFAULT_PEER = '192.0.2.1/24';
const DEFAULT_MAC = '02:6e:65:74:63:68';
/** The TAP device name with --netns when --tap is not given. */
const DEFAULT_TAP = 'netch0';
/** The gateway's MAC on the memory network. */
const GATEWAY_MAC = '02:6e:65:74:67:77';

/** UDP echo (RFC 862) on a host: every datagram goes back to its sender. */
export class UdpEchoService {
  /** Datagrams echoed. */
  echoed = 0;
  /** Datagrams that could not be sent back (an IpErr other than Ok). */
  failed = 0;
  private readonly sock: UdpSocket;
  private readonly buf = new Uint8Array(65536);
  private readonly from: UdpPeerInfo = { address: 0, port: 0, localAddress: 0, size: 0, truncated: false };

  /** Bind `port` on every address of `host`; `loop` supplies the time and takes the wake-ups. */
  constructor(
    host: Host,
    private readonly loop: Loop,
    port = 7,
  ) {
    this.sock = host.udpSocket().bind(0, port);
    this.sock.setReadableNotify(() => this.drain());
  }

  /** Echo everything queued (bounded by the queue's length). */
  private drain(): void {
    const s = this.sock;
    for (let n = s.pending; n > 0; n--) {
      const len = s.recvFrom(this.buf, 0, this.buf.length, this.from);
      if (len < 0) break;
      const err = s.sendTo(this.buf, 0, len, this.from.address, this.from.port, this.loop.clock.now());
      if (err === 0) this.echoed++;
      else this.failed++;
    }
    this.loop.wake();
  }

  /** Stop serving. */
  close(): void {
    this.sock.close();
  }
}

/** The parsed `--udp-tunnel` value. */
export interface TunnelSpec {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

/** Parse `[LHOST:]LPORT:RHOST:RPORT` (IPv4 literals); return null when malformed. */
export function parseTunnelSpec(spec: string): TunnelSpec | null {
  const parts = spec.split(':');
  if (parts.length !== 3 && parts.length !== 4) return null;
  const [lhost, lport, rhost, rport] = parts.length === 4 ? parts : ['127.0.0.1', ...parts];
  const port = (s: string | undefined, zeroOk: boolean): number => (s !== undefined && /^\d{1,5}$/.test(s) && +s <= 65535 && (zeroOk || +s > 0) ? +s : -1);
  const lp = port(lport, true);
  const rp = port(rport, false);
  if (lp < 0 || rp < 0 || isIP(lhost!) !== 4 || isIP(rhost!) !== 4) return null;
  return { localAddress: lhost!, localPort: lp, remoteAddress: rhost!, remotePort: rp };
}

/** Run `ip ARGS`; throw with its message when it fails. */
function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
}

interface UpOptions {
  tap: string | undefined;
  netns: string | undefined;
  tunnel: TunnelSpec | null;
  address: string;
  peer: string;
  mac: string;
  gateway: string | undefined;
  echoPort: number;
  discardPort: number;
  httpPort: number;
  maxConnections: number;
  pcap: string | undefined;
  offload: boolean;
  every: number;
  control: string | undefined;
  forwards: ForwardSpec[];
  /** Our fault injector's faults, each way (--loss, --delay, ...), or null. */
  faults: Partial<FaultConfig> | null;
}

/** Run `netch up`; return the exit code once stopped by a signal. */
export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (typeof opts === 'number') return opts;
  const up = new Up(opts);
  try {
    await up.start();
  } catch (err) {
    up.teardown();
    const e = err as { code?: string; message?: string };
    process.stderr.write(`netch up: ${e.message ?? String(err)}\n`);
    return 1;
  }
  const signal = await up.waitForSignal();
  up.teardown();
  process.stdout.write(`netch up: stopped by ${signal}\n${up.counters()}\n`);
  return 0;
}

function parseOptions(argv: string[]): UpOptions | number {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        tap: { type: 'string' },
        netns: { type: 'string' },
        'udp-tunnel': { type: 'string' },
        address: { type: 'string', default: DEFAULT_ADDRESS },
        peer: { type: 'string', default: DEFAULT_PEER },
        mac: { type: 'string', default: DEFAULT_MAC },
        gateway: { type: 'string' },
        'echo-port': { type: 'string', default: '7' },
        'discard-port': { type: 'string', default: '9' },
        'http-port': { type: 'string', default: '80' },
        'max-connections': { type: 'string', default: String(MAX_CONNECTIONS_DEFAULT) },
        pcap: { type: 'string' },
        ...LINK_FAULT_OPTIONS,
        offload: { type: 'boolean', default: false },
        every: { type: 'string', default: '1000' },
        control: { type: 'string' },
        forward: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`netch up: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const fail = (msg: string): number => {
    process.stderr.write(`netch up: ${msg}\n`);
    return 2;
  };
  const tunnelArg = v['udp-tunnel'];
  const tunnel = tunnelArg === undefined ? null : parseTunnelSpec(tunnelArg);
  if (tunnelArg !== undefined && tunnel === null) return fail(`--udp-tunnel ${tunnelArg}: expected [LHOST:]LPORT:RHOST:RPORT with IPv4 addresses`);
  if (tunnel !== null && (v.tap !== undefined || v.netns !== undefined)) return fail('--udp-tunnel cannot be combined with --tap or --netns');
  if (v.offload === true && v.tap === undefined && v.netns === undefined) return fail('--offload needs a TAP device (--tap or --netns)');
  // The capture wrapper does not pass on a frame's checksum state: the kernel's partial
  // checksums would fail our check.
  if (v.offload === true && v.pcap !== undefined) return fail('--offload cannot be combined with --pcap (capture with tcpdump on the kernel side)');
  if (v.netns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(v.netns)) return fail(`--netns ${v.netns}: use letters, digits, '.', '_' and '-'`);
  for (const [name, cidr] of [['--address', v.address], ['--peer', v.peer]] as const) {
    try {
      parseCidr(cidr, 'netch up');
    } catch {
      return fail(`${name} ${cidr} is not an IPv4 address with a prefix (192.0.2.2/24)`);
    }
  }
  if (v.gateway !== undefined && isIP(v.gateway) !== 4) return fail(`--gateway ${v.gateway} is not an IPv4 address`);
  const ports: number[] = [];
  for (const name of ['echo-port', 'discard-port', 'http-port'] as const) {
    const p = Number(v[name]);
    if (!/^\d{1,5}$/.test(v[name] ?? '') || p > 65535) return fail(`--${name} must be in 0..65535`);
    ports.push(p);
  }
  const [echoPort, discardPort, httpPort] = ports as [number, number, number];
  if (discardPort > 0 && (discardPort === echoPort || discardPort === httpPort)) return fail('--discard-port must differ from the other TCP ports');
  if (echoPort > 0 && echoPort === httpPort) return fail('--echo-port and --http-port must differ');
  const forwards: ForwardSpec[] = [];
  for (const f of v.forward ?? []) {
    try {
      forwards.push(parseForwardSpec(f, v.address!.split('/')[0]));
    } catch (e) {
      return fail(`--${(e as Error).message}`);
    }
  }
  const maxConnections = Number(v['max-connections']);
  if (!/^\d{1,10}$/.test(v['max-connections'] ?? '') || maxConnections > 1 << 30) return fail(`--max-connections must be an integer in 0..${1 << 30}`);
  const faults = parseLinkFaults(v);
  if (typeof faults === 'string') return fail(faults);
  // As with the capture: the injector does not pass on a frame's checksum state.
  if (faults !== null && v.offload === true) return fail('--offload cannot be combined with --loss, --delay, --reorder, --duplicate, --corrupt or --rate');
  const every = Number(v.every);
  if (!Number.isInteger(every) || every < 0) return fail('--every must be a non-negative integer');
  return {
    tap: v.tap ?? (v.netns !== undefined ? DEFAULT_TAP : undefined),
    netns: v.netns,
    tunnel,
    address: v.address!,
    peer: v.peer!,
    mac: v.mac!,
    gateway: v.gateway,
    echoPort,
    discardPort,
    httpPort,
    maxConnections,
    pcap: v.pcap,
    offload: v.offload === true,
    every,
    control: v.control,
    forwards,
    faults,
  };
}

/** One `netch up` run: what it set up, so that teardown removes exactly that. */
class Up {
  readonly loop = new Loop();
  readonly host = new Host({ name: 'netch' });
  private dev: LinkDevice | null = null;
  private writer: PcapWriter | null = null;
  private echo: UdpEchoService | null = null;
  private tcp: TcpLayer | null = null;
  private services: Services | null = null;
  /** The gateway host of the memory network (null on the other links). */
  private gateway: Host | null = null;
  /** The stack the forwards dial from (the gateway's, or our host's). */
  private fwdStack: Stack | null = null;
  private forwards: PortForward[] = [];
  private control: Server | null = null;
  private createdNetns: string | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private lastReported = 0;
  private down = false;
  private readonly onExit = (): void => this.teardown();

  constructor(private readonly o: UpOptions) {}

  async start(): Promise<void> {
    const o = this.o;
    // Last resort: a namespace we created goes away even on an unexpected exit.
    process.once('exit', this.onExit);
    let dev: LinkDevice;
    let where: string;
    if (o.tunnel !== null) {
      const t = await openUdpTunnel({ ...o.tunnel, name: 'udp0' });
      dev = t;
      const local = t.address();
      where = `UDP tunnel ${local.address}:${local.port} <-> ${t.remoteAddress}:${t.remotePort}`;
      this.print(where);
      this.print(
        `  QEMU: -netdev dgram,id=n0,local.type=inet,local.host=${t.remoteAddress},local.port=${t.remotePort},` +
          `remote.type=inet,remote.host=${local.address},remote.port=${local.port} -device virtio-net-pci,netdev=n0`,
      );
    } else if (o.tap === undefined) {
      // Checksum offload only on a clean link: an injector between the ends hides the flag
      // from our host, which must then check what the gateway sends (and corrupted frames
      // must fail that check).
      const [ours, theirs] = memoryLinkPair({ checksumOffload: o.faults === null });
      dev = ours;
      this.gateway = new Host({ name: 'gateway' });
      this.gateway.addInterface(theirs, { mac: GATEWAY_MAC, address: o.peer, name: 'eth0' });
      where = `memory network: host ${o.address}, gateway ${o.peer} (carries the forwards)`;
      this.print(where);
    } else {
      if (o.netns !== undefined) {
        if (existsSync(netnsPath(o.netns))) throw new Error(`network namespace ${o.netns} already exists; pick another name or remove it (ip netns del ${o.netns})`);
        ip(['netns', 'add', o.netns]);
        this.createdNetns = o.netns;
        // The host speaks IPv4 only: no IPv6 on the kernel side keeps the link quiet.
        spawnSync('ip', ['netns', 'exec', o.netns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { timeout: 10_000 });
      }
      const tap = openTap({ name: o.tap!, offload: o.offload, ...(o.netns === undefined ? {} : { netns: o.netns }) });
      dev = tap;
      if (o.netns !== undefined) {
        const ns = o.netns;
        ip(['-n', ns, 'link', 'set', 'lo', 'up']);
        ip(['-n', ns, 'addr', 'add', o.peer, 'dev', tap.name]);
        ip(['-n', ns, 'link', 'set', tap.name, 'up']);
        where = `TAP ${tap.name} in network namespace ${ns} (kernel side ${o.peer})`;
      } else {
        where = `TAP ${tap.name}`;
      }
      if (o.offload) where += ', offloads on (super-frames in, TSO out)';
      this.print(where);
    }
    this.dev = dev;
    if (o.faults !== null) {
      // Beneath the capture: it records what we sent and what reached us.
      dev = faultInjector(dev, { seed: 1, tx: o.faults, rx: o.faults });
      this.print(`  faults each way (our injector): ${describeLinkFaults(o.faults)}`);
    }
    if (o.pcap !== undefined) {
      this.writer = new PcapWriter(openSync(o.pcap, 'w'), {}, true);
      dev = new PcapTap(dev, this.writer, { epochBaseMs: Date.now() - this.loop.clock.now() });
      this.print(`  capturing to ${o.pcap}`);
    }
    this.host.addInterface(dev, { mac: o.mac, address: o.address, name: 'eth0' });
    if (o.gateway !== undefined) this.host.setDefaultGateway(o.gateway);
    if (o.echoPort > 0) this.echo = new UdpEchoService(this.host, this.loop, o.echoPort);
    this.tcp = new TcpLayer(this.host);
    this.services = startServices(this.tcp, { echo: o.echoPort, discard: o.discardPort, http: o.httpPort, maxConnections: o.maxConnections }, this.loop.clock);
    this.loop.add(this.host).start();
    const tcp = this.tcp;
    this.control = await startControl((words) => answerControl(this.host, tcp, words), o.control);
    if (o.forwards.length > 0 || this.gateway !== null) await this.startForwards(tcp);
    const addr = o.address.split('/')[0]!;
    this.print(`host ${o.address} mac ${o.mac}: answering ping${o.echoPort > 0 ? `, UDP echo on port ${o.echoPort}` : ''}`);
    const tcpList = [
      o.echoPort > 0 ? `echo on ${o.echoPort}` : '',
      o.discardPort > 0 ? `discard on ${o.discardPort}` : '',
      o.httpPort > 0 ? `HTTP on ${o.httpPort}` : '',
    ].filter((x) => x !== '');
    if (tcpList.length > 0) this.print(`  TCP: ${tcpList.join(', ')}`);
    if (o.netns !== undefined) {
      this.print(`  try: ip netns exec ${o.netns} ping ${addr}`);
      if (o.echoPort > 0) this.print(`       echo hello | ip netns exec ${o.netns} socat -t 1 - UDP:${addr}:${o.echoPort}`);
      if (o.httpPort > 0) this.print(`       ip netns exec ${o.netns} curl http://${addr}${o.httpPort === 80 ? '' : `:${o.httpPort}`}/bytes/1000`);
    } else if (o.tunnel === null && o.tap !== undefined) {
      this.print(`  the kernel side is yours to configure: ip addr add ${o.peer} dev ${o.tap}; ip link set ${o.tap} up`);
    }
    const web = this.forwards.find((f) => f.spec.guestPort === o.httpPort && this.host.isLocalAddress(f.spec.guestAddress));
    if (web !== undefined) this.print(`  try: curl http://${web.address().address}:${web.address().port}/bytes/1000`);
    if (o.every > 0) this.statusTimer = setInterval(() => this.status(), 1000);
    this.print('ready (Ctrl-C or SIGTERM to stop)');
  }

  /** Start the forwards on the gateway's stack (memory network: always, so the gateway has TCP) or on a stack of our own host. */
  private async startForwards(tcp: TcpLayer): Promise<void> {
    // The memory network's gateway gets a kernel of its own; on a real link the forwards
    // dial from our host, through a kernel sharing the services' TCP layer.
    const stack = this.gateway !== null
      ? createStack({ host: this.gateway, loop: this.loop, name: 'forward' })
      : createStack({ kernel: new Kernel(this.host, { clock: this.loop.clock, tcp }), loop: this.loop, name: 'forward' });
    this.fwdStack = stack;
    this.forwards = await startForwards(this.o.forwards, stack);
    for (const f of this.forwards) this.print(`  forwarding ${f}`);
  }

  /** Resolve with the name of the first SIGINT, SIGTERM or SIGHUP. */
  waitForSignal(): Promise<string> {
    return new Promise((resolve) => {
      // A timer keeps the process alive whatever the link (a TAP device unrefs when idle).
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      const on = (sig: NodeJS.Signals): void => {
        clearInterval(keepAlive);
        for (const s of signals) process.off(s, on);
        resolve(sig);
      };
      for (const s of signals) process.on(s, on);
    });
  }

  /** Stop everything started and remove what was created. Idempotent; never throws. */
  teardown(): void {
    if (this.down) return;
    this.down = true;
    process.off('exit', this.onExit);
    if (this.statusTimer !== null) clearInterval(this.statusTimer);
    for (const f of this.forwards) void f.close();
    this.fwdStack?.close();
    this.services?.stop();
    this.control?.close();
    this.loop.stop();
    this.echo?.close();
    this.host.close();
    this.gateway?.close();
    try {
      this.dev?.close();
    } catch {
      // already gone
    }
    try {
      this.writer?.close();
    } catch {
      // the capture file is as complete as it got
    }
    if (this.createdNetns !== null) {
      const r = spawnSync('ip', ['netns', 'del', this.createdNetns], { encoding: 'utf8', timeout: 10_000 });
      if (r.status === 0) process.stdout.write(`removed network namespace ${this.createdNetns}\n`);
      else process.stderr.write(`netch up: could not remove network namespace ${this.createdNetns}: ${r.stderr?.trim() ?? r.error?.message}\n`);
      this.createdNetns = null;
    }
  }

  /** Return the exit summary: link, ICMP, UDP and ARP counters. */
  counters(): string {
    const c = this.host.counters;
    const s = this.dev?.stats;
    const lines = [
      `link:  rx ${s?.rxFrames ?? 0} frames ${s?.rxBytes ?? 0} bytes (${s?.rxDropped ?? 0} dropped), tx ${s?.txFrames ?? 0} frames ${s?.txBytes ?? 0} bytes (${s?.txDropped ?? 0} dropped)`,
      `ip:    InReceives ${c.Ip.InReceives} InDelivers ${c.Ip.InDelivers} OutRequests ${c.Ip.OutRequests} InHdrErrors ${c.Ip.InHdrErrors} InAddrErrors ${c.Ip.InAddrErrors}`,
      `icmp:  InEchos ${c.Icmp.InEchos} OutEchoReps ${c.Icmp.OutEchoReps} OutDestUnreachs ${c.Icmp.OutDestUnreachs} InErrors ${c.Icmp.InErrors}`,
      `udp:   InDatagrams ${c.Udp.InDatagrams} OutDatagrams ${c.Udp.OutDatagrams} NoPorts ${c.Udp.NoPorts} InErrors ${c.Udp.InErrors} echoed ${this.echo?.echoed ?? 0}`,
      ...this.tcpLines(),
      ...this.forwards.map((f) => {
        const c = f.counters;
        return `fwd:   ${f}: accepted ${c.accepted} active ${c.active} failed ${c.failed} in ${c.bytesIn} out ${c.bytesOut} bytes`;
      }),
      `arp:   ${this.host.neighbours().length} neighbour(s)${this.host
        .neighbours()
        .map((n) => ` ${n.address} ${n.mac ?? '(incomplete)'} ${n.state}`)
        .join(',')}`,
    ];
    return lines.join('\n');
  }

  /** Return the TCP lines of the exit summary: the layer's counters, then each service's. */
  private tcpLines(): string[] {
    const t = this.tcp?.counters;
    if (t === undefined) return [];
    const x = t.TcpExt;
    const lines = [
      `tcp:   ActiveOpens ${t.Tcp.ActiveOpens} PassiveOpens ${t.Tcp.PassiveOpens} CurrEstab ${t.Tcp.CurrEstab} InSegs ${t.Tcp.InSegs} OutSegs ${t.Tcp.OutSegs} ` +
        `RetransSegs ${t.Tcp.RetransSegs} InErrs ${t.Tcp.InErrs} OutRsts ${t.Tcp.OutRsts} TCPTimeouts ${x.TCPTimeouts}`,
    ];
    const svc = this.services?.format() ?? '';
    if (svc !== '') lines.push(...svc.split('\n').map((l) => `       ${l.trimStart()}`));
    return lines;
  }

  /** Print a status line when N more frames were received since the last one. */
  private status(): void {
    const rx = this.dev?.stats.rxFrames ?? 0;
    if (rx - this.lastReported < this.o.every) return;
    this.lastReported = rx - (rx % this.o.every);
    const c = this.host.counters;
    this.print(
      `status: rx ${rx} tx ${this.dev?.stats.txFrames ?? 0} frames; ping replies ${c.Icmp.OutEchoReps}; udp in ${c.Udp.InDatagrams} echoed ${this.echo?.echoed ?? 0}; ` +
        `tcp established ${this.tcp?.counters.Tcp.CurrEstab ?? 0} in ${this.tcp?.counters.Tcp.InSegs ?? 0} out ${this.tcp?.counters.Tcp.OutSegs ?? 0} segments`,
    );
  }

  private print(line: string): void {
    process.stdout.write(line + '\n');
  }
}
