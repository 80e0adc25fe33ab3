// The Linux-peer test bench: a network namespace of our own with a TAP device inside it.
// The kernel side of the device is 192.0.2.1/24 in the namespace; our process holds the
// device's descriptor (a TapDevice) and runs a host as 192.0.2.2. Nothing touches the
// machine's own namespace: the device is created inside the namespace (the addon enters it
// for the open), and deleting the namespace deletes everything in it.
//
//   const bench = await openBench(t);          // skips the test with a reason when it cannot run
//   if (!bench) return;
//   await bench.exec(['ping', '-c', '1', '192.0.2.2']);
//   const cap = await bench.capture();  ...  await cap.stop(); await bench.checkCapture(cap.file);
//
// Teardown runs from t.after (so also when the test fails): children killed, captures
// stopped, descriptor closed, namespace deleted, files removed. Namespaces left by crashed
// runs (netch-<pid>-<n> whose pid is gone) are deleted when a bench opens.

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Host } from '../../src/iface/host.js';
import { openTap, tapUnavailableReason, type TapDevice } from '../../src/link/tap.js';
import type { LinkDevice } from '../../src/link/device.js';
import { Loop } from '../../src/runtime/loop.js';
import { skipOrFail } from '../require-all.js';

/** The kernel's address on the bench (inside the namespace). */
export const KERNEL_ADDR = '192.0.2.1';
/** Our host's address on the bench. */
export const HOST_ADDR = '192.0.2.2';
/** The prefix length of the bench subnet. */
export const PREFIX_LEN = 24;
/** Our host's MAC on the bench (locally administered). */
export const HOST_MAC = '02:00:5e:00:02:02';

/** The result of a command run in the namespace. */
export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Count the records of a classic pcap file (what tcpdump -w writes) without dissecting them.
 * Throws on a file that is not pcap or whose last record is cut short.
 */
export function countPcapFrames(file: string): number {
  const b = readFileSync(file);
  if (b.length < 24) throw new Error(`${file}: ${b.length} bytes, shorter than a pcap header`);
  const magic = b.readUInt32LE(0);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else throw new Error(`${file}: not a pcap file (magic 0x${magic.toString(16)})`);
  let n = 0;
  for (let off = 24; off < b.length; n++) {
    if (off + 16 > b.length) throw new Error(`${file}: record ${n + 1} header cut short`);
    const incl = little ? b.readUInt32LE(off + 8) : b.readUInt32BE(off + 8);
    off += 16 + incl;
    if (off > b.length) throw new Error(`${file}: record ${n + 1} cut short`);
  }
  return n;
}

/** Options of `exec`. */
export interface ExecOptions {
  /** Kill the command after this many ms (default 10 000). */
  timeoutMs?: number;
  /** Text written to the command's stdin. */
  input?: string;
  /** Throw when the command exits non-zero (default false). */
  check?: boolean;
}

let counter = 0;

/** Return a namespace name unique to this process, netch-<pid>-<n> (what cleanStaleNamespaces recognises). */
export function uniqueNetnsName(n = ++counter): string {
  return `netch-${process.pid}-${n}`;
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Return why the bench cannot run here (not root, no /dev/net/tun, no `ip`, no addon), or
 * null when it can.
 */
export function benchSkipReason(): string | null {
  if (process.platform !== 'linux') return `the interop bench needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the interop bench needs root (network namespaces and TAP devices)';
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/net/tun is missing or not accessible';
  }
  if (!hasCommand('ip')) return 'the `ip` command (iproute2) is not installed';
  return tapUnavailableReason();
}

/** Return why a tool is unusable (missing), or null. */
export function toolSkipReason(...tools: string[]): string | null {
  for (const t of tools) if (!hasCommand(t)) return `${t} is not installed`;
  return null;
}

/** Run a command (not in the namespace) with a timeout; resolve with its result. */
export function run(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 10_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
      const res: ExecResult = { code, signal: e?.signal ?? null, stdout: String(stdout), stderr: String(stderr) };
      if (e !== null && typeof e.code === 'string') return reject(e); // ENOENT: no such command
      if (opts.check === true && code !== 0) {
        return reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? res.signal}): ${res.stderr.trim() || res.stdout.trim()}`));
      }
      resolve(res);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Delete netch-<pid>-<n> namespaces whose process is gone (left by a crashed run). */
export function cleanStaleNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  const removed: string[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^(netch-(\d+)-\d+)\b/.exec(line.trim());
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || pidAlive(pid)) continue;
    spawnSync('ip', ['netns', 'del', m[1]!], { timeout: 5000 });
    removed.push(m[1]!);
  }
  return removed;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A running packet capture inside the namespace. */
export interface Capture {
  readonly file: string;
  /** Stop tcpdump (SIGINT) and wait until it has written the file. */
  stop(): Promise<void>;
}

/** The verdict of `checkCapture`. */
export interface CaptureCheck {
  /** Frames in the file. */
  total: number;
  /** tshark's one-line summary of each malformed or bad-checksum frame. */
  bad: string[];
}

/** What the bench's ping saw. */
export interface PingResult {
  sent: number;
  /** Sequence numbers answered, in arrival order. */
  received: number[];
  /** Reply TTLs, in the same order. */
  ttl: number[];
  /** Round-trip times in ms. */
  rtt: number[];
  /** ICMP errors reported instead of replies (errno names). */
  errors: string[];
}

/**
 * A ping(8) stand-in in python3 (ping is not always installed): an ICMP datagram socket, so
 * the kernel sets the identifier and checksum. argv: dst count size timeout_ms. Prints one
 * JSON line.
 */
export const PING_PY = `
import json, socket, struct, sys, time, errno
dst, count, size, tmo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) / 1000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
s.setsockopt(socket.SOL_IP, 11, 1)  # IP_RECVERR
s.setsockopt(socket.SOL_IP, 12, 1)  # IP_RECVTTL
s.settimeout(tmo)
out = {"sent": 0, "received": [], "ttl": [], "rtt": [], "errors": []}
for seq in range(1, count + 1):
    payload = bytes((seq + i) & 0xff for i in range(size))
    t0 = time.monotonic()
    try:
        s.sendto(struct.pack("!BBHHH", 8, 0, 0, 0, seq) + payload, (dst, 0))
    except PermissionError:  # a firewall rule dropped it on output (nftLoss)
        out["errors"].append("EPERM")
        continue
    out["sent"] += 1
    deadline = t0 + tmo
    while True:
        left = deadline - time.monotonic()
        if left <= 0: break
        s.settimeout(left)
        try:
            data, anc, flags, addr = s.recvmsg(65536, 64)
        except socket.timeout:
            break
        except OSError as e:
            out["errors"].append(errno.errorcode.get(e.errno, str(e.errno)))
            break
        if len(data) >= 8 and data[0] == 0 and struct.unpack("!H", data[6:8])[0] == seq and data[8:] == payload:
            out["received"].append(seq)
            out["rtt"].append((time.monotonic() - t0) * 1000)
            out["ttl"].append(next((struct.unpack("i", d)[0] for l, t, d in anc if t == 2), -1))
            break
print(json.dumps(out))
`;

/** Options of a bench. */
export interface BenchOptions {
  /** MTU of the kernel side (default 1500). */
  mtu?: number;
  /** Open the TAP with checksum and segmentation offload (openTap's `offload`; default false). */
  offload?: boolean;
}

/** A namespace with a TAP device: the kernel on one side, our TapDevice on the other. */
export class Bench {
  /** The namespace name, netch-<pid>-<n>. */
  readonly ns: string;
  /** The TAP device name (the same inside the namespace). */
  readonly ifname: string;
  /** Our end of the device; opened by create(). */
  tap!: TapDevice;
  /** A scratch directory, removed at close. */
  readonly dir: string;
  private readonly children = new Set<ChildProcess>();
  private readonly captures: Capture[] = [];
  private closed = false;

  private constructor() {
    const n = ++counter;
    this.ns = uniqueNetnsName(n);
    this.ifname = `nt${process.pid}-${n}`.slice(0, 15);
    this.dir = mkdtempSync(join(tmpdir(), 'netch-bench-'));
  }

  /** Create the namespace and the device, address the kernel side and bring it up. */
  static async create(opts: BenchOptions = {}): Promise<Bench> {
    cleanStaleNamespaces();
    const b = new Bench();
    try {
      await run('ip', ['netns', 'add', b.ns], { check: true });
      // No IPv6 on the bench: the host speaks IPv4 only, and router solicitations and MLD
      // reports would only be noise in captures.
      // Let ping sockets (ICMP datagram sockets, what ping(8) uses unprivileged) be opened
      // in the namespace: the bench's ping is a python script on one.
      await b.exec(
        ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv4.ping_group_range=0 2147483647'],
        { check: true },
      );
      b.tap = openTap({ name: b.ifname, netns: b.ns, keepAlive: false, offload: opts.offload === true });
      await b.ip(['link', 'set', 'lo', 'up']);
      await b.ip(['link', 'set', b.ifname, 'mtu', String(opts.mtu ?? 1500)]);
      await b.ip(['addr', 'add', `${KERNEL_ADDR}/${PREFIX_LEN}`, 'dev', b.ifname]);
      await b.ip(['link', 'set', b.ifname, 'up']);
      return b;
    } catch (err) {
      await b.close();
      throw err;
    }
  }

  /** Run `ip -n NS ...args`; throw when it fails. */
  ip(args: readonly string[]): Promise<ExecResult> {
    return run('ip', ['-n', this.ns, ...args], { check: true });
  }

  /** Run a command inside the namespace (`ip netns exec NS ...`) with a timeout. */
  exec(cmd: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', this.ns, ...cmd], opts);
  }

  /** Run a python3 script (source text) inside the namespace with `args`. */
  python(script: string, args: readonly (string | number)[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(['python3', '-c', script, ...args.map(String)], opts);
  }

  /**
   * Ping `dst` from the namespace `count` times with `size` bytes of data (the kernel's
   * ICMP socket builds the requests); resolve with the replies' sequence numbers.
   */
  async ping(dst: string, count: number, size = 56, timeoutMs = 1000): Promise<PingResult> {
    const r = await this.python(PING_PY, [dst, count, size, timeoutMs], { timeoutMs: count * (timeoutMs + 500) + 5000, check: true });
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as PingResult;
  }

  /** Start a long-running command inside the namespace; it is killed at close. */
  spawn(cmd: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.on('error', () => this.children.delete(child));
    return child;
  }

  /**
   * Replace the kernel side's root qdisc with `netem ARGS` (`delay 10ms loss 1%`); return
   * null, or why netem is unusable here (no `tc`, or a kernel without sch_netem).
   * Errors: throws when tc rejects the arguments.
   */
  async netem(args: readonly string[]): Promise<string | null> {
    if (!hasCommand('tc')) return 'tc (iproute2) is not installed';
    const r = await this.exec(['tc', 'qdisc', 'replace', 'dev', this.ifname, 'root', 'netem', ...args]);
    if (r.code === 0) return null;
    if (/qdisc kind is unknown|No such file/i.test(r.stderr)) return `this kernel has no netem qdisc (sch_netem): ${r.stderr.trim()}`;
    throw new Error(`tc qdisc replace dev ${this.ifname} root netem ${args.join(' ')}: ${r.stderr.trim()}`);
  }

  /**
   * Drop `percent` % of the kernel side's packets each way (or on output only) with
   * nftables, for kernels without sch_netem: `numgen random mod 100 < P drop` in an input
   * and an output chain of the namespace (table inet netch_loss); return null, or why it
   * cannot (no nft).
   * Errors: throws when nft refuses the table.
   */
  async nftLoss(percent: number, chains: 'both' | 'output' = 'both'): Promise<string | null> {
    if (!hasCommand('nft')) return 'nft (nftables) is not installed';
    const rule = `numgen random mod 100 < ${percent} counter drop`;
    const input = chains === 'both' ? rule : 'counter';
    const table = `table inet netch_loss {
  chain input { type filter hook input priority 0; policy accept; ${input}; }
  chain output { type filter hook output priority 0; policy accept; ${rule}; }
}
`;
    const child = this.spawn(['nft', '-f', '-']);
    const err: Buffer[] = [];
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const code = await new Promise<number>((resolve) => {
      child.once('exit', (c) => resolve(c ?? 1));
      child.stdin?.end(table);
    });
    if (code !== 0) throw new Error(`nft -f (table inet netch_loss): ${Buffer.concat(err).toString().trim()}`);
    return null;
  }

  /** Return the packets nftLoss's chains dropped so far, per chain (an input chain that only counts reports what it saw). */
  async nftDrops(): Promise<{ input: number; output: number }> {
    const r = await this.exec(['nft', 'list', 'table', 'inet', 'netch_loss'], { check: true });
    const n = [...r.stdout.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
    return { input: n[0] ?? 0, output: n[1] ?? 0 };
  }

  /**
   * Start tcpdump on the device inside the namespace; resolve once it is capturing.
   * `maxFrames` stops the capture after that many frames (tcpdump -c), so a bulk transfer
   * does not make a capture that takes minutes to check.
   */
  async capture(name = 'capture.pcap', opts: { maxFrames?: number } = {}): Promise<Capture> {
    const file = join(this.dir, name);
    // A 64 MiB capture buffer: bulk transfers reach tens of MB/s, and the default 2 MiB
    // buffer loses frames in their bursts.
    const count = opts.maxFrames === undefined ? [] : ['-c', String(opts.maxFrames)];
    const child = this.spawn(['tcpdump', '-i', this.ifname, '-n', '-s', '0', '-B', '65536', ...count, '-U', '--immediate-mode', '-w', file]);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump exited with ${code}: ${err}`));
      });
    });
    let stopped: Promise<void> | null = null;
    const cap: Capture = {
      file,
      stop: () => {
        stopped ??= new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGINT');
        });
        return stopped;
      },
    };
    this.captures.push(cap);
    return cap;
  }

  /**
   * Read a capture with tshark, checksums verified, and return the frame count and the
   * frames that are malformed or carry a bad IPv4, ICMP, UDP or TCP checksum.
   */
  async checkCapture(file: string, opts: { tcpChecksums?: boolean } = {}): Promise<CaptureCheck> {
    // With offload (opts.tcpChecksums false) the capture on the kernel side holds TCP (and
    // the kernel's UDP) checksums that are partial by design: the kernel's outgoing frames before it would
    // have completed them (CHECKSUM_PARTIAL, NEEDS_CSUM to us), and our incoming frames and
    // super-frames as we wrote them (NEEDS_CSUM, the pseudo-header sum seeded), which the
    // kernel never completes for local delivery. Their integrity is checked end to end
    // (SHA-256, and both stacks' checksum counters) instead.
    const tcpCheck = opts.tcpChecksums !== false;
    // No TCP stream reassembly: it is not a property of any frame, and over a lossy,
    // reordering link a heuristic dissector that claims some of the random payload then
    // reports retransmitted overlaps as "Reassembly error" (_ws.malformed) now and then.
    const prefs = [
      '-o', 'ip.check_checksum:TRUE', '-o', `udp.check_checksum:${tcpCheck ? 'TRUE' : 'FALSE'}`, '-o', `tcp.check_checksum:${tcpCheck ? 'TRUE' : 'FALSE'}`,
      '-o', 'tcp.desegment_tcp_streams:FALSE',
    ];
    // Linux's software checksum (the TAP path without offload) now and then sends a TCP
    // checksum of 0xffff where 0x0000 was computed: the same value in one's complement
    // (RFC 1624 §3), and our stack accepts it, but tshark calls it "Bad". Only the kernel's
    // frames get that pass: our emitter never writes 0xffff (see wire/checksum.ts).
    const kernelNegativeZero = `(tcp.checksum.ffff && ip.src == ${KERNEL_ADDR})`;
    const filter =
      `ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || (tcp.checksum.status == "Bad" && !${kernelNegativeZero}) || icmp.checksum.status == "Bad" || _ws.malformed`;
    // tshark dissects every frame: on a loaded CI machine 10 000 frames have taken over 30 s.
    const bad = await run('tshark', ['-n', '-r', file, ...prefs, '-Y', filter], { timeoutMs: 120_000, check: true });
    const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');
    return { total: countPcapFrames(file), bad: lines(bad.stdout) };
  }

  /** Read a capture with tshark and return one summary line per frame (for assertions and messages). */
  async summarize(file: string, filter?: string): Promise<string[]> {
    const args = ['-n', '-r', file, ...(filter === undefined ? [] : ['-Y', filter])];
    const r = await run('tshark', args, { timeoutMs: 120_000, check: true });
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  }

  /** Tear everything down. Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.captures) await c.stop().catch(() => undefined);
    for (const c of this.children) c.kill('SIGKILL');
    try {
      this.tap?.close();
    } catch {
      // already gone
    }
    spawnSync('ip', ['netns', 'del', this.ns], { timeout: 10_000, stdio: 'ignore' });
    if (process.env['NETCH_KEEP_CAPTURES']) process.stderr.write(`bench ${this.ns}: captures kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Our host on a bench, run by a real-time loop. */
export interface BenchHost {
  host: Host;
  loop: Loop;
}

/** Attach a host (HOST_ADDR/24, HOST_MAC) to the bench's device and start a loop; both stop at teardown. */
export function startHost(t: TestContext, bench: Bench, dev: LinkDevice = bench.tap): BenchHost {
  const host = new Host({ name: 'netch' });
  host.addInterface(dev, { mac: HOST_MAC, address: `${HOST_ADDR}/${PREFIX_LEN}`, name: 'eth0' });
  const loop = new Loop();
  loop.add(host).start();
  t.after(() => {
    loop.stop();
    host.close();
  });
  return { host, loop };
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `cond` every 5 ms until it holds or `ms` passed; resolve with its last value. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Return whether a namespace exists. */
export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

/**
 * Open a bench for test `t`, torn down after it; or skip `t` with the reason and return
 * null when the bench cannot run here.
 */
export async function openBench(t: TestContext, opts: BenchOptions = {}): Promise<Bench | null> {
  const why = benchSkipReason();
  if (why !== null) {
    skipOrFail(t, why);
    return null;
  }
  const b = await Bench.create(opts);
  t.after(() => b.close());
  return b;
}
