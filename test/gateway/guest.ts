// The judge: a real Linux guest. Builds a tiny initramfs from the host's Debian packages
// (busybox-static, the virtio-net modules of linux-image-amd64, an /init script) and boots
// that kernel in qemu-system-x86_64 under TCG, attached to whatever network the caller
// names (`-netdev stream`, `dgram`, or QEMU's own `user` for comparison). The guest's
// /init runs the checks its kernel command line asks for and prints one line per check on
// the serial console, which `bootGuest` reads and hands back:
//
//   NETCH-CHECK <name> ok|fail <detail>
//   NETCH-READY <what>          (the guest waits for the host to do something)
//   NETCH-DONE
//
// Nothing here needs root, KVM or the network outside the guest's.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** The virtio-net modules, in the order they must be loaded, with their paths under the module tree. */
export const GUEST_MODULES: readonly string[] = [
  'kernel/drivers/virtio/virtio_ring.ko',
  'kernel/drivers/virtio/virtio.ko',
  'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
  'kernel/drivers/virtio/virtio_pci_legacy_dev.ko',
  'kernel/drivers/virtio/virtio_pci.ko',
  'kernel/net/core/failover.ko',
  'kernel/drivers/net/net_failover.ko',
  'kernel/drivers/net/virtio_net.ko',
];

/** What a guest is built from. */
export interface GuestParts {
  qemu: string;
  kernel: string;
  modulesDir: string;
  busybox: string;
}

/** Return where the guest's parts are, or a sentence saying which cannot be had. */
export function findGuestParts(): GuestParts | string {
  const qemu = whichSync('qemu-system-x86_64');
  if (qemu === null) return 'qemu-system-x86_64 not found (apt-get install qemu-system-x86)';
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p) && isStatic(p));
  if (busybox === undefined) return 'a static busybox not found (apt-get install busybox-static)';
  let kernels: string[] = [];
  try {
    kernels = readdirSync('/boot').filter((f) => /^vmlinuz-.*-amd64$/.test(f)).sort();
  } catch {
    // no /boot
  }
  for (const k of kernels.reverse()) {
    const version = k.slice('vmlinuz-'.length);
    const modulesDir = `/lib/modules/${version}`;
    if (GUEST_MODULES.every((m) => existsSync(join(modulesDir, m)))) {
      try {
        readFileSync(`/boot/${k}`, { flag: 'r' }).length;
      } catch {
        continue;
      }
      return { qemu, kernel: `/boot/${k}`, modulesDir, busybox };
    }
  }
  return 'no readable /boot/vmlinuz-*-amd64 with uncompressed virtio-net modules (apt-get install linux-image-amd64)';
}

/**
 * Skip `t` because the guest cannot be had, or fail it when NETCH_REQUIRE_ALL=1 says every
 * test must run (CI on a machine that installed the parts).
 */
export function skipOrFail(t: TestContext, why: string): void {
  if (process.env['NETCH_REQUIRE_ALL'] === '1') throw new Error(`NETCH_REQUIRE_ALL=1 and the guest cannot run: ${why}`);
  t.skip(why);
}

function whichSync(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = (r.stdout ?? '').trim();
  return r.status === 0 && p !== '' ? p : null;
}

function isStatic(path: string): boolean {
  // A dynamic ELF64 has a PT_INTERP (3) program header naming its loader; a static one has none.
  try {
    const b = readFileSync(path);
    if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
    const phoff = Number(b.readBigUInt64LE(0x20));
    const size = b.readUInt16LE(0x36);
    const n = b.readUInt16LE(0x38);
    for (let i = 0; i < n; i++) if (b.readUInt32LE(phoff + i * size) === 3) return false;
    return true;
  } catch {
    return false;
  }
}

// ---- initramfs (cpio "newc", uncompressed: the kernel takes it as is) ----

interface CpioEntry {
  name: string;
  mode: number;
  data?: Uint8Array;
  rdev?: [number, number];
}

function cpioHeader(e: CpioEntry, ino: number): string {
  const size = e.data?.length ?? 0;
  const nameLen = Buffer.byteLength(e.name) + 1;
  const f = [ino, e.mode, 0, 0, 1, 0, size, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, nameLen, 0];
  return '070701' + f.map((v) => v.toString(16).padStart(8, '0')).join('');
}

/** Return the bytes of a newc cpio archive of `entries`. */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let len = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    len += b.length;
  };
  const pad = (): void => {
    const n = (4 - (len % 4)) % 4;
    if (n > 0) push(Buffer.alloc(n));
  };
  let ino = 1;
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    push(Buffer.from(cpioHeader(e, ino++) + e.name + '\0', 'latin1'));
    pad();
    if (e.data !== undefined && e.data.length > 0) {
      push(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length));
      pad();
    }
  }
  return Buffer.concat(parts, len);
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

/** Build the initramfs in a fresh temporary folder; return its path (the caller removes `dir`). */
export function buildInitramfs(parts: GuestParts): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netch-guest-'));
  const entries: CpioEntry[] = [];
  for (const d of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'lib', 'lib/modules', 'www']) entries.push({ name: d, mode: S_IFDIR | 0o755 });
  entries.push({ name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] });
  entries.push({ name: 'dev/null', mode: S_IFCHR | 0o666, rdev: [1, 3] });
  entries.push({ name: 'bin/busybox', mode: S_IFREG | 0o755, data: readFileSync(parts.busybox) });
  for (const m of GUEST_MODULES) {
    const base = m.slice(m.lastIndexOf('/') + 1);
    entries.push({ name: `lib/modules/${base}`, mode: S_IFREG | 0o644, data: readFileSync(join(parts.modulesDir, m)) });
  }
  entries.push({ name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(GUEST_INIT) });
  entries.push({ name: 'bin/dhcp-event', mode: S_IFREG | 0o755, data: Buffer.from(DHCP_SCRIPT) });
  entries.push({ name: 'www/index.html', mode: S_IFREG | 0o644, data: Buffer.from('hello from the guest\n') });
  const path = join(dir, 'initramfs.cpio');
  writeFileSync(path, cpioArchive(entries));
  return { dir, path };
}

/** The udhcpc event script: configure eth0 and say what the server gave. */
const DHCP_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "NETCH-LEASE ip=$ip mask=$mask router=$router dns=$dns domain=$domain mtu=$mtu lease=$lease serverid=$serverid" ;;
esac
exit 0
`;

/**
 * The guest's /init. Options come from the kernel command line as netch.KEY=VALUE:
 * checks (comma list, default all), host (the gateway's host alias), http, sink, udp, closed
 * (host ports), name and addr (a name the DNS upstream serves and its address),
 * wait (seconds a transfer may take).
 */
const GUEST_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
for kv in $(cat /proc/cmdline); do
  case "$kv" in netch.*=*) k=\${kv#netch.}; k=\${k%%=*}; eval "N_$k=\\"\${kv#*=}\\"" ;; esac
done
: \${N_checks:=dhcp,ping,dns,fetch,upload,udp,refused,forward}
: \${N_host:=10.0.2.2}
: \${N_wait:=120}
check() { echo "NETCH-CHECK $1 $2 $3"; }
has() { case ",$N_checks," in *",$1,"*) return 0 ;; esac; return 1; }
up() { cut -d' ' -f1 /proc/uptime; }
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  insmod /lib/modules/$m.ko || echo "NETCH-LOG insmod $m failed"
done
ip link set lo up
ip link set eth0 up || check boot fail no-eth0
echo "NETCH-LOG eth0 $(cat /sys/class/net/eth0/address 2>/dev/null)"
if udhcpc -i eth0 -s /bin/dhcp-event -q -n -t 5 -T 2 -f > /tmp/dhcp.log 2>&1; then
  grep NETCH-LEASE /tmp/dhcp.log
  check dhcp ok "$(ip -4 -o addr show dev eth0 | awk '{print $4}') via=$(ip route | awk '/default/{print $3}') dns=$(awk '/nameserver/{print $2}' /etc/resolv.conf | tr '\\n' ' ')"
else
  cat /tmp/dhcp.log
  check dhcp fail "udhcpc got no lease"
fi
if has ping; then
  if ping -c 2 -W 3 $N_host > /tmp/ping.log 2>&1; then check ping ok "$(grep -c 'bytes from' /tmp/ping.log) replies"; else check ping fail "$(tail -n 2 /tmp/ping.log | tr '\\n' ' ')"; fi
fi
if has dns; then
  out=$(timeout 10 nslookup $N_name 2>&1)
  if echo "$out" | grep -q "$N_addr"; then check dns ok "$N_name=$N_addr"; else check dns fail "$(echo $out | tr '\\n' ' ')"; fi
fi
if has fetch; then
  t0=$(up)
  if timeout $N_wait wget -q -O /tmp/down http://$N_host:$N_http/data 2>/tmp/wget.log; then
    check fetch ok "sha256=$(sha256sum /tmp/down | cut -d' ' -f1) bytes=$(stat -c %s /tmp/down) t0=$t0 t1=$(up)"
  else
    check fetch fail "rc=$? $(tr '\\n' ' ' < /tmp/wget.log) t0=$t0 t1=$(up)"
  fi
fi
if has upload; then
  [ -f /tmp/down ] || dd if=/dev/zero of=/tmp/down bs=1M count=1 2>/dev/null
  out=$(timeout $N_wait nc $N_host $N_sink < /tmp/down 2>&1)
  if [ \${#out} -eq 64 ]; then check upload ok "sha256=$out sent=$(sha256sum /tmp/down | cut -d' ' -f1)"; else check upload fail "$out"; fi
  rm -f /tmp/down
fi
if has udp; then
  out=$(timeout 10 nslookup udp.netch.test $N_host:$N_udp 2>&1)
  if echo "$out" | grep -q "192.0.2.77"; then check udp ok "udp.netch.test=192.0.2.77 via $N_host:$N_udp"; else check udp fail "$(echo $out | tr '\\n' ' ')"; fi
fi
if has refused; then
  t0=$(up)
  out=$(echo x | timeout 20 nc -w 10 $N_host $N_closed 2>&1); rc=$?
  t1=$(up)
  if echo "$out" | grep -qi "refused"; then check refused ok "t0=$t0 t1=$t1"; else check refused fail "rc=$rc $out t0=$t0 t1=$t1"; fi
fi
if has forward; then
  httpd -f -vv -p 80 -h /www 2>/tmp/httpd.log &
  sleep 1
  echo "NETCH-READY forward"
  i=0
  while [ $i -lt 60 ] && ! grep -q "GET\\|response" /tmp/httpd.log; do sleep 0.5; i=$((i+1)); done
  sleep 0.5
  if [ -s /tmp/httpd.log ]; then check forward ok "$(tr '\\n' ' ' < /tmp/httpd.log)"; else check forward fail "no request reached httpd"; fi
fi
if has shell; then
  # Commands from the host, one per line on the console; each ends with NETCH-END and its status.
  [ "$N_host" = router ] && N_host=$(ip route | awk '/default/{print $3}')
  export N_host
  stty -echo 2>/dev/null
  echo "NETCH-SHELL host=$N_host"
  while read -r line; do eval "$line"; echo "NETCH-END $?"; done
fi
echo NETCH-DONE
poweroff -f
`;

/** How to attach the guest's NIC: QEMU -netdev arguments (without id), e.g. `stream,server=off,addr.type=unix,addr.path=/x`. */
export interface BootOptions {
  parts: GuestParts;
  initrd: string;
  netdev: string;
  /** netch.KEY=VALUE pairs for /init. */
  params: Record<string, string | number>;
  /** Whole boot limit (ms); the guest is killed past it. */
  timeoutMs: number;
  /** Guest memory in MiB (default 512: the 64 MiB transfers sit in tmpfs). */
  memMiB?: number;
  /** The guest NIC's MAC. */
  mac?: string;
  /** More QEMU arguments (a filter-dump to capture the guest's frames, say). */
  extraArgs?: string[];
  /** Called for each console line as it arrives (e.g. to act on NETCH-READY). */
  onLine?: (line: string) => void;
}

/** What a boot printed. */
export interface GuestResult {
  checks: Map<string, { ok: boolean; detail: string }>;
  lines: string[];
  done: boolean;
  timedOut: boolean;
  exitCode: number | null;
}

/** Boot the guest and collect its console until it powers off or `timeoutMs` passes. */
export function bootGuest(o: BootOptions): Promise<GuestResult> {
  const child = spawn(o.parts.qemu, qemuArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, o);
}

/** Return QEMU's command line for `o`. */
function qemuArgs(o: BootOptions): string[] {
  const append = ['console=ttyS0', 'panic=-1', 'quiet', 'loglevel=3', ...Object.entries(o.params).map(([k, v]) => `netch.${k}=${v}`)].join(' ');
  const args = [
    '-accel', 'tcg', '-nodefaults', '-no-reboot', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-m', String(o.memMiB ?? 512), '-smp', '1',
    '-kernel', o.parts.kernel, '-initrd', o.initrd, '-append', append,
    '-netdev', `${o.netdev},id=n0`,
    '-device', `virtio-net-pci,netdev=n0,romfile=,mac=${o.mac ?? '52:54:00:12:34:56'}`,
    ...(o.extraArgs ?? []),
  ];
  return args;
}

function collect(child: ChildProcess, o: BootOptions): Promise<GuestResult> {
  const res: GuestResult = { checks: new Map(), lines: [], done: false, timedOut: false, exitCode: null };
  let partial = '';
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString('latin1');
    let k: number;
    while ((k = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, k).replace(/\r$/, '');
      partial = partial.slice(k + 1);
      res.lines.push(line);
      const m = /^NETCH-CHECK (\S+) (ok|fail) ?(.*)$/.exec(line);
      if (m !== null) res.checks.set(m[1]!, { ok: m[2] === 'ok', detail: m[3]! });
      if (line === 'NETCH-DONE') res.done = true;
      o.onLine?.(line);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (c: Buffer) => res.lines.push(`qemu: ${c.toString('latin1').trimEnd()}`));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial !== '') res.lines.push(partial);
      res.exitCode = code;
      resolve(res);
    });
  });
}

/** A guest taking commands on its console (the `shell` check): see startGuest. */
export interface GuestShell {
  readonly pid: number;
  /** The guest's host alias (`netch.host`, or its default router for `router`). */
  host: string;
  /** Run `cmd` in the guest; resolve with the lines it printed and its status. */
  run(cmd: string, timeoutMs: number): Promise<{ status: number; lines: string[] }>;
  /** Power the guest off (kill QEMU) and wait for it. */
  stop(): Promise<GuestResult>;
}

/**
 * Boot a guest whose /init runs `o.params.checks` then takes commands on its console;
 * resolve once it is ready for them. Errors: rejects when the guest ends or `timeoutMs`
 * passes before it is ready.
 */
export function startGuest(o: BootOptions): Promise<GuestShell> {
  const child = spawn(o.parts.qemu, qemuArgs(o), { stdio: ['pipe', 'pipe', 'pipe'] });
  let waiter: ((line: string) => void) | null = null;
  const onLine = o.onLine;
  const done = collect(child, { ...o, onLine: (l) => { onLine?.(l); waiter?.(l); } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('guest shell: not ready in time')), o.timeoutMs);
    void done.then((r) => reject(new Error(`guest ended before its shell: ${r.lines.slice(-10).join(' | ')}`)));
    waiter = (l) => {
      const m = /^NETCH-SHELL host=(\S*)/.exec(l);
      if (m === null) return;
      clearTimeout(timer);
      waiter = null;
      let busy = Promise.resolve();
      resolve({
        pid: child.pid ?? -1,
        host: m[1]!,
        run(cmd, timeoutMs) {
          const p = busy.then(
            () =>
              new Promise<{ status: number; lines: string[] }>((res, rej) => {
                const lines: string[] = [];
                const t = setTimeout(() => rej(new Error(`guest command timed out: ${cmd}`)), timeoutMs);
                waiter = (l) => {
                  const e = /^NETCH-END (\d+)/.exec(l);
                  if (e === null) return void lines.push(l);
                  clearTimeout(t);
                  waiter = null;
                  res({ status: Number(e[1]), lines });
                };
                child.stdin!.write(cmd + '\n');
              }),
          );
          busy = p.then(() => undefined, () => undefined);
          return p;
        },
        stop() {
          child.kill('SIGKILL');
          return done;
        },
      });
    };
  });
}

/** Remove a folder made by buildInitramfs. */
export function removeImage(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
