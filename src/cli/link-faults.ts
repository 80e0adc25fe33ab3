// The link-impairment options of `netch up` (and any command that wants them): our fault
// injector (src/link/fault-injector.ts) on the host's link, the same faults each way, so
// tests against Linux need no sch_netem. `--loss P --delay MS[:JITTER] --reorder P
// --duplicate P --corrupt P --rate MBIT`: probabilities in 0..1 or as percentages ("2%"),
// times in ms, the rate in Mbit/s.

import type { FaultConfig } from '../link/fault-injector.js';

/** parseArgs option specs of the impairment flags. */
export const LINK_FAULT_OPTIONS = {
  loss: { type: 'string' },
  delay: { type: 'string' },
  reorder: { type: 'string' },
  duplicate: { type: 'string' },
  corrupt: { type: 'string' },
  rate: { type: 'string' },
} as const;

/** Help lines for the impairment flags. */
export const LINK_FAULT_USAGE = `  --loss P              drop each frame with probability P (0..1, or 2%), each direction
  --delay MS[:JITTER]   hold each frame MS ms, varied uniformly by ±JITTER ms, each direction
  --reorder P           hold a frame's fraction P longer (by the delay, at least 1 ms) so
                        later frames overtake it
  --duplicate P         send a frame's fraction P twice
  --corrupt P           flip one bit in a frame's fraction P
  --rate MBIT           serialize at MBIT Mbit/s each way (frames beyond its queue drop)
`;

function prob(name: string, text: string): number | string {
  const pct = text.endsWith('%');
  const n = Number(pct ? text.slice(0, -1) : text);
  const p = pct ? n / 100 : n;
  if (text === '' || !Number.isFinite(p) || p < 0 || p > 1) return `--${name} ${text}: expected a probability in 0..1 or a percentage (2%)`;
  return p;
}

/**
 * Parse the impairment flags of `values` (parseArgs output); return the faults to apply
 * each way, null when none was given, or an error message.
 */
export function parseLinkFaults(values: Partial<Record<keyof typeof LINK_FAULT_OPTIONS, string | undefined>>): Partial<FaultConfig> | null | string {
  const cfg: Partial<FaultConfig> = {};
  let any = false;
  for (const name of ['loss', 'reorder', 'duplicate', 'corrupt'] as const) {
    const v = values[name];
    if (v === undefined) continue;
    const p = prob(name, v);
    if (typeof p === 'string') return p;
    cfg[name] = p;
    any = true;
  }
  if (values.delay !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(values.delay);
    if (m === null) return `--delay ${values.delay}: expected MS or MS:JITTER`;
    const delay = Number(m[1]);
    const jitter = m[2] === undefined ? 0 : Number(m[2]);
    if (delay > 60_000 || jitter > delay) return `--delay ${values.delay}: at most 60000 ms, jitter at most the delay`;
    cfg.delay = delay;
    cfg.jitter = jitter;
    any = true;
  }
  if (cfg.reorder !== undefined) cfg.reorderDelay = Math.max(1, cfg.delay ?? 0);
  if (values.rate !== undefined) {
    const r = Number(values.rate);
    if (values.rate === '' || !Number.isFinite(r) || r <= 0 || r > 1_000_000) return `--rate ${values.rate}: expected Mbit/s in (0, 1000000]`;
    cfg.rateBps = r * 1e6;
    any = true;
  }
  return any ? cfg : null;
}

/** Describe faults as one line ("loss 2%, delay 5±1 ms, ..."). */
export function describeLinkFaults(f: Partial<FaultConfig>): string {
  const pct = (p: number): string => `${+(p * 100).toFixed(3)}%`;
  const parts: string[] = [];
  if (f.loss) parts.push(`loss ${pct(f.loss)}`);
  if (f.delay) parts.push(`delay ${f.delay}${f.jitter ? `±${f.jitter}` : ''} ms`);
  if (f.reorder) parts.push(`reorder ${pct(f.reorder)} (+${f.reorderDelay} ms)`);
  if (f.duplicate) parts.push(`duplicate ${pct(f.duplicate)}`);
  if (f.corrupt) parts.push(`corrupt ${pct(f.corrupt)}`);
  if (f.rateBps) parts.push(`rate ${f.rateBps / 1e6} Mbit/s`);
  return parts.join(', ');
}
