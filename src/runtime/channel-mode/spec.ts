// The shared memory of a channel-mode host, as plain data posted once at setup: the link
// end the driver owns (its arena holds every frame), and per process five rings:
//
//   rx    driver -> process   received frames steered to the process (offset, length)
//   done  process -> driver   rx frames the process is finished with (offset)
//   free  driver -> process   empty transmit frames lent to the process (offset)
//   tx    process -> driver   frames to put on the link (offset, length)
//   ctl   process -> driver   flow and port registrations (op, address, ports)
//
// Quotas are ring sizes: the driver lends a process at most `rxQuota` received frames and
// `txFrames` transmit frames at a time, so the done and tx rings can never overflow and a
// process that stops consuming only fills its own rx ring (then its frames are dropped and
// counted, and nobody else's are).

import { availableParallelism } from 'node:os';
import { createRing, type ArenaSpec, type RingSpec } from '../../channel/index.js';
import type { MemoryLinkSpec } from '../../link/memory.js';

/** Empty polls a channel-mode thread makes before it sleeps, when it has a core of its own. */
export const CHANNEL_IDLE_SPINS = 64;

/**
 * Return the empty polls a channel-mode thread makes before it sleeps on its doorbell:
 * CHANNEL_IDLE_SPINS when the driver and each of `procs` processes can have a core, else 0.
 * Polling an empty ring pays only while nobody else wants the core (Linux's SO_BUSY_POLL
 * reasoning); with more threads than cores, each spin delays the thread that has the next
 * frame, and every hop of a request (peer, driver, process, driver, peer) pays for it.
 */
export function channelIdleSpins(procs: number, cores: number = availableParallelism()): number {
  return procs + 1 <= cores ? CHANNEL_IDLE_SPINS : 0;
}

/** Control op: a connection of the process entered its 4-tuple table. */
export const CTL_FLOW_ADD = 1;
/** Control op: a connection left it. */
export const CTL_FLOW_REMOVE = 2;
/** Control op: a socket of the process took a port. */
export const CTL_PORT_ADD = 3;
/** Control op: a socket gave a port back. */
export const CTL_PORT_REMOVE = 4;

/** The filter table calls the driver runs for `ChannelHost.filter` (its control path). */
export const FILTER_CALLS = ['append', 'insert', 'replace', 'delete', 'flush', 'setPolicy', 'zero', 'list', 'format', 'formatRules'] as const;
export type FilterCall = (typeof FILTER_CALLS)[number];

/** The rings of one process. */
export interface ProcRingsSpec {
  readonly rx: RingSpec;
  readonly done: RingSpec;
  readonly free: RingSpec;
  readonly tx: RingSpec;
  readonly ctl: RingSpec;
}

/** Everything a process worker needs to attach (posted once). */
export interface ProcSpec {
  readonly kind: 'netch.channel-proc';
  readonly index: number;
  readonly procs: number;
  readonly rings: ProcRingsSpec;
  /** The arena of the link (frames of both directions). */
  readonly arena: ArenaSpec;
  /** The driver's wake-up: the link's rx ring, whose doorbell the driver sleeps on. */
  readonly driverBell: RingSpec;
  readonly maxFrameLen: number;
  readonly checksumOffload: boolean;
  /**
   * Received frames the process may keep for zero-copy readers (zero-copy.ts); past it,
   * text is copied. At most half its rx quota, and all processes together at most half the
   * peer's frames, so views held by a slow application never starve another process.
   */
  readonly holdFrames: number;
  readonly mac: number;
  readonly address: string;
  /** This process's slice of the ephemeral port range, so flows never collide. */
  readonly ephemeralPorts: [number, number];
  /** Empty polls before sleeping (channelIdleSpins). */
  readonly idleSpins: number;
}

/** Everything the driver needs (posted once). */
export interface DriverSpec {
  readonly kind: 'netch.channel-driver';
  readonly link: MemoryLinkSpec;
  readonly mac: number;
  readonly address: string;
  readonly procs: readonly ProcSpec[];
  readonly rxQuota: number;
  readonly txFrames: number;
  /** Flow table slots (a power of two). */
  readonly flowCapacity: number;
  /** Empty polls before sleeping (channelIdleSpins). */
  readonly idleSpins: number;
}

/** Options of `createChannelModeSpec`. */
export interface ChannelModeSpecOptions {
  link: MemoryLinkSpec;
  mac: number;
  /** The one address every process shares, with its prefix (`198.51.100.2/24`). */
  address: string;
  procs: number;
  /** Received frames a process may hold (a power of two; default 512). */
  rxQuota?: number;
  /** Transmit frames lent to each process (a power of two; default 256). */
  txFrames?: number;
  /** Received frames each process may hold for zero-copy readers (default and maximum: min(rxQuota / 2, link rx frames / (2 x procs))). */
  holdFrames?: number;
  flowCapacity?: number;
  ephemeralPorts?: [number, number];
  /** Empty polls a thread makes before it sleeps (default: channelIdleSpins(procs)). */
  idleSpins?: number;
}

/** Return the specs of a driver and `procs` processes over the driver's link end. Throws RangeError on impossible sizes. */
export function createChannelModeSpec(o: ChannelModeSpecOptions): DriverSpec {
  const rxQuota = o.rxQuota ?? 512;
  const txFrames = o.txFrames ?? 256;
  if (o.link.tx.frameCount < o.procs * txFrames + 16) {
    throw new RangeError(`channel mode: the link end owns ${o.link.tx.frameCount} frames, ${o.procs} processes need ${o.procs} x ${txFrames} + 16`);
  }
  const holdMax = Math.min(rxQuota >>> 1, Math.floor(o.link.rx.frameCount / (2 * o.procs)));
  const holdFrames = Math.max(0, Math.min(holdMax, Math.floor(o.holdFrames ?? holdMax)));
  const [low, high] = o.ephemeralPorts ?? [32768, 60999];
  const span = Math.floor((high - low + 1) / o.procs);
  const idleSpins = o.idleSpins ?? channelIdleSpins(o.procs);
  if (!Number.isInteger(idleSpins) || idleSpins < 0) throw new RangeError(`channel mode: idleSpins ${idleSpins} must be a non-negative integer`);
  const procs: ProcSpec[] = [];
  for (let i = 0; i < o.procs; i++) {
    procs.push({
      kind: 'netch.channel-proc',
      index: i,
      procs: o.procs,
      rings: {
        rx: createRing(rxQuota),
        done: createRing(rxQuota),
        free: createRing(txFrames),
        tx: createRing(txFrames),
        ctl: createRing(4096),
      },
      arena: o.link.tx.arena,
      driverBell: o.link.rx.data,
      maxFrameLen: o.link.maxFrameLen,
      checksumOffload: o.link.checksumOffload,
      holdFrames,
      mac: o.mac,
      address: o.address,
      ephemeralPorts: [low + i * span, low + (i + 1) * span - 1],
      idleSpins,
    });
  }
  return { kind: 'netch.channel-driver', link: o.link, mac: o.mac, address: o.address, procs, rxQuota, txFrames, flowCapacity: o.flowCapacity ?? 1 << 16, idleSpins };
}
