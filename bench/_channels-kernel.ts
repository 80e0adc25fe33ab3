// The kernel side of bench/channels.ts: Node `net` servers and clients over the kernel's
// loopback, one role per worker thread (not a suite). workerData:
//   { role: 'server', port, kind: 'bulk' | 'echo' }     posts {listening: true}, then runs
//   { role: 'client', ports, flows, kind: 'bulk', bytesPerFlow } | { ..., kind: 'rr', reqSize, durationMs, warmupMs }
// A client runs one round of its flows per message it gets and answers {errors, requests, ms,
// cpuMs: the thread's CPU time over the round}; a server answers 'cpu' with its thread's CPU
// time so far, and 'stop' with {errors}
// (rr counts requests sent warmupMs or more after the round's start, and reports the time since then).
// The bulk server checks every byte against the pattern; the rr client checks every reply.

import { connect, createServer, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuMs } from '../src/runtime/thread-cpu.js';
import { CHUNK, PATTERN_PERIOD, makePattern } from './_channels-app.js';

const d = workerData as { role: 'server' | 'client'; port: number; ports: number[]; kind: 'bulk' | 'echo' | 'rr'; flows: number; bytesPerFlow: number; reqSize: number; durationMs: number; warmupMs?: number };
const pattern = makePattern();
const port = parentPort!;

if (d.role === 'server') {
  let errors = 0;
  const server = createServer((c) => {
    c.setNoDelay(true);
    let rcvd = 0;
    c.on('data', (b: Buffer) => {
      if (d.kind === 'echo') {
        c.write(b);
        return;
      }
      const at = rcvd % PATTERN_PERIOD;
      if (pattern.compare(b, 0, b.length, at, at + b.length) !== 0) errors++;
      rcvd += b.length;
    });
    c.on('end', () => c.end());
    c.on('error', () => errors++);
  });
  server.listen(d.port, '127.0.0.1', () => port.postMessage({ listening: true }));
  port.on('message', (m: unknown) => {
    if (m === 'cpu') {
      port.postMessage({ cpuMs: threadCpuMs() });
      return;
    }
    port.postMessage({ errors });
    server.close();
    port.close();
  });
} else {
  // Each message starts a round of the same flows on this (warm) thread; the answer is its result.
  port.on('message', () => {
    const cpu0 = threadCpuMs();
    void round().then((r) => port.postMessage({ ...r, cpuMs: threadCpuMs() - cpu0 }));
  });
}

/** Run the client's flows once; resolve when every connection has closed. */
function round(): Promise<{ errors: number; requests: number; ms: number }> {
  return new Promise((resolve) => {
    let errors = 0;
    let done = 0;
    let requests = 0;
    const t0 = performance.now() + (d.warmupMs ?? 0);
    const stopAt = t0 + d.durationMs;
    const finish = (): void => resolve({ errors, requests, ms: performance.now() - t0 });
    for (let i = 0; i < d.flows; i++) {
      const s: Socket = connect(d.ports[i % d.ports.length]!, '127.0.0.1');
      s.setNoDelay(true);
      s.on('error', () => errors++);
      s.on('close', () => {
        if (++done === d.flows) finish();
      });
      if (d.kind === 'bulk') {
        let sent = 0;
        const pump = (): void => {
          while (sent < d.bytesPerFlow) {
            const at = sent % PATTERN_PERIOD;
            const n = Math.min(CHUNK, d.bytesPerFlow - sent);
            sent += n;
            if (!s.write(pattern.subarray(at, at + n))) return void s.once('drain', pump);
          }
          s.end();
        };
        s.on('connect', pump);
        s.on('data', () => {});
      } else {
        let sent = 0;
        let rcvd = 0;
        let counted = false;
        const send = (): void => {
          const now = performance.now();
          if (now >= stopAt) return void s.end();
          counted = now >= t0;
          const at = sent % PATTERN_PERIOD;
          s.write(pattern.subarray(at, at + d.reqSize));
          sent += d.reqSize;
        };
        s.on('connect', send);
        s.on('data', (b: Buffer) => {
          const at = rcvd % PATTERN_PERIOD;
          if (pattern.compare(b, 0, b.length, at, at + b.length) !== 0) errors++;
          rcvd += b.length;
          if (rcvd === sent) {
            if (counted) requests++;
            send();
          }
        });
      }
    }
  });
}
