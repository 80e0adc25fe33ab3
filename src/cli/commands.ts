// The table of `netch` subcommands. Each module exports `run(argv): Promise<number>`
// (the exit code); it is loaded only when its command runs.

/** A subcommand module. */
export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

/** A subcommand: its name, a one-line summary for `--help`, and its loader. */
export interface Command {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const commands: Command[] = [
  { name: 'demo', summary: 'two hosts on a memory link: ARP, ping, UDP echo, counters (--pcap FILE)', load: () => import('./demo.js') },
  { name: 'ss', summary: 'the TCP sockets of a running `netch up` (-l listeners: Recv-Q accept queue, Send-Q backlog)', load: () => import('./ss.js') },
  { name: 'netstat', summary: 'the counters of a running `netch up` (-s), as netstat -s prints them', load: () => import('./netstat.js') },
  { name: 'filter', summary: 'the filter hooks of a running `netch up`, listed and changed like iptables (-L, -A INPUT -p tcp --dport 80 -j DROP)', load: () => import('./filter.js') },
  { name: 'up', summary: 'run a host on a TAP device or UDP tunnel: ping, echo (UDP+TCP 7), discard (TCP 9), HTTP (TCP 80)', load: () => import('./up.js') },
];
