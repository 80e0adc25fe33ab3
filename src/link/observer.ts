// The shared shape of transparent link middleware (pcap capture, tracer): a device that
// wraps another, shows every frame crossing it in either direction to a subclass, and is
// otherwise the inner device itself: same name, limits, counters and transmit buffer.

import type { Millis } from '../time.js';
import type { FrameSink, LinkDevice, LinkStats } from './device.js';

const NULL_SINK: FrameSink = { onFrame() {} };

/**
 * Middleware that observes frames without changing them. Subclasses implement
 * `observeRx` and `observeTx`; both must not throw and must not keep the bytes.
 * Ownership: `close()` closes the inner device.
 */
export abstract class ObservingDevice implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats;
  readonly txBytes: Uint8Array;
  /** The device this middleware wraps. */
  readonly inner: LinkDevice;
  private readonly rxSink: ObserverSink;

  constructor(inner: LinkDevice) {
    this.inner = inner;
    this.name = inner.name;
    this.maxFrameLen = inner.maxFrameLen;
    this.stats = inner.stats;
    this.txBytes = inner.txBytes;
    this.rxSink = new ObserverSink(this);
  }

  /** See one received frame before it goes up. */
  abstract observeRx(buf: Uint8Array, off: number, len: number, now: Millis): void;
  /** See one frame about to be transmitted. */
  abstract observeTx(buf: Uint8Array, off: number, len: number, now: Millis): void;

  /** Deliver up to `budget` frames from the inner device to `sink`, observing each. */
  receive(sink: FrameSink, budget: number, now: Millis): number {
    const s = this.rxSink;
    s.down = sink;
    const n = this.inner.receive(s, budget, now);
    s.down = NULL_SINK;
    return n;
  }

  /** Reserve room in the inner device. */
  transmitBegin(len: number): number {
    return this.inner.transmitBegin(len);
  }

  /** Observe the frame, then send it through the inner device. */
  transmitCommit(off: number, len: number, now: Millis): void {
    this.observeTx(this.txBytes, off, len, now);
    this.inner.transmitCommit(off, len, now);
  }

  /** Pass the notification request to the inner device. */
  setRxNotify(cb: (() => void) | null): void {
    this.inner.setRxNotify(cb);
  }

  /** Return the inner device's poll time. */
  pollAt(): Millis {
    return this.inner.pollAt();
  }

  /** Close the inner device. */
  close(): void {
    this.inner.close();
  }
}

/** The sink handed to the inner device: observe, then pass on. */
class ObserverSink implements FrameSink {
  down: FrameSink = NULL_SINK;
  constructor(private readonly dev: ObservingDevice) {}

  onFrame(buf: Uint8Array, off: number, len: number, now: Millis): void {
    this.dev.observeRx(buf, off, len, now);
    this.down.onFrame(buf, off, len, now);
  }
}
