// Worker side of the cross-thread memory link test: open the spec it is given, check every
// frame it receives (sequence number and byte pattern), and echo each one back unchanged.

import { parentPort, workerData } from 'node:worker_threads';
import { openMemoryLink, type MemoryLinkSpec } from '../../src/link/memory.js';
import type { FrameSink } from '../../src/link/device.js';

/** Write the test pattern of frame `seq` (len bytes) at `off` of `buf`. */
export function fillFrame(buf: Uint8Array, off: number, len: number, seq: number): void {
  buf[off] = seq >>> 24;
  buf[off + 1] = (seq >>> 16) & 0xff;
  buf[off + 2] = (seq >>> 8) & 0xff;
  buf[off + 3] = seq & 0xff;
  for (let i = 4; i < len; i++) buf[off + i] = (seq + i) & 0xff;
}

/** Return the sequence number of a frame if its pattern is intact, else -1. */
export function checkFrame(buf: Uint8Array, off: number, len: number): number {
  if (len < 4) return -1;
  const seq = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
  for (let i = 4; i < len; i++) if (buf[off + i] !== ((seq + i) & 0xff)) return -1;
  return seq;
}

/** The length of frame `seq`: 60..1514. */
export function frameLen(seq: number): number {
  return 60 + (seq % 1455);
}

if (parentPort !== null && (workerData as { role?: string } | null)?.role === 'echo') {
  const { spec, total } = workerData as { spec: MemoryLinkSpec; total: number };
  const link = openMemoryLink(spec);
  const keepAlive = setInterval(() => {}, 1000); // a pending waitAsync alone does not keep a thread alive
  let received = 0;
  let error: string | null = null;
  let notifies = 0;
  let scheduled = false;
  const sink: FrameSink = {
    onFrame(buf, off, len, now) {
      const seq = checkFrame(buf, off, len);
      if (error === null && (seq !== received || len !== frameLen(received))) error = `frame ${received}: got seq ${seq} len ${len}`;
      received++;
      // A frame was reserved before this receive, so the echo cannot fail.
      const at = link.transmitBegin(len);
      link.txBytes.set(buf.subarray(off, off + len), at);
      link.transmitCommit(at, len, now);
    },
  };
  const drain = (): void => {
    scheduled = false;
    let blocked = false;
    for (;;) {
      if (link.transmitBegin(link.maxFrameLen) < 0) {
        blocked = true; // no room to echo: poll again soon
        break;
      }
      if (link.receive(sink, 1, 0) === 0) break; // the reservation is kept for next time
    }
    if (received >= total || error !== null) {
      clearInterval(keepAlive);
      parentPort!.postMessage({ received, error, notifies, stats: link.stats });
      link.close();
      return;
    }
    // Frames may still be waiting (echo blocked): poll. Only a receive that found the ring
    // empty re-armed the notify, so a blocked drain must poll even if room came back since.
    if (blocked) {
      scheduled = true;
      setTimeout(drain, 1);
    }
  };
  link.setRxNotify(() => {
    notifies++;
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  });
}
