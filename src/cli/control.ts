// The control socket of a running `netch up`: a UNIX socket through which `netch ss` and
// `netch netstat` ask the process that owns the stack for its tables. One request per
// connection: the client writes a command line (`ss -ltn`), the server writes the answer
// and closes. Sockets live in `$TMPDIR/netch-$UID/`, named after the process id, so the
// tools find a single running stack without being told where it is.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netchError } from '../iface/errors.js';

/** Answers one command (its words, without the tool name) with text. */
export type ControlHandler = (words: string[]) => string;

/** Return the directory holding this user's control sockets. */
export function controlDir(): string {
  return join(tmpdir(), `netch-${process.getuid?.() ?? 0}`);
}

/** Listen on `path` (default: this process's socket in controlDir()); return the server. */
export async function startControl(handler: ControlHandler, path = join(controlDir(), `up-${process.pid}.sock`)): Promise<Server> {
  mkdirSync(controlDir(), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true });
  const server = createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > 4096) conn.destroy();
        return;
      }
      let answer: string;
      try {
        answer = handler(buf.slice(0, nl).trim().split(/\s+/).filter((w) => w !== ''));
      } catch (err) {
        answer = `error: ${(err as Error).message}\n`;
      }
      conn.end(answer);
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  server.on('close', () => rmSync(path, { force: true }));
  return server;
}

/**
 * Send `words` to the running stack at `path`, or to the only one in controlDir(); return
 * its answer. Errors: NETCH_ERR_NO_RUNNING_STACK when none runs, NETCH_ERR_STACK_AMBIGUOUS when
 * several do and no path was given.
 */
export async function queryControl(words: string[], path?: string): Promise<string> {
  if (path !== undefined) return ask(path, words);
  let names: string[] = [];
  try {
    names = readdirSync(controlDir()).filter((n) => /^up-\d+\.sock$/.test(n));
  } catch {
    // no directory: no stack
  }
  const live: string[] = [];
  for (const n of names) {
    const pid = Number(n.slice(3, -5));
    if (alive(pid)) live.push(join(controlDir(), n));
    else rmSync(join(controlDir(), n), { force: true });
  }
  if (live.length === 0) throw netchError('NETCH_ERR_NO_RUNNING_STACK', 'no running `netch up` found; start one, or pass --control PATH');
  if (live.length > 1) throw netchError('NETCH_ERR_STACK_AMBIGUOUS', `${live.length} stacks are running; pick one with --control (${live.join(', ')})`);
  return ask(live[0]!, words);
}

function ask(path: string, words: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let out = '';
    c.setEncoding('utf8');
    c.setTimeout(5000, () => c.destroy(netchError('ETIMEDOUT', `the stack at ${path} did not answer`)));
    c.on('connect', () => c.write(`${words.join(' ')}\n`));
    c.on('data', (d: string) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
