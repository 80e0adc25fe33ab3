// The WebSocket link: one Ethernet frame per binary message, as v86's `network_relay_url`
// (and the relays written for it, websockproxy and friends) expects. A WsListener is an
// HTTP server that upgrades every request (any path) to a WebSocket; each connection is a
// guest port of the switch.
//
// A minimal RFC 6455 server of our own, not the `ws` package: it needs the opening
// handshake (§4.2.2), masked client frames, binary messages (fragmented or not), close,
// ping and pong, and nothing else (no extensions, no subprotocols); keeping it here keeps
// the runtime free of dependencies and lets it bound what a client can make it hold: a
// message longer than the largest frame closes the connection with 1009 (§7.4.1), bad
// framing with 1002. Text messages are ignored. The receive ring, the pause while it is full
// and the batched writes are SocketPort's (socket-port.ts), as for the stream link.

import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { gatewayError } from './errors.js';
import { SocketPort } from './socket-port.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** A parsed `--ws` value. */
export interface WsSpec {
  host: string;
  port: number;
}

/** Parse `[HOST:]PORT` (HOST default 127.0.0.1). Errors: NETCH_ERR_GATEWAY_LINK. */
export function parseWsSpec(spec: string): WsSpec {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(spec);
  if (m === null || +m[2]! > 65535) throw gatewayError('NETCH_ERR_GATEWAY_LINK', `--ws ${JSON.stringify(spec)}: expected [HOST:]PORT`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port: +m[2]! };
}

/** One guest on a WebSocket connection. */
export class WsPort extends SocketPort {
  /** Connections closed for bad framing (1002) or a message too long (1009). */
  protocolErrors = 0;
  /** Bytes received and not yet parsed into frames. */
  private pend: Buffer = Buffer.alloc(0);
  /** A fragmented binary message being assembled: bytes so far (-1: none; -2: a text message, skipped). */
  private msgLen = -1;

  constructor(name: string, sock: Socket, maxFrameLen: number, head: Buffer) {
    super(name, sock, maxFrameLen);
    if (head.length > 0) this.onData(head);
  }

  /** Send a close frame (1001, going away) and end the connection. */
  close(): void {
    this.closeWith(1001);
  }

  protected headerLen(len: number): number {
    return len < 126 ? 2 : len < 65536 ? 4 : 10;
  }

  /** An unmasked binary frame's header (RFC 6455 §5.2), FIN set. */
  protected writeHeader(b: Buffer, p: number, len: number): void {
    b[p++] = 0x80 | OP_BINARY;
    if (len < 126) {
      b[p] = len;
    } else if (len < 65536) {
      b[p++] = 126;
      b.writeUInt16BE(len, p);
    } else {
      b[p++] = 127;
      b.writeUInt32BE(0, p);
      b.writeUInt32BE(len, p + 4);
    }
  }

  protected override resumed(): void {
    if (this.pend.length > 0) this.parse();
  }

  private closeWith(code: number): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sock.end(Buffer.from([0x80 | OP_CLOSE, 2, code >> 8, code & 255]));
    this.sock.destroySoon();
  }

  private control(op: number, payload: Buffer): void {
    if (op === OP_PING && !this.closed) this.sock.write(Buffer.concat([Buffer.from([0x80 | OP_PONG, payload.length]), payload]));
    else if (op === OP_CLOSE) this.closeWith(1000);
  }

  protected onData(d: Buffer): void {
    this.pend = this.pend.length === 0 ? d : Buffer.concat([this.pend, d]);
    this.parse();
  }

  /** Parse whole frames from `pend` while the ring has room (RFC 6455 §5.2). */
  private parse(): void {
    const stride = this.maxFrameLen;
    let p = this.pend;
    let i = 0;
    while (!this.closed && p.length - i >= 2) {
      const k = this.nextSlot();
      if (k < 0) {
        this.pause();
        break;
      }
      const b0 = p[i]!;
      const b1 = p[i + 1]!;
      const fin = (b0 & 0x80) !== 0;
      const op = b0 & 0x0f;
      // Clients must mask (§5.1); no extension is negotiated, so RSV bits must be clear.
      if ((b1 & 0x80) === 0 || (b0 & 0x70) !== 0) return this.protocolError(1002);
      let len = b1 & 0x7f;
      let h = 2;
      if (len === 126) {
        if (p.length - i < 4) break;
        len = p.readUInt16BE(i + 2);
        h = 4;
      } else if (len === 127) {
        if (p.length - i < 10) break;
        if (p.readUInt32BE(i + 2) !== 0) return this.protocolError(1009);
        len = p.readUInt32BE(i + 6);
        h = 10;
      }
      if (len > stride + 16) return this.protocolError(1009);
      if (p.length - i < h + 4 + len) break;
      const mask = i + h;
      const data = mask + 4;
      if (op >= 0x8) {
        const payload = Buffer.allocUnsafe(len);
        for (let j = 0; j < len; j++) payload[j] = p[data + j]! ^ p[mask + (j & 3)]!;
        i = data + len;
        this.control(op, payload);
        continue;
      }
      if (op === OP_TEXT || (op === OP_CONT && this.msgLen === -2)) {
        this.msgLen = fin ? -1 : -2;
        i = data + len;
        continue;
      }
      if (op !== OP_BINARY && op !== OP_CONT) return this.protocolError(1002);
      if ((op === OP_BINARY) !== (this.msgLen === -1)) return this.protocolError(1002);
      const start = op === OP_BINARY ? 0 : this.msgLen;
      if (start + len > stride) return this.protocolError(1009);
      const at = k * stride + start;
      const rx = this.rxBuf;
      for (let j = 0; j < len; j++) rx[at + j] = p[data + j]! ^ p[mask + (j & 3)]!;
      i = data + len;
      if (!fin) {
        this.msgLen = start + len;
        continue;
      }
      this.msgLen = -1;
      const total = start + len;
      if (total < 14) {
        this.stats.rxDropped++;
        continue;
      }
      this.commitFrame(total);
    }
    this.pend = i >= p.length ? Buffer.alloc(0) : p.subarray(i);
    p = this.pend;
  }

  private protocolError(code: number): void {
    this.protocolErrors++;
    this.stats.rxDropped++;
    this.pend = Buffer.alloc(0);
    this.closeWith(code);
  }
}

/** A listening `--ws` server; each connection becomes a WsPort handed to `onPort`. */
export class WsListener {
  private readonly server: Server;
  private count = 0;
  readonly ports = new Set<WsPort>();

  private constructor(
    readonly spec: WsSpec,
    onPort: (p: WsPort) => void,
    maxFrameLen: number,
  ) {
    this.server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      res.end('netch gateway: connect with a WebSocket (one Ethernet frame per binary message)\n');
    });
    this.server.on('upgrade', (req: IncomingMessage, sock: Socket, head: Buffer) => {
      const key = req.headers['sec-websocket-key'];
      if (typeof key !== 'string' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || req.headers['sec-websocket-version'] !== '13') {
        sock.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
        return;
      }
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      const p = new WsPort(`ws:${sock.remoteAddress}:${sock.remotePort}#${++this.count}`, sock, maxFrameLen, head);
      this.ports.add(p);
      onPort(p);
    });
  }

  /** Listen; resolve once listening. Errors: the listen error. */
  static async listen(spec: WsSpec, onPort: (p: WsPort) => void, maxFrameLen: number): Promise<WsListener> {
    const l = new WsListener(spec, onPort, maxFrameLen);
    await new Promise<void>((resolve, reject) => {
      l.server.once('error', reject);
      l.server.listen(spec.port, spec.host, () => {
        l.server.off('error', reject);
        resolve();
      });
    });
    l.server.on('error', () => undefined);
    return l;
  }

  /** Return `ws://HOST:PORT/` with the port actually bound. */
  url(): string {
    const a = this.server.address();
    const port = typeof a === 'object' && a !== null ? a.port : this.spec.port;
    return `ws://${this.spec.host.includes(':') ? `[${this.spec.host}]` : this.spec.host}:${port}/`;
  }

  /** Stop listening and close the connections. */
  close(): Promise<void> {
    for (const p of this.ports) p.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
