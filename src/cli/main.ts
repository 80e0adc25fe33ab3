#!/usr/bin/env node
// The `netch` command: dispatch to one module per subcommand.

import { commands } from './commands.js';

/** Print the list of commands. */
function printHelp(): void {
  const lines = ['usage: netch <command> [options]', '', 'commands:'];
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const c of commands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
  lines.push('', 'Run `netch <command> --help` for the options of one command.');
  process.stdout.write(lines.join('\n') + '\n');
}

// A reader that goes away (`netch ... | head`) ends the command quietly, as in other CLIs.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`netch: unknown command '${name}'\n`);
    printHelp();
    return 2;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    const msg = e.message ?? String(err);
    process.stderr.write(`netch: ${e.code && !msg.startsWith(`${e.code}:`) ? `${e.code}: ` : ''}${msg}\n`);
    process.exitCode = 1;
  },
);
