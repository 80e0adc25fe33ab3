// A kernel's sysctls, with Linux's names, defaults and output format (`sysctl -n`), read
// and written at run time. A write is checked first, the way the kernel's proc handlers
// check it (proc_dointvec_minmax and friends): a malformed or out-of-range value gives
// -EINVAL and changes nothing; an unknown name gives -ENOENT (no such /proc/sys file).
// Values live where they act: the TCP layer's config, the host's config (the port range),
// or the kernel (rmem_max/wmem_max, which bound SO_RCVBUF/SO_SNDBUF).

import type { HostConfig } from '../iface/config.js';
import type { TcpConfig } from '../transport/tcp/config.js';
import { INT_MAX } from './constants.js';
import { EINVAL, ENOENT } from './errno.js';

/** The kernel state the sysctls read and write. */
export interface SysctlTarget {
  readonly tcpConfig: TcpConfig;
  readonly hostConfig: HostConfig;
  rmemMax: number;
  wmemMax: number;
}

/** One sysctl: its canonical name, other names, how to read it and how to write it. */
interface SysctlEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  get(): string;
  /** Take the parsed integers (or the raw text for string sysctls); return 0 or -EINVAL. */
  set(text: string): number;
}

/** Parse whitespace-separated decimal integers as proc_dointvec does; null when malformed. */
function parseInts(text: string, count: number): number[] | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== count) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[+-]?\d+$/.test(p)) return null;
    const n = Number(p);
    if (!Number.isSafeInteger(n)) return null;
    out.push(n);
  }
  return out;
}

function intEntry(name: string, min: number, max: number, get: () => number, put: (n: number) => void, aliases: readonly string[] = []): SysctlEntry {
  return {
    name,
    aliases,
    get: () => String(get()),
    set: (text) => {
      const v = parseInts(text, 1);
      if (v === null || v[0]! < min || v[0]! > max) return -EINVAL;
      put(v[0]!);
      return 0;
    },
  };
}

/** A kernel's sysctl table. */
export class Sysctls {
  private readonly byName = new Map<string, SysctlEntry>();
  private readonly entries: SysctlEntry[];

  /** Build the table over `t`. */
  constructor(t: SysctlTarget) {
    const tc = t.tcpConfig;
    const hc = t.hostConfig;
    const secs = (ms: number): number => Math.round(ms / 1000);
    const maxSecs = Math.floor(INT_MAX / 1000);
    this.entries = [
      intEntry('net.core.somaxconn', 0, INT_MAX, () => tc.somaxconn, (n) => (tc.somaxconn = n), ['kern.ipc.soacceptqueue', 'kern.ipc.somaxconn']),
      intEntry('net.core.rmem_max', 1, INT_MAX, () => t.rmemMax, (n) => (t.rmemMax = n)),
      intEntry('net.core.wmem_max', 1, INT_MAX, () => t.wmemMax, (n) => (t.wmemMax = n)),
      intEntry('net.ipv4.tcp_max_syn_backlog', 1, INT_MAX, () => tc.maxSynBacklog, (n) => (tc.maxSynBacklog = n)),
      intEntry('net.ipv4.tcp_abort_on_overflow', 0, 1, () => (tc.abortOnOverflow ? 1 : 0), (n) => (tc.abortOnOverflow = n === 1)),
      intEntry('net.ipv4.tcp_syncookies', 0, 2, () => tc.syncookies, (n) => (tc.syncookies = n as 0 | 1 | 2)),
      intEntry('net.ipv4.tcp_syn_retries', 1, 127, () => tc.synRetries, (n) => (tc.synRetries = n)),
      intEntry('net.ipv4.tcp_syn_linear_timeouts', 0, 255, () => tc.synLinearTimeouts, (n) => (tc.synLinearTimeouts = n)),
      intEntry('net.ipv4.tcp_synack_retries', 0, 255, () => tc.synAckRetries, (n) => (tc.synAckRetries = n)),
      intEntry('net.ipv4.tcp_retries2', 0, 255, () => tc.maxRetries, (n) => (tc.maxRetries = n)),
      intEntry('net.ipv4.tcp_fin_timeout', 0, maxSecs, () => secs(tc.finTimeoutMs), (n) => (tc.finTimeoutMs = n * 1000)),
      intEntry('net.ipv4.tcp_keepalive_time', 1, maxSecs, () => secs(tc.keepIdleMs), (n) => (tc.keepIdleMs = n * 1000)),
      intEntry('net.ipv4.tcp_keepalive_intvl', 1, maxSecs, () => secs(tc.keepIntvlMs), (n) => (tc.keepIntvlMs = n * 1000)),
      intEntry('net.ipv4.tcp_keepalive_probes', 1, 255, () => tc.keepCnt, (n) => (tc.keepCnt = n)),
      intEntry('net.ipv4.tcp_window_scaling', 0, 1, () => (tc.windowScaling ? 1 : 0), (n) => (tc.windowScaling = n === 1)),
      intEntry('net.ipv4.tcp_timestamps', 0, 2, () => (tc.timestamps ? 1 : 0), (n) => (tc.timestamps = n !== 0)),
      intEntry('net.ipv4.tcp_sack', 0, 1, () => (tc.sack ? 1 : 0), (n) => (tc.sack = n === 1)),
      {
        name: 'net.ipv4.tcp_congestion_control',
        aliases: [],
        get: () => (tc.congestion === 'newreno' ? 'reno' : tc.congestion),
        set: (text) => {
          const v = text.trim();
          if (v === 'reno' || v === 'newreno') tc.congestion = 'newreno';
          else if (v === 'cubic') tc.congestion = 'cubic';
          else return -ENOENT; // Linux: no such congestion control module
          return 0;
        },
      },
      {
        name: 'net.ipv4.ip_local_port_range',
        aliases: ['net.inet.ip.portrange'],
        get: () => `${hc.ephemeralLow}\t${hc.ephemeralHigh}`,
        set: (text) => {
          // ipv4_local_port_range: both in [1, 65535], low <= high.
          const v = parseInts(text, 2);
          if (v === null || v[0]! < 1 || v[1]! > 65535 || v[0]! > v[1]!) return -EINVAL;
          hc.ephemeralLow = v[0]!;
          hc.ephemeralHigh = v[1]!;
          return 0;
        },
      },
    ];
    for (const e of this.entries) {
      this.byName.set(e.name, e);
      for (const a of e.aliases) this.byName.set(a, e);
    }
  }

  /** Return the value as `sysctl -n NAME` prints it, or null for an unknown name. Names may use '/' for '.'. */
  read(name: string): string | null {
    const e = this.byName.get(normalize(name));
    return e === undefined ? null : e.get();
  }

  /** Return an integer sysctl's value, or NaN for an unknown or non-integer one. */
  readInt(name: string): number {
    const v = this.read(name);
    return v === null || !/^-?\d+$/.test(v) ? Number.NaN : Number(v);
  }

  /** Write `value` (`sysctl -w NAME=VALUE`); return 0, -ENOENT (unknown name) or -EINVAL (bad value; nothing changes). */
  write(name: string, value: string | number): number {
    const e = this.byName.get(normalize(name));
    if (e === undefined) return -ENOENT;
    if (typeof value === 'number' && !Number.isFinite(value)) return -EINVAL;
    return e.set(String(value));
  }

  /** Return every sysctl as [name, value], sorted by name (`sysctl -a`). */
  list(): [string, string][] {
    return this.entries.map((e): [string, string] => [e.name, e.get()]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

function normalize(name: string): string {
  return name.replace(/\//g, '.');
}
