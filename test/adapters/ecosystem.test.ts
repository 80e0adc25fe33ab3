// Real packages, unmodified, over the stack: undici (fetch and request through an Agent
// whose `connect` dials the stack), ws (a WebSocket echo, upgraded by Node's http server),
// and tls layered on our sockets (tls.connect({ socket }) against a tls.Server fed our
// accepted socket), with a throwaway self-signed certificate made by openssl.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import tls from 'node:tls';
import { Agent, fetch, request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { IP_B, loopPair, within } from './harness.js';
import type { Socket, Stack } from '../../src/adapters/index.js';
import { skipOrFail } from '../require-all.js';

async function httpOn(stack: Stack, port: number, handler: http.RequestListener) {
  const hs = http.createServer(handler);
  const srv = stack.createServer((s: Socket) => hs.emit('connection', s));
  srv.listen(port, IP_B);
  await once(srv, 'listening');
  return { hs, srv };
}

/** An undici Agent whose connections are opened on `stack`. */
function stackAgent(stack: Stack): Agent {
  return new Agent({
    connect(opts, cb) {
      const s = stack.connect({ host: opts.hostname, port: Number(opts.port) || 80 });
      const onError = (e: Error): void => cb(e, null);
      s.once('error', onError);
      s.once('connect', () => {
        s.removeListener('error', onError);
        cb(null, s as unknown as import('node:net').Socket);
      });
    },
  });
}

test('undici: fetch and request through an Agent that dials the stack', async () => {
  const p = loopPair();
  try {
    const { hs, srv } = await httpOn(p.b, 80, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(parts).toString(), from: req.socket.remoteAddress }));
      });
    });
    const agent = stackAgent(p.a);
    const r1 = await within(5000, 'fetch', fetch(`http://${IP_B}/hello?x=1`, { dispatcher: agent }));
    assert.equal(r1.status, 200);
    assert.deepEqual(await r1.json(), { method: 'GET', url: '/hello?x=1', body: '', from: '192.0.2.1' });
    const r2 = await within(5000, 'fetch POST', fetch(`http://${IP_B}/post`, { dispatcher: agent, method: 'POST', body: 'payload' }));
    assert.equal(((await r2.json()) as { body: string }).body, 'payload');
    const r3 = await within(5000, 'request', request(`http://${IP_B}/req`, { dispatcher: agent, method: 'PUT', body: 'x'.repeat(100_000) }));
    assert.equal(r3.statusCode, 200);
    const j = (await r3.body.json()) as { method: string; body: string };
    assert.equal(j.method, 'PUT');
    assert.equal(j.body.length, 100_000);
    // Refused: undici surfaces our Node-shaped error as the cause.
    await assert.rejects(fetch(`http://${IP_B}:81/`, { dispatcher: agent }), (e: Error & { cause?: { code?: string } }) => e.cause?.code === 'ECONNREFUSED');
    await agent.close();
    hs.closeAllConnections();
    srv.close();
  } finally {
    p.close();
  }
});

test('ws: a WebSocket echo over the stack (text, binary, 1 MiB message, close handshake)', async () => {
  const p = loopPair();
  try {
    const wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    const { hs, srv } = await httpOn(p.b, 8080, (_req, res) => res.end('no upgrade'));
    hs.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
    const ws = new WebSocket(`ws://${IP_B}:8080/echo`, {
      createConnection: ((opts: { host: string; port: number }) => p.a.connect({ host: opts.host, port: Number(opts.port) })) as never,
    });
    await within(5000, 'open', once(ws, 'open'));
    const next = async (): Promise<[Buffer, boolean]> => {
      const [data, isBinary] = await within(10_000, 'message', once(ws, 'message'));
      return [data as Buffer, isBinary as boolean];
    };
    ws.send('hello');
    const [t, tb] = await next();
    assert.equal(t.toString(), 'hello');
    assert.equal(tb, false);
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    ws.send(big);
    const [b, bb] = await next();
    assert.equal(bb, true);
    assert.ok(b.equals(big));
    ws.close(1000, 'done');
    const [code] = await within(5000, 'close', once(ws, 'close'));
    assert.equal(code, 1000);
    wss.close();
    hs.closeAllConnections();
    srv.close();
  } finally {
    p.close();
  }
});

function makeCert(): { key: Buffer; cert: Buffer } | null {
  let dir = '';
  try {
    dir = mkdtempSync(join(tmpdir(), 'netch-cert-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=server.test',
      '-addext', 'subjectAltName=DNS:server.test,IP:192.0.2.2', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }
}

test('tls: tls.connect({ socket }) over our socket against a tls.Server fed our accepted socket; https on top', async (t) => {
  const pem = makeCert();
  if (pem === null) {
    skipOrFail(t, 'openssl is not available to make a throwaway certificate');
    return;
  }
  const p = loopPair();
  try {
    const tlsServer = tls.createServer({ key: pem.key, cert: pem.cert }, (ts) => ts.pipe(ts));
    // allowHalfOpen: the TLS layer decides when to end; our socket must not end its
    // writable side by itself at the peer's FIN while the TLS echo is still in flight.
    const srv = p.b.createServer({ allowHalfOpen: true }, (s: Socket) => tlsServer.emit('connection', s));
    srv.listen(443, IP_B);
    await once(srv, 'listening');
    const raw = p.a.connect(443, IP_B);
    const ts = tls.connect({ socket: raw, ca: pem.cert, servername: 'server.test' });
    await within(5000, 'handshake', once(ts, 'secureConnect'));
    assert.equal(ts.authorized, true);
    const parts: Buffer[] = [];
    ts.on('data', (d: Buffer) => parts.push(d));
    const payload = Buffer.alloc(200_000, 0x5a);
    ts.end(payload);
    await within(10_000, 'tls echo', once(ts, 'end'));
    assert.equal(Buffer.concat(parts).length, payload.length);
    assert.ok(Buffer.concat(parts).equals(payload));

    // https: Node's http server on a TLS socket over ours, the client through createConnection.
    const hs = http.createServer((_req, res) => res.end('secure hello'));
    const tlsHttp = tls.createServer({ key: pem.key, cert: pem.cert }, (s) => hs.emit('connection', s));
    const srv2 = p.b.createServer({ allowHalfOpen: true }, (s: Socket) => tlsHttp.emit('connection', s));
    srv2.listen(8443, IP_B);
    await once(srv2, 'listening');
    const req = http.request({
      host: IP_B, port: 8443, path: '/',
      createConnection: (() => tls.connect({ socket: p.a.connect(8443, IP_B), ca: pem.cert, servername: 'server.test' })) as never,
    });
    req.end();
    const [res] = (await within(5000, 'https', once(req, 'response'))) as [http.IncomingMessage];
    let body = '';
    for await (const c of res) body += String(c);
    assert.equal(body, 'secure hello');
    hs.closeAllConnections();
    srv.close();
    srv2.close();
  } finally {
    p.close();
  }
});
