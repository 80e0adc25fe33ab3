// Host-side peers for the guest checks, all on 127.0.0.1: an HTTP server that serves a
// deterministic blob and hashes uploads, a tiny DNS server (UDP and TCP) that answers A
// queries from a table, and a port known to be closed. Written here, independently of
// src/wire/dns.ts, so the forwarder is judged by a server that does not share its code.

import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** Return `n` deterministic bytes (a counter stream hashed in 32-byte blocks would be slow: xorshift). */
export function blob(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  for (; i < n; i++) b[i] = i & 0xff;
  return b;
}

/** Return the SHA-256 of `b` in hex. */
export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * An HTTP server: GET /data answers the blob; POST /upload answers the SHA-256 of the body.
 * Beside it a raw TCP sink (`sinkPort`) hashes what a client sends until it half-closes,
 * then answers the SHA-256 in hex and closes (busybox wget posts only text, nc sends anything).
 */
export interface BlobServer {
  port: number;
  sinkPort: number;
  sha: string;
  uploads: { sha: string; bytes: number; remote: string }[];
  gets: { remote: string }[];
  close(): Promise<void>;
}

/** Start a BlobServer on 127.0.0.1 serving `size` bytes. */
export async function startBlobServer(size: number): Promise<BlobServer> {
  const data = blob(size);
  const sha = sha256(data);
  const uploads: BlobServer['uploads'] = [];
  const gets: BlobServer['gets'] = [];
  const srv = http.createServer((req, res) => {
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    if (req.method === 'GET' && req.url === '/data') {
      gets.push({ remote });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
      res.end(data);
      return;
    }
    if (req.method === 'POST' && req.url === '/upload') {
      const h = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        h.update(c);
        bytes += c.length;
      });
      req.on('end', () => {
        const d = h.digest('hex');
        uploads.push({ sha: d, bytes, remote });
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(d.length) });
        res.end(d);
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const sinkConns = new Set<net.Socket>();
  const sink = net.createServer({ allowHalfOpen: true }, (s) => {
    sinkConns.add(s);
    const remote = `${s.remoteAddress}:${s.remotePort}`;
    const h = createHash('sha256');
    let bytes = 0;
    s.on('data', (c: Buffer) => {
      h.update(c);
      bytes += c.length;
    });
    s.on('end', () => {
      const d = h.digest('hex');
      uploads.push({ sha: d, bytes, remote });
      s.end(d + '\n');
    });
    s.on('error', () => {});
    s.on('close', () => sinkConns.delete(s));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    sinkPort: (sink.address() as AddressInfo).port,
    sha,
    uploads,
    gets,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        for (const s of sinkConns) s.destroy();
        sink.close();
        srv.close(() => r());
      }),
  };
}

/** A tiny authoritative DNS server on 127.0.0.1 (one port, UDP and TCP). */
export interface TinyDns {
  port: number;
  /** Queries seen: [transport, name, id]. */
  queries: { tcp: boolean; name: string; id: number }[];
  /** Answers by lower-case name: an IPv4 address, or a behaviour. */
  table: Map<string, string | 'servfail' | 'silent' | 'truncate'>;
  close(): Promise<void>;
}

/** Read the question name at 12; return [name, end offset] or null. */
function questionName(q: Buffer): [string, number] | null {
  const labels: string[] = [];
  let i = 12;
  while (i < q.length) {
    const n = q[i]!;
    if (n === 0) return [labels.join('.'), i + 1];
    if (n > 63 || i + 1 + n > q.length) return null;
    labels.push(q.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  return null;
}

/** Build the answer to query `q` (null: stay silent). `viaTcp`: the truncate behaviour answers in full. */
function answer(dns: TinyDns, q: Buffer, viaTcp: boolean): Buffer | null {
  if (q.length < 12) return null;
  const qn = questionName(q);
  if (qn === null || qn[1] + 4 > q.length) return null;
  const [name, end] = qn;
  dns.queries.push({ tcp: viaTcp, name, id: q.readUInt16BE(0) });
  const what = dns.table.get(name.toLowerCase());
  if (what === 'silent') return null;
  const question = q.subarray(12, end + 4);
  const hdr = Buffer.alloc(12);
  hdr.writeUInt16BE(q.readUInt16BE(0), 0);
  const rd = q[2]! & 0x01;
  if (what === undefined || what === 'servfail') {
    hdr[2] = 0x80 | rd;
    hdr[3] = what === 'servfail' ? 0x82 : 0x83; // RA + SERVFAIL or NXDOMAIN
    hdr.writeUInt16BE(1, 4);
    return Buffer.concat([hdr, question]);
  }
  // A name we hold answers its A record; other types get NOERROR with no answer (NODATA).
  if (q.readUInt16BE(end) !== 1) {
    hdr[2] = 0x84 | rd;
    hdr[3] = 0x80;
    hdr.writeUInt16BE(1, 4);
    return Buffer.concat([hdr, question]);
  }
  const truncated = what === 'truncate' && !viaTcp;
  const addr = what === 'truncate' ? '192.0.2.99' : what;
  hdr[2] = 0x84 | rd | (truncated ? 0x02 : 0); // QR, AA, TC?, RD
  hdr[3] = 0x80;
  hdr.writeUInt16BE(1, 4);
  if (truncated) return Buffer.concat([hdr, question]);
  hdr.writeUInt16BE(1, 6);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(4, 10);
  addr.split('.').forEach((o, k) => (rr[12 + k] = Number(o)));
  return Buffer.concat([hdr, question, rr]);
}

/** Start a TinyDns on 127.0.0.1 (port 0: any free port that is free for both UDP and TCP). */
export async function startTinyDns(table: Record<string, string | 'servfail' | 'silent' | 'truncate'>): Promise<TinyDns> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const port = udp.address().port;
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => r(true));
    });
    if (!ok) {
      udp.close();
      if (attempt > 20) throw new Error('no port free for both UDP and TCP');
      continue;
    }
    const dns: TinyDns = {
      port,
      queries: [],
      table: new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v])),
      close: () =>
        new Promise<void>((r) => {
          udp.close();
          tcp.close(() => r());
          for (const s of conns) s.destroy();
        }),
    };
    udp.on('message', (m, rinfo) => {
      const a = answer(dns, m, false);
      if (a !== null) udp.send(a, rinfo.port, rinfo.address);
    });
    const conns = new Set<net.Socket>();
    tcp.on('connection', (s) => {
      conns.add(s);
      s.on('close', () => conns.delete(s));
      s.on('error', () => {});
      let acc = Buffer.alloc(0);
      s.on('data', (c: Buffer) => {
        acc = Buffer.concat([acc, c]);
        while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
          const msg = acc.subarray(2, 2 + acc.readUInt16BE(0));
          acc = acc.subarray(2 + msg.length);
          const a = answer(dns, Buffer.from(msg), true);
          if (a !== null) {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(a.length, 0);
            s.write(Buffer.concat([len, a]));
          }
        }
      });
    });
    return dns;
  }
}

/** Return a TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
