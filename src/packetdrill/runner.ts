// Run one packetdrill script against a fresh simulated host, the way upstream's
// packetdrill runs it against a kernel through a tun device (run.c, run_packet.c,
// run_system_call.c, read and re-implemented): the host (our Kernel over a memory link)
// is the local side; the runner plays the remote side, injecting `<` packets with the
// script's sequence numbers remapped to live ones, capturing what the host sends and
// comparing it with `>` packets remapped back to script space; system calls go through the
// process's syscall table; `%{ }%` blocks are checked against TCP_INFO. All on a virtual
// clock in microseconds of script time.
//
// Timing follows upstream: a relative time counts from when the previous event finished
// (from the previous inbound packet's script time when both are inbound); an event must
// happen within max(tolerance_usecs, tolerance_percent of the gap since the previous
// event) of its time. Outbound segments smaller than the expected one are glued until
// they reach its length unless --strict_segments; FIN and PSH are then not compared, as
// upstream. Results: pass only when every line was honoured; fail with the line, what
// was expected and what happened; unsupported with the construct we cannot honour.

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Host } from '../iface/host.js';
import { memoryLinkPair, type MemoryLink } from '../link/memory.js';
import type { FrameSink } from '../link/device.js';
import { Kernel } from '../posix/kernel.js';
import type { Process } from '../posix/process.js';
import * as C from '../posix/constants.js';
import { EAGAIN, errnoName } from '../errno.js';
import { sockaddrIn } from '../posix/sockaddr.js';
import type { PollFd } from '../posix/syscalls.js';
import type { EpollEvent } from '../posix/epoll.js';
import { newTcpInfo } from '../transport/tcp/info.js';
import { Sim } from '../runtime/sim.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { formatFrame } from '../wire/pretty.js';
import { type Expr, type PacketEvent, PacketdrillSyntaxError, type Script, type ScriptEvent, type SyscallEvent, type TcpOptSpec } from './ast.js';
import { CodeAssertion, CodeContext, CodeUnsupported } from './code.js';
import { parseScript } from './parser.js';
import { ShellUnsupported, runCommand, type ShellHost } from './shell.js';

/** Options of a run (the command line's; a script's own `--option` lines come after them). */
export interface PacketdrillOptions {
  /** `--name=value` strings, as on upstream's command line. */
  options?: string[];
}

/** The outcome of one script. */
export interface PacketdrillResult {
  file: string;
  result: 'pass' | 'fail' | 'unsupported';
  /** The script line of the failure or unsupported construct, null for a pass. */
  line: number | null;
  reason: string;
  /** Things accepted without being implemented (defaults.sh sysctls we lack). */
  notes: string[];
  /** The frames both ways with their times, and the calls (live numbers). */
  trace: string[];
}

class Fail extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}
class Unsupported extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

interface Config {
  localIp: number;
  remoteIp: number;
  bindPort: number;
  connectPort: number;
  toleranceUsecs: number;
  tolerancePercent: number;
  /** --mss: inbound segments larger than this go as one GSO frame (0: not set). */
  mss: number;
  mtu: number;
  strictSegments: boolean;
  tsTickUsecs: number;
  tsEcrScaled: boolean;
}

function applyOption(cfg: Config, name: string, value: string, line: number): void {
  const int = (): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Unsupported(line, `--${name}=${value}: not a number`);
    return n;
  };
  switch (name) {
    case 'ip_version':
      if (value !== 'ipv4') throw new Unsupported(line, `--ip_version=${value} (IPv4 only)`);
      return;
    case 'local_ip':
    case 'remote_ip':
    case 'gateway_ip':
    case 'netmask_ip': {
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(value)) throw new Unsupported(line, `--${name}=${value} (IPv4 only)`);
      if (name === 'local_ip') cfg.localIp = parseIpv4(value);
      if (name === 'remote_ip') cfg.remoteIp = parseIpv4(value);
      return;
    }
    case 'bind_port':
      cfg.bindPort = int();
      return;
    case 'connect_port':
      cfg.connectPort = int();
      return;
    case 'tolerance_usecs':
      cfg.toleranceUsecs = int();
      return;
    case 'tolerance_percent':
      cfg.tolerancePercent = int();
      return;
    case 'mss':
      cfg.mss = int();
      return;
    case 'mtu':
      cfg.mtu = int();
      return;
    case 'strict_segments':
      cfg.strictSegments = true;
      return;
    case 'tcp_ts_tick_usecs':
      cfg.tsTickUsecs = int();
      return;
    case 'tcp_ts_ecr_scaled':
      cfg.tsEcrScaled = true;
      return;
    case 'speed':
    case 'verbose':
    case 'debug':
      return;
    default:
      throw new Unsupported(line, `option --${name}`);
  }
}

/** A segment the host sent, decoded, in live space. */
interface LiveSeg {
  time: number; // µs
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** Options as [kind, bytes after kind and length]. */
  options: { kind: number; data: Uint8Array }[];
  payloadLen: number;
}

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

function flagBits(flags: string): number {
  let b = 0;
  for (const c of flags) {
    if (c === 'F') b |= FIN;
    else if (c === 'S') b |= SYN;
    else if (c === 'R') b |= RST;
    else if (c === 'P') b |= PSH;
    else if (c === '.') b |= ACK;
  }
  return b;
}

function flagText(b: number): string {
  let s = '';
  if (b & FIN) s += 'F';
  if (b & SYN) s += 'S';
  if (b & RST) s += 'R';
  if (b & PSH) s += 'P';
  if (b & ACK) s += '.';
  return s === '' ? '-' : s;
}

/** The remote end of the host's link: captures TCP frames with their time, answers ARP. */
class Wire implements FrameSink {
  readonly segs: LiveSeg[] = [];
  /** Every frame both ways, pretty-printed with its time (for --verbose). */
  readonly trace: string[] = [];
  constructor(readonly dev: MemoryLink, readonly clock: () => number, readonly remoteMac: number) {}

  onFrame(buf: Uint8Array, off: number, len: number): void {
    const f = buf.subarray(off, off + len);
    this.trace.push(`${secs(this.clock())} host> ${formatFrame(buf, off, len)}`);
    if (len >= 42 && f[12] === 0x08 && f[13] === 0x06 && f[21] === 1) {
      // ARP request: answer for any address (the remote side owns every one but the host's).
      const reply = new Uint8Array(42);
      reply.set(f.subarray(6, 12), 0);
      reply.set(macBytes(this.remoteMac), 6);
      reply.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2], 12);
      reply.set(macBytes(this.remoteMac), 22);
      reply.set(f.subarray(38, 42), 28);
      reply.set(f.subarray(22, 32), 32);
      this.inject(reply);
      return;
    }
    if (len < 34 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 6) return;
    const ihl = (f[14]! & 15) * 4;
    const ipLen = (f[16]! << 8) | f[17]!;
    const t = 14 + ihl;
    const doff = (f[t + 12]! >> 4) * 4;
    const u32 = (i: number): number => ((f[i]! << 24) | (f[i + 1]! << 16) | (f[i + 2]! << 8) | f[i + 3]!) >>> 0;
    const options: LiveSeg['options'] = [];
    for (let i = t + 20; i < t + doff; ) {
      const kind = f[i]!;
      if (kind === 0 || kind === 1) {
        options.push({ kind, data: new Uint8Array(0) });
        i++;
        if (kind === 0) break;
        continue;
      }
      const l = f[i + 1]!;
      if (l < 2) break;
      options.push({ kind, data: f.slice(i + 2, i + l) });
      i += l;
    }
    this.segs.push({
      time: this.clock(),
      srcPort: (f[t]! << 8) | f[t + 1]!,
      dstPort: (f[t + 2]! << 8) | f[t + 3]!,
      seq: u32(t + 4),
      ack: u32(t + 8),
      flags: f[t + 13]!,
      window: (f[t + 14]! << 8) | f[t + 15]!,
      options,
      payloadLen: 14 + ipLen - t - doff,
    });
  }

  poll(now: number): number {
    return this.dev.receive(this, 64, now);
  }

  pollAt(): number {
    return Infinity;
  }

  inject(frame: Uint8Array): void {
    this.trace.push(`${secs(this.clock())} <wire ${formatFrame(frame, 0, frame.length)}`);
    const at = this.dev.transmitBegin(frame.length);
    if (at < 0) throw new Error('packetdrill: link full');
    this.dev.txBytes.set(frame, at);
    this.dev.transmitCommit(at, frame.length, this.clock() / 1000);
  }
}

function macBytes(mac: number): number[] {
  const out: number[] = [];
  for (let i = 5; i >= 0; i--) out.push(Math.floor(mac / 2 ** (8 * i)) & 0xff);
  return out;
}

function checksum(b: Uint8Array, off: number, len: number, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i]! << 8) | b[off + i + 1]!;
  if (len & 1) s += b[off + len - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

/** Options as bytes, in the script's order, padded with EOL to a multiple of 4. */
function optionBytes(opts: TcpOptSpec[]): number[] {
  const b: number[] = [];
  const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  for (const o of opts) {
    switch (o.kind) {
      case 'nop':
        b.push(1);
        break;
      case 'eol':
        b.push(0);
        break;
      case 'mss':
        b.push(2, 4, (o.value >> 8) & 255, o.value & 255);
        break;
      case 'wscale':
        b.push(3, 3, o.value & 255);
        break;
      case 'sackOK':
        b.push(4, 2);
        break;
      case 'sack':
        b.push(5, 2 + 8 * o.blocks.length);
        for (const [l, r] of o.blocks) b.push(...u32(l), ...u32(r));
        break;
      case 'ts':
        b.push(8, 10, ...u32(o.val), ...u32(o.ecr));
        break;
    }
  }
  while (b.length % 4 !== 0) b.push(0);
  return b;
}

/** The test connection: addresses, ports and the ISNs of both sides, script and live. */
interface Conn {
  remotePort: number;
  localPort: number;
  /** The local ISN as the script writes it (the seq of its SYN or SYN-ACK). */
  scriptLocalIsn: number;
  liveLocalIsn: number;
  liveRemoteIsn: number;
  localIsnKnown: boolean;
  /** Whether a non-SYN inbound packet went to this connection (a new SYN then opens another). */
  established: boolean;
  /** Outbound TS val: script value -> live value. */
  tsMap: Map<number, number>;
  firstTs: [number, number] | null;
}

/** A blocking call in progress. */
interface Pending {
  ev: SyscallEvent;
  startUsecs: number;
  endUsecs: number;
  done: boolean;
  error: Error | null;
}

class Run {
  readonly cfg: Config = {
    localIp: parseIpv4('192.168.0.1'),
    remoteIp: parseIpv4('192.0.2.1'),
    bindPort: 8080,
    connectPort: 8080,
    toleranceUsecs: 4000,
    tolerancePercent: 12.5,
    mss: 0,
    mtu: 1500,
    strictSegments: false,
    tsTickUsecs: 0,
    tsEcrScaled: false,
  };
  sim!: Sim;
  kernel!: Kernel;
  proc!: Process;
  wire!: Wire;
  readonly code = new CodeContext();
  readonly fds = new Map<number, number>();
  conn: Conn | null = null;
  /** The fd whose TCP_INFO `%{ }%` reads (the socket under test). */
  sutFd = -1;
  /** Previous event (its adjusted time, and whether it was an inbound packet). */
  lastTime = -1;
  lastInbound = false;
  pending: Pending | null = null;
  nextRemotePort = 40000;
  shell!: ShellHost;

  constructor(readonly script: Script, readonly dir: string) {}

  nowUs(): number {
    return Math.round(this.sim.now() * 1000);
  }

  setup(cliOptions: string[]): void {
    for (const o of cliOptions) {
      const m = /^--?([A-Za-z0-9_]+)(?:=(.*))?$/.exec(o);
      if (m === null) throw new Unsupported(0, `option ${o}`);
      applyOption(this.cfg, m[1]!, m[2] ?? '', 0);
    }
    for (const o of this.script.options) applyOption(this.cfg, o.name, o.value, o.line);
    // Frames up to 64 KiB cross the link (GSO-sized inbound segments); the interface's MTU
    // is the script's, so the host's MSS is Linux's for a 1500-byte tun device.
    // Frames as large as the script's largest inbound segment (a GSO frame may exceed the
    // MTU), 128 each way: arenas of 64 KiB frames for every script add up over a corpus run.
    let largest = 0;
    for (const e of this.script.events) if (e.type === 'packet' && e.dir === 'in') largest = Math.max(largest, e.len);
    const linkMtu = Math.min(65_000, Math.max(this.cfg.mtu, 20 + 60 + largest));
    const [la, lb] = memoryLinkPair({ mtu: linkMtu, frames: 128 });
    const host = new Host({ name: 'packetdrill' });
    host.addInterface(la, { mac: 0x02_00_00_00_00_01, address: `${ipString(this.cfg.localIp)}/32`, mtu: this.cfg.mtu });
    host.addRoute('default', { dev: 'eth0' });
    this.sim = new Sim();
    this.kernel = new Kernel(host, { clock: this.sim.clock, personality: 'linux' });
    this.wire = new Wire(lb, () => this.nowUs(), 0x02_00_00_00_00_02);
    this.sim.add(host, this.kernel, this.wire);
    this.proc = this.kernel.spawn('packetdrill');
    this.shell = { kernel: this.kernel, baselineIgnored: [] };
  }

  // ---- time ----

  /** The event's script time (µs), adjusted as upstream's adjust_relative_event_times. */
  eventTime(ev: ScriptEvent): { t: number; end: number } {
    const inbound = ev.type === 'packet' && ev.dir === 'in';
    const tm = ev.time;
    if (tm.kind === 'absolute' || tm.kind === 'absRange') return { t: tm.usecs, end: tm.kind === 'absRange' ? tm.endUsecs : ev.type === 'syscall' ? ev.endUsecs : -1 };
    const offset = this.lastInbound && inbound && this.lastTime >= 0 ? this.lastTime : this.nowUs();
    if (tm.kind === 'any') return { t: offset, end: -1 };
    const end = tm.kind === 'relRange' ? tm.endUsecs + offset : ev.type === 'syscall' && ev.endUsecs >= 0 ? ev.endUsecs + offset : -1;
    return { t: tm.usecs + offset, end };
  }

  tolerance(t: number, last: number): number {
    const dyn = last >= 0 ? (this.cfg.tolerancePercent / 100) * (t - last) : 0;
    return Math.max(this.cfg.toleranceUsecs, dyn);
  }

  /** Run the simulation up to script time `t` (µs), letting promise chains run. */
  async advanceTo(t: number): Promise<void> {
    const limit = t / 1000;
    for (let i = 0; i < 1_000_000; i++) {
      await flush();
      if (this.sim.now() >= limit) break;
      this.sim.step(limit);
    }
    this.sim.settle();
    await flush();
  }

  /** Run until `pred` holds or script time `limit` passes; return whether it held. */
  async advanceUntil(pred: () => boolean, limit: number): Promise<boolean> {
    for (let i = 0; i < 1_000_000; i++) {
      await flush();
      this.sim.settle();
      await flush();
      if (pred()) return true;
      const next = this.sim.nextDeadline();
      if (next * 1000 > limit) {
        if (next !== Infinity || limit !== Infinity) {
          if (limit !== Infinity) this.sim.clock.advanceTo(limit / 1000);
          this.sim.settle();
          await flush();
        }
        return pred();
      }
      this.sim.step(limit / 1000);
    }
    return pred();
  }

  // ---- the script ----

  async run(): Promise<void> {
    for (const c of this.script.initCommands) this.command(c.command, c.line);
    const first = this.script.events[0];
    if (first !== undefined && first.time.kind === 'absolute' && first.time.usecs !== 0) throw new Fail(first.line, 'first event should be at time 0');
    for (const ev of this.script.events) {
      const { t, end } = this.eventTime(ev);
      if (ev.type === 'packet' && ev.dir === 'out') {
        await this.outbound(ev, t, end);
      } else {
        if (ev.type === 'syscall' && this.pending !== null) await this.awaitPending();
        await this.advanceTo(t);
        if (ev.type === 'packet') this.inbound(ev);
        else if (ev.type === 'syscall') await this.syscall(ev, t, end);
        else if (ev.type === 'command') this.command(ev.command, ev.line);
        else this.codeBlock(ev.code, ev.line);
      }
      this.lastTime = ev.type === 'packet' && ev.dir === 'in' ? t : ev.time.kind === 'any' ? this.nowUs() : t;
      this.lastInbound = ev.type === 'packet' && ev.dir === 'in';
    }
    if (this.pending !== null) await this.awaitPending();
    for (const c of this.script.cleanupCommands) this.command(c.command, c.line);
  }

  command(cmd: string, line: number): void {
    try {
      runCommand(this.shell, cmd, this.dir);
    } catch (e) {
      if (e instanceof ShellUnsupported) throw new Unsupported(line, `shell command: ${e.message}`);
      throw e;
    }
  }

  codeBlock(code: string, line: number): void {
    if (this.sutFd < 0) throw new Fail(line, 'no socket under test for the %{ }% block');
    const info = newTcpInfo();
    const r = this.proc.sys.getsockopt(this.fd(this.sutFd, line), C.IPPROTO_TCP, C.TCP_INFO, info);
    if (r < 0) throw new Fail(line, `getsockopt(TCP_INFO) for %{ }%: ${errnoName(-r)}`);
    const fields = info as unknown as Record<string, number | string>;
    try {
      this.code.run(code, (name) => {
        const v = fields[name];
        return typeof v === 'number' ? v : undefined;
      });
    } catch (e) {
      if (e instanceof CodeUnsupported) throw new Unsupported(line, `%{ }%: ${e.message}`);
      if (e instanceof CodeAssertion) throw new Fail(line, e.message);
      throw e;
    }
  }

  // ---- packets ----

  inbound(p: PacketEvent): void {
    if (p.unsupported !== null) throw new Unsupported(p.line, p.unsupported);
    if (p.options === null) throw new Fail(p.line, '<...> options on an inbound packet');
    const flags = flagBits(p.flags);
    const isSyn = (flags & SYN) !== 0 && (flags & ACK) === 0;
    let c = this.conn;
    if (isSyn && (c === null || c.established || c.localIsnKnown)) {
      c = this.newConn(this.nextRemotePort++, this.cfg.bindPort);
    }
    if (c === null) throw new Fail(p.line, 'inbound packet with no connection (no SYN and no connect)');
    // Upstream's mapping (socket.h): a SYN's numbers are absolute; other segments' seq
    // counts from the remote ISN and their ack from ours.
    const synFlag = (flags & SYN) !== 0;
    if (synFlag) c.liveRemoteIsn = p.seq;
    else c.established = true;
    const seq = synFlag ? p.seq : (p.seq + c.liveRemoteIsn) >>> 0;
    const ackOff = synFlag ? (c.liveLocalIsn - c.scriptLocalIsn) >>> 0 : c.liveLocalIsn;
    const hasAck = (flags & ACK) !== 0;
    if (hasAck && !c.localIsnKnown) throw new Fail(p.line, 'inbound ACK before the host sent its SYN');
    // Without `ack N` the field is 0 in script space, mapped like any other (upstream).
    const ack = hasAck ? ((p.ack ?? 0) + ackOff) >>> 0 : 0;
    const opts = p.options.map((o): TcpOptSpec => {
      if (o.kind === 'sack') return { kind: 'sack', blocks: o.blocks.map(([l, r]) => [(l + ackOff) >>> 0, (r + ackOff) >>> 0]) };
      if (o.kind === 'ts' && hasAck) return { kind: 'ts', val: o.val, ecr: this.liveEcr(c!, o.ecr, p.line) };
      return o;
    });
    const ob = optionBytes(opts);
    // A payload larger than the MSS goes as one frame, as upstream injects it with --mss (GSO).
    this.injectSeg(c, seq, ack, flags, p.win ?? 0, ob, p.len, p.line);
  }

  liveEcr(c: Conn, ecr: number, line: number): number {
    // As upstream: the live TS val an outbound segment carried for this script value, or,
    // with --tcp_ts_ecr_scaled, one interpolated from the first; otherwise the script is wrong.
    const m = c.tsMap.get(ecr);
    if (m !== undefined) return m;
    if (this.cfg.tsEcrScaled && c.firstTs !== null) return (ecr - c.firstTs[0] + c.firstTs[1]) >>> 0;
    throw new Fail(line, `unable to infer live TS ecr for script TS ecr ${ecr}: no outbound segment carried that TS val`);
  }

  newConn(remotePort: number, localPort: number): Conn {
    const c: Conn = {
      remotePort, localPort, scriptLocalIsn: 0, liveLocalIsn: 0, liveRemoteIsn: 0,
      localIsnKnown: false, established: false, tsMap: new Map(), firstTs: null,
    };
    this.conn = c;
    return c;
  }

  injectSeg(c: Conn, seq: number, ack: number, flags: number, win: number, opts: number[], payloadLen: number, line: number): void {
    const hl = 20 + opts.length;
    const ipLen = 20 + hl + payloadLen;
    if (ipLen > 65_000) throw new Unsupported(line, `inbound segment of ${payloadLen} bytes (larger than the link's frames)`);
    const f = new Uint8Array(14 + ipLen);
    f.set(macBytes(0x02_00_00_00_00_01), 0);
    f.set(macBytes(0x02_00_00_00_00_02), 6);
    f[12] = 0x08;
    const ip = 14;
    f[ip] = 0x45;
    f[ip + 2] = ipLen >> 8;
    f[ip + 3] = ipLen & 255;
    f[ip + 6] = 0x40; // DF
    f[ip + 8] = 64;
    f[ip + 9] = 6;
    const put32 = (at: number, v: number): void => {
      f[at] = v >>> 24;
      f[at + 1] = (v >>> 16) & 255;
      f[at + 2] = (v >>> 8) & 255;
      f[at + 3] = v & 255;
    };
    put32(ip + 12, this.cfg.remoteIp);
    put32(ip + 16, this.cfg.localIp);
    const ipSum = (~checksum(f, ip, 20)) & 0xffff;
    f[ip + 10] = ipSum >> 8;
    f[ip + 11] = ipSum & 255;
    const t = ip + 20;
    f[t] = c.remotePort >> 8;
    f[t + 1] = c.remotePort & 255;
    f[t + 2] = c.localPort >> 8;
    f[t + 3] = c.localPort & 255;
    put32(t + 4, seq);
    put32(t + 8, ack);
    f[t + 12] = (hl / 4) << 4;
    f[t + 13] = flags;
    f[t + 14] = (win >> 8) & 255;
    f[t + 15] = win & 255;
    f.set(opts, t + 20);
    const tcpLen = hl + payloadLen;
    const pseudo = new Uint8Array(12);
    pseudo.set(f.subarray(ip + 12, ip + 20), 0);
    pseudo[9] = 6;
    pseudo[10] = tcpLen >> 8;
    pseudo[11] = tcpLen & 255;
    const sum = (~checksum(f, t, tcpLen, checksum(pseudo, 0, 12))) & 0xffff;
    f[t + 16] = sum >> 8;
    f[t + 17] = sum & 255;
    this.wire.inject(f);
    this.sim.settle();
  }

  /** Take the next captured segment of the test connection (others are ignored, as upstream). */
  takeSeg(): LiveSeg | null {
    while (this.wire.segs.length > 0) {
      const s = this.wire.segs.shift()!;
      const c = this.conn;
      if (c !== null && (s.dstPort !== c.remotePort || s.srcPort !== c.localPort)) {
        // A segment of another connection: upstream ignores packets for sockets other than the test socket.
        continue;
      }
      return s;
    }
    return null;
  }

  async nextSeg(limitUs: number): Promise<LiveSeg | null> {
    let seg: LiveSeg | null = null;
    await this.advanceUntil(() => (seg = seg ?? this.takeSeg()) !== null, limitUs);
    return seg;
  }

  async outbound(p: PacketEvent, t: number, end: number): Promise<void> {
    if (p.unsupported !== null) throw new Unsupported(p.line, p.unsupported);
    const tol = this.tolerance(t, this.lastTime);
    const limit = p.time.kind === 'any' ? Infinity : (end >= 0 ? end : t) + tol;
    const first = await this.nextSeg(limit);
    if (first === null) throw new Fail(p.line, `expected outbound ${describeScript(p)} at ${secs(t)} s; the host sent nothing by ${secs(this.nowUs())} s`);
    const c = this.conn!;
    const expFlags = flagBits(p.flags);
    // The first segment of a connection fixes the local ISN (a SYN or SYN-ACK).
    if ((first.flags & SYN) !== 0 && (expFlags & SYN) !== 0) {
      c.scriptLocalIsn = p.seq;
      c.liveLocalIsn = first.seq;
      c.localIsnKnown = true;
    }
    const segs = [first];
    let total = first.payloadLen;
    while (total < p.len && !this.cfg.strictSegments) {
      const more = await this.nextSeg(this.nowUs());
      if (more === null) break;
      const prev = segs[segs.length - 1]!;
      if (more.seq !== ((prev.seq + prev.payloadLen) >>> 0) || (more.flags & (SYN | RST | ACK)) !== (prev.flags & (SYN | RST | ACK))) {
        this.wire.segs.unshift(more);
        break;
      }
      segs.push(more);
      total += more.payloadLen;
    }
    const last = segs[segs.length - 1]!;
    const synOut = (first.flags & SYN) !== 0;
    const liveSeq = synOut ? (first.seq - c.liveLocalIsn + c.scriptLocalIsn) >>> 0 : (first.seq - c.liveLocalIsn) >>> 0;
    const liveAck = synOut ? last.ack : (last.ack - c.liveRemoteIsn) >>> 0;
    const flags = segs.length > 1 ? (last.flags & ~PSH) | (segs.some((s) => s.flags & PSH) ? PSH : 0) : first.flags;
    const actual = `${flagText(flags)} ${liveSeq}:${(liveSeq + total) >>> 0}(${total})${flags & ACK ? ` ack ${liveAck}` : ''} win ${last.window} ${this.describeOptions(last, c)}`;
    const bad = (what: string): never => {
      throw new Fail(p.line, `${what}: expected ${describeScript(p)}, got ${actual}${segs.length > 1 ? ` (${segs.length} segments glued)` : ''}`);
    };
    const strict = this.cfg.strictSegments;
    const cmpMask = SYN | RST | ACK | (strict ? FIN | PSH : 0);
    if ((flags & cmpMask) !== (expFlags & cmpMask)) bad('flags differ');
    if (total !== p.len) bad(`payload length ${total}, expected ${p.len}`);
    if (liveSeq !== p.seq) bad('sequence number differs');
    // As upstream: the ack field is always compared, with 0 when the script gives none
    // (relative to the remote ISN when ACK is set; the raw field otherwise).
    if ((flags & ACK) !== 0 ? liveAck !== (p.ack ?? 0) : last.ack !== (p.ack ?? 0)) bad('ack number differs');
    if (p.win !== null && last.window !== p.win) bad('window differs');
    if (p.options !== null) this.checkOptions(p, last, c, bad);
    // Remember TS vals for the remote's TS ecr.
    const ts = last.options.find((o) => o.kind === 8 && o.data.length === 8);
    const want = p.options?.find((o) => o.kind === 'ts');
    if (ts !== undefined && want !== undefined && want.kind === 'ts') {
      const live = readU32(ts.data, 0);
      c.tsMap.set(want.val, live);
      if (c.firstTs === null) c.firstTs = [want.val, live];
    }
    // Timing: the first segment of the burst.
    if (p.time.kind !== 'any') {
      const at = first.time;
      const lo = t - tol;
      const hi = (end >= 0 ? end : t) + tol;
      if (at < lo || at > hi) {
        throw new Fail(p.line, `timing error: expected outbound packet at ${secs(t)}${end >= 0 ? `~${secs(end)}` : ''} s but it happened at ${secs(at)} s; tolerance ${secs(tol)} s (${actual})`);
      }
    }
    this.lastOutbound = first.time;
  }

  lastOutbound = 0;

  describeOptions(s: LiveSeg, c: Conn): string {
    const parts: string[] = [];
    for (const o of s.options) {
      if (o.kind === 0) parts.push('eol');
      else if (o.kind === 1) parts.push('nop');
      else if (o.kind === 2 && o.data.length === 2) parts.push(`mss ${(o.data[0]! << 8) | o.data[1]!}`);
      else if (o.kind === 3 && o.data.length === 1) parts.push(`wscale ${o.data[0]}`);
      else if (o.kind === 4) parts.push('sackOK');
      else if (o.kind === 5) {
        const b: string[] = [];
        for (let i = 0; i + 8 <= o.data.length; i += 8) {
          b.push(`${(readU32(o.data, i) - c.liveRemoteIsn) >>> 0}:${(readU32(o.data, i + 4) - c.liveRemoteIsn) >>> 0}`);
        }
        parts.push(`sack ${b.join(' ')}`);
      } else if (o.kind === 8 && o.data.length === 8) parts.push(`TS val ${readU32(o.data, 0)} ecr ${readU32(o.data, 4)}`);
      else parts.push(`kind ${o.kind}`);
    }
    return `<${parts.join(',')}>`;
  }

  checkOptions(p: PacketEvent, s: LiveSeg, c: Conn, bad: (w: string) => never): void {
    const want = p.options!;
    if (want.length !== s.options.length) bad('TCP options differ');
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      const o = s.options[i]!;
      const kinds = { eol: 0, nop: 1, mss: 2, wscale: 3, sackOK: 4, sack: 5, ts: 8 } as const;
      if (kinds[w.kind] !== o.kind) bad(`TCP option ${i + 1} differs`);
      if (w.kind === 'mss' && ((o.data[0]! << 8) | o.data[1]!) !== w.value) bad('mss differs');
      if (w.kind === 'wscale' && o.data[0] !== w.value) bad('wscale differs');
      if (w.kind === 'sack') {
        if (o.data.length !== 8 * w.blocks.length) bad('SACK blocks differ');
        w.blocks.forEach(([l, r], j) => {
          const ll = (readU32(o.data, 8 * j) - c.liveRemoteIsn) >>> 0;
          const rr = (readU32(o.data, 8 * j + 4) - c.liveRemoteIsn) >>> 0;
          if (ll !== l || rr !== r) bad('SACK blocks differ');
        });
      }
      if (w.kind === 'ts' && this.cfg.tsTickUsecs > 0) {
        // Upstream compares TS val in script space against the first mapping, within tolerance.
        const live = readU32(o.data, 0);
        const mapped = c.firstTs === null ? w.val : (live - c.firstTs[1] + c.firstTs[0]) >>> 0;
        const dev = Math.abs((mapped - w.val) | 0) * this.cfg.tsTickUsecs;
        if (dev > this.tolerance(this.nowUs(), 0)) bad(`TS val ${mapped} (script space) too far from ${w.val}`);
      }
    }
  }

  // ---- system calls ----

  fd(scriptFd: number, line: number): number {
    const live = this.fds.get(scriptFd);
    if (live === undefined) {
      if (scriptFd >= 0 && scriptFd <= 2) return scriptFd;
      throw new Fail(line, `unknown fd ${scriptFd}`);
    }
    return live;
  }

  async awaitPending(): Promise<void> {
    const p = this.pending!;
    const ok = await this.advanceUntil(() => p.done, Math.max(p.endUsecs, this.nowUs()) + 10_000_000);
    if (!ok) throw new Fail(p.ev.line, `blocking ${p.ev.name}() did not return (expected by ${secs(p.endUsecs)} s)`);
    this.pending = null;
    if (p.error !== null) throw p.error;
  }

  async syscall(ev: SyscallEvent, t: number, end: number): Promise<void> {
    this.wire.trace.push(`${secs(this.nowUs())} line ${ev.line}: ${ev.name}()${ev.endUsecs >= 0 ? ' (blocking)' : ''}`);
    const blocking = ev.endUsecs >= 0;
    const call = this.prepare(ev);
    if (blocking) {
      const pend: Pending = { ev, startUsecs: t, endUsecs: end, done: false, error: null };
      this.pending = pend;
      call().then(
        (r) => {
          try {
            this.checkResult(ev, r);
            const at = this.nowUs();
            const tol = this.tolerance(end, t);
            if (at < end - tol || at > end + tol) throw new Fail(ev.line, `timing error: expected ${ev.name}() to return at ${secs(end)} s but it returned at ${secs(at)} s; tolerance ${secs(tol)} s`);
          } catch (e) {
            pend.error = e as Error;
          }
          pend.done = true;
        },
        (e: unknown) => {
          pend.error = e as Error;
          pend.done = true;
        },
      );
      // Let the call start (and return at once if it does not block).
      await flush();
      this.sim.settle();
      await flush();
      if (pend.done) {
        this.pending = null;
        if (pend.error !== null) throw pend.error;
      }
      return;
    }
    let settled = false;
    let value = 0;
    let err: unknown = null;
    call().then(
      (r) => {
        settled = true;
        value = r;
      },
      (e: unknown) => {
        settled = true;
        err = e;
      },
    );
    await flush();
    if (!settled) {
      this.sim.settle();
      await flush();
    }
    if (!settled) throw new Fail(ev.line, `${ev.name}() blocked; the script expects it to return at once (a blocking call is written +t...end)`);
    if (err !== null) throw err;
    this.checkResult(ev, value);
  }

  /** Compare a call's return with `= result [ERRNO]`. */
  checkResult(ev: SyscallEvent, r: number): void {
    const want = this.evalInt(ev.result, ev.line);
    const got = r < 0 ? -1 : r;
    const errno = r < 0 ? errnoName(-r) : null;
    if (want === -1 && ev.errno !== null) {
      if (r >= 0) throw new Fail(ev.line, `${ev.name}() returned ${r}, expected -1 ${ev.errno}`);
      if (errno !== ev.errno) throw new Fail(ev.line, `${ev.name}() failed with ${errno}, expected ${ev.errno}`);
      return;
    }
    // A call that returns an fd: the script's number maps to ours (fd numbers are mapped).
    const fdCall = ev.name === 'socket' || ev.name === 'accept' || ev.name === 'accept4' || ev.name === 'epoll_create' || ev.name === 'epoll_create1';
    if (fdCall && want >= 0 && r >= 0) {
      this.fds.set(want, r);
      return;
    }
    if (got !== want) throw new Fail(ev.line, `${ev.name}() returned ${got}${errno !== null ? ` ${errno}` : ''}, expected ${want}`);
  }

  evalInt(e: Expr, line: number): number {
    switch (e.t) {
      case 'int':
        return e.v;
      case 'word': {
        const v = constant(e.name);
        if (v === undefined) throw new Unsupported(line, `constant ${e.name}`);
        return v;
      }
      case 'binop': {
        const l = this.evalInt(e.l, line);
        const r = this.evalInt(e.r, line);
        return e.op === '|' ? (l | r) >>> 0 : e.op === '+' ? l + r : e.op === '-' ? l - r : l * r;
      }
      case 'array':
        if (e.items.length === 1) return this.evalInt(e.items[0]!, line);
        throw new Unsupported(line, 'array argument');
      case 'call':
        if (e.name === 'htons' && e.args.length === 1) return this.evalInt(e.args[0]!, line);
        throw new Unsupported(line, `${e.name}() in an argument`);
      default:
        throw new Unsupported(line, `argument of kind ${e.t}`);
    }
  }

  isNonBlocking(fd: number): boolean {
    const fl = this.proc.sys.fcntl(fd, C.F_GETFL);
    return fl >= 0 && (fl & C.O_NONBLOCK) !== 0;
  }

  /** Build the call of a syscall line: a function returning its (eventual) result. */
  prepare(ev: SyscallEvent): () => Promise<number> {
    const a = ev.args;
    const line = ev.line;
    const sys = this.proc.sys;
    const n = (i: number): number => {
      const e = a[i];
      if (e === undefined) throw new Fail(line, `${ev.name}: missing argument ${i + 1}`);
      return this.evalInt(e, line);
    };
    const fdArg = (i: number): number => this.fd(n(i), line);
    const lazy = (f: () => number | Promise<number>): (() => Promise<number>) => () => Promise.resolve(f());
    const want = ev.result.t === 'int' ? ev.result.v : -1;
    switch (ev.name) {
      case 'socket': {
        const type = n(1);
        if ((type & 0xf) !== C.SOCK_STREAM) throw new Unsupported(line, 'socket type other than SOCK_STREAM');
        return lazy(() => {
          const fd = sys.socket(C.AF_INET, type, 0);
          if (fd >= 0) {
            this.sutFd = want;
            this.fds.set(want, fd);
          }
          return fd;
        });
      }
      case 'bind':
        return lazy(() => sys.bind(fdArg(0), sockaddrIn(this.cfg.localIp, this.cfg.bindPort)));
      case 'listen':
        return lazy(() => sys.listen(fdArg(0), n(1)));
      case 'accept':
      case 'accept4': {
        const fd = fdArg(0);
        const flags = ev.name === 'accept4' ? n(3) : 0;
        const done = (r: number): number => {
          if (r >= 0) {
            this.fds.set(want, r);
            this.sutFd = want;
          }
          return r;
        };
        if (this.isNonBlocking(fd)) return lazy(() => done(sys.accept4(fd, null, flags)));
        return () => sys.acceptAsync(fd, null, flags).then(done);
      }
      case 'connect': {
        const fd = fdArg(0);
        const sfd = n(0);
        const addr = sockaddrIn(this.cfg.remoteIp, this.cfg.connectPort);
        // The first connect of an fd opens the test connection (its port is known after it).
        const open = (): void => {
          if (this.connecting.has(fd)) return;
          this.connecting.add(fd);
          const c = this.newConn(this.cfg.connectPort, 0);
          const name = sockaddrIn(0, 0);
          this.proc.sys.getsockname(fd, name);
          c.localPort = name.port;
          this.sutFd = sfd;
        };
        if (this.isNonBlocking(fd)) {
          return lazy(() => {
            const r = sys.connect(fd, addr);
            open();
            return r;
          });
        }
        return () => {
          const p = sys.connectAsync(fd, addr);
          open();
          return p;
        };
      }
      case 'write':
      case 'send':
      case 'sendto': {
        this.bufferArg(a[1], line);
        const fd = fdArg(0);
        const len = n(2);
        const flags = ev.name === 'write' ? 0 : n(3);
        return this.sendCall(fd, len, flags, line);
      }
      case 'sendmsg': {
        const fd = fdArg(0);
        const len = this.msghdrLen(a[1], line);
        return this.sendCall(fd, len, n(2), line);
      }
      case 'read':
      case 'recv':
      case 'recvfrom': {
        this.bufferArg(a[1], line);
        const fd = fdArg(0);
        const len = n(2);
        const flags = ev.name === 'read' ? 0 : n(3);
        return this.recvCall(fd, len, flags);
      }
      case 'recvmsg': {
        const fd = fdArg(0);
        const len = this.msghdrLen(a[1], line);
        return this.recvCall(fd, len, n(2));
      }
      case 'close': {
        const sfd = n(0);
        return lazy(() => {
          const r = sys.close(this.fd(sfd, line));
          if (r === 0) this.fds.delete(sfd);
          return r;
        });
      }
      case 'shutdown':
        return lazy(() => sys.shutdown(fdArg(0), n(1)));
      case 'fcntl': {
        const cmd = n(1);
        if (cmd === C.F_GETFL || cmd === C.F_GETFD) {
          return lazy(() => {
            const r = sys.fcntl(fdArg(0), cmd);
            // Linux reports the access mode too (O_RDWR for a socket).
            return cmd === C.F_GETFL && r >= 0 ? r | C.O_RDWR : r;
          });
        }
        return lazy(() => sys.fcntl(fdArg(0), cmd, n(2) & ~C.O_RDWR));
      }
      case 'setsockopt':
        return this.setsockopt(ev);
      case 'getsockopt':
        return this.getsockopt(ev);
      case 'poll':
        return this.poll(ev);
      case 'epoll_create':
      case 'epoll_create1': {
        return lazy(() => sys.epollCreate1(ev.name === 'epoll_create1' ? n(0) : 0));
      }
      case 'epoll_ctl': {
        const ep = fdArg(0);
        const op = n(1);
        const fd = fdArg(2);
        const ee = this.epollEvent(a[3], line);
        return lazy(() => sys.epollCtl(ep, op, fd, ee === null ? null : { events: ee.events, data: ee.data }));
      }
      case 'epoll_wait':
        return this.epollWait(ev);
      case 'ioctl':
        return this.ioctl(ev);
      default:
        throw new Unsupported(line, `system call ${ev.name}`);
    }
  }

  readonly connecting = new Set<number>();
  peekBuf: Uint8Array | null = null;

  /** A buffer argument must be `...` (ours); a literal pointer (NULL, 0x1) cannot be expressed. */
  bufferArg(e: Expr | undefined, line: number): void {
    if (e === undefined || e.t !== 'ellipsis') throw new Unsupported(line, 'a buffer pointer other than ... (bad addresses and EFAULT)');
  }

  sendCall(fd: number, len: number, flags: number, line: number): () => Promise<number> {
    this.checkFlags(flags, [C.MSG_DONTWAIT, C.MSG_NOSIGNAL], line);
    const buf = new Uint8Array(len);
    const sys = this.proc.sys;
    if (this.isNonBlocking(fd) || flags & C.MSG_DONTWAIT) return () => Promise.resolve(sys.send(fd, buf, 0, len, flags));
    return () => sys.sendAsync(fd, buf, 0, len, flags);
  }

  recvCall(fd: number, len: number, flags: number): () => Promise<number> {
    const buf = new Uint8Array(Math.max(len, 0));
    const sys = this.proc.sys;
    if (this.isNonBlocking(fd) || flags & C.MSG_DONTWAIT) return () => Promise.resolve(sys.recv(fd, buf, 0, len, flags));
    return () => sys.recvAsync(fd, buf, 0, len, flags);
  }

  checkFlags(flags: number, known: number[], line: number): void {
    let rest = flags;
    for (const k of known) rest &= ~k;
    if (rest !== 0) throw new Unsupported(line, `send flags 0x${rest.toString(16)}`);
  }

  /** The byte count of a msghdr's iovecs; control messages are unsupported. */
  msghdrLen(e: Expr | undefined, line: number): number {
    if (e === undefined || e.t !== 'struct') throw new Unsupported(line, 'msghdr argument');
    let len = 0;
    for (const f of e.fields) {
      if (f.name === 'msg_iov') {
        if (f.value.t !== 'array') throw new Unsupported(line, 'msg_iov');
        for (const iov of f.value.items) {
          if (iov.t !== 'struct' || iov.fields.length !== 2) throw new Unsupported(line, 'iovec');
          len += this.evalInt(iov.fields[1]!.value, line);
        }
      } else if (f.name === 'msg_control') throw new Unsupported(line, 'msghdr msg_control (ancillary data)');
      else if (f.name === 'msg_flags') {
        if (this.evalInt(f.value, line) !== 0) throw new Unsupported(line, 'msg_flags');
      }
    }
    return len;
  }

  setsockopt(ev: SyscallEvent): () => Promise<number> {
    const line = ev.line;
    const level = this.evalInt(ev.args[1]!, line);
    const name = this.evalInt(ev.args[2]!, line);
    const v = ev.args[3]!;
    const fd = this.fd(this.evalInt(ev.args[0]!, line), line);
    const sys = this.proc.sys;
    if (level === C.SOL_SOCKET && name === C.SO_LINGER) {
      const l = this.structInts(v, ['l_onoff', 'l_linger'], line);
      return () => Promise.resolve(sys.setsockopt(fd, level, name, { l_onoff: l[0]!, l_linger: l[1]! }));
    }
    if (level === C.IPPROTO_TCP && name === C.TCP_CONGESTION) {
      if (v.t !== 'string') throw new Unsupported(line, 'TCP_CONGESTION value');
      return () => Promise.resolve(sys.setsockopt(fd, level, name, v.s));
    }
    const value = this.evalInt(v, line);
    return () => Promise.resolve(sys.setsockopt(fd, level, name, value));
  }

  getsockopt(ev: SyscallEvent): () => Promise<number> {
    const line = ev.line;
    const level = this.evalInt(ev.args[1]!, line);
    const name = this.evalInt(ev.args[2]!, line);
    const v = ev.args[3]!;
    const fd = this.fd(this.evalInt(ev.args[0]!, line), line);
    const sys = this.proc.sys;
    if (level === C.SOL_SOCKET && name === C.SO_LINGER) {
      const want = this.structInts(v, ['l_onoff', 'l_linger'], line);
      return () => {
        const out = { l_onoff: 0, l_linger: 0 };
        const r = sys.getsockopt(fd, level, name, out);
        if (r === 0 && (out.l_onoff !== 0) !== (want[0] !== 0)) throw new Fail(line, `getsockopt SO_LINGER l_onoff ${out.l_onoff}, expected ${want[0]}`);
        if (r === 0 && out.l_linger !== want[1]) throw new Fail(line, `getsockopt SO_LINGER l_linger ${out.l_linger}, expected ${want[1]}`);
        return Promise.resolve(r);
      };
    }
    if (level === C.IPPROTO_TCP && name === C.TCP_INFO) throw new Unsupported(line, 'getsockopt TCP_INFO with a struct');
    if (v.t === 'ellipsis') return () => Promise.resolve(Math.min(0, sys.getsockopt(fd, level, name)));
    const want = this.evalInt(v, line);
    return () => {
      const r = sys.getsockopt(fd, level, name);
      if (r < 0) return Promise.resolve(r);
      if (r !== want) throw new Fail(line, `getsockopt returned the value ${r}, expected ${want}`);
      return Promise.resolve(0);
    };
  }

  structInts(e: Expr, names: string[], line: number): number[] {
    if (e.t !== 'struct') throw new Unsupported(line, `expected a struct with ${names.join(', ')}`);
    return names.map((nm, i) => {
      const f = e.fields.find((x) => x.name === nm) ?? e.fields[i];
      if (f === undefined) throw new Unsupported(line, `struct field ${nm}`);
      return this.evalInt(f.value, line);
    });
  }

  poll(ev: SyscallEvent): () => Promise<number> {
    const line = ev.line;
    const arr = ev.args[0];
    if (arr === undefined || arr.t !== 'array') throw new Unsupported(line, 'poll argument');
    const fds: PollFd[] = [];
    const wantRevents: number[] = [];
    for (const item of arr.items) {
      if (item.t !== 'struct') throw new Unsupported(line, 'pollfd');
      const get = (nm: string): number => {
        const f = item.fields.find((x) => x.name === nm);
        return f === undefined ? 0 : this.evalInt(f.value, line);
      };
      fds.push({ fd: this.fd(get('fd'), line), events: get('events'), revents: 0 });
      wantRevents.push(get('revents'));
    }
    const nfds = this.evalInt(ev.args[1]!, line);
    const timeout = this.evalInt(ev.args[2]!, line);
    const check = (r: number): number => {
      fds.forEach((f, i) => {
        if (r >= 0 && f.revents !== wantRevents[i]) throw new Fail(line, `poll revents 0x${f.revents.toString(16)} for fd ${f.fd}, expected 0x${wantRevents[i]!.toString(16)}`);
      });
      return r;
    };
    if (timeout === 0) return () => Promise.resolve(check(this.proc.sys.poll(fds, nfds, 0)));
    return () => this.proc.sys.pollAsync(fds, nfds, timeout).then(check);
  }

  /** ioctl(fd, SIOCINQ or FIONREAD, [n]): the bytes waiting to be read, compared with n (read with MSG_PEEK). */
  ioctl(ev: SyscallEvent): () => Promise<number> {
    const line = ev.line;
    const req = ev.args[1];
    if (req === undefined || req.t !== 'word' || (req.name !== 'SIOCINQ' && req.name !== 'FIONREAD')) throw new Unsupported(line, `ioctl ${req !== undefined && req.t === 'word' ? req.name : 'request'}`);
    const fd = this.fd(this.evalInt(ev.args[0]!, line), line);
    const want = this.evalInt(ev.args[2]!, line);
    return () => {
      // Larger than any receive buffer (tcp_rmem[2] at most 16 MiB in the corpus' settings).
      this.peekBuf ??= new Uint8Array(1 << 24);
      const r = this.proc.sys.recv(fd, this.peekBuf, 0, this.peekBuf.length, C.MSG_PEEK | C.MSG_DONTWAIT);
      const n = r === -EAGAIN ? 0 : r;
      if (n < 0) return Promise.resolve(n);
      if (n !== want) throw new Fail(line, `ioctl ${req.name}: ${n} bytes waiting, expected ${want}`);
      return Promise.resolve(0);
    };
  }

  epollEvent(e: Expr | undefined, line: number): EpollEvent | null {
    if (e === undefined || e.t === 'ellipsis') return null;
    if (e.t !== 'struct') throw new Unsupported(line, 'epoll_event');
    const get = (nm: string): number => {
      const f = e.fields.find((x) => x.name === nm);
      if (f === undefined) return 0;
      if (nm === 'fd' || nm === 'u32' || nm === 'u64' || nm === 'ptr') return this.evalInt(f.value, line);
      return this.evalInt(f.value, line);
    };
    return { events: get('events'), data: get('fd') || get('u32') || get('u64') || get('ptr') };
  }

  epollWait(ev: SyscallEvent): () => Promise<number> {
    const line = ev.line;
    const ep = this.fd(this.evalInt(ev.args[0]!, line), line);
    const want = this.epollEvent(ev.args[1], line);
    const max = this.evalInt(ev.args[2]!, line);
    const timeout = this.evalInt(ev.args[3]!, line);
    const events: EpollEvent[] = Array.from({ length: Math.max(1, max) }, () => ({ events: 0, data: 0 }));
    const check = (r: number): number => {
      if (r > 0 && want !== null) {
        const e = events[0]!;
        if (e.events !== want.events) throw new Fail(line, `epoll_wait events 0x${(e.events >>> 0).toString(16)}, expected 0x${(want.events >>> 0).toString(16)}`);
        if (e.data !== want.data) throw new Fail(line, `epoll_wait data ${e.data}, expected ${want.data}`);
      }
      return r;
    };
    if (timeout === 0) return () => Promise.resolve(check(this.proc.sys.epollWait(ep, events, max, 0)));
    return () => this.proc.sys.epollWaitAsync(ep, events, max, timeout).then(check);
  }
}

function readU32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function ipString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function secs(us: number): string {
  return (us / 1e6).toFixed(6);
}

function describeScript(p: PacketEvent): string {
  const opts = p.options === null ? '<...>' : `<${p.options.map((o) => (o.kind === 'mss' || o.kind === 'wscale' ? `${o.kind} ${o.value}` : o.kind === 'ts' ? `TS val ${o.val} ecr ${o.ecr}` : o.kind === 'sack' ? `sack ${o.blocks.map(([l, r]) => `${l}:${r}`).join(' ')}` : o.kind)).join(',')}>`;
  return `${p.flags} ${p.seq}:${p.end}(${p.len})${p.ack !== null ? ` ack ${p.ack}` : ''}${p.win !== null ? ` win ${p.win}` : ''} ${opts}`;
}

async function flush(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
}

/** Linux's values of the names scripts use; only those our calls honour. */
const CONSTANTS: Record<string, number> = {
  AF_INET: C.AF_INET, PF_INET: C.AF_INET, SOCK_STREAM: C.SOCK_STREAM, SOCK_NONBLOCK: C.SOCK_NONBLOCK, SOCK_CLOEXEC: C.SOCK_CLOEXEC,
  IPPROTO_TCP: C.IPPROTO_TCP, IPPROTO_IP: C.IPPROTO_IP, SOL_SOCKET: C.SOL_SOCKET, SOL_TCP: C.IPPROTO_TCP,
  SO_REUSEADDR: C.SO_REUSEADDR, SO_REUSEPORT: C.SO_REUSEPORT, SO_KEEPALIVE: C.SO_KEEPALIVE, SO_LINGER: C.SO_LINGER,
  SO_SNDBUF: C.SO_SNDBUF, SO_RCVBUF: C.SO_RCVBUF, SO_ERROR: C.SO_ERROR, SO_TYPE: C.SO_TYPE,
  TCP_NODELAY: C.TCP_NODELAY, TCP_MAXSEG: C.TCP_MAXSEG, TCP_CORK: C.TCP_CORK, TCP_KEEPIDLE: C.TCP_KEEPIDLE,
  TCP_KEEPINTVL: C.TCP_KEEPINTVL, TCP_KEEPCNT: C.TCP_KEEPCNT, TCP_INFO: C.TCP_INFO, TCP_CONGESTION: C.TCP_CONGESTION,
  TCP_USER_TIMEOUT: C.TCP_USER_TIMEOUT, SHUT_RD: C.SHUT_RD, SHUT_WR: C.SHUT_WR, SHUT_RDWR: C.SHUT_RDWR,
  MSG_PEEK: C.MSG_PEEK, MSG_DONTWAIT: C.MSG_DONTWAIT, MSG_WAITALL: C.MSG_WAITALL, MSG_NOSIGNAL: C.MSG_NOSIGNAL, MSG_TRUNC: C.MSG_TRUNC,
  F_GETFL: C.F_GETFL, F_SETFL: C.F_SETFL, F_GETFD: C.F_GETFD, F_SETFD: C.F_SETFD, FD_CLOEXEC: C.FD_CLOEXEC,
  O_RDWR: C.O_RDWR, O_RDONLY: C.O_RDONLY, O_WRONLY: C.O_WRONLY, O_NONBLOCK: C.O_NONBLOCK,
  POLLIN: C.POLLIN, POLLPRI: C.POLLPRI, POLLOUT: C.POLLOUT, POLLERR: C.POLLERR, POLLHUP: C.POLLHUP, POLLNVAL: C.POLLNVAL,
  POLLRDNORM: C.POLLRDNORM, POLLWRNORM: C.POLLWRNORM, POLLRDHUP: C.POLLRDHUP,
  EPOLLIN: C.EPOLLIN, EPOLLPRI: C.EPOLLPRI, EPOLLOUT: C.EPOLLOUT, EPOLLERR: C.EPOLLERR, EPOLLHUP: C.EPOLLHUP, EPOLLRDHUP: C.EPOLLRDHUP,
  EPOLLET: C.EPOLLET >>> 0, EPOLLONESHOT: C.EPOLLONESHOT, EPOLL_CTL_ADD: C.EPOLL_CTL_ADD, EPOLL_CTL_DEL: C.EPOLL_CTL_DEL, EPOLL_CTL_MOD: C.EPOLL_CTL_MOD,
};

function constant(name: string): number | undefined {
  return CONSTANTS[name];
}

/** Run a script's text; `file` names it in the result and locates its `common/` files. */
export async function runScriptText(src: string, file: string, opts: PacketdrillOptions = {}): Promise<PacketdrillResult> {
  let script: Script;
  try {
    script = parseScript(src);
  } catch (e) {
    if (e instanceof PacketdrillSyntaxError) return { file, result: 'fail', line: e.line, reason: `syntax error: ${e.message}`, notes: [], trace: [] };
    throw e;
  }
  const run = new Run(script, dirname(file));
  try {
    run.setup(opts.options ?? []);
    await run.run();
    return { file, result: 'pass', line: null, reason: '', notes: run.shell?.baselineIgnored ?? [], trace: run.wire?.trace ?? [] };
  } catch (e) {
    const notes = run.shell?.baselineIgnored ?? [];
    const trace = run.wire?.trace ?? [];
    if (e instanceof Unsupported) return { file, result: 'unsupported', line: e.line, reason: e.message, notes, trace };
    if (e instanceof Fail) return { file, result: 'fail', line: e.line, reason: e.message, notes, trace };
    const err = e as Error;
    return { file, result: 'fail', line: null, reason: `runner error: ${err.message}`, notes, trace };
  }
}

/** Run the script in `file`. */
export async function runScriptFile(file: string, opts: PacketdrillOptions = {}): Promise<PacketdrillResult> {
  return runScriptText(readFileSync(file, 'utf8'), file, opts);
}
