// `netch netstat -s`: the counters of the running `netch up`, as net-tools' netstat -s
// prints the kernel's (formatting in ss.ts).

import { runQuery } from './ss.js';

const USAGE = `usage: netch netstat -s [--control PATH]

The IP, ICMP, UDP and TCP counters of the running \`netch up\`, as netstat -s prints them.
`;

/** Run `netch netstat`; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  if (!argv.includes('-s') && !argv.includes('--statistics') && !argv.includes('-h') && !argv.includes('--help')) {
    process.stderr.write(`netch netstat: only -s (statistics) is supported\n${USAGE}`);
    return 2;
  }
  return runQuery('netstat', argv.filter((a) => a !== '--statistics'), USAGE, { statistics: { type: 'boolean', short: 's' } });
}
