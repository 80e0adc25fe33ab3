// `netch trace [link options] [strace options] -- node app.js`: run an unmodified Node
// program on the stack (the preload, `--import netchannels/preload`) with a strace-format
// tracer on its process, so its socket calls print as strace prints a Linux program's:
//
//   netch trace --forward tcp:127.0.0.1:8080-192.0.2.2:80 -e trace=%network -- node server.mjs
//
// The options become the preload's environment (NETCH_ADDRESS, NETCH_FORWARD, NETCH_TAP,
// NETCH_NETNS, NETCH_TRACE, NETCH_TRACE_FILE; docs/hooks.md), so the child sets up its own
// link. The child gets `--import <preload>` when the command is `node`, else NODE_OPTIONS.
// Signals (SIGINT, SIGTERM, SIGHUP) are passed on; the exit code is the child's. A network
// namespace the child created and left behind (killed hard) is removed here.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { isIP } from 'node:net';
import { parseCidr } from '../iface/cidr.js';
import { type TracerOptions, Tracer } from '../hooks/tracer.js';
import { netnsPath } from '../link/tap.js';
import { parseForwardSpec } from './forward.js';

const USAGE = `usage: netch trace [link options] [-o FILE] [strace options] -- COMMAND [ARGS...]

Run COMMAND (a Node program: \`node app.js\`) with its \`net\` module on the stack and print
its socket calls in strace's format, to stderr or to FILE.

link options (as netch up; default: a private memory network, no root):
  --tap NAME            a TAP device for the program's host (root)
  --netns NAME          a network namespace with the TAP device inside it, the kernel side
                        addressed --peer; created and removed with the program (root)
  --address CIDR        the program's address (default 192.0.2.2/24)
  --peer CIDR           the gateway host on the memory network, the kernel side with --netns
                        (default 192.0.2.1/24)
  --gateway IP          default route via IP
  --forward SPEC        [tcp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT: accept on the kernel,
                        relay into the stack (repeatable; see netch up --help)

strace options:
  -o FILE               write the trace to FILE (default: stderr)
  -e trace=SET          which calls: names, %network, %desc, all, !SET, /regex
  -e status=SET         which outcomes: successful, failed (unfinished, unavailable,
                        detached never happen here), all, none, !SET
  -z, -Z                -e status=successful / -e status=failed
  -e inject=SET:OPT...  fault injection as strace's: error=, retval=, signal=, syscall=,
                        delay_enter=, delay_exit=, when=; ours: probability=, seed=
  -r, -t, -tt, -ttt     timestamps: relative, time, time with µs, epoch seconds (-r with
                        -t prints both)
  -T                    time spent in each call
  -s N                  bytes of buffers shown (default 32)
  -c, -C                a summary table at exit (-c: only the table)
  -f                    with -o, every line starts with the pid (the program's node
                        processes are traced with or without it)
  -h, --help            show this help
`;

/** A malformed strace option (code NETCH_ERR_HOOK_SPEC). */
function flagError(msg: string): Error {
  const e = new Error(msg) as Error & { code: string };
  e.code = 'NETCH_ERR_HOOK_SPEC';
  return e;
}

/**
 * Parse strace options (`-e trace=%network -r -T -s 64 -c -e inject=accept4:error=EMFILE`)
 * into TracerOptions; `words` is what NETCH_TRACE holds split on white space ("1" or "all":
 * every call, no options). Errors: throws NETCH_ERR_HOOK_SPEC for an unknown option or value.
 */
export function parseTraceFlags(words: readonly string[]): TracerOptions {
  const o: TracerOptions = {};
  const inject: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (): string => {
      const v = words[++i];
      if (v === undefined) throw flagError(`${w} needs a value`);
      return v;
    };
    switch (w) {
      case '1': case 'all': break;
      case '-f': case '-ff': o.follow = true; break;
      case '-r': o.relative = true; break;
      case '-t': o.timestamps = 'time'; break;
      case '-tt': o.timestamps = 'time-us'; break;
      case '-ttt': o.timestamps = 'epoch'; break;
      case '-T': o.duration = true; break;
      case '-z': o.status = 'successful'; break;
      case '-Z': o.status = 'failed'; break;
      case '-c': o.summary = 'only'; break;
      case '-C': o.summary = 'also'; break;
      case '-s': {
        const v = value();
        if (!/^\d+$/.test(v)) throw flagError(`-s ${v}: not a byte count`);
        o.stringLimit = Number(v);
        break;
      }
      case '-e': {
        const v = value();
        const eq = v.indexOf('=');
        const key = eq < 0 ? 'trace' : v.slice(0, eq);
        const val = eq < 0 ? v : v.slice(eq + 1);
        if (key === 'trace' || key === 't') o.trace = val;
        else if (key === 'status') o.status = val;
        else if (key === 'inject') inject.push(val);
        else throw flagError(`-e ${key}=: only trace=, status= and inject= are supported`);
        break;
      }
      default:
        if (w.startsWith('-e') && w.length > 2) {
          const sub = parseTraceFlags(['-e', w.slice(2)]);
          if (sub.inject !== undefined) inject.push(...(sub.inject as string[]));
          else Object.assign(o, sub);
          break;
        }
        if (w.startsWith('-s') && w.length > 2) {
          Object.assign(o, parseTraceFlags(['-s', w.slice(2)]));
          break;
        }
        throw flagError(`unknown strace option ${w}`);
    }
  }
  if (inject.length > 0) o.inject = inject;
  new Tracer(o); // validates the trace set, the status set, the inject rules and the values (throws NETCH_ERR_HOOK_SPEC)
  return o;
}

/** What `netch trace` was asked to do. */
interface TraceArgs {
  env: Record<string, string>;
  command: string[];
  netns: string | undefined;
  /** The tracer's options, for what this process prints itself (a killed program's last line). */
  flags: TracerOptions;
}

function parseTraceArgs(argv: string[]): TraceArgs | number {
  const sep = argv.indexOf('--');
  const opts = sep < 0 ? argv : argv.slice(0, sep);
  const command = sep < 0 ? [] : argv.slice(sep + 1);
  const fail = (msg: string): number => {
    process.stderr.write(`netch trace: ${msg}\n`);
    return 2;
  };
  if (opts.includes('-h') || opts.includes('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const env: Record<string, string> = {};
  const forwards: string[] = [];
  const flags: string[] = [];
  let netns: string | undefined;
  for (let i = 0; i < opts.length; i++) {
    const w = opts[i]!;
    const long = /^--(tap|netns|address|peer|gateway|forward)(?:=(.*))?$/.exec(w);
    if (long !== null) {
      const v = long[2] ?? opts[++i];
      if (v === undefined) return fail(`${w} needs a value`);
      const name = long[1]!;
      if (name === 'forward') {
        try {
          parseForwardSpec(v);
        } catch (e) {
          return fail(`--${(e as Error).message}`);
        }
        forwards.push(v);
      } else if (name === 'address' || name === 'peer') {
        try {
          parseCidr(v, 'netch trace');
        } catch {
          return fail(`--${name} ${v} is not an IPv4 address with a prefix (192.0.2.2/24)`);
        }
        env[name === 'address' ? 'NETCH_ADDRESS' : 'NETCH_PEER'] = v;
      } else if (name === 'gateway') {
        if (isIP(v) !== 4) return fail(`--gateway ${v} is not an IPv4 address`);
        env.NETCH_GATEWAY = v;
      } else if (name === 'netns') {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v)) return fail(`--netns ${v}: use letters, digits, '.', '_' and '-'`);
        netns = v;
        env.NETCH_NETNS = v;
      } else {
        env.NETCH_TAP = v;
      }
      continue;
    }
    if (w === '-o') {
      const v = opts[++i];
      if (v === undefined) return fail('-o needs a file');
      env.NETCH_TRACE_FILE = v;
      continue;
    }
    if (w.startsWith('-o') && w.length > 2) {
      env.NETCH_TRACE_FILE = w.slice(2);
      continue;
    }
    if ((w === '-e' || w === '-s') && opts[i + 1] !== undefined) {
      flags.push(w, opts[++i]!);
      continue;
    }
    flags.push(w);
  }
  let parsed: TracerOptions;
  try {
    parsed = parseTraceFlags(flags);
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (command.length === 0) return fail(`no command: put it after --\n${USAGE}`);
  env.NETCH_TRACE = flags.length > 0 ? flags.join(' ') : 'all';
  if (forwards.length > 0) env.NETCH_FORWARD = forwards.join(',');
  return { env, command, netns, flags: parsed };
}

/** Return the preload's URL (dist/src/cli/preload.js beside this file). */
function preloadUrl(): string {
  return new URL('./preload.js', import.meta.url).href;
}

/** Run `netch trace`; return the program's exit code (128 + signal number when killed). */
export async function run(argv: string[]): Promise<number> {
  const a = parseTraceArgs(argv);
  if (typeof a === 'number') return a;
  const hadNetns = a.netns !== undefined && existsSync(netnsPath(a.netns));
  const [cmd, ...rest] = a.command as [string, ...string[]];
  const isNode = cmd === process.execPath || /^node(js)?(\d+(\.\d+)*)?$/.test(basename(cmd));
  const env: NodeJS.ProcessEnv = { ...process.env, ...a.env };
  const args = isNode ? ['--import', preloadUrl(), ...rest] : rest;
  if (!isNode) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import=${preloadUrl()}`.trim();
  if (a.env.NETCH_TRACE_FILE !== undefined) {
    // Empty the file once, here, as strace -o does: every node process of the command then
    // appends (siblings too, which inherit nothing from one another).
    try {
      closeSync(openSync(a.env.NETCH_TRACE_FILE, 'w'));
    } catch (e) {
      process.stderr.write(`netch trace: -o ${a.env.NETCH_TRACE_FILE}: ${(e as Error).message}\n`);
      return 2;
    }
    env.NETCH_TRACE_FILE_STARTED = '1';
  }
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const pass = (sig: NodeJS.Signals): void => void child.kill(sig);
  for (const s of signals) process.on(s, pass);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (e) => {
      process.stderr.write(`netch trace: ${cmd}: ${e.message}\n`);
      resolve(127);
    });
    child.once('exit', (c, sig) => {
      // A program killed by a signal has no 'exit' event to print its last line in: print it
      // here, as strace does ("+++ killed by SIGINT +++"), when the program is the traced node.
      if (sig !== null && isNode) killedLine(a, child.pid ?? 0, sig);
      resolve(c ?? 128 + (sig === null ? 0 : signalNumber(sig)));
    });
  });
  for (const s of signals) process.off(s, pass);
  // The child removes a namespace it created; this catches one it could not (SIGKILL).
  if (a.netns !== undefined && !hadNetns && existsSync(netnsPath(a.netns))) spawnSync('ip', ['netns', 'del', a.netns], { timeout: 10_000 });
  return code;
}

/** Write `+++ killed by SIG +++` where the trace goes (with -f -o, after the pid). */
function killedLine(a: TraceArgs, pid: number, sig: NodeJS.Signals): void {
  if (a.flags.summary === 'only') return;
  const file = a.env.NETCH_TRACE_FILE;
  const line = `${file !== undefined && a.flags.follow === true ? `${String(pid).padEnd(5)} ` : ''}+++ killed by ${sig} +++\n`;
  try {
    if (file !== undefined) appendFileSync(file, line);
    else process.stderr.write(line);
  } catch {
    // the trace file went away: nothing to add it to
  }
}

function signalNumber(sig: NodeJS.Signals): number {
  return constants.signals[sig] ?? 1;
}
