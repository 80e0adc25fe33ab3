// The second thread of `npm run bench -- channel`: it runs the far side of each measurement
// when bench/channel.ts asks. Spin-based measurements signal through a control buffer
// (ready, done, errors), since the main thread is busy spinning and reads no messages;
// message-based ones use the port they measure.

import { parentPort, type MessagePort } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { ChannelConsumer, Ring, type NetChannelSpec, type RingSpec } from '../src/channel/index.js';

/** Control words: the worker is ready, the worker is done, the worker's error count. */
export const CTL_READY = 0;
export const CTL_DONE = 32;
export const CTL_ERRORS = 64;
export const CTL_WORDS = 96;

type Cmd =
  | { cmd: 'spin'; ctl: Int32Array; flags: Int32Array; n: number }
  | { cmd: 'ring-rtt'; ctl: Int32Array; ping: RingSpec; pong: RingSpec; n: number }
  | { cmd: 'ring-stream'; ctl: Int32Array; spec: RingSpec; n: number }
  | { cmd: 'packets'; ctl: Int32Array; spec: NetChannelSpec; n: number }
  | { cmd: 'ringbuf'; ctl: Int32Array; sab: SharedArrayBuffer; n: number; size: number }
  | { cmd: 'echo'; n: number }
  | { cmd: 'count'; n: number }
  | { cmd: 'port'; port: MessagePort }
  | { cmd: 'exit' };

function ready(ctl: Int32Array): void {
  Atomics.store(ctl, CTL_READY, 1);
}

function finish(ctl: Int32Array, errors: number): void {
  Atomics.store(ctl, CTL_ERRORS, errors);
  Atomics.store(ctl, CTL_DONE, 1);
}

/** Bare Atomics ping-pong: wait for i in flags[0], answer i in flags[32]. */
function spin(c: Extract<Cmd, { cmd: 'spin' }>): void {
  const f = c.flags;
  ready(c.ctl);
  for (let i = 1; i <= c.n; i++) {
    while (Atomics.load(f, 0) !== i);
    Atomics.store(f, 32, i);
  }
  finish(c.ctl, 0);
}

/** Channel ping-pong: pop one descriptor from `ping`, push it back on `pong`. */
function ringRtt(c: Extract<Cmd, { cmd: 'ring-rtt' }>): void {
  const ping = new Ring(c.ping);
  const pong = new Ring(c.pong);
  ready(c.ctl);
  for (let i = 0; i < c.n; i++) {
    while (ping.consumePeek(1) === 0);
    const v = ping.peekUser(0);
    // Answer first, then free the slot: the release is off the round trip's critical path.
    while (pong.push(0, 0, 0, v) !== 0);
    ping.consumeRelease(1);
  }
  finish(c.ctl, 0);
}

/** One-way stream: consume bursts of up to 32 descriptors, checking sequence numbers. */
function ringStream(c: Extract<Cmd, { cmd: 'ring-stream' }>): void {
  const r = new Ring(c.spec);
  let seq = 0;
  let errors = 0;
  ready(c.ctl);
  while (seq < c.n) {
    const k = r.consumePeek(32);
    for (let i = 0; i < k; i++) if (r.peekUser(i) !== seq + i) errors++;
    if (k > 0) r.consumeRelease(k);
    seq += k;
  }
  finish(c.ctl, errors);
}

/** Packets in arena frames: read each frame's sequence number in place, give the frame back. */
function packets(c: Extract<Cmd, { cmd: 'packets' }>): void {
  const ch = new ChannelConsumer(c.spec);
  const bytes = ch.arena.bytes;
  let seq = 0;
  let errors = 0;
  ready(c.ctl);
  while (seq < c.n) {
    const k = ch.peek(32);
    if (k === 0) continue;
    for (let i = 0; i < k; i++) {
      const off = ch.offset(i);
      const s = ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
      if (s !== seq + i || ch.length(i) !== 1500) errors++;
      ch.recycle(off);
    }
    ch.release(k);
    ch.flushRecycled();
    seq += k;
  }
  finish(c.ctl, errors);
}

/** Packets through ringbuf.js: pop each 1500-byte packet into a buffer, check its sequence number. */
function ringbuf(c: Extract<Cmd, { cmd: 'ringbuf' }>): void {
  const rb = new RingBuffer(c.sab, Uint8Array);
  const buf = new Uint8Array(c.size);
  let errors = 0;
  ready(c.ctl);
  for (let seq = 0; seq < c.n; seq++) {
    while (rb.availableRead() < c.size);
    rb.pop(buf, c.size);
    const s = ((buf[0]! << 24) | (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!) >>> 0;
    if (s !== seq) errors++;
  }
  finish(c.ctl, errors);
}

/** Serve message-based measurements on `port`: echo numbers, or count them. */
function serve(port: { postMessage(v: unknown): void; on(e: 'message', f: (m: unknown) => void): unknown }): void {
  let mode: 'echo' | 'count' | 'idle' = 'idle';
  let left = 0;
  port.on('message', (m: unknown) => {
    if (typeof m === 'number') {
      if (mode === 'echo') {
        port.postMessage(m);
        if (--left === 0) mode = 'idle';
      } else if (mode === 'count') {
        if (--left === 0) {
          mode = 'idle';
          port.postMessage('done');
        }
      }
      return;
    }
    const c = m as Cmd;
    switch (c.cmd) {
      case 'echo':
      case 'count':
        mode = c.cmd;
        left = c.n;
        port.postMessage('ready');
        break;
      case 'port':
        serve(c.port);
        break;
      case 'spin':
        spin(c);
        break;
      case 'ring-rtt':
        ringRtt(c);
        break;
      case 'ring-stream':
        ringStream(c);
        break;
      case 'packets':
        packets(c);
        break;
      case 'ringbuf':
        ringbuf(c);
        break;
      case 'exit':
        process.exit(0);
    }
  });
}

if (parentPort !== null) serve(parentPort);
