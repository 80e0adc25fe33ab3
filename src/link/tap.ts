// The TAP link: a Linux TAP device (/dev/net/tun in IFF_TAP | IFF_NO_PI mode) as a
// LinkDevice, so the host exchanges Ethernet frames with the kernel: the kernel side of the
// device is an ordinary interface that `ip`, ping, socat and tcpdump can use.
//
// Node cannot issue the TUNSETIFF ioctl, so a small optional N-API addon (native/tap.cc,
// built at install time) opens the device, optionally inside a network namespace, and does
// the reads and writes. Without the addon, `openTap` throws NETCH_ERR_TAP_UNAVAILABLE; when
// the kernel refuses (not root, no /dev/net/tun, a name in use), NETCH_ERR_TAP_OPEN with the
// errno.
//
// Receive path (docs/links.md has the measurements behind the choice): the descriptor is
// non-blocking; a libuv poll watcher (uv_poll, one-shot) calls back when it becomes readable;
// `receive` then reads frames in batches with one addon call per batch, each frame straight
// into its slot of the receive buffer that is lent to the sink (one copy: the kernel's).
// The watcher is re-armed when a `receive` finds the device empty, so notification is
// edge-triggered like the memory link's: a host that stops on its budget must poll again.
//
// Transmit path: `transmitBegin` hands out the device's own tx buffer; `transmitCommit`
// writes it to the descriptor synchronously (a TAP write never blocks for long: the kernel
// takes the frame or drops it). A failed write (EAGAIN, or the device went away) counts
// txDropped.
//
// Offload (`offload: true`, opt-in): the device is opened with IFF_VNET_HDR and
// TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4), so a virtio_net_hdr (vnet-hdr.ts) travels before
// every frame, in the same receive slot and the same tx buffer. The kernel then hands us
// TCP super-frames of up to 64 KiB (GSO TCPV4) and frames whose TCP/UDP checksum it left
// partial (NEEDS_CSUM) or verified (DATA_VALID): `rxChecksumOk` tells the host, per frame,
// to skip the check. We send IPv4 TCP frames with NEEDS_CSUM (the host leaves the checksum
// to us: `txChecksumOffload`) and TSO super-frames through `transmitCommitTso`
// (`tsoMaxBytes`), which the kernel segments. The link MTU stays `maxFrameLen`.
//
// Nothing here allocates per frame.

import { createRequire } from 'node:module';
import type { Millis } from '../time.js';
import { newLinkStats, type FrameSink, type LinkDevice, type LinkStats } from './device.js';
import { TAP_TSO_MAX_BYTES, VNET_HDR_LEN, VnetRx, emitVnetTx, vnetIsGso, vnetRxKind } from './vnet-hdr.js';

/** The `code` of the Error thrown when the TAP addon is not built or cannot load. */
export const NETCH_ERR_TAP_UNAVAILABLE = 'NETCH_ERR_TAP_UNAVAILABLE';
/** The `code` of the Error thrown when the kernel refuses to open or attach the device. */
export const NETCH_ERR_TAP_OPEN = 'NETCH_ERR_TAP_OPEN';

/** The default largest frame: a 1500-byte MTU plus the 14-byte Ethernet header. */
export const TAP_MAX_FRAME_DEFAULT = 1514;
/** The default frames read per addon call. */
export const TAP_BATCH_DEFAULT = 64;
/** The longest Linux interface name (IFNAMSIZ - 1). */
export const TAP_NAME_MAX = 15;

/** The functions of native/tap.cc. */
export interface TapAddon {
  open(name: string, netnsPath: string | null, offload?: boolean): { fd: number; name: string; vnetHdrLen?: number };
  read(fd: number, buf: Uint8Array, stride: number, max: number, lens: Int32Array): number;
  write(fd: number, buf: Uint8Array, off: number, len: number): number;
  close(fd: number): number;
  waitReadable(fd: number, timeoutMs: number): number;
  watch(fd: number, cb: () => void): unknown;
  arm(handle: unknown, ref: boolean): number;
  disarm(handle: unknown): void;
  unwatch(handle: unknown): void;
}

/** An Error of this module: `code` is NETCH_ERR_TAP_UNAVAILABLE or NETCH_ERR_TAP_OPEN. */
export interface TapError extends Error {
  code: string;
  /** Negative errno, as Node reports it (NETCH_ERR_TAP_OPEN only). */
  errno?: number;
  /** The errno's name, `EPERM` (NETCH_ERR_TAP_OPEN only). */
  errnoCode?: string;
  /** The call that failed: `open`, `setns`, `ioctl(TUNSETIFF)`. */
  syscall?: string;
  path?: string;
}

let addon: TapAddon | null = null;
let addonError: string | null = null;

/** Return the addon's file: $NETCH_TAP_ADDON, else native/build/Release/netch_tap.node of the package. */
export function tapAddonPath(): string {
  const env = process.env['NETCH_TAP_ADDON'];
  if (env !== undefined && env !== '') return env;
  // This file is dist/src/link/tap.js; the package root is three levels up.
  return new URL('../../../native/build/Release/netch_tap.node', import.meta.url).pathname;
}

/**
 * Load the addon once; return it, or throw NETCH_ERR_TAP_UNAVAILABLE saying why.
 * Errors: NETCH_ERR_TAP_UNAVAILABLE (not Linux, not built, or failed to load).
 */
export function loadTapAddon(): TapAddon {
  if (addon !== null) return addon;
  if (addonError === null) {
    if (process.platform !== 'linux') {
      addonError = `TAP devices need Linux (this is ${process.platform})`;
    } else {
      const path = tapAddonPath();
      try {
        addon = createRequire(import.meta.url)(path) as TapAddon;
        if (typeof addon.open !== 'function') {
          addon = null;
          addonError = `${path} is not the netch TAP addon`;
        }
      } catch (err) {
        addonError = `cannot load ${path}: ${(err as Error).message.split('\n')[0]}; build it with \`node scripts/build-native.mjs\` (needs a C++ compiler and node-gyp)`;
      }
    }
  }
  if (addon !== null) return addon;
  const e = new Error(`${NETCH_ERR_TAP_UNAVAILABLE}: the TAP addon is unavailable: ${addonError}`) as TapError;
  e.code = NETCH_ERR_TAP_UNAVAILABLE;
  throw e;
}

/** Return null when TAP devices can be opened here (addon loaded), else the reason they cannot. */
export function tapUnavailableReason(): string | null {
  try {
    loadTapAddon();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Options of `openTap`. */
export interface TapOptions {
  /** Device name (at most 15 bytes); created when absent. Empty: the kernel picks `tapN`. */
  name: string;
  /**
   * Network namespace to open the device in: a name from `ip netns` (/run/netns/NAME) or a
   * path (/proc/PID/ns/net). Default: this thread's namespace.
   */
  netns?: string;
  /** Largest frame, Ethernet header included (default 1514, a 1500-byte MTU). */
  maxFrameLen?: number;
  /** Frames read per addon call (default 64). */
  batch?: number;
  /** Keep the event loop alive while waiting for frames (default true, like a listening server). */
  keepAlive?: boolean;
  /**
   * Checksum and segmentation offload with the kernel (default false): IFF_VNET_HDR,
   * TUN_F_CSUM and TUN_F_TSO4. Received TCP super-frames (up to 64 KiB) and partial
   * checksums are accepted; sent TCP checksums are left to the kernel and TCP may send
   * super-segments (TSO). Attach such a device to a host directly (see
   * LinkDevice.rxChecksumOk); one-thread mode only.
   */
  offload?: boolean;
}

function tapOpenError(message: string): TapError {
  const e = new Error(`${NETCH_ERR_TAP_OPEN}: ${message}`) as TapError;
  e.code = NETCH_ERR_TAP_OPEN;
  return e;
}

/** Return the namespace path for a name from `ip netns` or a path. */
export function netnsPath(netns: string): string {
  return netns.includes('/') ? netns : `/run/netns/${netns}`;
}

/**
 * Open (creating if needed) the TAP device `opts.name` and return it as a LinkDevice. The
 * device lives as long as the descriptor: closing it removes a device it created.
 * Errors: NETCH_ERR_TAP_UNAVAILABLE (no addon), NETCH_ERR_TAP_OPEN (the kernel refused:
 * `errno`, `errnoCode`, `syscall` say why; EPERM when not root), RangeError (bad options).
 */
export function openTap(opts: TapOptions): TapDevice {
  const name = opts.name;
  if (typeof name !== 'string' || Buffer.byteLength(name) > TAP_NAME_MAX || name.includes('/') || /\s/.test(name)) {
    throw new RangeError(`TAP device name ${JSON.stringify(name)} must be at most ${TAP_NAME_MAX} bytes without '/' or spaces`);
  }
  const maxFrameLen = opts.maxFrameLen ?? TAP_MAX_FRAME_DEFAULT;
  if (!Number.isInteger(maxFrameLen) || maxFrameLen < 60 || maxFrameLen > 65535 + 14) {
    throw new RangeError(`TAP maxFrameLen ${maxFrameLen} must be an integer in [60, 65549]`);
  }
  const batch = opts.batch ?? TAP_BATCH_DEFAULT;
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) throw new RangeError(`TAP batch ${batch} must be an integer in [1, 4096]`);
  const a = loadTapAddon();
  const ns = opts.netns === undefined ? null : netnsPath(opts.netns);
  const offload = opts.offload === true;
  let opened: { fd: number; name: string; vnetHdrLen?: number };
  try {
    opened = a.open(name, ns, offload);
  } catch (err) {
    const e = err as TapError;
    if (e.code === NETCH_ERR_TAP_OPEN) {
      if (e.errnoCode === 'EPERM' || e.errnoCode === 'EACCES') e.message += ' (opening a TAP device needs root or CAP_NET_ADMIN)';
      throw e;
    }
    throw tapOpenError(`${(e as Error).message}`);
  }
  if (offload && opened.vnetHdrLen !== VNET_HDR_LEN) {
    a.close(opened.fd);
    throw tapOpenError(`the TAP addon at ${tapAddonPath()} predates offload support; rebuild it with \`node scripts/build-native.mjs\``);
  }
  return new TapDevice(a, opened.fd, opened.name, maxFrameLen, batch, opts.keepAlive !== false, offload);
}

/** An open TAP device: a LinkDevice over a /dev/net/tun descriptor. */
export class TapDevice implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats = newLinkStats();
  readonly txBytes: Uint8Array;
  /** Offload is on: the kernel completes the TCP checksums of IPv4 frames we send. */
  readonly txChecksumOffload: boolean;
  /** During `sink.onFrame`: the frame's transport checksum needs no check (offload only). */
  rxChecksumOk = false;
  /** The largest IPv4 datagram sent or received as a TCP super-frame (offload), else 0. */
  readonly tsoMaxBytes: number;
  /** Super-frames received (GSO TCPV4, offload only). */
  rxGsoFrames = 0;
  /** Super-segments sent for the kernel to segment (TSO, offload only). */
  txTsoFrames = 0;
  /** The file descriptor (for diagnostics; -1 once closed). */
  fd: number;
  /** The last errno (positive) a read or write failed with, other than EAGAIN; 0 if none. */
  lastErrno = 0;

  private readonly addon: TapAddon;
  /** Receive slots: frame i of a batch at i * stride. */
  private readonly rxBuf: Uint8Array;
  private readonly rxLens: Int32Array;
  private readonly stride: number;
  private readonly batch: number;
  private readonly keepAlive: boolean;
  /** Bytes of virtio_net_hdr before each frame: VNET_HDR_LEN with offload, else 0. */
  private readonly hdrLen: number;
  /** The longest frame accepted to send or received: 14 + 65535 with offload, else maxFrameLen. */
  private readonly bigFrameLen: number;
  private watcher: unknown = null;
  private rxNotify: (() => void) | null = null;
  private armed = false;
  private closed = false;
  private readonly onReadableBound = (): void => this.onReadable();

  /** Wrap an open descriptor; use openTap instead. */
  constructor(a: TapAddon, fd: number, name: string, maxFrameLen: number, batch: number, keepAlive: boolean, offload = false) {
    this.addon = a;
    this.fd = fd;
    this.name = name;
    this.maxFrameLen = maxFrameLen;
    this.batch = batch;
    this.keepAlive = keepAlive;
    this.hdrLen = offload ? VNET_HDR_LEN : 0;
    this.txChecksumOffload = offload;
    this.tsoMaxBytes = offload ? TAP_TSO_MAX_BYTES : 0;
    this.bigFrameLen = offload ? Math.max(maxFrameLen, 14 + TAP_TSO_MAX_BYTES) : maxFrameLen;
    // One byte of room past the largest frame (rounded to a cache line) shows an oversized
    // frame as too long instead of silently cut.
    this.stride = (this.hdrLen + this.bigFrameLen + 64) & ~63;
    this.rxBuf = new Uint8Array(this.stride * batch);
    this.rxLens = new Int32Array(batch);
    this.txBytes = new Uint8Array(this.hdrLen + this.bigFrameLen);
  }

  /** Read and deliver up to `budget` frames to `sink`; return how many were delivered. */
  receive(sink: FrameSink, budget: number, now: Millis): number {
    if (this.closed || !(budget > 0)) return 0;
    const a = this.addon;
    const buf = this.rxBuf;
    const lens = this.rxLens;
    const stride = this.stride;
    const max = this.maxFrameLen;
    const hdr = this.hdrLen;
    const big = this.bigFrameLen;
    let taken = 0;
    let delivered = 0;
    let empty = false;
    while (taken < budget) {
      const want = Math.min(this.batch, budget - taken);
      const n = a.read(this.fd, buf, stride, want, lens);
      if (n < 0) {
        // A hard error (the device was deleted: EBADFD/EIO): count it and stop notifying,
        // or a descriptor that stays "readable" would spin the loop.
        this.lastErrno = -n;
        this.stats.rxDropped++;
        return delivered;
      }
      taken += n;
      for (let i = 0; i < n; i++) {
        const at = i * stride;
        const len = lens[i]! - hdr;
        if (hdr !== 0) {
          // A super-frame may exceed the MTU (up to 14 + 65535); any other frame may not.
          const kind = len >= 14 ? vnetRxKind(buf, at) : VnetRx.Unsupported;
          const gso = kind !== VnetRx.Unsupported && vnetIsGso(buf, at);
          if (kind === VnetRx.Unsupported || len > (gso ? big : max)) {
            this.stats.rxDropped++;
            continue;
          }
          if (gso) this.rxGsoFrames++;
          this.rxChecksumOk = kind === VnetRx.ChecksumOk;
        } else if (len < 14 || len > max) {
          this.stats.rxDropped++;
          continue;
        }
        this.stats.rxFrames++;
        this.stats.rxBytes += len;
        delivered++;
        sink.onFrame(buf, at + hdr, len, now);
        this.rxChecksumOk = false;
        if (this.closed) return delivered; // the sink closed us
      }
      if (n < want) {
        empty = true;
        break;
      }
    }
    if (empty && this.rxNotify !== null && !this.armed) this.arm();
    return delivered;
  }

  /**
   * Return the offset of the tx buffer for a frame of `len` bytes (past the room of the
   * virtio_net_hdr with offload), or -1 (closed, too long: over maxFrameLen, or over
   * 14 + tsoMaxBytes with offload, for a super-segment).
   */
  transmitBegin(len: number): number {
    if (this.closed || !(len >= 0 && len <= this.bigFrameLen)) return -1;
    return this.hdrLen;
  }

  /** Write the frame of `len` bytes at `off` of `txBytes` to the device (at most maxFrameLen). */
  transmitCommit(off: number, len: number, _now: Millis): void {
    if (len > this.maxFrameLen) {
      this.stats.txDropped++;
      return;
    }
    this.write(off, len, 0);
  }

  /**
   * Write the TCP super-segment of `len` bytes at `off` of `txBytes` with gso_type TCPV4 and
   * gso_size `segSize`: the kernel cuts it into segments of `segSize` data bytes. Offload only;
   * a frame that is not IPv4 TCP counts txDropped.
   */
  transmitCommitTso(off: number, len: number, segSize: number, _now: Millis): void {
    if (this.hdrLen === 0 || !(segSize > 0)) {
      this.stats.txDropped++;
      return;
    }
    if (this.write(off, len, segSize) && len > this.maxFrameLen) this.txTsoFrames++;
  }

  /** Write the header (offload) and the frame; count it; return true when the kernel took it. */
  private write(off: number, len: number, segSize: number): boolean {
    const hdr = this.hdrLen;
    if (this.closed || !(len >= 14 && len <= this.bigFrameLen) || off !== hdr) {
      this.stats.txDropped++;
      return false;
    }
    if (hdr !== 0 && !emitVnetTx(this.txBytes, 0, hdr, len, segSize)) {
      this.stats.txDropped++;
      return false;
    }
    const r = this.addon.write(this.fd, this.txBytes, 0, hdr + len);
    if (r !== hdr + len) {
      if (r < 0) this.lastErrno = -r;
      this.stats.txDropped++;
      return false;
    }
    this.stats.txFrames++;
    this.stats.txBytes += len;
    return true;
  }

  /** Ask for `cb` when frames become readable after a receive found none; null cancels. */
  setRxNotify(cb: (() => void) | null): void {
    this.rxNotify = cb;
    if (this.closed) return;
    if (cb === null) {
      if (this.watcher !== null) this.addon.disarm(this.watcher);
      this.armed = false;
    } else if (!this.armed) {
      this.arm();
    }
  }

  /** Return Infinity: a TAP device never holds frames back. */
  pollAt(): Millis {
    return Number.POSITIVE_INFINITY;
  }

  /** Close the descriptor (the kernel removes a device this descriptor created). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rxNotify = null;
    this.armed = false;
    if (this.watcher !== null) this.addon.unwatch(this.watcher);
    this.watcher = null;
    this.addon.close(this.fd);
    this.fd = -1;
  }

  /** Start the one-shot readable watcher (created on first use). */
  private arm(): void {
    if (this.watcher === null) this.watcher = this.addon.watch(this.fd, this.onReadableBound);
    const r = this.addon.arm(this.watcher, this.keepAlive);
    if (r === 0) this.armed = true;
    else this.lastErrno = -r;
  }

  /** The descriptor became readable: the watcher has stopped itself; tell the host. */
  private onReadable(): void {
    this.armed = false;
    const cb = this.rxNotify;
    if (cb !== null && !this.closed) cb();
  }
}
