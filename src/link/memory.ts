// The memory link: a virtual Ethernet cable made of two net channels over one frame arena.
// Each end owns half of the arena's frames. Transmitting takes a free frame of the sender's
// half (the offset `transmitBegin` returns is that frame, in `txBytes` = the arena bytes),
// and committing sends its descriptor through the data ring to the other end. Receiving
// lends each frame to the sink where it lies, then gives the frame back to the sender: in
// one thread straight into the sender's pool, across threads through the fill ring.
//
//   memoryLinkPair()            two connected ends in this thread
//   createSharedMemoryLink()    two specs; post one to another thread, openMemoryLink(spec) there
//
// Frame size: 1514 bytes by default (a 1500-byte MTU); `mtu` up to MEMORY_LINK_MTU_MAX
// (65522: the largest arena frame, 64 KiB, less the Ethernet header) gives a link like
// Linux's loopback, whose 64 KiB frames let TCP use a ~64 KiB MSS. `checksumOffload`
// declares what Linux's loopback declares with CHECKSUM_PARTIAL/UNNECESSARY: frames cannot
// be corrupted between the two ends, so the hosts on it may skip transport checksums.
//
// Receive notification is edge-triggered and rides the channel's need-wakeup doorbell: when
// `receive` leaves the ring empty (or `setRxNotify` is called), the end raises the flag;
// the peer's next publish takes it and wakes this end, which then calls the callback from
// a fresh task (setImmediate in one thread; Atomics.waitAsync across threads), never from
// inside the sender's call. A host that stops receiving before the ring is empty (budget
// spent) is not notified again: it must poll until it has drained the ring.
//
// Across threads a wake-up is dear (Atomics.notify to a waitAsync waiter cost the sender
// ~20 µs on a 2-core VM, and far more when the woken thread preempts it), so a receiver that finds its ring
// empty after frames came does not raise its flag at once: it looks again from the next
// `rxSpin` turns of its event loop (one setImmediate each; Linux's busy polling, SO_BUSY_POLL,
// in miniature). A sender in the middle of a burst then finds it awake and publishes with
// no wake-up; only a ring that stayed empty through all of them puts the receiver to sleep.
// Ends in one thread never spin (their wake-up is a plain call).
//
// Nothing here allocates per frame; a notification costs one scheduled callback, and so
// does each look of a spinning receiver.

import { Arena, ChanErr, ChannelConsumer, ChannelProducer, FRAME_SIZE_DEFAULT, FRAME_SIZE_MAX, createArena, createNetChannel, openLocalChannel, type NetChannelSpec } from '../channel/index.js';
import type { Millis } from '../time.js';
import { ETH_HEADER_LEN } from '../wire/ethernet.js';
import { linkArgError, newLinkStats, type FrameSink, type LinkDevice, type LinkStats } from './device.js';

/** The default largest frame: a 1500-byte MTU plus the 14-byte Ethernet header. */
export const MEMORY_LINK_MAX_FRAME_DEFAULT = 1514;
/** The default number of frames each end owns. */
export const MEMORY_LINK_FRAMES_DEFAULT = 256;
/** The largest MTU of a memory link: the largest arena frame (64 KiB) less the Ethernet header. */
export const MEMORY_LINK_MTU_MAX = FRAME_SIZE_MAX - ETH_HEADER_LEN;

/** The default number of event-loop turns a receiver keeps looking at its empty ring before it sleeps. */
export const MEMORY_LINK_RX_SPIN_DEFAULT = 16;

/** Options of a memory link. */
export interface MemoryLinkOptions {
  /** Names of the two ends (default "mem0", "mem1"). */
  names?: readonly [string, string];
  /** Largest frame, header included (default 1514; at most frameSize). Give this or `mtu`. */
  maxFrameLen?: number;
  /**
   * Largest IPv4 datagram, in [68, MEMORY_LINK_MTU_MAX]: sets maxFrameLen to mtu + 14 and,
   * unless given, frameSize to that rounded up to 64 (at least 2048). Give this or `maxFrameLen`.
   */
  mtu?: number;
  /** Arena frame size in bytes, a multiple of 64 (default 2048, or what `mtu` needs). */
  frameSize?: number;
  /**
   * Declare that frames cannot be corrupted between the ends, so hosts may skip transport
   * checksums on this link (Linux loopback's CHECKSUM_UNNECESSARY; default false). Only for
   * hosts attached to the ends directly: middleware (a fault injector, a pcap writer) hides
   * the flag from its host, which then verifies checksums the other host may have skipped.
   */
  checksumOffload?: boolean;
  /** Frames each end owns for transmitting (default 256). */
  frames?: number;
  /** Slots of each direction's data ring, a power of two (default: frames rounded up). */
  ringSize?: number;
  /** Check frame ownership at every hand-over (default false; costs atomics per frame). */
  ownerChecks?: boolean;
  /**
   * Across threads: turns of the event loop (a setImmediate each) a receiver keeps looking at
   * its empty ring after frames came, before it sleeps behind the need-wakeup flag (default
   * MEMORY_LINK_RX_SPIN_DEFAULT; 0 sleeps at once). Ends in one thread never spin.
   */
  rxSpin?: number;
}

/** One end of a shared memory link, as plain data: post it to the thread that opens it. */
export interface MemoryLinkSpec {
  readonly kind: 'netch.memory-link';
  readonly name: string;
  readonly maxFrameLen: number;
  /** Whether the link declares checksum offload (see MemoryLinkOptions.checksumOffload). */
  readonly checksumOffload: boolean;
  /** Turns the receiver looks at its empty ring before it sleeps (MemoryLinkOptions.rxSpin; absent: the default). */
  readonly rxSpin?: number;
  /** The channel this end sends on. */
  readonly tx: NetChannelSpec;
  /** The channel this end receives on. */
  readonly rx: NetChannelSpec;
}

interface Geometry {
  names: readonly [string, string];
  maxFrameLen: number;
  frameSize: number;
  frames: number;
  ringSize: number | undefined;
  ownerChecks: boolean;
  checksumOffload: boolean;
  rxSpin: number;
}

function geometry(options: MemoryLinkOptions): Geometry {
  const mtu = options.mtu;
  if (mtu !== undefined) {
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > MEMORY_LINK_MTU_MAX) {
      throw linkArgError(`memory link: mtu ${mtu} must be an integer in [68, ${MEMORY_LINK_MTU_MAX}]`);
    }
    if (options.maxFrameLen !== undefined) throw linkArgError('memory link: give mtu or maxFrameLen, not both');
  }
  const maxFrameLen = mtu !== undefined ? mtu + ETH_HEADER_LEN : options.maxFrameLen ?? MEMORY_LINK_MAX_FRAME_DEFAULT;
  const frameSize = options.frameSize ?? (mtu !== undefined ? Math.max(FRAME_SIZE_DEFAULT, Math.ceil(maxFrameLen / 64) * 64) : FRAME_SIZE_DEFAULT);
  const frames = options.frames ?? MEMORY_LINK_FRAMES_DEFAULT;
  if (!Number.isInteger(maxFrameLen) || maxFrameLen < 14 || maxFrameLen > frameSize) {
    throw linkArgError(`memory link: maxFrameLen ${maxFrameLen} must be an integer in [14, frameSize = ${frameSize}]`);
  }
  if (!Number.isInteger(frames) || frames < 1) throw linkArgError(`memory link: frames ${frames} must be a positive integer`);
  const names = options.names ?? (['mem0', 'mem1'] as const);
  const rxSpin = checkRxSpin(options.rxSpin ?? MEMORY_LINK_RX_SPIN_DEFAULT, 'memory link');
  return {
    names, maxFrameLen, frameSize, frames, ringSize: options.ringSize,
    ownerChecks: options.ownerChecks === true, checksumOffload: options.checksumOffload === true, rxSpin,
  };
}

function checkRxSpin(n: number, who: string): number {
  if (!Number.isInteger(n) || n < 0) throw linkArgError(`${who}: rxSpin ${n} must be a non-negative integer`);
  return n;
}

/** Create the arena and the two channels (a -> b, b -> a) of a link. */
function channels(g: Geometry, local: boolean): { ab: NetChannelSpec; ba: NetChannelSpec } {
  const arena = createArena({ frameCount: 2 * g.frames, frameSize: g.frameSize, ownerChecks: g.ownerChecks });
  const common = { frameCount: g.frames, local, ...(g.ringSize === undefined ? {} : { ringSize: g.ringSize }) };
  const ab = createNetChannel(arena, { ...common, firstFrame: 0, producerId: 1, consumerId: 2 });
  const ba = createNetChannel(arena, { ...common, firstFrame: g.frames, producerId: 2, consumerId: 1 });
  return { ab, ba };
}

/** One end of a memory link: a LinkDevice whose frames live in a shared arena. */
export class MemoryLink implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  readonly txBytes: Uint8Array;
  readonly checksumOffload: boolean;

  private readonly tx: ChannelProducer;
  private readonly rx: ChannelConsumer;
  private readonly rxBytes: Uint8Array;
  /** The other end when it lives in this thread (its doorbell is then a direct call). */
  private peer: MemoryLink | null = null;
  private rxNotify: (() => void) | null = null;
  /** The need-wakeup flag is up (or a wake-up is on its way). */
  private armed = false;
  /** A cross-thread Atomics.waitAsync is pending. */
  private waiting = false;
  /** A notification is scheduled and has not run yet. */
  private scheduled = false;
  private reserved = -1;
  private closed = false;
  private readonly rxSpin: number;
  /** Frames sent per wake-up of a sleeping peer thread (setWakeBatch), and those sent since the last. */
  private wakeBatch = 1;
  private unwoken = 0;
  /** Looks at an empty ring left before sleeping; renewed whenever frames come. */
  private spinLeft = 0;
  private readonly fireBound = (): void => this.fire();
  private readonly onBellBound = (): void => this.onBell();
  private readonly spinBound = (): void => this.spinCheck();

  /** Make an end from its two channel ends; use memoryLinkPair or openMemoryLink instead. */
  constructor(name: string, maxFrameLen: number, tx: ChannelProducer, rx: ChannelConsumer, checksumOffload = false, rxSpin = MEMORY_LINK_RX_SPIN_DEFAULT) {
    this.name = name;
    this.rxSpin = rxSpin;
    this.maxFrameLen = maxFrameLen;
    this.checksumOffload = checksumOffload;
    this.tx = tx;
    this.rx = rx;
    this.txBytes = tx.arena.bytes;
    this.rxBytes = rx.arena.bytes;
  }

  /**
   * Deliver up to `budget` frames to `sink` in arrival order; return how many the call took
   * from the ring (delivered, or dropped as corrupt descriptors), so that a return equal to
   * `budget` always means "there may be more": a budget spent on dropped descriptors must
   * not look idle, since no new notification comes for frames already queued.
   */
  receive(sink: FrameSink, budget: number, now: Millis): number {
    if (this.closed || !(budget > 0)) return 0;
    let taken = 0;
    // The ring's cached view may show fewer frames than are there; peek again (which then
    // re-reads the producer's index) until the budget is spent or the ring is empty.
    for (let n = this.rx.peek(budget); n > 0; n = this.rx.peek(budget - taken)) {
      this.receiveBurst(sink, n, now);
      taken += n;
      if (taken >= budget) break;
    }
    if (taken > 0) this.spinLeft = this.rxSpin;
    if (this.rxNotify !== null && !this.armed && taken < budget) this.idle();
    return taken;
  }

  /** Lend the next `n` frames (n <= what peek granted) to `sink`, then give them back. */
  private receiveBurst(sink: FrameSink, n: number, now: Millis): number {
    const rx = this.rx;
    const limit = this.rxBytes.length;
    let done = 0;
    let delivered = 0;
    try {
      while (done < n) {
        const off = rx.offset(done);
        const len = rx.length(done);
        done++;
        if (len > this.maxFrameLen || off + len > limit) {
          this.stats.rxDropped++; // a corrupt descriptor: count it, never lend it
          continue;
        }
        this.stats.rxFrames++;
        this.stats.rxBytes += len;
        delivered++;
        sink.onFrame(this.rxBytes, off, len, now);
      }
    } finally {
      // Runs even if the sink throws: every frame lent so far goes back, and its slot too.
      for (let i = 0; i < done; i++) this.giveBack(rx.offset(i), rx.length(i), limit);
      rx.release(done);
      // The peer ran out of frames and asked (wantFrames): wake it where it sleeps, on the
      // bell of the ring it receives from (ours to send on).
      if (rx.flushRecycled()) this.tx.data.bell.kick();
    }
    return delivered;
  }

  /** Return a received frame to its sender; a corrupt descriptor's offset only if it names a frame. */
  private giveBack(off: number, len: number, limit: number): void {
    if ((len <= this.maxFrameLen && off + len <= limit) || this.rx.arena.frameIndex(off) >= 0) this.rx.recycle(off);
  }

  /** Reserve a frame for up to `len` bytes; return its offset in `txBytes`, or -1. */
  transmitBegin(len: number): number {
    if (this.closed || !(len >= 0 && len <= this.maxFrameLen)) return -1;
    if (this.reserved >= 0) return this.reserved; // a second begin without commit reuses the frame
    if (this.tx.data.isClosed()) return -1;
    let off = this.tx.canSend() ? this.tx.alloc() : -1;
    // Full across threads (no slot or no frame: the peer holds them all): have the peer ring
    // our receive doorbell when it gives frames back, so a host that sleeps with output held
    // back (TCP's blocked sockets) wakes for them and not only for the next frame it receives.
    if (off < 0 && this.peer === null) off = this.tx.wantFrames();
    if (off < 0) return -1;
    this.reserved = off;
    return off;
  }

  /** Send `len` bytes written at `off` (from `transmitBegin`) to the other end. */
  transmitCommit(off: number, len: number, _now: Millis): void {
    if (this.closed || off !== this.reserved || this.reserved < 0) {
      this.stats.txDropped++;
      return;
    }
    this.reserved = -1;
    if (!(len >= 0 && len <= this.maxFrameLen) || this.tx.send(off, len, 0, 0) !== ChanErr.Ok) {
      this.tx.free(off);
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += len;
    // One frame per commit, so one publish per commit; a woken local peer is scheduled.
    if (this.peer === null && this.wakeBatch > 1) {
      this.tx.flush(false);
      if (++this.unwoken >= this.wakeBatch) this.flushWakeups();
      return;
    }
    if (this.tx.flush() && this.peer !== null) this.peer.schedule();
  }

  /**
   * Across threads, wake a peer that sleeps once per `frames` frames sent instead of at the
   * first (interrupt moderation from the sender's side, as a NIC driver's xmit_more defers
   * its doorbell). Each frame is still published as it is committed, so a peer that is awake
   * sees it at once; only the Atomics.notify, and the thread switch it costs when the cores
   * are shared, waits. The owner must call `flushWakeups()` whenever it runs out of work
   * and every few loop turns, or a sleeping peer waits for its own timeout: StackThread's
   * loop does (its link uses 32). On 2 cores with four busy threads (bench channels) the
   * driver thread slept about half as often and the sender spent ~15 % less CPU per GiB.
   * Default 1 (every publish may wake). Ends in one thread ignore it.
   * Errors: EINVAL unless `frames` is an integer in [1, 1024].
   */
  setWakeBatch(frames: number): void {
    if (!Number.isInteger(frames) || frames < 1 || frames > 1024) throw linkArgError(`memory link: wake batch ${frames} must be an integer in [1, 1024]`);
    this.wakeBatch = frames;
    if (frames === 1) this.flushWakeups();
  }

  /** Wake the peer for the frames sent since its last wake-up, if it sleeps; return whether it was woken. */
  flushWakeups(): boolean {
    if (this.unwoken === 0) return false;
    this.unwoken = 0;
    return this.tx.data.bell.ring();
  }

  /** Return how many wake-ups (need-wakeup flags taken, each an Atomics.notify across threads) this end's transmits delivered. */
  get wakeupsSent(): number {
    return this.tx.data.wakeups;
  }

  /** Ask for `cb` when frames arrive after the ring was seen empty; null cancels. */
  setRxNotify(cb: (() => void) | null): void {
    this.rxNotify = cb;
    if (cb !== null && !this.closed && !this.armed && !this.scheduled) this.arm();
  }

  /** Return Infinity: a memory link never holds frames back. */
  pollAt(): Millis {
    return Number.POSITIVE_INFINITY;
  }

  /** Close this end: both rings are marked closed, so the other end's transmits fail too. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rxNotify = null;
    if (this.reserved >= 0) {
      this.tx.free(this.reserved);
      this.reserved = -1;
    }
    this.flushWakeups();
    this.tx.data.close();
    this.rx.data.close(); // also wakes our own pending wait, which then finds us closed
  }

  /** The ring was seen empty and a callback is wanted: look again from a later turn, or sleep. */
  private idle(): void {
    if (this.peer !== null || this.spinLeft <= 0) {
      this.arm();
      return;
    }
    this.spinLeft--;
    this.armed = true; // a look is on its way: nothing else arms meanwhile
    setImmediate(this.spinBound);
  }

  /** A later turn's look at the ring: the callback if frames came, else spin on or sleep. */
  private spinCheck(): void {
    this.armed = false;
    if (this.closed || this.rxNotify === null) return;
    if (this.rx.peek(1) !== 0) this.rxNotify();
    else this.idle();
  }

  /** Raise the need-wakeup flag, or schedule the callback when frames are already there. */
  private arm(): void {
    if (!this.rx.data.consumeArm()) {
      this.schedule(); // frames arrived: that is the transition from empty
      return;
    }
    this.armed = true;
    if (this.peer === null && !this.waiting) {
      // Across threads the peer's publish notifies the bell; wait for it without blocking.
      this.waiting = true;
      void this.rx.data.bell.waitAsync(Number.POSITIVE_INFINITY).then(this.onBellBound);
    }
  }

  /** Schedule the callback once (the peer's publish took our flag, or frames were waiting). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.fireBound);
  }

  private fire(): void {
    this.scheduled = false;
    this.armed = false;
    const cb = this.rxNotify;
    if (cb !== null && !this.closed) cb();
  }

  private onBell(): void {
    this.waiting = false;
    this.armed = false;
    if (this.closed || this.rxNotify === null) return;
    if (this.rx.peek(1) !== 0) this.rxNotify();
    else if (!this.rx.data.isClosed()) this.arm(); // woken without frames (a stale wait): sleep again
    // else the other end closed: no frame will come, so no more waiting.
  }

  /** Connect two ends living in this thread (used by memoryLinkPair). */
  static connect(a: MemoryLink, b: MemoryLink): void {
    a.peer = b;
    b.peer = a;
  }
}

/** Return two connected ends of a memory link, both in this thread. */
export function memoryLinkPair(options: MemoryLinkOptions = {}): [MemoryLink, MemoryLink] {
  const g = geometry(options);
  const { ab, ba } = channels(g, true);
  const arena = new Arena(ab.arena);
  const chAB = openLocalChannel(ab, arena);
  const chBA = openLocalChannel(ba, arena);
  const a = new MemoryLink(g.names[0], g.maxFrameLen, chAB.producer, chBA.consumer, g.checksumOffload);
  const b = new MemoryLink(g.names[1], g.maxFrameLen, chBA.producer, chAB.consumer, g.checksumOffload);
  MemoryLink.connect(a, b);
  return [a, b];
}

/** Return the specs of the two ends of a link that may cross threads; open each with openMemoryLink. */
export function createSharedMemoryLink(options: MemoryLinkOptions = {}): [MemoryLinkSpec, MemoryLinkSpec] {
  const g = geometry(options);
  const { ab, ba } = channels(g, false);
  return [
    { kind: 'netch.memory-link', name: g.names[0], maxFrameLen: g.maxFrameLen, checksumOffload: g.checksumOffload, rxSpin: g.rxSpin, tx: ab, rx: ba },
    { kind: 'netch.memory-link', name: g.names[1], maxFrameLen: g.maxFrameLen, checksumOffload: g.checksumOffload, rxSpin: g.rxSpin, tx: ba, rx: ab },
  ];
}

/** Open one end of a shared memory link in this thread (each spec once). Throws RangeError (code EINVAL) on a bad spec. */
export function openMemoryLink(spec: MemoryLinkSpec): MemoryLink {
  if (spec === null || typeof spec !== 'object' || spec.kind !== 'netch.memory-link') {
    throw linkArgError('openMemoryLink: not a memory link spec');
  }
  if (spec.tx.fill === null || spec.rx.fill === null) throw linkArgError('openMemoryLink: the spec is for a one-thread pair');
  const arena = new Arena(spec.tx.arena);
  const rxArena = spec.rx.arena.buffer === spec.tx.arena.buffer ? arena : new Arena(spec.rx.arena);
  const rxSpin = checkRxSpin(spec.rxSpin ?? MEMORY_LINK_RX_SPIN_DEFAULT, 'openMemoryLink');
  return new MemoryLink(spec.name, spec.maxFrameLen, new ChannelProducer(spec.tx, arena), new ChannelConsumer(spec.rx, rxArena), spec.checksumOffload === true, rxSpin);
}
