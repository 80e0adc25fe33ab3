// A seeded fault injector: link middleware that makes any device lossy, in the manner of
// Linux's netem qdisc, but driven only by the `now` the host passes, so a run on a virtual
// clock is reproducible from its seed.
//
// Faults, each independent, applied to transmitted frames and, if configured, to received
// ones, in this order:
//   loss       drop the frame (probability `loss`)
//   corrupt    flip one random bit of one random byte (probability `corrupt`)
//   duplicate  send a second copy right after the first (probability `duplicate`)
//   rate       serialize at `rateBps` bits per second behind the frames already queued;
//              a frame finding `rateQueue` frames waiting is dropped (tail drop)
//   delay      hold the frame `delay` ms, plus uniform jitter in [-jitter, +jitter]
//              (clamped at 0); jitter alone can reorder frames, as in netem
//   reorder    hold the frame `reorderDelay` ms more (probability `reorder`), so frames
//              sent after it overtake it (netem does the converse: reordered frames skip
//              the delay; this form also reorders on a link with no delay)
//
// Held frames wait in a pool of frame buffers allocated at construction (one per direction),
// ordered by due time in a TimerWheel whose handles are allocated with the pool, so nothing
// is allocated per frame. `pollAt()` reports the next due time; `receive`, `transmitCommit`
// and `poll` release every held frame that is due. Sending from above always goes through
// the pool (`txBytes` is the pool), so a frame can be held without knowing its fate at
// `transmitBegin`; a frame that is not held is copied to the inner device at once.

import { Prng, splitmix32 } from '../storage/prng.js';
import { TimerHandle, TimerWheel } from '../storage/timer-wheel.js';
import type { Millis } from '../time.js';
import { type FrameSink, type LinkDevice, type LinkStats, linkArgError, newLinkStats, transmitCopy } from './device.js';

/** What to do to the frames of one direction. Probabilities are in [0, 1]; times in ms. */
export interface FaultConfig {
  /** Probability that a frame is dropped. */
  loss: number;
  /** Probability that a frame is sent twice. */
  duplicate: number;
  /** Probability that a frame is held `reorderDelay` ms longer than the others. */
  reorder: number;
  /** Extra hold of a reordered frame. */
  reorderDelay: Millis;
  /** Probability that one bit of a frame is flipped. */
  corrupt: number;
  /** Fixed delay of every frame. */
  delay: Millis;
  /** Uniform variation of the delay, in [-jitter, +jitter]. */
  jitter: Millis;
  /** Serialization rate in bits per second; 0 means unlimited. */
  rateBps: number;
  /** Frames that may wait for the rate limiter before new ones are dropped. */
  rateQueue: number;
}

/** Return a config that changes nothing (all probabilities and delays 0). */
export function newFaultConfig(): FaultConfig {
  return { loss: 0, duplicate: 0, reorder: 0, reorderDelay: 1, corrupt: 0, delay: 0, jitter: 0, rateBps: 0, rateQueue: 64 };
}

/** How often each fault struck, per direction. */
export interface FaultCounters {
  /** Frames offered to this direction. */
  frames: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** Frames held for delay (non-zero after jitter). */
  delayed: number;
  /** Frames dropped because `rateQueue` frames were already waiting. */
  rateDropped: number;
  /** Frames dropped (or duplicates skipped) because no pool buffer was free. */
  poolExhausted: number;
  /** Frames the inner device refused (no room). */
  innerDropped: number;
}

/** Return zeroed fault counters. */
export function newFaultCounters(): FaultCounters {
  return { frames: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0, delayed: 0, rateDropped: 0, poolExhausted: 0, innerDropped: 0 };
}

/** Options of a FaultInjector. */
export interface FaultInjectorOptions {
  /** The PRNG seed; the same seed and the same inputs give the same faults. Default 1. */
  seed?: number;
  /** Faults on transmitted frames (unset fields: no fault). */
  tx?: Partial<FaultConfig>;
  /** Faults on received frames (unset fields: no fault). Default: none. */
  rx?: Partial<FaultConfig>;
  /** Frame buffers per direction for held frames. Default 256. */
  poolFrames?: number;
  /** The device's name. Default: the inner device's name. */
  name?: string;
}

/** Which direction a FaultInjector.configure call changes. */
export type FaultDirection = 'tx' | 'rx';

/** One direction's state: config, counters, PRNG, buffer pool, and held frames by due time. */
class FaultStage {
  readonly cfg: FaultConfig = newFaultConfig();
  readonly counters: FaultCounters = newFaultCounters();
  /** True when the config changes nothing, so frames pass straight through. */
  identity = true;
  readonly prng: Prng;
  readonly pool: Uint8Array;
  readonly slotSize: number;
  readonly lens: Int32Array;
  readonly held = new TimerWheel<number>();
  private readonly handles: TimerHandle<number>[];
  private readonly freeSlots: Int32Array;
  private freeTop: number;
  // Rate limiter: when the line is next free, and the departure times of frames still being
  // serialized (a FIFO ring; departures only increase).
  private freeAt: Millis = -Infinity;
  private readonly departures: Float64Array;
  private depHead = 0;
  private depCount = 0;
  // Set by plan() for the frame just planned.
  corruptNow = false;
  duplicateNow = false;

  constructor(seed: number, slots: number, slotSize: number) {
    this.prng = new Prng(seed);
    this.slotSize = slotSize;
    this.pool = new Uint8Array(slots * slotSize);
    this.lens = new Int32Array(slots);
    this.handles = [];
    this.freeSlots = new Int32Array(slots);
    for (let i = 0; i < slots; i++) {
      this.handles.push(new TimerHandle(i));
      this.freeSlots[i] = slots - 1 - i;
    }
    this.freeTop = slots;
    this.departures = new Float64Array(slots);
  }

  configure(patch: Partial<FaultConfig>): void {
    const next = { ...this.cfg, ...patch };
    for (const k of ['loss', 'duplicate', 'reorder', 'corrupt'] as const) {
      if (!(next[k] >= 0 && next[k] <= 1)) throw linkArgError(`fault injector: ${k} ${next[k]} is not a probability in [0, 1]`);
    }
    for (const k of ['reorderDelay', 'delay', 'jitter', 'rateBps'] as const) {
      if (!(next[k] >= 0 && next[k] < Infinity)) throw linkArgError(`fault injector: ${k} ${next[k]} is not a finite non-negative number`);
    }
    if (!Number.isInteger(next.rateQueue) || next.rateQueue < 1) throw linkArgError(`fault injector: rateQueue ${next.rateQueue} is not a positive integer`);
    Object.assign(this.cfg, next);
    const c = this.cfg;
    this.identity = c.loss === 0 && c.duplicate === 0 && c.reorder === 0 && c.corrupt === 0 && c.delay === 0 && c.jitter === 0 && c.rateBps === 0;
  }

  /** Take a free buffer; return its slot, or -1 when the pool is empty. */
  take(): number {
    return this.freeTop === 0 ? -1 : this.freeSlots[--this.freeTop]!;
  }

  /** Return a buffer to the pool. */
  give(slot: number): void {
    this.freeSlots[this.freeTop++] = slot;
  }

  /** Hold `slot` until `due`. */
  hold(slot: number, due: Millis): void {
    this.held.schedule(this.handles[slot]!, due);
  }

  /** Copy `len` bytes into `slot`. */
  fill(slot: number, src: Uint8Array, off: number, len: number): void {
    this.pool.set(src.subarray(off, off + len), slot * this.slotSize);
    this.lens[slot] = len;
  }

  /**
   * Decide the fate of a frame of `len` bytes offered at `now`: return -1 to drop it, else
   * the time it is due (at most `now` means at once); set corruptNow and duplicateNow.
   */
  plan(len: number, now: Millis): Millis {
    const c = this.cfg;
    const r = this.prng;
    const k = this.counters;
    k.frames++;
    this.corruptNow = false;
    this.duplicateNow = false;
    if (c.loss > 0 && r.chance(c.loss)) {
      k.lost++;
      return -1;
    }
    this.corruptNow = c.corrupt > 0 && r.chance(c.corrupt);
    this.duplicateNow = c.duplicate > 0 && r.chance(c.duplicate);
    let t = now;
    if (c.rateBps > 0) {
      while (this.depCount > 0 && this.departures[this.depHead]! <= now) {
        this.depHead = this.depHead + 1 === this.departures.length ? 0 : this.depHead + 1;
        this.depCount--;
      }
      if (this.depCount >= c.rateQueue || this.depCount === this.departures.length) {
        k.rateDropped++;
        return -1;
      }
      const start = this.freeAt > now ? this.freeAt : now;
      this.freeAt = start + (len * 8000) / c.rateBps;
      let tail = this.depHead + this.depCount;
      if (tail >= this.departures.length) tail -= this.departures.length;
      this.departures[tail] = this.freeAt;
      this.depCount++;
      t = this.freeAt;
    }
    if (c.delay > 0 || c.jitter > 0) {
      let d = c.delay;
      if (c.jitter > 0) d += (r.nextFloat() * 2 - 1) * c.jitter;
      if (d > 0) {
        t += d;
        k.delayed++;
      }
    }
    if (c.reorder > 0 && r.chance(c.reorder)) {
      t += c.reorderDelay;
      k.reordered++;
    }
    return t;
  }

  /** Flip one random bit of the frame in `slot`. */
  corrupt(slot: number): void {
    const len = this.lens[slot]!;
    if (len === 0) return;
    const at = slot * this.slotSize + this.prng.nextInt(len);
    this.pool[at] = this.pool[at]! ^ (1 << this.prng.nextInt(8));
    this.counters.corrupted++;
  }

  /** Copy `slot` into a fresh buffer for a duplicate; return it, or -1 (counted) when none is free. */
  duplicate(slot: number): number {
    const d = this.take();
    if (d < 0) {
      this.counters.poolExhausted++;
      return -1;
    }
    const from = slot * this.slotSize;
    this.pool.copyWithin(d * this.slotSize, from, from + this.lens[slot]!);
    this.lens[d] = this.lens[slot]!;
    this.counters.duplicated++;
    return d;
  }

  /** Drop every held frame and forget the rate limiter's queue. */
  reset(): void {
    this.held.clear();
    this.freeTop = 0;
    for (let i = this.lens.length - 1; i >= 0; i--) this.freeSlots[this.freeTop++] = i;
    this.depCount = 0;
    this.freeAt = -Infinity;
  }
}

/**
 * Link middleware that applies seeded faults to the frames of the device it wraps.
 * Counters: `stats` counts what crosses this layer (txFrames: frames committed from above;
 * txDropped: frames this layer dropped or could not take; rxFrames: frames delivered up;
 * rxDropped: frames this layer dropped); `txFaults` and `rxFaults` count each fault.
 * Ownership: `close()` closes the inner device and drops the held frames.
 */
export class FaultInjector implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  /** The transmit pool: `transmitBegin` offsets point here. */
  readonly txBytes: Uint8Array;
  /** The device this injector wraps. */
  readonly inner: LinkDevice;
  /** Fault counters of transmitted frames. */
  readonly txFaults: FaultCounters;
  /** Fault counters of received frames. */
  readonly rxFaults: FaultCounters;

  private readonly tx: FaultStage;
  private readonly rx: FaultStage;
  private closed = false;
  private down: FrameSink = NULL_SINK;
  private readonly rxSink: FrameSink;
  private readonly releaseTx: (h: TimerHandle<number>, now: Millis) => void;
  private readonly releaseRx: (h: TimerHandle<number>, now: Millis) => void;

  /** Wrap `inner` with the faults of `opts`. */
  constructor(inner: LinkDevice, opts: FaultInjectorOptions = {}) {
    this.inner = inner;
    this.name = opts.name ?? inner.name;
    this.maxFrameLen = inner.maxFrameLen;
    const seed = (opts.seed ?? 1) >>> 0;
    const slots = opts.poolFrames ?? 256;
    if (!Number.isInteger(slots) || slots < 1) throw linkArgError(`fault injector: poolFrames ${slots} is not a positive integer`);
    this.tx = new FaultStage(seed, slots, inner.maxFrameLen);
    this.rx = new FaultStage(splitmix32(seed ^ 0x5bd1e995), slots, inner.maxFrameLen);
    this.tx.configure(opts.tx ?? {});
    this.rx.configure(opts.rx ?? {});
    this.txBytes = this.tx.pool;
    this.txFaults = this.tx.counters;
    this.rxFaults = this.rx.counters;
    this.rxSink = { onFrame: (buf, off, len, now) => this.onInnerFrame(buf, off, len, now) };
    this.releaseTx = (h, now) => {
      this.sendSlot(h.owner, now);
    };
    this.releaseRx = (h, now) => {
      const slot = h.owner;
      const st = this.rx;
      this.deliver(st.pool, slot * st.slotSize, st.lens[slot]!, now);
      st.give(slot);
    };
  }

  /** Change the faults of one direction (fields not given keep their values). Errors: RangeError (code EINVAL) for an invalid value. */
  configure(dir: FaultDirection, patch: Partial<FaultConfig>): void {
    (dir === 'tx' ? this.tx : this.rx).configure(patch);
  }

  /** Return a copy of one direction's current config. */
  config(dir: FaultDirection): FaultConfig {
    return { ...(dir === 'tx' ? this.tx : this.rx).cfg };
  }

  /**
   * Release due held frames, then deliver up to `budget` frames to `sink`; return how many
   * frames the call took in (delivered, dropped or held), so that a return equal to
   * `budget` still means "there may be more". Held received frames are not announced by
   * the rx notification; `pollAt()` reports when they are due.
   */
  receive(sink: FrameSink, budget: number, now: Millis): number {
    if (this.closed) return 0;
    this.tx.held.advance(now, this.releaseTx);
    this.down = sink;
    let n = this.rx.held.advance(now, this.releaseRx, budget);
    if (n < budget) n += this.inner.receive(this.rxSink, budget - n, now);
    this.down = NULL_SINK;
    return n;
  }

  /** Reserve a pool buffer for a frame of up to `len` bytes; -1 when closed, too long, or every buffer is held. */
  transmitBegin(len: number): number {
    if (this.closed || !(len >= 0 && len <= this.maxFrameLen)) return -1;
    const slot = this.tx.take();
    if (slot < 0) {
      this.tx.counters.poolExhausted++;
      return -1;
    }
    return slot * this.tx.slotSize;
  }

  /** Apply the transmit faults to the frame and send it now, later, twice, or never. */
  transmitCommit(off: number, len: number, now: Millis): void {
    const st = this.tx;
    // After close() every buffer is back in the pool already: a late commit is ignored.
    if (this.closed) return;
    const slot = Math.floor(off / st.slotSize);
    this.stats.txFrames++;
    this.stats.txBytes += len;
    st.held.advance(now, this.releaseTx);
    st.lens[slot] = len;
    if (st.identity) {
      this.sendSlot(slot, now);
      return;
    }
    const due = st.plan(len, now);
    if (due < 0) {
      this.stats.txDropped++;
      st.give(slot);
      return;
    }
    if (st.corruptNow) st.corrupt(slot);
    const dup = st.duplicateNow ? st.duplicate(slot) : -1;
    if (due <= now) {
      this.sendSlot(slot, now);
      if (dup >= 0) this.sendSlot(dup, now);
    } else {
      st.hold(slot, due);
      if (dup >= 0) st.hold(dup, due);
    }
  }

  /** Pass the notification request to the inner device. */
  setRxNotify(cb: (() => void) | null): void {
    this.inner.setRxNotify(cb);
  }

  /** Return the earliest of the inner device's poll time and the next held frame's due time. */
  pollAt(): Millis {
    const a = this.inner.pollAt();
    const b = this.tx.held.nextDeadline();
    const c = this.rx.held.nextDeadline();
    return a < b ? (a < c ? a : c) : b < c ? b : c;
  }

  /** Send every held transmit frame that is due at `now`; return how many were released. */
  poll(now: Millis): number {
    return this.closed ? 0 : this.tx.held.advance(now, this.releaseTx);
  }

  /** Return how many frames are held in each direction. */
  heldFrames(dir: FaultDirection): number {
    return (dir === 'tx' ? this.tx : this.rx).held.size;
  }

  /** Close the inner device and drop the held frames. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tx.reset();
    this.rx.reset();
    this.inner.close();
  }

  /** Copy the frame in transmit `slot` to the inner device and free the slot. */
  private sendSlot(slot: number, now: Millis): void {
    const st = this.tx;
    if (!transmitCopy(this.inner, st.pool, slot * st.slotSize, st.lens[slot]!, now)) st.counters.innerDropped++;
    st.give(slot);
  }

  /** Hand a frame to the sink of the current `receive` call. */
  private deliver(buf: Uint8Array, off: number, len: number, now: Millis): void {
    this.stats.rxFrames++;
    this.stats.rxBytes += len;
    this.down.onFrame(buf, off, len, now);
  }

  /** Apply the receive faults to a frame the inner device lends us. */
  private onInnerFrame(buf: Uint8Array, off: number, len: number, now: Millis): void {
    const st = this.rx;
    if (st.identity) {
      this.deliver(buf, off, len, now);
      return;
    }
    const due = st.plan(len, now);
    if (due < 0) {
      this.stats.rxDropped++;
      return;
    }
    if (!st.corruptNow && !st.duplicateNow && due <= now) {
      this.deliver(buf, off, len, now);
      return;
    }
    // The frame is only lent: corrupting or keeping it needs a copy of our own.
    const slot = st.take();
    if (slot < 0) {
      st.counters.poolExhausted++;
      this.stats.rxDropped++;
      return;
    }
    st.fill(slot, buf, off, len);
    if (st.corruptNow) st.corrupt(slot);
    // A duplicate waits for the next receive call (due at once), which keeps within budget.
    const dup = st.duplicateNow ? st.duplicate(slot) : -1;
    if (due <= now) {
      this.deliver(st.pool, slot * st.slotSize, len, now);
      st.give(slot);
      if (dup >= 0) st.hold(dup, now);
    } else {
      st.hold(slot, due);
      if (dup >= 0) st.hold(dup, due);
    }
  }
}

/** Wrap `inner` with seeded faults (see FaultInjectorOptions). */
export function faultInjector(inner: LinkDevice, opts: FaultInjectorOptions = {}): FaultInjector {
  return new FaultInjector(inner, opts);
}

const NULL_SINK: FrameSink = { onFrame() {} };
