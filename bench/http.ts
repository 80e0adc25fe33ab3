// `npm run bench -- http [--json FILE] [--repeats N] [--duration S] [--conns N] [--trace SET]`: Node's own
// http server under keep-alive GETs of a 1 KiB body, on the kernel's loopback and on our
// stack, side by side in one run:
//   kernel.http_rps   server (http.createServer, listen on 127.0.0.1) in one worker thread,
//                     the load generator (node:net sockets) in another
//   netch.http_rps    the same server code fed by our net adapter on one host, the same load
//                     generator over our sockets on another, the two hosts in two worker
//                     threads on a shared memory link (MTU 1500, checksum offload as on lo)
//   <kind>.cpu_us_per_request  CPU of the server's and the load generator's threads over the
//                     run (warm-up and drain included) per response completed
//   netch_traced.http_rps  the same as netch with a syscall Tracer (src/hooks) installed on
//                     the server's and the client's processes but filtered out: `-e trace=`
//                     --trace (default "connect": the client's 64 dials, nothing on the hot
//                     path), lines to a null sink. Issue #10's target: < 5 % below netch.
// The server and load generator are the demo's (src/cli/http-load.ts, http-run.ts): 64
// connections, one request in flight each, every response's status and body length checked.
// Each figure is the median of --repeats runs (default 5) of --duration seconds (default 3)
// after a 0.5 s warm-up; the three kinds alternate (the order rotates each round) so all see
// the same machine conditions.
// Latency percentiles and retransmissions of the median run are printed below the table;
// each netch run's line also gives the link's cross-thread wake-ups per request.
// The targets (netch >= 1.2x the kernel, aim 1.5x; netch_traced >= 0.95x netch) are
// reported, not asserted; the spread (min-max of the per-round ratios) is printed with them.

import { runHttp, type HttpRunResult } from '../src/cli/http-run.js';
import { HTTP_BODY_LEN } from '../src/cli/http-load.js';
import { median, parseBenchArgs, report, type BenchResult } from './_report.js';

const args = parseBenchArgs();
function opt(name: string, def: number): number {
  const rest = args.rest;
  const i = rest.indexOf(name);
  const raw = i >= 0 ? rest[i + 1] : rest.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  const v = raw === undefined ? def : Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`http bench: ${name} ${raw} must be a positive number`);
  return v;
}
const REPEATS = Math.round(opt('--repeats', 5));
const DURATION_MS = opt('--duration', 3) * 1000;
const CONNS = Math.round(opt('--conns', 64));
const WARMUP_MS = 500;
const TRACE = ((): string => {
  const i = args.rest.indexOf('--trace');
  const v = i >= 0 ? args.rest[i + 1] : args.rest.find((a) => a.startsWith('--trace='))?.slice('--trace='.length);
  return v ?? 'connect';
})();

/** The kinds measured: the kernel's loopback, our stack, our stack with a filtered-out tracer. */
const KINDS = ['kernel', 'netch', 'netch_traced'] as const;
type Kind = (typeof KINDS)[number];

async function once(kind: Kind): Promise<HttpRunResult> {
  const r = await runHttp({
    kind: kind === 'kernel' ? 'kernel' : 'netch', trace: kind === 'netch_traced' ? TRACE : null,
    conns: CONNS, durationMs: DURATION_MS, warmupMs: WARMUP_MS, bodyLen: HTTP_BODY_LEN,
  });
  if (r.load.failed > 0 || r.load.requests === 0) {
    throw new Error(`http bench: ${kind}: ${r.load.requests} requests, ${r.load.failed} failed (${r.load.firstError})`);
  }
  const wakes = r.linkWakeups === null ? '' : `, ${(r.linkWakeups / r.load.completed).toFixed(2)} link wake-ups per request`;
  const traced = kind === 'netch_traced' ? `, ${r.traceLines} trace lines` : '';
  process.stderr.write(`http bench: ${kind.padEnd(12)} ${Math.round(r.load.rps)} requests/s, p99 ${r.load.latency.p99.toFixed(2)} ms, ${r.retransSegs ?? 'n/a'} retransmitted${wakes}${traced}\n`);
  return r;
}

/** Return the median of the per-round ratios a[i] / b[i] (a paired figure) and a line listing them with their min and max. */
function spread(a: readonly HttpRunResult[], b: readonly HttpRunResult[]): { med: number; text: string } {
  const xs = a.map((r, i) => r.load.rps / b[i]!.load.rps);
  const med = median(xs);
  return { med, text: `per round: median ${med.toFixed(2)}x; ${xs.map((x) => x.toFixed(2)).join(', ')} (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})` };
}

function medianRun(runs: HttpRunResult[]): HttpRunResult {
  const m = median(runs.map((r) => r.load.rps));
  return runs.reduce((best, r) => (Math.abs(r.load.rps - m) < Math.abs(best.load.rps - m) ? r : best));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  process.stderr.write(`http bench: ${REPEATS} runs per kind of ${DURATION_MS / 1000} s, ${CONNS} connections, ${HTTP_BODY_LEN}-byte body; netch_traced: -e trace=${TRACE}\n`);
  const runs: Record<Kind, HttpRunResult[]> = { kernel: [], netch: [], netch_traced: [] };
  for (let i = 0; i < REPEATS; i++) {
    // Rotate the order too, so no kind always runs first (or after the same one).
    for (let j = 0; j < KINDS.length; j++) {
      const kind = KINDS[(i + j) % KINDS.length]!;
      runs[kind].push(await once(kind));
    }
  }
  const k = median(runs.kernel.map((r) => r.load.rps));
  const n = median(runs.netch.map((r) => r.load.rps));
  const t = median(runs.netch_traced.map((r) => r.load.rps));
  const vsKernel = spread(runs.netch, runs.kernel);
  const traced = spread(runs.netch_traced, runs.netch);
  const results: BenchResult[] = [
    { name: 'kernel.http_rps', value: k, unit: 'requests/s' },
    { name: 'netch.http_rps', value: n, unit: 'requests/s' },
    { name: 'netch_traced.http_rps', value: t, unit: 'requests/s' },
    ...KINDS.map((kind) => ({ name: `${kind}.cpu_us_per_request`, value: median(runs[kind].map((r) => (r.cpuMs * 1000) / r.load.completed)), unit: 'us/request' })),
    { name: 'netch_vs_kernel', value: n / k, unit: 'x' },
    { name: 'netch_traced_vs_netch', value: t / n, unit: 'x' },
  ];
  report('http', results, [
    { label: 'netch.http_rps / kernel.http_rps', value: n / k, target: '>= 1.2x (aim 1.5x)', met: n / k >= 1.2 },
    { label: 'netch_traced.http_rps / netch.http_rps', value: t / n, target: '>= 0.95x (hooks < 5 %)', met: t / n >= 0.95 },
  ], args);
  console.log(`netch / kernel ${vsKernel.text}`);
  console.log(`netch_traced / netch ${traced.text}`);
  for (const name of KINDS) {
    const rs = runs[name];
    const m = medianRun(rs);
    const l = m.load.latency;
    console.log(
      `${name}: median run ${Math.round(m.load.rps)} requests/s, latency p50 ${l.p50.toFixed(2)} / p90 ${l.p90.toFixed(2)} / p99 ${l.p99.toFixed(2)} / max ${l.max.toFixed(2)} ms, ` +
        `${m.retransSegs ?? 'n/a'} retransmitted${name === 'kernel' ? ' (system-wide)' : ''}; all runs: ${rs.map((r) => Math.round(r.load.rps)).join(', ')}`,
    );
  }
  console.log(`${REPEATS} runs per kind, ${DURATION_MS / 1000} s each after ${WARMUP_MS / 1000} s warm-up, ${CONNS} keep-alive connections, ${HTTP_BODY_LEN}-byte body; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
