// The preload: `node --import netchannels/preload app.js` runs an unmodified program's
// `net` (and through it `http`) on the stack, the way OpenOnload's LD_PRELOAD library runs
// a program's sockets on its own stack. Configured by the environment (docs/hooks.md):
//
//   NETCH_TAP=name        a TAP device for the program's host (root); default: a memory network
//   NETCH_NETNS=name      the TAP device inside network namespace `name` (created, with the
//                         kernel side addressed NETCH_PEER, and removed at exit when it did not exist)
//   NETCH_ADDRESS=cidr    the program's address (default 192.0.2.2/24)
//   NETCH_PEER=cidr       the gateway host of the memory network; the kernel side with NETCH_NETNS (192.0.2.1/24)
//   NETCH_GATEWAY=ip      default route
//   NETCH_MAC=mac         the program's MAC (default 02:6e:65:74:63:68)
//   NETCH_FORWARD=specs   port forwards, comma-separated (tcp:127.0.0.1:8080-192.0.2.2:80)
//   NETCH_TRACE=flags     trace the program's socket calls: strace options ("-e trace=%network -r"), or 1
//   NETCH_TRACE_FILE=f    write the trace to f (default stderr); emptied once (by netch trace,
//                         or the first traced process), appended to by the node processes under it
//   NETCH_POLICY=spec     a locked syscall policy on the program's process, before its first
//                         line runs ("deny=%network errno=EACCES", "allow=%desc,close"); calls that
//                         would leave the stack for the kernel (Unix sockets, tls, dgram) obey it too
//   NETCH_QUIET=1         do not print the setup line on stderr
//
// On the memory network (the default, no root) the program's host and a gateway host run
// in this process; the forwards dial from the gateway. On a TAP device they dial from a
// second process of the program's own kernel, so a trace of the program shows only its own
// calls. Names resolve through the stack's hosts table, then the system resolver (IPv4).
// A bad setting stops the program before it starts: the reason on stderr, exit code 2.

import { spawnSync } from 'node:child_process';
import { lookup as dnsLookup } from 'node:dns';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { isIP } from 'node:net';
import { type Stack, createStack } from '../adapters/api.js';
import type { LookupFunction } from '../adapters/stack.js';
import { Policy, type PolicyOptions } from '../hooks/policy.js';
import { configError, parsePolicySpec } from './policy-spec.js';
import { Tracer } from '../hooks/tracer.js';
import { parseCidr } from '../iface/cidr.js';
import { Host } from '../iface/host.js';
import type { LinkDevice } from '../link/device.js';
import { memoryLinkPair } from '../link/memory.js';
import { netnsPath, openTap } from '../link/tap.js';
import { Loop } from '../runtime/loop.js';
import { type ForwardSpec, type PortForward, parseForwardList, startForwards } from './forward.js';
import { type Interposition, interposeNet } from './interpose.js';
import { fenceKernelSockets } from './kernel-fence.js';
import { parseTraceFlags } from './trace.js';

/** The preload's settings, read from the environment. */
export interface PreloadConfig {
  tap: string | undefined;
  netns: string | undefined;
  address: string;
  peer: string;
  gateway: string | undefined;
  mac: string;
  forwards: ForwardSpec[];
  trace: string[] | null;
  traceFile: string | undefined;
  /** The locked policy for the program's process (NETCH_POLICY), or null. */
  policy: PolicyOptions | null;
  quiet: boolean;
}

/** Read the settings from `env`. Errors: throws NETCH_ERR_PRELOAD_CONFIG or NETCH_ERR_FORWARD_SPEC. */
export function readPreloadConfig(env: NodeJS.ProcessEnv): PreloadConfig {
  const get = (k: string): string | undefined => {
    const v = env[k]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const address = get('NETCH_ADDRESS') ?? '192.0.2.2/24';
  const peer = get('NETCH_PEER') ?? '192.0.2.1/24';
  for (const [k, v] of [['NETCH_ADDRESS', address], ['NETCH_PEER', peer]] as const) {
    try {
      parseCidr(v, 'preload');
    } catch {
      throw configError(`${k}=${v} is not an IPv4 address with a prefix (192.0.2.2/24)`);
    }
  }
  const gateway = get('NETCH_GATEWAY');
  if (gateway !== undefined && isIP(gateway) !== 4) throw configError(`NETCH_GATEWAY=${gateway} is not an IPv4 address`);
  const netns = get('NETCH_NETNS');
  if (netns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(netns)) throw configError(`NETCH_NETNS=${netns}: use letters, digits, '.', '_' and '-'`);
  const link = get('NETCH_LINK');
  if (link !== undefined && link !== 'memory' && link !== 'tap') throw configError(`NETCH_LINK=${link}: use memory or tap`);
  let tap = get('NETCH_TAP');
  if (tap === undefined && (netns !== undefined || link === 'tap')) tap = 'netch0';
  const traceText = get('NETCH_TRACE');
  const trace = traceText === undefined || traceText === '0' ? null : traceText.split(/\s+/);
  if (trace !== null) parseTraceFlags(trace);
  const policyText = get('NETCH_POLICY');
  const policy = policyText === undefined ? null : parsePolicySpec(policyText);
  return {
    tap,
    netns,
    address,
    peer,
    gateway,
    mac: get('NETCH_MAC') ?? '02:6e:65:74:63:68',
    forwards: parseForwardList(get('NETCH_FORWARD') ?? '', address.split('/')[0]),
    trace,
    traceFile: get('NETCH_TRACE_FILE'),
    policy,
    quiet: get('NETCH_QUIET') === '1',
  };
}

/** Run `ip ARGS`; throw with its message when it fails. */
function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
}

/** What the preload set up, and how to take it down. */
export interface Preloaded {
  readonly stack: Stack;
  readonly forwards: readonly PortForward[];
  readonly tracer: Tracer | null;
  /** The locked policy on the program's process (NETCH_POLICY), or null. */
  readonly policy: Policy | null;
  readonly interposition: Interposition;
  /** Stop everything and remove what was created (a namespace). Idempotent; never throws. */
  teardown(): void;
}

/** Resolve names the stack does not know through the system resolver, IPv4 only. */
const systemLookup: LookupFunction = (hostname, _opts, cb) => dnsLookup(hostname, { family: 4 }, (err, address, family) => cb(err, address, family));

/** Build the network, the stack, the forwards and the tracer from `cfg`; interpose `node:net`. */
export async function startPreload(cfg: PreloadConfig): Promise<Preloaded> {
  const loop = new Loop({ unref: true });
  const host = new Host({ name: basename(process.argv[1] ?? 'node') });
  const cleanups: (() => void)[] = [];
  let down = false;
  const teardown = (): void => {
    if (down) return;
    down = true;
    for (const c of cleanups.reverse()) {
      try {
        c();
      } catch {
        // best effort: the process is going away
      }
    }
  };
  try {
    let dev: LinkDevice;
    let gatewayHost: Host | null = null;
    let where: string;
    if (cfg.tap === undefined) {
      const [ours, theirs] = memoryLinkPair({ checksumOffload: true });
      dev = ours;
      gatewayHost = new Host({ name: 'gateway' });
      gatewayHost.addInterface(theirs, { mac: '02:6e:65:74:67:77', address: cfg.peer, name: 'eth0' });
      const g = gatewayHost;
      cleanups.push(() => g.close());
      where = `memory network, host ${cfg.address}, gateway ${cfg.peer}`;
    } else {
      const ns = cfg.netns;
      if (ns !== undefined && !existsSync(netnsPath(ns))) {
        ip(['netns', 'add', ns]);
        cleanups.push(() => void spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 }));
        spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { timeout: 10_000 });
      }
      const tap = openTap({ name: cfg.tap, keepAlive: false, ...(ns === undefined ? {} : { netns: ns }) });
      dev = tap;
      cleanups.push(() => tap.close());
      if (ns !== undefined) {
        ip(['-n', ns, 'link', 'set', 'lo', 'up']);
        ip(['-n', ns, 'addr', 'add', cfg.peer, 'dev', tap.name]);
        ip(['-n', ns, 'link', 'set', tap.name, 'up']);
        where = `TAP ${tap.name} in network namespace ${ns} (kernel side ${cfg.peer}), host ${cfg.address}`;
      } else {
        where = `TAP ${tap.name}, host ${cfg.address}`;
      }
    }
    host.addInterface(dev, { mac: cfg.mac, address: cfg.address, name: 'eth0' });
    if (cfg.gateway !== undefined) host.setDefaultGateway(cfg.gateway);
    cleanups.push(() => {
      loop.stop();
      host.close();
    });
    const stack = createStack({ host, loop, name: host.name, lookup: systemLookup });
    cleanups.push(() => stack.close());
    let tracer: Tracer | null = null;
    if (cfg.trace !== null) {
      const opts = parseTraceFlags(cfg.trace);
      let write: (t: string) => void = (t) => void process.stderr.write(t);
      if (cfg.traceFile !== undefined) {
        // The file is emptied once, as strace -o does: by `netch trace`, or else by the first
        // traced process; the node processes started under it (NODE_OPTIONS carries the
        // preload) inherit the mark and only append, so none erases another's lines.
        // O_APPEND keeps each line whole.
        if (process.env.NETCH_TRACE_FILE_STARTED !== '1') closeSync(openSync(cfg.traceFile, 'w'));
        process.env.NETCH_TRACE_FILE_STARTED = '1';
        const fd = openSync(cfg.traceFile, 'a');
        write = (t) => void writeSync(fd, t);
      }
      // With -o the pid prefix is strace's for a file, and the pid is this Node process's, so
      // the lines of several processes appending to one file can be told apart.
      const t = new Tracer({ ...opts, write, epochMs: Date.now() - stack.kernel.now(), toFile: cfg.traceFile !== undefined, pidOf: () => process.pid });
      t.attach(stack.process);
      tracer = t;
      // Registered before the teardown's 'exit' listener: "+++ exited with N +++" comes before -C's table.
      process.once('exit', (code) => t.exited(stack.process, code));
      cleanups.push(() => {
        if (opts.summary === 'only' || opts.summary === 'also') write(t.summaryTable());
        t.detachAll();
      });
    }
    // The program's fence, locked before its first line runs, so it can be neither loosened
    // nor removed from inside (docs/hooks.md, "What a lock binds").
    const policy = cfg.policy === null ? null : new Policy(cfg.policy).lock();
    policy?.attach(stack.process);
    let forwards: PortForward[] = [];
    // The gateway always gets a kernel (and so TCP): a connection to a port it does not
    // serve is refused, as by a real host.
    const dialer = gatewayHost !== null ? createStack({ host: gatewayHost, loop, name: 'forward' }) : cfg.forwards.length > 0 ? createStack({ kernel: stack.kernel, name: 'forward' }) : null;
    if (dialer !== null) cleanups.push(() => dialer.close());
    if (dialer !== null && cfg.forwards.length > 0) {
      forwards = await startForwards(cfg.forwards, dialer);
      for (const f of forwards) {
        f.unref();
        cleanups.push(() => void f.close());
      }
    }
    // process.stdout and .stderr are made on first use, from net.Socket when they are
    // pipes: make them now, while net.Socket is the kernel's.
    void process.stdout;
    void process.stderr;
    if (policy !== null) {
      const fence = fenceKernelSockets(stack.process);
      cleanups.push(() => fence.remove());
    }
    const interposition = interposeNet(stack);
    cleanups.push(() => interposition.restore());
    if (!cfg.quiet) {
      const fw = forwards.length > 0 ? `; forwarding ${forwards.join(', ')}` : '';
      const pol = policy !== null ? '; a locked syscall policy' : '';
      process.stderr.write(`netchannels/preload: ${where}${fw}${pol}\n`);
    }
    return { stack, forwards, tracer, policy, interposition, teardown };
  } catch (e) {
    teardown();
    throw e;
  }
}

/** Tear down at exit; with `signals`, also on a signal the program does not handle itself, then die of it. */
function installExitHandlers(p: Preloaded, signals: boolean): void {
  process.once('exit', () => p.teardown());
  if (!signals) return;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const on = (): void => {
      if (process.listenerCount(sig) > 1) return; // the program handles it
      p.teardown();
      process.off(sig, on);
      process.kill(process.pid, sig);
    };
    process.on(sig, on);
  }
}

let preloaded: Preloaded;
let config: PreloadConfig;
try {
  config = readPreloadConfig(process.env);
  preloaded = await startPreload(config);
} catch (e) {
  process.stderr.write(`netchannels/preload: ${(e as Error).message}\n`);
  process.exit(2);
}
installExitHandlers(preloaded, config.netns !== undefined);
