// Link middleware that prints one line per frame, in either direction, through a function
// the caller gives (console.log, a test's array, a logger). A debugging tool: it builds a
// string per frame, so unlike the rest of the link layer it allocates per frame while it is
// enabled; with `enabled = false` it costs one branch.
//
// Line format: `<now, 3 decimals> <device> <rx|tx> <formatted frame>`, for example
//   12.500 mem0 tx 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: IP ...

import type { Millis } from '../time.js';
import { etherTypeName, ETH_HEADER_LEN } from '../wire/ethernet.js';
import { formatFrame } from '../wire/pretty.js';
import type { LinkDevice } from './device.js';
import { ObservingDevice } from './observer.js';

/** Describe the frame of `len` bytes at `off` of `bytes` on one line. */
export type FrameFormatter = (bytes: Uint8Array, off: number, len: number) => string;

/** Options of a Tracer. */
export interface TracerOptions {
  /** How to describe a frame. Default `formatFrame` of wire/pretty (every layer decoded). */
  format?: FrameFormatter;
  /** The device name printed. Default: the inner device's name. */
  label?: string;
  /** Trace received frames. Default true. */
  rx?: boolean;
  /** Trace transmitted frames. Default true. */
  tx?: boolean;
}

/** Return `length 60, ethertype ARP (0x0806)`: the length and EtherType only. */
export function formatBrief(bytes: Uint8Array, off: number, len: number): string {
  if (len < ETH_HEADER_LEN) return `length ${len} (runt)`;
  const t = (bytes[off + 12]! << 8) | bytes[off + 13]!;
  return `length ${len}, ethertype ${etherTypeName(t)} (0x${t.toString(16).padStart(4, '0')})`;
}

/**
 * Link middleware that reports every frame crossing `inner` and is otherwise transparent:
 * same name, limits, counters and tx buffer.
 * Errors: a formatter or printer that throws is caught (the line says so, or is lost);
 * nothing escapes into the receive or transmit path.
 * Ownership: `close()` closes the inner device.
 */
export class Tracer extends ObservingDevice {
  /** Whether lines are printed at all (may be changed at any time). */
  enabled = true;
  /** Whether received / transmitted frames are traced (may be changed at any time). */
  traceRx: boolean;
  traceTx: boolean;
  /** Lines printed. */
  lines = 0;

  private readonly print: (line: string) => void;
  private readonly format: FrameFormatter;
  private readonly label: string;

  /** Wrap `inner`, printing through `print`. */
  constructor(inner: LinkDevice, print: (line: string) => void, opts: TracerOptions = {}) {
    super(inner);
    this.print = print;
    this.format = opts.format ?? formatFrame;
    this.label = opts.label ?? inner.name;
    this.traceRx = opts.rx ?? true;
    this.traceTx = opts.tx ?? true;
  }

  /** Trace a received frame (when enabled and traceRx). */
  observeRx(buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (this.enabled && this.traceRx) this.trace('rx', buf, off, len, now);
  }

  /** Trace a transmitted frame (when enabled and traceTx). */
  observeTx(buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (this.enabled && this.traceTx) this.trace('tx', buf, off, len, now);
  }

  /** Print the line for one frame. */
  trace(dir: 'rx' | 'tx', buf: Uint8Array, off: number, len: number, now: Millis): void {
    let text: string;
    try {
      text = this.format(buf, off, len);
    } catch (e) {
      text = `[format error: ${(e as Error)?.message ?? String(e)}] length ${len}`;
    }
    try {
      this.print(`${now.toFixed(3)} ${this.label} ${dir} ${text}`);
      this.lines++;
    } catch {
      // A failing printer loses the line; the frame goes on.
    }
  }
}

/** Wrap `inner` so each frame it receives or transmits is described through `print`. */
export function traceTap(inner: LinkDevice, print: (line: string) => void, opts: TracerOptions = {}): Tracer {
  return new Tracer(inner, print, opts);
}
