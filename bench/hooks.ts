// `npm run bench -- hooks [--json FILE] [--repeats N] [--calls N]`: what a syscall hook
// costs. Two processes on two kernels over a memory link on a virtual clock, a connected
// TCP pair, measured in four conditions, alternated round by round so each sees the same
// machine state:
//   none        no hook: the table entries are the plain implementation
//   filtered    a Tracer with `-e trace=accept4`: send/recv are not hooked at all
//   status      a Tracer on send/recv with `-Z` (failed calls only; `-z` for the EAGAIN
//               workload): hooked, every call dispatched, none printed (the "installed
//               but filtered out" worst case)
//   printing    a Tracer printing every send/recv line to a null sink
// and two workloads:
//   pair_per_s  send(64 B) on the client, settle the simulation, recv on the server
//               (the figure in calls/s counts both calls)
//   eagain_per_s recv on an empty connected socket (-EAGAIN): the cheapest real call, so
//               the dispatch cost shows undiluted
// The target (< 5 % on the http benchmark with a filtered-out tracer) is for the
// http suite; these figures are reported, not asserted.

import { Host } from '../src/iface/host.js';
import { memoryLinkPair } from '../src/link/memory.js';
import { Kernel } from '../src/posix/kernel.js';
import { AF_INET, INADDR_ANY, IPPROTO_TCP, SOCK_STREAM, TCP_NODELAY, sockaddrIn, type Process } from '../src/posix/index.js';
import { Sim } from '../src/runtime/sim.js';
import { Tracer } from '../src/hooks/index.js';
import { type BenchResult, type BenchRatio, median, parseBenchArgs, report } from './_report.js';

const args = parseBenchArgs();
const opt = (name: string, def: number): number => {
  const i = args.rest.indexOf(`--${name}`);
  return i >= 0 ? Number(args.rest[i + 1]) : def;
};
const REPEATS = opt('repeats', 7);
const CALLS = opt('calls', 200_000);

interface Pair {
  cli: Process;
  srv: Process;
  c: number;
  s: number;
  sim: Sim;
}

function connectedPair(): Pair {
  const [la, lb] = memoryLinkPair();
  const ha = new Host({ name: 'a' });
  const hb = new Host({ name: 'b' });
  ha.addInterface(la, { mac: '02:00:00:00:00:01', address: '192.0.2.1/24' });
  hb.addInterface(lb, { mac: '02:00:00:00:00:02', address: '192.0.2.2/24' });
  const sim = new Sim();
  const ka = new Kernel(ha, { clock: sim.clock });
  const kb = new Kernel(hb, { clock: sim.clock });
  sim.add(ka, kb);
  const cli = ka.spawn('cli');
  const srv = kb.spawn('srv');
  const l = srv.sys.socket(AF_INET, SOCK_STREAM, 0);
  srv.sys.bind(l, sockaddrIn(INADDR_ANY, 80));
  srv.sys.listen(l, 8);
  const c = cli.sys.socket(AF_INET, SOCK_STREAM, 0);
  cli.sys.setsockopt(c, IPPROTO_TCP, TCP_NODELAY, 1);
  cli.sys.connect(c, sockaddrIn('192.0.2.2', 80));
  let s = -1;
  for (let i = 0; i < 100 && s < 0; i++) {
    sim.runFor(1);
    s = srv.sys.accept4(l, null, 0);
  }
  if (s < 0) throw new Error(`bench: no connection (${s})`);
  return { cli, srv, c, s, sim };
}

type Mode = 'none' | 'filtered' | 'status' | 'printing';
const MODES: readonly Mode[] = ['none', 'filtered', 'status', 'printing'];

/** Run `fn` with the tracer of `mode` on both processes; `failing` says whether the workload's calls fail (for -z/-Z). */
function withMode(p: Pair, mode: Mode, failing: boolean, fn: () => number): number {
  const tracers: Tracer[] = [];
  if (mode !== 'none') {
    const t = new Tracer({
      trace: mode === 'filtered' ? 'accept4' : 'sendto,recvfrom',
      // -Z when every call succeeds, -z when every call fails: nothing printed either way.
      status: mode === 'status' ? (failing ? 'successful' : 'failed') : 'all',
      write: () => undefined,
    });
    for (const proc of [p.cli, p.srv]) t.attach(proc);
    tracers.push(t);
  }
  try {
    return fn();
  } finally {
    for (const t of tracers) t.detachAll();
  }
}

const out = new Uint8Array(64).fill(0x61);
const inb = new Uint8Array(4096);

/** send + settle + recv, `n` rounds; return calls/s (2 per round). */
function pairRounds(p: Pair, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (p.cli.sys.send(p.c, out, 0, 64, 0) !== 64) throw new Error('bench: send fell short');
    p.sim.settle();
    if (p.srv.sys.recv(p.s, inb, 0, 4096, 0) !== 64) throw new Error('bench: recv fell short');
    if ((i & 1023) === 1023) p.sim.runFor(50); // let delayed ACKs and timers run
  }
  return (2 * n) / ((performance.now() - t0) / 1000);
}

/** recv on an empty socket, `n` calls; return calls/s. */
function eagainCalls(p: Pair, n: number): number {
  const t0 = performance.now();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p.srv.sys.recv(p.s, inb, 0, 4096, 0);
  if (sum !== -11 * n) throw new Error('bench: expected EAGAIN');
  return n / ((performance.now() - t0) / 1000);
}

const pair = connectedPair();
const figures: Record<string, number[]> = {};
for (let r = -1; r < REPEATS; r++) {
  for (const m of MODES) {
    const a = withMode(pair, m, false, () => pairRounds(pair, CALLS / 10));
    const b = withMode(pair, m, true, () => eagainCalls(pair, CALLS * 5));
    if (r < 0) continue; // warm-up
    (figures[`pair_per_s.${m}`] ??= []).push(a);
    (figures[`eagain_per_s.${m}`] ??= []).push(b);
  }
}
const results: BenchResult[] = [];
const med: Record<string, number> = {};
for (const [name, xs] of Object.entries(figures)) {
  med[name] = median(xs);
  results.push({ name: `hooks.${name}`, value: med[name]!, unit: 'calls/s' });
}
for (const w of ['pair_per_s', 'eagain_per_s']) {
  for (const m of MODES.slice(1)) {
    const cost = (1 / med[`${w}.${m}`]! - 1 / med[`${w}.none`]!) * 1e9;
    results.push({ name: `hooks.${w.replace('_per_s', '')}_ns_per_call_added.${m}`, value: cost, unit: 'ns' });
  }
}
const ratios: BenchRatio[] = MODES.slice(1).map((m) => {
  const slow = med[`pair_per_s.none`]! / med[`pair_per_s.${m}`]!;
  return { label: `send/recv slowdown, ${m}`, value: slow, target: m === 'printing' ? 'none' : '<= 1.05', met: m === 'printing' || slow <= 1.05 };
});
report('hooks', results, ratios, args);
