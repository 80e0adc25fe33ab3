// `netch packetdrill [options] FILE.pkt...`: run packetdrill scripts against a fresh
// simulated host each, on a virtual clock, and print one line per script: pass, fail
// (with the script line, what was expected and what happened) or unsupported (with the
// construct that could not be honoured). Exit status 0 only when every script passed.
// Options are upstream's (`--tolerance_usecs=N`, `--strict_segments`, `--mss=N`, ...),
// given before the scripts' own; `--json FILE` writes [{file, result, line, reason}].

import { writeFileSync } from 'node:fs';
import { runScriptFile, type PacketdrillResult } from '../packetdrill/runner.js';

const USAGE = `usage: netch packetdrill [--json FILE] [--verbose] [--OPTION=VALUE...] FILE.pkt...
  Runs each script against a fresh simulated host (our TCP) and prints pass, fail or
  unsupported per script. Upstream options: --tolerance_usecs, --tolerance_percent,
  --strict_segments, --mss, --mtu, --local_ip, --remote_ip, --bind_port, --connect_port,
  --tcp_ts_tick_usecs, --tcp_ts_ecr_scaled, --ip_version=ipv4.
`;

/** Run the command; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  const files: string[] = [];
  const options: string[] = [];
  let json: string | null = null;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (a === '--json') {
      json = argv[++i] ?? null;
      if (json === null) {
        process.stderr.write('netch packetdrill: --json needs a file\n');
        return 2;
      }
    } else if (a.startsWith('--json=')) json = a.slice(7);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a.startsWith('--')) options.push(a);
    else files.push(a);
  }
  if (files.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const results: PacketdrillResult[] = [];
  for (const f of files) {
    const r = await runScriptFile(f, { options });
    results.push(r);
    const where = r.line !== null ? `:${r.line}` : '';
    process.stdout.write(`${r.result.padEnd(11)} ${f}${where}${r.reason !== '' ? `  ${r.reason}` : ''}\n`);
    if (verbose && r.notes.length > 0) process.stdout.write(`            accepted without effect (defaults.sh): ${r.notes.join(' ')}\n`);
    if (verbose && r.result !== 'pass') for (const l of r.trace) process.stdout.write(`            ${l}\n`);
  }
  const count = (k: string): number => results.filter((r) => r.result === k).length;
  process.stdout.write(`${results.length} scripts: ${count('pass')} pass, ${count('fail')} fail, ${count('unsupported')} unsupported\n`);
  if (json !== null) writeFileSync(json, JSON.stringify(results.map(({ file, result, line, reason }) => ({ file, result, line, reason })), null, 2) + '\n');
  return results.every((r) => r.result === 'pass') ? 0 : 1;
}
