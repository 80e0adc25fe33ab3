// The host-side peer of bench/gateway.ts, in a process of its own so that the gateway's
// CPU time is the bench process's alone: on 127.0.0.1, a sink (counts what a client sends
// until it half-closes), a source (sends `size` bytes of zeros to each client, then ends;
// the client half-closes first, having nothing to send),
// and a server that closes each connection at once (for connections per second). Each
// transfer is reported to the parent over IPC: { kind, bytes, ms } with ms measured here.

import net from 'node:net';
import type { AddressInfo } from 'node:net';

const size = Number(process.argv[2] ?? 256 << 20);
const chunk = Buffer.alloc(256 * 1024);

function listen(s: net.Server): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
}

const sink = net.createServer({ allowHalfOpen: true }, (c) => {
  let bytes = 0;
  let t0 = 0;
  c.on('data', (d: Buffer) => {
    if (bytes === 0) t0 = performance.now();
    bytes += d.length;
  });
  c.on('end', () => {
    process.send!({ kind: 'sink', bytes, ms: performance.now() - t0 });
    c.end();
  });
  c.on('error', () => {});
});

const source = net.createServer({ allowHalfOpen: true }, (c) => {
  const t0 = performance.now();
  let left = size;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void c.once('drain', pump);
    }
    c.end();
  };
  c.on('close', () => process.send!({ kind: 'source', bytes: size - left, ms: performance.now() - t0 }));
  c.on('error', () => {});
  pump();
});

let conns = 0;
let first = 0;
let last = 0;
const quick = net.createServer((c) => {
  const t = performance.now();
  if (conns === 0) first = t;
  conns++;
  last = t;
  c.on('error', () => {});
  c.end();
});

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'conn-reset') {
    conns = 0;
    process.send!({ kind: 'ok' });
  } else if (m.cmd === 'conn-stats') {
    process.send!({ kind: 'conn', count: conns, ms: last - first });
  } else if (m.cmd === 'exit') {
    process.exit(0);
  }
});

const ports = { sink: await listen(sink), source: await listen(source), quick: await listen(quick) };
process.send!({ kind: 'ports', ...ports });
