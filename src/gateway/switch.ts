// The guest network's switch: one LinkDevice the gateway host attaches as its interface,
// with any number of guest ports behind it (a QEMU stream connection, a WebSocket client, a
// UDP tunnel, a TAP device, a memory link). It learns which MAC sits behind which port from
// the source of each frame, as a learning bridge does (IEEE 802.1D §7.8), so several guests
// share one network and reach each other without the gateway's IP layer:
//
// - a frame from a guest to the gateway's MAC goes up to the host;
// - a broadcast or multicast frame goes up and to every other port;
// - a unicast frame to another guest's learned MAC goes to that port only, to an unknown
//   MAC to every other port (never up: it is not the gateway's).
//
// Transmit: the host writes each frame into a one-frame staging buffer; commit copies it to
// the port that owns the destination MAC (every port for broadcast and unknown unicast). A
// port that cannot take it drops it (counted). `transmitBegin` refuses (-1, the host's
// NoBufs, which TCP waits out instead of treating as loss) only when no port can take a
// frame: with one guest that is its backpressure; with several, a slow guest does not stall
// the others. A port's `onWritable` wakes the host when room comes back.

import type { FrameSink, LinkDevice, LinkStats } from '../link/device.js';
import { newLinkStats } from '../link/device.js';
import type { Millis } from '../time.js';
import { copyBytes } from '../storage/copy.js';
import { macToString } from '../wire/ethernet.js';

/** A guest side of the switch: anything that moves Ethernet frames to and from one or more guests. */
export interface GuestPort {
  /** A name for listings (`stream:/tmp/q.sock#1`, `ws:127.0.0.1:40000`). */
  readonly name: string;
  /** Counters of the port (rx: from the guest). */
  readonly stats: LinkStats;
  /** Deliver up to `budget` frames from the guest to `sink`; return how many. */
  receive(sink: FrameSink, budget: number, now: Millis): number;
  /** Return true when the port can take a frame now. */
  writable(): boolean;
  /** Send a copy of the frame (`len` bytes at `off`); return false when it was dropped. */
  send(buf: Uint8Array, off: number, len: number, now: Millis): boolean;
  /** Ask for `cb` when frames arrive while none wait, or when room to send comes back; null cancels. */
  setNotify(cb: (() => void) | null): void;
  /** Return the earliest time delayed frames become available, or Infinity. */
  pollAt(): Millis;
  /** Close the port. Idempotent. */
  close(): void;
}

/** A GuestPort over any LinkDevice (TAP, UDP tunnel, memory link): always writable, drops what the device refuses. */
export class DevicePort implements GuestPort {
  readonly name: string;
  readonly stats: LinkStats;

  constructor(readonly dev: LinkDevice) {
    this.name = dev.name;
    this.stats = dev.stats;
  }

  receive(sink: FrameSink, budget: number, now: Millis): number {
    return this.dev.receive(sink, budget, now);
  }

  writable(): boolean {
    return true;
  }

  send(buf: Uint8Array, off: number, len: number, now: Millis): boolean {
    const at = this.dev.transmitBegin(len);
    if (at < 0) {
      this.dev.stats.txDropped++;
      return false;
    }
    copyBytes(this.dev.txBytes, at, buf, off, len);
    this.dev.transmitCommit(at, len, now);
    return true;
  }

  setNotify(cb: (() => void) | null): void {
    this.dev.setRxNotify(cb);
  }

  pollAt(): Millis {
    return this.dev.pollAt();
  }

  close(): void {
    this.dev.close();
  }
}

/** What the switch counted. */
export interface SwitchCounters {
  /** Frames from a guest to another guest (not up to the gateway). */
  guestToGuest: number;
  /** Frames flooded (broadcast, multicast, unknown unicast). */
  flooded: number;
  /** Frames a port could not take. */
  portDrops: number;
  /** Frames too short to carry an Ethernet header. */
  runts: number;
}

const MAC_OFF_DST = 0;
const MAC_OFF_SRC = 6;

/** Return the 48-bit MAC at `off` as a number. */
function readMac(b: Uint8Array, off: number): number {
  return (((b[off]! << 8) | b[off + 1]!) * 0x1_0000_0000) + (((b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!) >>> 0);
}

/** The learning switch of the guest network (see the file comment). */
export class GuestSwitch implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  readonly txBytes: Uint8Array;
  readonly counters: SwitchCounters = { guestToGuest: 0, flooded: 0, portDrops: 0, runts: 0 };
  private readonly ports: GuestPort[] = [];
  private readonly sinks: PortSink[] = [];
  /** MAC → port, learned from frames' sources. */
  private readonly fdb = new Map<number, GuestPort>();
  private notify: (() => void) | null = null;
  private readonly notifyBound = (): void => {
    const cb = this.notify;
    if (cb !== null) cb();
  };
  private up: FrameSink | null = null;
  private closed = false;

  /** A switch whose up-link (the gateway host) has MAC `gatewayMac`. */
  constructor(
    readonly gatewayMac: number,
    opts: { name?: string; maxFrameLen?: number } = {},
  ) {
    this.name = opts.name ?? 'guests';
    this.maxFrameLen = opts.maxFrameLen ?? 1514;
    this.txBytes = new Uint8Array(this.maxFrameLen);
  }

  /** Attach a guest port; frames flow from the next poll. */
  attach(port: GuestPort): void {
    if (this.closed) {
      port.close();
      return;
    }
    this.ports.push(port);
    this.sinks.push(new PortSink(this, port));
    port.setNotify(this.notifyBound);
    this.notifyBound();
  }

  /** Detach (and close) a port; forget the MACs learned on it. */
  detach(port: GuestPort): void {
    const i = this.ports.indexOf(port);
    if (i < 0) return;
    this.ports.splice(i, 1);
    this.sinks.splice(i, 1);
    for (const [mac, p] of this.fdb) if (p === port) this.fdb.delete(mac);
    port.setNotify(null);
    port.close();
  }

  /** Return the attached ports. */
  portList(): readonly GuestPort[] {
    return this.ports;
  }

  /** Return the learned MACs as `02:..:..  port-name` lines. */
  formatFdb(): string[] {
    return [...this.fdb].map(([mac, p]) => `${macToString(mac)}  ${p.name}`);
  }

  receive(sink: FrameSink, budget: number, now: Millis): number {
    if (this.closed) return 0;
    this.up = sink;
    let n = 0;
    const ports = this.ports;
    for (let i = 0; i < ports.length && n < budget; i++) n += ports[i]!.receive(this.sinks[i]!, budget - n, now);
    this.up = null;
    return n;
  }

  /** A frame from `from`: learn its source, then switch it. */
  fromGuest(from: GuestPort, buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (len < 14) {
      this.counters.runts++;
      return;
    }
    const src = readMac(buf, off + MAC_OFF_SRC);
    // A source with the group bit set is not a station (and must not be learned).
    if ((buf[off + MAC_OFF_SRC]! & 1) === 0 && this.fdb.get(src) !== from) this.fdb.set(src, from);
    this.stats.rxFrames++;
    this.stats.rxBytes += len;
    const group = (buf[off + MAC_OFF_DST]! & 1) !== 0;
    if (group) {
      this.up?.onFrame(buf, off, len, now);
      this.flood(from, buf, off, len, now);
      return;
    }
    const dst = readMac(buf, off + MAC_OFF_DST);
    if (dst === this.gatewayMac) {
      this.up?.onFrame(buf, off, len, now);
      return;
    }
    const to = this.fdb.get(dst);
    if (to === from) return; // the station is on the port it came from
    this.counters.guestToGuest++;
    if (to !== undefined) this.sendTo(to, buf, off, len, now);
    else this.flood(from, buf, off, len, now);
  }

  transmitBegin(len: number): number {
    if (this.closed || len > this.maxFrameLen) return -1;
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) if (ports[i]!.writable()) return 0;
    // No port can take a frame (or none is attached yet: the frame would be lost anyway).
    return ports.length === 0 ? 0 : -1;
  }

  transmitCommit(off: number, len: number, now: Millis): void {
    if (this.closed || len < 14) return;
    const b = this.txBytes;
    this.stats.txFrames++;
    this.stats.txBytes += len;
    if ((b[off + MAC_OFF_DST]! & 1) !== 0) {
      this.flood(null, b, off, len, now);
      return;
    }
    const to = this.fdb.get(readMac(b, off + MAC_OFF_DST));
    if (to !== undefined) this.sendTo(to, b, off, len, now);
    else this.flood(null, b, off, len, now);
  }

  setRxNotify(cb: (() => void) | null): void {
    this.notify = cb;
    if (cb !== null) setImmediate(this.notifyBound);
  }

  pollAt(): Millis {
    let t = Infinity;
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) {
      const d = ports[i]!.pollAt();
      if (d < t) t = d;
    }
    return t;
  }

  /** Close every port. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.ports) {
      p.setNotify(null);
      p.close();
    }
    this.ports.length = 0;
    this.sinks.length = 0;
    this.fdb.clear();
    this.notify = null;
  }

  private sendTo(to: GuestPort, buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (!to.send(buf, off, len, now)) {
      this.counters.portDrops++;
      this.stats.txDropped++;
    }
  }

  private flood(from: GuestPort | null, buf: Uint8Array, off: number, len: number, now: Millis): void {
    const ports = this.ports;
    if (ports.length > (from === null ? 1 : 2)) this.counters.flooded++;
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i]!;
      if (p !== from) this.sendTo(p, buf, off, len, now);
    }
  }
}

/** The sink a port's frames enter the switch through (one per port, made at attach). */
class PortSink implements FrameSink {
  constructor(
    private readonly sw: GuestSwitch,
    private readonly port: GuestPort,
  ) {}

  onFrame(buf: Uint8Array, off: number, len: number, now: Millis): void {
    this.sw.fromGuest(this.port, buf, off, len, now);
  }
}
