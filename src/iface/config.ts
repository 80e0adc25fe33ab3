// A host's tunables, named after the Linux sysctls they imitate, with Linux's defaults.
// Options given to `new Host()` override them; everything is fixed after construction.

import type { Millis } from '../time.js';
import { IPV4_DEFAULT_TTL } from '../wire/ipv4.js';
import { type ArpConfig, defaultArpConfig } from './arp-cache.js';
import { netchError } from './errors.js';

/** The resolved configuration of a host. */
export interface HostConfig {
  arp: ArpConfig;
  /** TTL of datagrams we originate (net.ipv4.ip_default_ttl). */
  defaultTtl: number;
  /** How long an incomplete datagram's fragments are kept (net.ipv4.ipfrag_time, in ms). */
  reasmTimeoutMs: Millis;
  /** Datagrams reassembled at once (each holds up to 64 KiB; stands in for ipfrag_high_thresh). */
  reasmMaxDatagrams: number;
  /** MTU of the loopback path (datagrams to our own addresses). */
  loopbackMtu: number;
  /** Datagrams the loopback path holds until the next poll. */
  loopbackQueueLen: number;
  /** ICMP errors per second (net.ipv4.icmp_msgs_per_sec) and the burst allowed (icmp_msgs_burst). */
  icmpRatePerSec: number;
  icmpBurst: number;
  /** Ignore echo requests sent to a broadcast address (net.ipv4.icmp_echo_ignore_broadcasts). */
  icmpEchoIgnoreBroadcasts: boolean;
  /** Local port range for ephemeral binds (net.ipv4.ip_local_port_range). */
  ephemeralLow: number;
  ephemeralHigh: number;
  /** Receive buffer of a UDP socket in payload bytes, and the most datagrams it queues. */
  udpRcvbufBytes: number;
  udpRcvQueueLen: number;
  /** Frames taken from each device per poll. */
  rxBudget: number;
}

/** Options of `new Host()`: every field optional. */
export interface HostOptions {
  name?: string;
  arp?: Partial<ArpConfig>;
  defaultTtl?: number;
  reasmTimeoutMs?: Millis;
  reasmMaxDatagrams?: number;
  loopbackMtu?: number;
  loopbackQueueLen?: number;
  icmpRatePerSec?: number;
  icmpBurst?: number;
  icmpEchoIgnoreBroadcasts?: boolean;
  /** [low, high] inclusive, like ip_local_port_range (default [32768, 60999]). */
  ephemeralPorts?: [number, number];
  udpRcvbufBytes?: number;
  udpRcvQueueLen?: number;
  rxBudget?: number;
}

function int(v: number | undefined, dflt: number, min: number, max: number, name: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw netchError('EINVAL', `option ${name}=${String(v)} is not an integer in [${min}, ${max}]`, { syscall: 'Host' });
  }
  return v;
}

function dur(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw netchError('EINVAL', `option ${name}=${String(v)} is not a duration in ms`, { syscall: 'Host' });
  }
  return v;
}

/** Return the full configuration for `opts`. Errors: throws EINVAL for an out-of-range option. */
export function resolveHostConfig(opts: HostOptions = {}): HostConfig {
  const a = defaultArpConfig();
  const ao = opts.arp ?? {};
  const arp: ArpConfig = {
    reachableMs: dur(ao.reachableMs, a.reachableMs, 'arp.reachableMs'),
    retransMs: dur(ao.retransMs, a.retransMs, 'arp.retransMs'),
    mcastProbes: int(ao.mcastProbes, a.mcastProbes, 1, 100, 'arp.mcastProbes'),
    ucastProbes: int(ao.ucastProbes, a.ucastProbes, 1, 100, 'arp.ucastProbes'),
    delayFirstProbeMs: dur(ao.delayFirstProbeMs, a.delayFirstProbeMs, 'arp.delayFirstProbeMs'),
    gcStaleMs: dur(ao.gcStaleMs, a.gcStaleMs, 'arp.gcStaleMs'),
    queueLen: int(ao.queueLen, a.queueLen, 1, 1024, 'arp.queueLen'),
    queueBytes: int(ao.queueBytes, a.queueBytes, 1, 16 << 20, 'arp.queueBytes'),
    maxEntries: int(ao.maxEntries, a.maxEntries, 1, 65536, 'arp.maxEntries'),
  };
  const range = opts.ephemeralPorts ?? [32768, 60999];
  const low = int(range[0], 32768, 1, 65535, 'ephemeralPorts[0]');
  const high = int(range[1], 60999, low, 65535, 'ephemeralPorts[1]');
  return {
    arp,
    defaultTtl: int(opts.defaultTtl, IPV4_DEFAULT_TTL, 1, 255, 'defaultTtl'),
    reasmTimeoutMs: dur(opts.reasmTimeoutMs, 30_000, 'reasmTimeoutMs'),
    reasmMaxDatagrams: int(opts.reasmMaxDatagrams, 8, 0, 1024, 'reasmMaxDatagrams'),
    loopbackMtu: int(opts.loopbackMtu, 16384, 576, 65535, 'loopbackMtu'),
    loopbackQueueLen: int(opts.loopbackQueueLen, 16, 1, 4096, 'loopbackQueueLen'),
    icmpRatePerSec: int(opts.icmpRatePerSec, 1000, 0, 1_000_000, 'icmpRatePerSec'),
    icmpBurst: int(opts.icmpBurst, 50, 1, 1_000_000, 'icmpBurst'),
    icmpEchoIgnoreBroadcasts: opts.icmpEchoIgnoreBroadcasts ?? true,
    ephemeralLow: low,
    ephemeralHigh: high,
    udpRcvbufBytes: int(opts.udpRcvbufBytes, 65536, 1, 1 << 30, 'udpRcvbufBytes'),
    udpRcvQueueLen: int(opts.udpRcvQueueLen, 128, 1, 1 << 20, 'udpRcvQueueLen'),
    rxBudget: int(opts.rxBudget, 64, 1, 1 << 20, 'rxBudget'),
  };
}
