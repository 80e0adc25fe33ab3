// Back-quoted shell lines of packetdrill scripts, mapped onto the simulated host. No shell
// runs: each line is recognised or the script is unsupported. Sysctls (`sysctl -q N=V`,
// upstream's `set_sysctls.py /proc/sys/...=V`, and the lines of `common/defaults.sh`) go to
// the kernel's sysctls (src/posix/sysctl.ts) or, for tcp_rmem/tcp_wmem, to the TCP layer's
// buffer sizes. A sysctl we do not have is accepted in two cases only: it comes from
// defaults.sh (the baseline every script starts from; listed in the result's notes), or
// the value asked is what our stack does anyway (no F-RTO, no ECN, no pacing, ...).
// Otherwise the script is unsupported. `tc`, `ethtool` and `ip route` lines that only
// describe the test device become no-ops where the simulation already behaves that way.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Kernel } from '../posix/kernel.js';

/** A line that cannot be honoured. */
export class ShellUnsupported extends Error {}

/** Sysctls we lack, with the values that describe what our stack does without them. */
const SAME_AS_OURS: Record<string, (v: string) => boolean> = {
  'net.ipv4.tcp_fastopen': (v) => Number(v) === 0,
  'net.ipv4.tcp_ecn': (v) => Number(v) === 0,
  'net.ipv4.tcp_slow_start_after_idle': (v) => Number(v) === 0,
  'net.ipv4.tcp_early_retrans': (v) => Number(v) === 0,
  'net.ipv4.tcp_mtu_probing': (v) => Number(v) === 0,
  'net.ipv4.tcp_notsent_lowat': (v) => Number(v) === 4294967295,
  'net.ipv4.tcp_dsack': (v) => Number(v) === 0,
  'net.ipv4.tcp_frto': (v) => Number(v) === 0,
  // TSO sizing and pacing: the simulated device does neither; the runner glues outbound
  // bursts into the expected segment as upstream does, so these change nothing observable.
  'net.ipv4.tcp_min_tso_segs': () => true,
  'net.ipv4.tcp_tso_win_divisor': () => true,
  'net.ipv4.tcp_pacing_ss_ratio': () => true,
  'net.ipv4.tcp_pacing_ca_ratio': () => true,
};

/** What a host needs from the shell mapping. */
export interface ShellHost {
  kernel: Kernel;
  /** Sysctls of defaults.sh we do not have, with their values (reported as notes). */
  baselineIgnored: string[];
}

function normalizeName(name: string): string {
  return name.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');
}

function unquote(v: string): string {
  const t = v.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
}

/** Evaluate `$((a*b))` arithmetic as defaults.sh writes it. */
function expand(v: string): string {
  return v.replace(/\$\(\(([0-9*+\- ]+)\)\)/g, (_, e: string) => {
    const parts = e.split('*').map((p) => Number(p.trim()));
    return String(parts.reduce((a, b) => a * b, 1));
  });
}

/** Set sysctl `name` to `value`. */
export function applySysctl(h: ShellHost, rawName: string, rawValue: string, baseline: boolean): void {
  const name = normalizeName(rawName);
  const value = expand(unquote(rawValue)).replace(/\s+/g, ' ').trim();
  const cfg = h.kernel.tcp.config;
  if (name === 'net.ipv4.tcp_rmem' || name === 'net.ipv4.tcp_wmem') {
    const v = value.split(' ').map(Number);
    if (v.length !== 3 || v.some((x) => !Number.isInteger(x) || x <= 0)) throw new ShellUnsupported(`sysctl ${name}="${value}"`);
    if (name === 'net.ipv4.tcp_rmem') cfg.recvBufMax = v[2]!;
    else {
      cfg.sendBufSize = v[1]!;
      cfg.sendBufMax = v[2]!;
    }
    return;
  }
  const r = h.kernel.sysctl.write(name, value);
  if (r === 0) return;
  const same = SAME_AS_OURS[name];
  if (same !== undefined && same(value)) return;
  if (baseline && r !== 0 && h.kernel.sysctl.read(name) === null) {
    h.baselineIgnored.push(`${name}=${value}`);
    return;
  }
  throw new ShellUnsupported(`sysctl ${name}=${value}${h.kernel.sysctl.read(name) === null ? ' (not implemented)' : ' (value refused)'}`);
}

/** Split a command into lines: backslash continuations joined, `#` comments dropped. */
function lines(cmd: string): string[] {
  return cmd
    .replace(/\\\n/g, ' ')
    .split(/\n|;/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '');
}

/** Split a line into words, keeping quoted parts together. */
function words(line: string): string[] {
  return line.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
}

/** Run one back-quoted command of a script at `scriptDir`. Errors: ShellUnsupported. */
export function runCommand(h: ShellHost, cmd: string, scriptDir: string, baseline = false): void {
  for (const line of lines(cmd)) runLine(h, line, scriptDir, baseline);
}

function runLine(h: ShellHost, line: string, scriptDir: string, baseline: boolean): void {
  const stripped = line.replace(/\s*>\s*\/dev\/null(\s+2>&1)?/g, '').replace(/\s*2>\/dev\/null/g, '').trim();
  const w = words(stripped);
  const cmd = w[0] ?? '';
  if (cmd.endsWith('defaults.sh') && w.length === 1) {
    const path = resolve(scriptDir, cmd);
    if (!existsSync(path)) throw new ShellUnsupported(`${cmd} not found`);
    for (const l of lines(readFileSync(path, 'utf8'))) runLine(h, l, dirname(path), true);
    return;
  }
  if (cmd.endsWith('set_sysctls.py')) {
    for (const a of w.slice(1)) {
      const eq = a.indexOf('=');
      if (eq < 0) throw new ShellUnsupported(`set_sysctls.py ${a}`);
      applySysctl(h, a.slice(0, eq), a.slice(eq + 1), baseline);
    }
    return;
  }
  if (cmd === 'sysctl') {
    const args = w.slice(1).filter((a) => !/^-[qwe]+$/.test(a));
    if (args.length === 0 || args.some((a) => !a.includes('='))) throw new ShellUnsupported(`'${line}'`);
    for (const a of args) {
      const eq = a.indexOf('=');
      applySysctl(h, a.slice(0, eq), a.slice(eq + 1), baseline);
    }
    return;
  }
  // A fresh host per script: nothing to restore afterwards, no cached TCP metrics.
  if (/^\/tmp\/sysctl_restore_\$\{?PPID\}?\.sh$/.test(cmd) && w.length === 1) return;
  if (stripped === 'ip tcp_metrics flush all') return;
  // The simulated link has no queueing discipline (a FIFO without limit) and no offloads.
  if (cmd === 'tc') {
    const rest = w.slice(1).join(' ');
    if (/^qdisc (add|replace) dev tun0 root pfifo$/.test(rest) || /^qdisc (delete|del) dev tun0 root$/.test(rest)) return;
    throw new ShellUnsupported(`'${line}'`);
  }
  if (cmd === 'ethtool' && /^-K tun0( (gso|tso|gro) off)+$/.test(w.slice(1).join(' '))) return;
  // A route that restates what the simulated path is: MSS 1460 on a 1500-byte MTU, IW10.
  const route = /^ip route (change|replace) \S+ via \S+ dev tun0 advmss (\d+) mtu lock (\d+)(?: initcwnd (\d+))?$/.exec(w.join(' '));
  if (route !== null && route[2] === '1460' && route[3] === '1500' && (route[4] === undefined || route[4] === '10')) return;
  throw new ShellUnsupported(`'${line}'`);
}
