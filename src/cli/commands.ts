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
  { name: 'demo', summary: "Node's http on our stack (two threads, memory link) against the kernel's loopback (--loss, --delay, --pcap); `demo basics`, `demo backlog`", load: () => import('./demo.js') },
  { name: 'gateway', summary: 'user-mode networking for VMs and emulators: DHCP, NAT to the host\'s sockets, forwards; QEMU --stream/--dgram, --tap, --ws (v86); --egress all|loopback|none', load: () => import('./gateway.js') },
  { name: 'packetdrill', summary: 'run packetdrill scripts (.pkt) against a simulated host on a virtual clock: pass, fail or unsupported per script (--json FILE)', load: () => import('./packetdrill.js') },
  { name: 'ss', summary: 'the TCP sockets of a running `netch up` (-l listeners: Recv-Q accept queue, Send-Q backlog)', load: () => import('./ss.js') },
  { name: 'netstat', summary: 'the counters of a running `netch up` (-s), as netstat -s prints them', load: () => import('./netstat.js') },
  { name: 'filter', summary: 'the filter hooks of a running `netch up`, listed and changed like iptables (-L, -A INPUT -p tcp --dport 80 -j DROP)', load: () => import('./filter.js') },
  { name: 'trace', summary: 'run a Node program with its net module on the stack and print its socket calls as strace does (-- node app.js)', load: () => import('./trace.js') },
  { name: 'up', summary: 'run a host (memory network without root, TAP, or UDP tunnel): ping, echo 7, discard 9, HTTP 80; --forward tcp:127.0.0.1:8080-192.0.2.2:80', load: () => import('./up.js') },
];
