// `netch ss` and `netch netstat -s`: the socket table and the counters of a running stack,
// printed the way iproute2's ss and net-tools' netstat print the kernel's. For a
// listener Recv-Q is the accept queue's length and Send-Q the backlog it keeps; for a
// connection they are the bytes not yet read and the bytes not yet acknowledged.

import { parseArgs } from 'node:util';
import type { Host } from '../iface/host.js';
import type { TcpLayer } from '../transport/tcp/layer.js';
import type { TcpSocket } from '../transport/tcp/socket.js';
import { TcpState } from '../transport/tcp/state.js';
import { ipv4ToString } from '../wire/ipv4.js';
import { queryControl } from './control.js';
import { answerFilter } from './filter.js';

/** Which sockets `formatSs` lists. */
export interface SsFilter {
  /** Only listeners (-l). */
  listening: boolean;
  /** Listeners and every connection (-a). */
  all: boolean;
}

/** ss's names of the TCP states, by TcpState value. */
const SS_STATE: Readonly<Record<number, string>> = {
  [TcpState.Closed]: 'UNCONN',
  [TcpState.Listen]: 'LISTEN',
  [TcpState.SynSent]: 'SYN-SENT',
  [TcpState.SynReceived]: 'SYN-RECV',
  [TcpState.Established]: 'ESTAB',
  [TcpState.FinWait1]: 'FIN-WAIT-1',
  [TcpState.FinWait2]: 'FIN-WAIT-2',
  [TcpState.CloseWait]: 'CLOSE-WAIT',
  [TcpState.Closing]: 'CLOSING',
  [TcpState.LastAck]: 'LAST-ACK',
  [TcpState.TimeWait]: 'TIME-WAIT',
};

/** Return true for the states ss lists without -a: connected ones, not SYN-RECV or TIME-WAIT. */
function connected(st: number): boolean {
  return st !== TcpState.Listen && st !== TcpState.Closed && st !== TcpState.SynReceived && st !== TcpState.TimeWait;
}

/** Return the TCP socket table of `tcp` as `ss -tn` prints it. */
export function formatSs(tcp: TcpLayer, f: SsFilter): string {
  const rows: string[][] = [['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port']];
  tcp.forEachSocket((s: TcpSocket) => {
    const st = s.state;
    const listen = st === TcpState.Listen;
    if (f.listening ? !listen : !f.all && !connected(st)) return;
    if (st === TcpState.Closed) return;
    const recvQ = listen ? s.acceptQueue.length : s.readable;
    const sendQ = listen ? s.backlog : s.unacked;
    const peer = listen ? '0.0.0.0:*' : `${ipv4ToString(s.remoteAddr)}:${s.remotePort}`;
    rows.push([SS_STATE[st] ?? String(st), String(recvQ), String(sendQ), `${ipv4ToString(s.localAddr)}:${s.localPort}`, peer]);
  });
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(w[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** net-tools' sentences for the counters it explains; the rest print as `Name: value`. */
const NETSTAT_TEXT: Readonly<Record<string, string>> = {
  'Tcp.ActiveOpens': 'active connection openings',
  'Tcp.PassiveOpens': 'passive connection openings',
  'Tcp.AttemptFails': 'failed connection attempts',
  'Tcp.EstabResets': 'connection resets received',
  'Tcp.CurrEstab': 'connections established',
  'Tcp.InSegs': 'segments received',
  'Tcp.OutSegs': 'segments sent out',
  'Tcp.RetransSegs': 'segments retransmitted',
  'Tcp.InErrs': 'bad segments received',
  'Tcp.OutRsts': 'resets sent',
  'TcpExt.SyncookiesSent': 'SYN cookies sent',
  'TcpExt.SyncookiesRecv': 'SYN cookies received',
  'TcpExt.SyncookiesFailed': 'invalid SYN cookies received',
  'TcpExt.ListenOverflows': 'times the listen queue of a socket overflowed',
  'TcpExt.ListenDrops': 'SYNs to LISTEN sockets dropped',
  'TcpExt.TW': 'TCP sockets finished time wait in fast timer',
  'TcpExt.TCPTimeouts': 'other TCP timeouts',
  'TcpExt.TCPFastRetrans': 'fast retransmits',
  'Ip.InReceives': 'total packets received',
  'Ip.InHdrErrors': 'with invalid headers',
  'Ip.InAddrErrors': 'with invalid addresses',
  'Ip.InDiscards': 'incoming packets discarded',
  'Ip.InDelivers': 'incoming packets delivered',
  'Ip.OutRequests': 'requests sent out',
  'Udp.InDatagrams': 'packets received',
  'Udp.NoPorts': 'packets to unknown port received',
  'Udp.InErrors': 'packet receive errors',
  'Udp.OutDatagrams': 'packets sent',
  'Icmp.InMsgs': 'ICMP messages received',
  'Icmp.OutMsgs': 'ICMP messages sent',
};

/** Counters netstat -s leaves out (constants, not events). */
const NETSTAT_SKIP = new Set(['Tcp.RtoAlgorithm', 'Tcp.RtoMin', 'Tcp.RtoMax', 'Tcp.MaxConn']);

/** Return the counters of `host` and `tcp` as `netstat -s` prints them (groups with only zeros still appear). */
export function formatNetstatS(host: Host, tcp: TcpLayer | null): string {
  const groups: [string, object][] = [['Ip', host.counters.Ip], ['Icmp', host.counters.Icmp], ['Udp', host.counters.Udp]];
  if (tcp !== null) groups.push(['Tcp', tcp.counters.Tcp], ['TcpExt', tcp.counters.TcpExt]);
  const out: string[] = [];
  for (const [name, g] of groups) {
    out.push(`${name}:`);
    for (const [k, v] of Object.entries(g as Record<string, number>)) {
      if (NETSTAT_SKIP.has(`${name}.${k}`)) continue;
      const text = NETSTAT_TEXT[`${name}.${k}`];
      if (text !== undefined) out.push(`    ${v} ${text}`);
      else if (v !== 0) out.push(`    ${k}: ${v}`);
    }
  }
  return out.join('\n') + '\n';
}

const SS_USAGE = `usage: netch ss [-l | -a] [-t] [-n] [--control PATH]

The TCP sockets of the running \`netch up\`, as ss prints them: without options the
connections, with -l the listeners (Recv-Q: accept queue length, Send-Q: backlog), with
-a both. Addresses are always numeric; -t and -n are accepted for ss's habits.
`;

/** Run `netch ss`; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  return runQuery('ss', argv, SS_USAGE, { listening: { type: 'boolean', short: 'l' }, all: { type: 'boolean', short: 'a' }, tcp: { type: 'boolean', short: 't' }, numeric: { type: 'boolean', short: 'n' } });
}

type Flags = Record<string, { type: 'boolean'; short: string }>;

/** Parse `argv` with `flags`, send the command to the running stack, print its answer. */
export async function runQuery(tool: string, argv: string[], usage: string, flags: Flags): Promise<number> {
  let v;
  try {
    v = parseArgs({ args: argv, options: { ...flags, control: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    process.stderr.write(`netch ${tool}: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (v.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const words = [tool, ...Object.keys(flags).filter((k) => v[k] === true).map((k) => `-${flags[k]!.short}`)];
  const control = typeof v.control === 'string' ? v.control : undefined;
  process.stdout.write(await queryControl(words, control));
  return 0;
}

/** Answer a control request (`ss -l`, `netstat -s`, `filter -L`) from the stack's own tables. */
export function answerControl(host: Host, tcp: TcpLayer | null, words: string[]): string {
  const [tool, ...args] = words;
  const has = (f: string): boolean => args.includes(f);
  if (tool === 'ss') {
    if (tcp === null) return '';
    return formatSs(tcp, { listening: has('-l'), all: has('-a') });
  }
  if (tool === 'netstat') return formatNetstatS(host, tcp);
  if (tool === 'filter') return answerFilter(host.filter, args);
  return `error: unknown request '${tool ?? ''}'\n`;
}
