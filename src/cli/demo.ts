// `netch demo`: the HTTP demo (demo-http.ts) by default; `netch demo basics` is ARP, ping and
// UDP echo between two hosts (demo-basics.ts); `netch demo backlog` is a connection storm
// against a listener that does not accept (demo-backlog.ts).

/** Run the demo named by argv[0] (default: http); return the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'backlog') return (await import('./demo-backlog.js')).run(rest);
  if (name === 'basics') return (await import('./demo-basics.js')).run(rest);
  if (name === 'http') return (await import('./demo-http.js')).run(rest);
  return (await import('./demo-http.js')).run(argv);
}
