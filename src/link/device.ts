// The device contract: what every link (memory, TAP, UDP tunnel) and every middleware
// (pcap writer, fault injector, tracer) implements, so they stack: a fault injector wraps a
// pcap writer that wraps a TAP device, and the host sees one LinkDevice.
//
// Frames are Ethernet II frames without the FCS. Receiving is pull-based and batched, the
// way a driver drains an rx ring: the host calls `receive(sink, budget, now)` and the device
// lends each frame to the sink for the duration of one call. Transmitting writes in place:
// `transmitBegin(len)` reserves room in `txBytes` (an arena frame, for arena-backed links)
// and `transmitCommit` hands it to the device. Neither direction allocates per frame.

import { chanArgError } from '../channel/errors.js';
import { copyBytes } from '../storage/copy.js';
import type { Millis } from '../time.js';

/** The consumer of received frames. */
export interface FrameSink {
  /**
   * Handle one received frame: `len` bytes at `off` of `buf`.
   * Ownership: the bytes are lent for the duration of the call only; keep a copy (or, in
   * channel mode, the arena descriptor) to hold on to them.
   */
  onFrame(buf: Uint8Array, off: number, len: number, now: Millis): void;
}

/** Counters every device keeps (in the spirit of /proc/net/dev). */
export interface LinkStats {
  rxFrames: number;
  rxBytes: number;
  rxDropped: number;
  txFrames: number;
  txBytes: number;
  txDropped: number;
}

/** Return a zeroed LinkStats record. */
export function newLinkStats(): LinkStats {
  return { rxFrames: 0, rxBytes: 0, rxDropped: 0, txFrames: 0, txBytes: 0, txDropped: 0 };
}

/** A network device that moves Ethernet frames. */
export interface LinkDevice {
  /** A short name for traces and counters (`mem0`, `tap0`). */
  readonly name: string;
  /** The largest frame, Ethernet header included (1514 for a 1500-byte MTU). */
  readonly maxFrameLen: number;
  /** Counters. */
  readonly stats: LinkStats;
  /** The buffer `transmitBegin` offsets point into; it never changes for a device. */
  readonly txBytes: Uint8Array;
  /**
   * True when frames cannot be corrupted between this device and its peer (a memory link
   * that says so), as Linux's loopback declares CHECKSUM_PARTIAL/UNNECESSARY: hosts may
   * skip computing and verifying transport checksums on it. Absent means false; middleware
   * that can corrupt frames (a fault injector) never forwards it.
   */
  readonly checksumOffload?: boolean;
  /**
   * True when the device completes the TCP and UDP checksums of the IPv4 frames it sends
   * (a TAP device with IFF_VNET_HDR marks them NEEDS_CSUM for the kernel): hosts may leave
   * them uncomputed. Unlike `checksumOffload` it says nothing about received frames; see
   * `rxChecksumOk`. Absent means false.
   */
  readonly txChecksumOffload?: boolean;
  /**
   * Valid only inside `sink.onFrame`: true when the frame being delivered needs no
   * transport checksum check (its sender left it partial for us, as a kernel's
   * CHECKSUM_PARTIAL, or verified it, CHECKSUM_UNNECESSARY). Set per frame by devices that
   * know (TAP with offload); absent means false. Middleware that delays frames or hides
   * this field makes such frames fail their checksum check: an offloading TAP is meant to
   * be attached to a host directly.
   */
  readonly rxChecksumOk?: boolean;
  /**
   * The largest IPv4 datagram (header included) the device takes for TCP segmentation
   * offload (TSO): a host may then send one TCP segment of many MSS with
   * `transmitCommitTso`, and the device (or the kernel behind it) cuts it into segments of
   * the MSS. Absent or 0: no TSO; frames stay within `maxFrameLen`. A device with TSO may
   * also deliver received super-frames (GRO/GSO) longer than `maxFrameLen`.
   */
  readonly tsoMaxBytes?: number;

  /**
   * Deliver up to `budget` received frames to `sink`, in arrival order; return how many.
   * Bounded work: at most `budget` frames per call.
   */
  receive(sink: FrameSink, budget: number, now: Millis): number;

  /**
   * Reserve room for one outgoing frame of at most `len` bytes; return its offset in
   * `txBytes`, or -1 when the device cannot take a frame now (full ring, closed, or
   * `len > maxFrameLen`, or past 14 + `tsoMaxBytes` on a TSO device): the caller counts the
   * drop and moves on.
   */
  transmitBegin(len: number): number;

  /**
   * Send the frame of `len` bytes written at `off` (as returned by `transmitBegin`).
   * Ownership: takes the reserved room; the caller must not touch it after return.
   */
  transmitCommit(off: number, len: number, now: Millis): void;

  /**
   * Send the TCP super-segment of `len` bytes written at `off` (room from `transmitBegin`,
   * which takes lengths up to 14 + `tsoMaxBytes` on such a device), to be cut into
   * segments of `segSize` data bytes, each with a copy of the headers. Only devices with
   * `tsoMaxBytes` > 0 have it.
   * Ownership: takes the reserved room; the caller must not touch it after return.
   */
  transmitCommitTso?(off: number, len: number, segSize: number, now: Millis): void;

  /**
   * Ask to be called when frames become available to `receive` (edge-triggered: once per
   * transition from empty). `null` cancels. The callback must only schedule work.
   */
  setRxNotify(cb: (() => void) | null): void;

  /** Return the earliest time at which frames not available now may become so (a delayed frame), or Infinity. */
  pollAt(): Millis;

  /** Release the device's resources; later calls return -1 or 0. Idempotent. */
  close(): void;
}

/**
 * Send a copy of `len` bytes at `off` of `src` through `dev`; return false when the device
 * had no room (the drop is counted in `dev.stats.txDropped`).
 */
export function transmitCopy(dev: LinkDevice, src: Uint8Array, off: number, len: number, now: Millis): boolean {
  const at = dev.transmitBegin(len);
  if (at < 0) {
    dev.stats.txDropped++;
    return false;
  }
  copyBytes(dev.txBytes, at, src, off, len);
  dev.transmitCommit(at, len, now);
  return true;
}

/**
 * Return a RangeError for a bad setup argument of a link (an option, a spec), with the
 * stable `code` EINVAL that docs/errors.md lists.
 */
export function linkArgError(message: string): RangeError & { code: 'EINVAL' } {
  return chanArgError(message);
}
