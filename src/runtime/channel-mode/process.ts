// One process of a channel-mode host, in its own thread: its own Host and TcpLayer (same
// MAC and address as every process), whose only device is the pair of channels to the
// driver. Frames the driver steered here are processed where they lie in the arena (no
// copy between threads) and handed back through the done ring; frames to send are written
// into arena frames the driver lent (free ring) and given to the driver (tx ring). The
// TCP layer's flow observer registers every connection and port with the driver's
// classifier through the ctl ring. Nothing here allocates per frame.

import { Arena, Ring } from '../../channel/index.js';
import { Host } from '../../iface/host.js';
import type { FrameSink, LinkDevice, LinkStats } from '../../link/device.js';
import { newLinkStats } from '../../link/device.js';
import type { Millis } from '../../time.js';
import type { TcpOptionsInput } from '../../transport/tcp/config.js';
import { TcpLayer, type TcpFlowObserver } from '../../transport/tcp/layer.js';
import { CTL_FLOW_ADD, CTL_FLOW_REMOVE, CTL_PORT_ADD, CTL_PORT_REMOVE, type ProcSpec } from './spec.js';
import type { FrameHolder } from './zero-copy.js';

const TX_BATCH = 32;

/** The device of a process: rx/done and free/tx rings to the driver; the frame holder of its zero-copy readers. */
export class ProcDevice implements LinkDevice, FrameHolder {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  readonly txBytes: Uint8Array;
  /** The arena (the bytes zero-copy views point into; the same array as txBytes). */
  readonly bytes: Uint8Array;
  readonly checksumOffload: boolean;
  /** Frames this process may hold for zero-copy readers (ProcSpec.holdFrames). */
  readonly holdLimit: number;
  /** Driver -> process: received frames. */
  readonly rx: Ring;
  private readonly done: Ring;
  private readonly free: Ring;
  private readonly tx: Ring;
  private readonly ctl: Ring;
  private readonly driverBell: Ring;
  private readonly stack: Int32Array;
  private top = 0;
  private reserved = -1;
  private pending = 0;
  /** The frame `receive` is handing to the stack now (-1: none), its end, and whether it was held. */
  private cur = -1;
  private curEnd = 0;
  private curHeld = false;
  private held = 0;
  private donePending = 0;
  /** Control words that did not fit the ctl ring yet (rare: 4096 slots). */
  private readonly ctlBacklog: number[] = [];

  /** Attach to the rings of `spec`. */
  constructor(spec: ProcSpec, arena: Arena = new Arena(spec.arena)) {
    this.name = `chan${spec.index}`;
    this.maxFrameLen = spec.maxFrameLen;
    this.checksumOffload = spec.checksumOffload;
    this.txBytes = arena.bytes;
    this.bytes = arena.bytes;
    this.rx = new Ring(spec.rings.rx);
    this.done = new Ring(spec.rings.done);
    this.free = new Ring(spec.rings.free);
    this.tx = new Ring(spec.rings.tx);
    this.ctl = new Ring(spec.rings.ctl);
    this.driverBell = new Ring(spec.driverBell);
    this.stack = new Int32Array(spec.rings.free.size);
    this.holdLimit = spec.holdFrames;
  }

  /** Process up to `budget` steered frames in place, then hand back those not held (done ring). */
  receive(sink: FrameSink, budget: number, now: Millis): number {
    const rx = this.rx;
    const n = rx.consumePeek(budget);
    if (n === 0) return 0;
    const bytes = this.txBytes;
    let i = 0;
    try {
      for (; i < n; i++) {
        const off = rx.peekOffset(i);
        const len = rx.peekLength(i);
        this.stats.rxFrames++;
        this.stats.rxBytes += len;
        this.cur = off;
        this.curEnd = off + len;
        this.curHeld = false;
        sink.onFrame(bytes, off, len, now);
        if (!this.curHeld) this.doneAdd(off);
      }
    } finally {
      // Runs even if the sink throws: every frame taken goes back to the driver.
      if (i < n) {
        if (!this.curHeld) this.doneAdd(rx.peekOffset(i));
        i++;
      }
      this.cur = -1;
      rx.consumeRelease(i);
      this.donePublish();
    }
    return n;
  }

  /**
   * Keep the frame being received (it holds `len` payload bytes at `off` of `bytes`) out of
   * the done ring; return its offset, or -1 when it cannot be kept (not a frame of this
   * device, or the process already holds its share, ProcSpec.holdFrames). Ownership: the
   * caller owns the frame until it passes the offset to `release`.
   */
  holdCurrent(bytes: Uint8Array, off: number, len: number): number {
    if (this.cur < 0 || this.curHeld || bytes !== this.txBytes || off < this.cur || off + len > this.curEnd || this.held >= this.holdLimit) return -1;
    this.curHeld = true;
    this.held++;
    return this.cur;
  }

  /** Give back a frame `holdCurrent` kept (published at the next receive or flush). */
  release(frame: number): void {
    this.held--;
    this.doneAdd(frame);
    if (this.cur < 0 && this.donePending >= TX_BATCH) this.donePublish();
  }

  /** Frames held for the application now. */
  get heldFrames(): number {
    return this.held;
  }

  private doneAdd(off: number): void {
    // Cannot be short: the driver lends at most done.size frames (its rx quota).
    if (this.done.produceReserve(this.donePending + 1) > this.donePending) this.done.setDesc(this.donePending++, off, 0, 0, 0);
  }

  private donePublish(): void {
    if (this.donePending === 0) return;
    this.done.producePublish(this.donePending);
    this.donePending = 0;
    this.driverBell.bell.ring();
  }

  /** Take a frame the driver lent; return its offset, or -1 when none is free now. */
  transmitBegin(len: number): number {
    if (!(len >= 0 && len <= this.maxFrameLen)) return -1;
    if (this.reserved >= 0) return this.reserved;
    if (this.top === 0) {
      const free = this.free;
      const n = free.consumePeek(this.stack.length);
      for (let i = 0; i < n; i++) this.stack[this.top++] = free.peekOffset(i);
      if (n > 0) free.consumeRelease(n);
      if (this.top === 0) return -1;
    }
    this.reserved = this.stack[--this.top]!;
    return this.reserved;
  }

  /** Queue the frame for the driver; published by `flush` (or every TX_BATCH frames). */
  transmitCommit(off: number, len: number, _now: Millis): void {
    if (off !== this.reserved) {
      this.stats.txDropped++;
      return;
    }
    this.reserved = -1;
    // Cannot fail: the process holds at most tx.size frames.
    if (this.tx.produceReserve(this.pending + 1) <= this.pending) {
      this.stack[this.top++] = off;
      this.stats.txDropped++;
      return;
    }
    this.tx.setDesc(this.pending++, off, len, 0, 0);
    this.stats.txFrames++;
    this.stats.txBytes += len;
    if (this.pending >= TX_BATCH) this.flush();
  }

  /** Publish queued frames and control words to the driver, and wake it if it sleeps. */
  flush(): void {
    if (this.ctlBacklog.length > 0) this.pushCtlBacklog();
    this.donePublish();
    if (this.pending === 0) return;
    this.tx.producePublish(this.pending);
    this.pending = 0;
    this.driverBell.bell.ring();
  }

  /** Register a flow or port change with the driver (published at once: it must precede the frames that follow it). */
  control(op: number, addr: number, ports: number): void {
    if (this.ctlBacklog.length > 0 || this.ctl.push(op, addr >>> 0, ports >>> 0, 0) !== 0) this.ctlBacklog.push(op, addr >>> 0, ports >>> 0);
  }

  private pushCtlBacklog(): void {
    const b = this.ctlBacklog;
    let i = 0;
    while (i < b.length && this.ctl.push(b[i]!, b[i + 1]!, b[i + 2]!, 0) === 0) i += 3;
    b.splice(0, i);
  }

  /** Notification is the runtime loop's business (it sleeps on the rx doorbell). */
  setRxNotify(_cb: (() => void) | null): void {}

  /** Return Infinity: frames are never held back. */
  pollAt(): Millis {
    return Number.POSITIVE_INFINITY;
  }

  /** Nothing to release: the driver reclaims our frames when the process goes. */
  close(): void {}
}

/** The stack of one process: a Host with the shared address on a ProcDevice, and its TcpLayer. */
export class ChannelProcess implements TcpFlowObserver {
  readonly spec: ProcSpec;
  readonly dev: ProcDevice;
  readonly host: Host;
  readonly tcp: TcpLayer;

  /** Build the stack of process `spec.index`. */
  constructor(spec: ProcSpec, tcp: TcpOptionsInput = {}) {
    this.spec = spec;
    this.dev = new ProcDevice(spec);
    this.host = new Host({ name: `proc${spec.index}`, ephemeralPorts: spec.ephemeralPorts });
    this.host.addInterface(this.dev, { mac: spec.mac, address: spec.address });
    this.tcp = new TcpLayer(this.host, tcp);
    this.tcp.flowObserver = this;
  }

  /** Poll the host and publish what it sent; return the work done. */
  poll(now: Millis): number {
    const w = this.host.poll(now);
    this.dev.flush();
    return w;
  }

  /**
   * Sleep until the driver steers a frame here or lends frames, or `timeoutMs` passes.
   * Returns at once (-1) when frames are already waiting, else the wait's ChanErr (Ok: woken, TimedOut).
   */
  sleep(timeoutMs: number): number {
    const rx = this.dev.rx;
    this.dev.flush();
    if (!rx.consumeArm()) return -1;
    const r = rx.bell.waitSync(timeoutMs);
    rx.bell.disarm();
    return r;
  }

  flowAdded(_la: number, lp: number, ra: number, rp: number): void {
    this.dev.control(CTL_FLOW_ADD, ra, (rp << 16) | lp);
  }

  flowRemoved(_la: number, lp: number, ra: number, rp: number): void {
    this.dev.control(CTL_FLOW_REMOVE, ra, (rp << 16) | lp);
  }

  portAdded(port: number): void {
    this.dev.control(CTL_PORT_ADD, 0, port);
  }

  portRemoved(port: number): void {
    this.dev.control(CTL_PORT_REMOVE, 0, port);
  }
}
