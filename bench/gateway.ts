// `npm run bench -- gateway [--json FILE] [--quick]`: the same Linux guest (test/gateway's
// image: Debian's kernel and busybox under QEMU's TCG) attached three ways in one run —
// our gateway over -netdev stream, QEMU's -netdev user (libslirp), passt over -netdev
// stream — moving bulk data both ways and opening short connections to a peer on the
// host's loopback (through each gateway's host alias: 10.0.2.2, or passt's router):
//   gateway.<kind>.to_host_gbps     guest -> host: dd from /dev/zero into busybox nc, counted by a sink
//   gateway.<kind>.from_host_gbps   host -> guest: a source sends zeros, the guest's nc drops them
//   gateway.<kind>.conn_per_s       guest -> host: busybox nc connecting in a loop, the server closing at once
//   gateway.netch.cpu_s_per_gib     CPU seconds of this process (the gateway alone: the peer runs in
//                                   a child) per GiB moved in the bulk runs
//   gateway.<kind>.qemu_cpu_s_per_gib, gateway.passt.passt_cpu_s_per_gib
//                                   the same for the QEMU process (libslirp runs inside it) and passt
// Bulk is 256 MiB each way per round (--quick: 32 MiB), three rounds with the kinds
// interleaved (--quick: one), medians reported. The guest runs under TCG, so the guest's
// own CPU bounds every figure, and busybox forks a process per connection; the figures
// compare gateways under that guest, not gateways at their limits. Without qemu, the
// kernel or busybox the suite says why and reports nothing; without passt it reports the
// other two. Traffic stays on 127.0.0.1 and the guest networks.

import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gateway } from '../src/gateway/index.js';
import { type GuestShell, buildInitramfs, findGuestParts, removeImage, startGuest } from '../test/gateway/guest.js';
import { type BenchRatio, type BenchResult, median, parseBenchArgs, report } from './_report.js';

const args = parseBenchArgs();
const quick = args.rest.includes('--quick');
const SIZE = (quick ? 32 : 256) << 20;
const ROUNDS = quick ? 1 : 3;
const CONNS = quick ? 30 : 100;
/** Longest a guest command may take (a transfer at a few Mb/s). */
const CMD_MS = quick ? 120_000 : 600_000;

type Kind = 'netch' | 'slirp' | 'passt';

interface PeerMsg {
  kind: string;
  bytes?: number;
  ms?: number;
  count?: number;
  sink?: number;
  source?: number;
  quick?: number;
}

/** Return utime + stime of process `pid` in seconds (/proc/PID/stat), or 0 when it is gone. */
function procCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}

function selfCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const parts = findGuestParts();
  if (typeof parts === 'string') {
    console.log(`gateway: skipped: ${parts}`);
    return;
  }
  const hasPasst = spawnSync('sh', ['-c', 'command -v passt']).status === 0;
  const tmp = mkdtempSync(join(tmpdir(), 'netch-bench-gw-'));
  const image = buildInitramfs(parts);
  const peer: ChildProcess = fork(fileURLToPath(new URL('./_gateway-peer.js', import.meta.url)), [String(SIZE)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: PeerMsg[] = [];
  let wake: (() => void) | null = null;
  peer.on('message', (m: PeerMsg) => {
    inbox.push(m);
    wake?.();
  });
  const next = async (kind: string): Promise<PeerMsg> => {
    for (;;) {
      const i = inbox.findIndex((m) => m.kind === kind);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const ports = await next('ports');
  const gw = new Gateway({ egress: 'loopback' });
  const guests = new Map<Kind, GuestShell>();
  let passt: ChildProcess | null = null;
  const cleanup: (() => void)[] = [];
  try {
    const netchSock = join(tmp, 'netch.sock');
    await gw.listenStream(`unix:${netchSock}`);
    const netdevs: [Kind, string, string][] = [
      ['netch', `stream,server=off,addr.type=unix,addr.path=${netchSock}`, '10.0.2.2'],
      ['slirp', 'user', '10.0.2.2'],
    ];
    if (hasPasst) {
      // passt drops to nobody before it binds: its socket goes in the sticky /tmp, not in our private folder.
      const passtSock = join(tmpdir(), `netch-passt-${process.pid}.sock`);
      cleanup.push(() => rmSync(passtSock, { force: true }));
      passt = spawn('passt', ['-f', '-q', '-s', passtSock], { stdio: 'ignore' });
      for (let i = 0; i < 100 && spawnSync('test', ['-S', passtSock]).status !== 0; i++) await new Promise((r) => setTimeout(r, 50));
      netdevs.push(['passt', `stream,server=off,addr.type=unix,addr.path=${passtSock}`, 'router']);
    } else {
      console.log('gateway: passt not found (apt-get install passt): reporting netch and slirp only');
    }
    for (const [kind, netdev, host] of netdevs) {
      const g = await startGuest({
        parts, initrd: image.path, netdev, timeoutMs: 3_600_000, memMiB: 256, params: { checks: 'dhcp,shell', host },
        onLine: (l) => {
          if (process.env['NETCH_BENCH_CONSOLE'] === '1') console.log(`[${kind}] ${l}`);
        },
      });
      if (g.host === '' || (await g.run('ip -4 addr show dev eth0 | grep -q inet', 30_000)).status !== 0) {
        // No lease: say so and leave the kind out rather than report nothing at all.
        console.log(`gateway: ${kind}: the guest got no DHCP lease; ${kind} is left out of this run`);
        await g.stop();
        continue;
      }
      guests.set(kind, g);
    }
    if (!guests.has('netch') || !guests.has('slirp')) throw new Error('gateway: netch and slirp must both give the guest a network');
    const kinds = [...guests.keys()];
    const to = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    const from = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    const conn = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    const cpu = new Map<string, { s: number; bytes: number }>();
    const addCpu = (key: string, s: number, bytes: number): void => {
      const c = cpu.get(key) ?? { s: 0, bytes: 0 };
      c.s += s;
      c.bytes += bytes;
      cpu.set(key, c);
    };
    for (let round = 0; round < ROUNDS; round++) {
      // Interleave: each round starts with the next kind.
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      for (const kind of order) {
        if (!guests.has(kind)) continue;
        try {
          await measure(kind);
        } catch (e) {
          // passt is the comparison that may not work on a given machine: say why, go on without it.
          if (kind !== 'passt') throw e;
          console.log(`gateway: passt: ${(e as Error).message}; passt is left out of this run`);
          await guests.get(kind)!.stop();
          // What its killed transfer made the peer report is stale.
          await new Promise((r) => setTimeout(r, 1000));
          inbox.length = 0;
          guests.delete(kind);
          kinds.splice(kinds.indexOf(kind), 1);
        }
      }
    }
    async function measure(kind: Kind): Promise<void> {
        const g = guests.get(kind)!;
        const before = { self: selfCpu(), qemu: procCpu(g.pid), passt: passt?.pid !== undefined ? procCpu(passt.pid) : 0 };
        const r1 = await g.run(`dd if=/dev/zero bs=65536 count=${SIZE / 65536} 2>/dev/null | nc $N_host ${ports.sink}`, CMD_MS);
        const sunk = await next('sink');
        if (r1.status !== 0 || sunk.bytes !== SIZE) throw new Error(`${kind} to host: status ${r1.status}, ${sunk.bytes} bytes: ${r1.lines.join(' | ')}`);
        to.get(kind)!.push((SIZE * 8) / (sunk.ms! / 1000) / 1e9);
        const r2 = await g.run(`nc $N_host ${ports.source} </dev/null >/dev/null`, CMD_MS);
        const sent = await next('source');
        if (r2.status !== 0 || sent.bytes !== SIZE) throw new Error(`${kind} from host: status ${r2.status}, ${sent.bytes} bytes: ${r2.lines.join(' | ')}`);
        from.get(kind)!.push((SIZE * 8) / (sent.ms! / 1000) / 1e9);
        if (kind === 'netch') addCpu('netch', selfCpu() - before.self, 2 * SIZE);
        addCpu(`${kind}.qemu`, procCpu(g.pid) - before.qemu, 2 * SIZE);
        if (kind === 'passt' && passt?.pid !== undefined) addCpu('passt', procCpu(passt.pid) - before.passt, 2 * SIZE);
        peer.send({ cmd: 'conn-reset' });
        await next('ok');
        const r3 = await g.run(`i=0; while [ $i -lt ${CONNS} ]; do nc $N_host ${ports.quick} </dev/null >/dev/null || exit 1; i=$((i+1)); done`, CMD_MS);
        peer.send({ cmd: 'conn-stats' });
        const cs = await next('conn');
        if (r3.status !== 0 || cs.count !== CONNS) throw new Error(`${kind} connections: status ${r3.status}, ${cs.count} of ${CONNS}`);
        conn.get(kind)!.push((CONNS - 1) / (cs.ms! / 1000));
        console.log(`${kind}: to ${to.get(kind)!.at(-1)!.toFixed(3)} Gb/s, from ${from.get(kind)!.at(-1)!.toFixed(3)} Gb/s, ${conn.get(kind)!.at(-1)!.toFixed(1)} conn/s`);
    }
    const results: BenchResult[] = [];
    for (const k of kinds) {
      results.push({ name: `gateway.${k}.to_host_gbps`, value: median(to.get(k)!), unit: 'Gb/s' });
      results.push({ name: `gateway.${k}.from_host_gbps`, value: median(from.get(k)!), unit: 'Gb/s' });
      results.push({ name: `gateway.${k}.conn_per_s`, value: median(conn.get(k)!), unit: 'conn/s' });
    }
    const perGiB = (key: string): number => {
      const c = cpu.get(key)!;
      return c.s / (c.bytes / 2 ** 30);
    };
    results.push({ name: 'gateway.netch.cpu_s_per_gib', value: perGiB('netch'), unit: 's/GiB' });
    for (const k of kinds) results.push({ name: `gateway.${k}.qemu_cpu_s_per_gib`, value: perGiB(`${k}.qemu`), unit: 's/GiB' });
    if (cpu.has('passt')) results.push({ name: 'gateway.passt.passt_cpu_s_per_gib', value: perGiB('passt'), unit: 's/GiB' });
    const ratios: BenchRatio[] = [];
    for (const col of ['to_host_gbps', 'from_host_gbps', 'conn_per_s']) {
      const n = results.find((r) => r.name === `gateway.netch.${col}`)!.value;
      const s = results.find((r) => r.name === `gateway.slirp.${col}`)!.value;
      ratios.push({ label: `netch / slirp ${col}`, value: n / s, target: '>= 1', met: n / s >= 1 });
    }
    report('gateway', results, ratios, args);
  } finally {
    for (const g of guests.values()) await g.stop();
    passt?.kill();
    peer.send({ cmd: 'exit' });
    await gw.close();
    removeImage(image.dir);
    rmSync(tmp, { recursive: true, force: true });
    for (const c of cleanup) c();
  }
}

await main();
