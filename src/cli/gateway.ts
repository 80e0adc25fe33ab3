// `netch gateway`: user-mode networking for VMs and emulators, as libslirp, passt and
// gvisor-tap-vsock give it: a gateway host on our stack for one guest network (QEMU's
// 10.0.2.0/24 conventions), guests attached by QEMU stream or dgram, TAP or WebSocket
// (v86), NAT to the host's own sockets under an egress policy, DHCP, inbound forwards. A
// thin layer over `new Gateway()` (src/gateway); it runs until Ctrl-C, SIGTERM or SIGHUP.

import type { Server } from 'node:net';
import { parseArgs } from 'node:util';
import { Gateway, type GatewayRunOptions } from '../gateway/gateway.js';
import { parseGatewayForward } from '../gateway/nat-forward.js';
import { parseStreamSpec, type StreamSpec } from '../gateway/stream-link.js';
import { parseWsSpec, type WsSpec } from '../gateway/ws-link.js';
import type { EgressMode } from '../gateway/config.js';
import { startControl } from './control.js';
import { answerControl } from './ss.js';
import { parseTunnelSpec, type TunnelSpec } from './up.js';

const USAGE = `usage: netch gateway [--stream SPEC]... [--dgram SPEC]... [--tap NAME]... [--ws [HOST:]PORT] [options]

Be the gateway of a guest network for VMs and emulators (user-mode networking, no root):
DHCP, NAT of the guests' TCP, UDP and ping to the host's own sockets, inbound forwards.
Several guests may share the network, on any mix of links.

links (at least one):
  --stream unix:PATH | tcp:HOST:PORT
                        listen for QEMU -netdev stream (4-byte length + frame), e.g.
                        -netdev stream,id=n0,server=off,addr.type=unix,addr.path=PATH
  --dgram [LHOST:]LPORT:RHOST:RPORT
                        QEMU -netdev dgram: frames over UDP, bind LHOST:LPORT, send to RHOST:RPORT
  --tap NAME            a TAP device (root or CAP_NET_ADMIN)
  --ws [HOST:]PORT      a WebSocket server, one Ethernet frame per binary message (v86's
                        network_relay_url: ws://HOST:PORT/); HOST defaults to 127.0.0.1

network (QEMU's -netdev user defaults):
  --net CIDR            the guest network (default 10.0.2.0/24)
  --gateway IP          the gateway's address (default .2); also the host's 127.0.0.1
  --dns-address IP      the DNS forwarder's address (default .3)
  --dhcp-start IP       the first address DHCP leases (default .15)
  --mtu N               the guest network's MTU (default 1500)
  --dns-upstream IP[:PORT]
                        a resolver the DNS forwarder asks, in order (repeatable; default:
                        the nameservers of /etc/resolv.conf)
  --no-dhcp             no DHCP server
  --no-dns              no DNS forwarder
  --no-host-loopback    the gateway's address is not the host's loopback

policy and limits:
  --egress all|loopback|none
                        where guests may connect (default all); checked before any host socket
  --deny CIDR           never connect there (repeatable)
  --max-flows N         NAT flows per guest address (default 4096)
  --max-half-open N     pending host connects per guest address (default 256)
  --udp-idle SECONDS    close a UDP flow idle this long (default 60)

forwarding (QEMU's hostfwd; repeatable):
  --forward [tcp:|udp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
                        listen on the host (default address 127.0.0.1) and relay to the guest
                        (default address: the first DHCP lease), e.g. tcp::2222-:22

seeing it:
  --pcap FILE           capture every guest frame
  --control PATH        the control socket \`netch ss\` and \`netch netstat -s\` ask
  -h, --help            show this help
`;

interface GatewayCliOptions {
  gw: GatewayRunOptions;
  streams: StreamSpec[];
  dgrams: TunnelSpec[];
  taps: string[];
  ws: WsSpec | null;
  /** Checked here; parsed again by the gateway, whose first lease is the default guest. */
  forwards: string[];
  control: string | undefined;
}

/** Run `netch gateway`; return the exit code once stopped by a signal. */
export async function run(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  if (typeof o === 'number') return o;
  let gw: Gateway;
  try {
    gw = new Gateway(o.gw);
  } catch (e) {
    process.stderr.write(`netch gateway: ${(e as Error).message}\n`);
    return 2;
  }
  let control: Server | null = null;
  const print = (l: string): void => void process.stdout.write(l + '\n');
  try {
    gw.onWarning = (m) => void process.stderr.write(`netch gateway: ${m}\n`);
    await gw.ready;
    for (const w of gw.warnings) process.stderr.write(`netch gateway: ${w}\n`);
    const c = gw.config;
    print(`gateway ${ip(c.gateway)} on ${ip(c.netAddress)}/${c.prefixLen} (mac ${c.mac}, mtu ${c.mtu}), DNS ${gw.dns !== null ? `${ip(c.dnsAddress)} (upstreams ${gw.dns.upstreams.map((u) => `${u.address}:${u.port}`).join(' ')})` : 'off'}, DHCP ${gw.dhcp !== null ? `from ${ip(c.dhcpStart)}` : 'off'}`);
    print(`  egress ${c.egress}${c.deny.length > 0 ? `, deny ${c.deny.map((d) => `${ip(d.address)}/${d.prefixLen}`).join(' ')}` : ''}; ${c.hostLoopback ? `${ip(c.gateway)} is the host's 127.0.0.1` : 'no host loopback'}`);
    for (const s of o.streams) {
      const l = await gw.listenStream(s);
      print(`  stream ${l.address()}`);
      if (s.kind === 'unix') print(`    QEMU: -netdev stream,id=n0,server=off,addr.type=unix,addr.path=${s.path} -device virtio-net-pci,netdev=n0`);
      else {
        const m = /^tcp:(.*):(\d+)$/.exec(l.address());
        print(`    QEMU: -netdev stream,id=n0,server=off,addr.type=inet,addr.host=${m?.[1] ?? s.host},addr.port=${m?.[2] ?? s.port} -device virtio-net-pci,netdev=n0`);
      }
    }
    for (const d of o.dgrams) {
      const t = await gw.openDgram({ ...d, name: 'dgram' });
      const a = t.address();
      print(`  dgram ${a.address}:${a.port} <-> ${t.remoteAddress}:${t.remotePort}`);
      print(`    QEMU: -netdev dgram,id=n0,local.type=inet,local.host=${t.remoteAddress},local.port=${t.remotePort},remote.type=inet,remote.host=${a.address},remote.port=${a.port} -device virtio-net-pci,netdev=n0`);
    }
    for (const name of o.taps) {
      gw.openTap(name);
      print(`  TAP ${name}`);
    }
    if (o.ws !== null) {
      const w = await gw.listenWs(o.ws);
      print(`  WebSocket ${w.url()} (v86: network_relay_url: "${w.url()}")`);
    }
    for (const f of o.forwards) print(`  forwarding ${await gw.forward(f)}`);
    control = await startControl((words) => answerGateway(gw, words), o.control);
    print('ready (Ctrl-C or SIGTERM to stop)');
  } catch (e) {
    await gw.close();
    control?.close();
    process.stderr.write(`netch gateway: ${(e as Error).message}\n`);
    return 1;
  }
  const signal = await waitForSignal();
  control?.close();
  await gw.close();
  process.stdout.write(`netch gateway: stopped by ${signal}\n${gw.formatCounters()}`);
  return 0;
}

/** Answer `netch ss` (the gateway's sockets, then its NAT flows) and `netch netstat -s` (with the gateway's counters). */
export function answerGateway(gw: Gateway, words: string[]): string {
  const base = answerControl(gw.host, gw.tcp, words);
  if (words[0] === 'ss') return base + formatFlows(gw);
  if (words[0] === 'netstat') {
    const group = (name: string, c: object | undefined): string => (c === undefined ? '' : `${name}:\n${Object.entries(c).map(([k, v]) => `    ${k}: ${String(v)}`).join('\n')}\n`);
    return base + gw.formatCounters() + group('Dhcp', gw.dhcp?.counters) + group('Dns', gw.dns?.counters);
  }
  return base;
}

/** Return the NAT flows as a table: guest side, the address it talks to, the host side, bytes, state. */
export function formatFlows(gw: Gateway): string {
  const rows = [['NAT', 'State', 'Guest', 'Remote (as the guest sees it)', 'Host peer', 'Bytes out', 'Bytes in']];
  for (const f of gw.flows()) rows.push([`${f.proto}${f.inbound ? ' in' : ''}`, f.state, f.guest, f.remote, f.host, String(f.bytesOut), String(f.bytesIn)]);
  if (rows.length === 1) return '\nNAT flows: none\n';
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return '\n' + rows.map((r) => r.map((v, c) => v.padEnd(w[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function ip(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
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

function parseOptions(argv: string[]): GatewayCliOptions | number {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        stream: { type: 'string', multiple: true, default: [] },
        dgram: { type: 'string', multiple: true, default: [] },
        tap: { type: 'string', multiple: true, default: [] },
        ws: { type: 'string' },
        net: { type: 'string' },
        gateway: { type: 'string' },
        'dns-address': { type: 'string' },
        'dhcp-start': { type: 'string' },
        mtu: { type: 'string' },
        'no-dhcp': { type: 'boolean', default: false },
        'no-dns': { type: 'boolean', default: false },
        'dns-upstream': { type: 'string', multiple: true, default: [] },
        'no-host-loopback': { type: 'boolean', default: false },
        egress: { type: 'string' },
        deny: { type: 'string', multiple: true, default: [] },
        'max-flows': { type: 'string' },
        'max-half-open': { type: 'string' },
        'udp-idle': { type: 'string' },
        forward: { type: 'string', multiple: true, default: [] },
        pcap: { type: 'string' },
        control: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`netch gateway: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const fail = (msg: string): number => {
    process.stderr.write(`netch gateway: ${msg}\n`);
    return 2;
  };
  const int = (s: string | undefined): number | undefined | null => {
    if (s === undefined) return undefined;
    return /^\d{1,9}$/.test(s) ? Number(s) : null;
  };
  try {
    const streams = (v.stream ?? []).map(parseStreamSpec);
    const dgrams: TunnelSpec[] = [];
    for (const d of v.dgram ?? []) {
      const t = parseTunnelSpec(d);
      if (t === null) return fail(`--dgram ${d}: expected [LHOST:]LPORT:RHOST:RPORT with IPv4 addresses`);
      dgrams.push(t);
    }
    const ws = v.ws === undefined ? null : parseWsSpec(v.ws);
    const taps = v.tap ?? [];
    if (streams.length + dgrams.length + taps.length === 0 && ws === null) return fail(`give at least one link (--stream, --dgram, --tap or --ws)\n${USAGE}`);
    const egress = v.egress;
    if (egress !== undefined && egress !== 'all' && egress !== 'loopback' && egress !== 'none') return fail(`--egress ${egress}: expected all, loopback or none`);
    const nums: Record<string, number | undefined> = {};
    for (const name of ['mtu', 'max-flows', 'max-half-open', 'udp-idle'] as const) {
      const n = int(v[name]);
      if (n === null) return fail(`--${name} ${v[name]}: expected a positive integer`);
      nums[name] = n;
    }
    const gw: GatewayRunOptions = {
      ...(v.net !== undefined && { net: v.net }),
      ...(v.gateway !== undefined && { gateway: v.gateway }),
      ...(v['dns-address'] !== undefined && { dnsAddress: v['dns-address'] }),
      ...(v['dhcp-start'] !== undefined && { dhcpStart: v['dhcp-start'] }),
      ...(nums.mtu !== undefined && { mtu: nums.mtu }),
      ...(egress !== undefined && { egress: egress as EgressMode }),
      deny: v.deny ?? [],
      hostLoopback: v['no-host-loopback'] !== true,
      dhcp: v['no-dhcp'] !== true,
      dns: v['no-dns'] !== true,
      ...((v['dns-upstream'] ?? []).length > 0 && { dnsUpstream: v['dns-upstream'] }),
      ...(nums['max-flows'] !== undefined && { maxFlows: nums['max-flows'] }),
      ...(nums['max-half-open'] !== undefined && { maxHalfOpen: nums['max-half-open'] }),
      ...(nums['udp-idle'] !== undefined && { udpIdleMs: nums['udp-idle'] * 1000 }),
      ...(v.pcap !== undefined && { pcap: v.pcap }),
    };
    const forwards = v.forward ?? [];
    for (const f of forwards) parseGatewayForward(f, '10.0.2.15');
    return { gw, streams, dgrams, taps, ws, forwards, control: v.control };
  } catch (e) {
    return fail((e as Error).message);
  }
}
