// The stream link: Ethernet frames over a byte stream (a Unix or TCP socket), each one
// prefixed by its length as a 4-byte big-endian integer. This is what QEMU's
// `-netdev stream` (and its older `-netdev socket,connect=`) and passt speak:
//
//   qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,addr.path=PATH \
//     -device virtio-net-pci,netdev=n0
//
// A StreamListener listens on `unix:PATH` or `tcp:HOST:PORT`; each accepted connection is a
// StreamPort of the guest switch (switch.ts).
//
// The receive ring, the pause while it is full and the batched writes are SocketPort's
// (socket-port.ts). A length below an Ethernet header or above the frame limit is a framing
// error: counted, and the connection is closed (the stream cannot be resynchronised).

import { connect, createServer, type Server, type Socket } from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import type { FrameSink, LinkDevice, LinkStats } from '../link/device.js';
import { copyBytes } from '../storage/copy.js';
import type { Millis } from '../time.js';
import { SOCKET_PORT_RX_SLOTS, SocketPort } from './socket-port.js';
import { gatewayError } from './errors.js';

/** The default frame limit: a 1500-byte MTU plus the Ethernet header. */
export const STREAM_MAX_FRAME_DEFAULT = 1514;

/** A parsed `--stream` spec. */
export type StreamSpec = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Parse `unix:PATH` or `tcp:HOST:PORT`. Errors: NETCH_ERR_GATEWAY_LINK. */
export function parseStreamSpec(spec: string): StreamSpec {
  if (spec.startsWith('unix:') && spec.length > 5) return { kind: 'unix', path: spec.slice(5) };
  const m = /^tcp:(.+):(\d{1,5})$/.exec(spec);
  if (m !== null && +m[2]! <= 65535) return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: +m[2]! };
  throw gatewayError('NETCH_ERR_GATEWAY_LINK', `--stream ${JSON.stringify(spec)}: expected unix:PATH or tcp:HOST:PORT`);
}

/** One guest on a stream connection. */
export class StreamPort extends SocketPort {
  /** Connections closed for a bad length prefix. */
  framingErrors = 0;
  /** The frame being read: its length (-1: reading a prefix) and bytes so far. */
  private partLen = -1;
  private partGot = 0;
  /** The frame being read did not fit the ring (read and dropped). */
  private partDrop = false;
  private readonly prefix = new Uint8Array(4);
  private prefixGot = 0;

  constructor(name: string, sock: Socket, maxFrameLen = STREAM_MAX_FRAME_DEFAULT) {
    super(name, sock, maxFrameLen);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sock.end();
    this.sock.destroySoon();
  }

  protected headerLen(): number {
    return 4;
  }

  protected writeHeader(b: Buffer, p: number, len: number): void {
    b.writeUInt32BE(len, p);
  }

  protected onData(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    const stride = this.maxFrameLen;
    while (i < n && !this.closed) {
      if (this.partLen < 0) {
        while (this.prefixGot < 4 && i < n) this.prefix[this.prefixGot++] = chunk[i++]!;
        if (this.prefixGot < 4) return;
        this.prefixGot = 0;
        const p = this.prefix;
        const len = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
        if (len < 14 || len > stride) {
          this.framingErrors++;
          this.stats.rxDropped++;
          this.closed = true;
          this.sock.destroy();
          return;
        }
        // A chunk read before the pause took effect may overrun the ring: skip that frame.
        this.partDrop = this.nextSlot() < 0;
        if (this.partDrop) this.stats.rxDropped++;
        this.partLen = len;
        this.partGot = 0;
      }
      const want = this.partLen - this.partGot;
      const take = Math.min(want, n - i);
      if (!this.partDrop) copyBytes(this.rxBuf, this.nextSlot() * stride + this.partGot, chunk, i, take);
      this.partGot += take;
      i += take;
      if (this.partGot === this.partLen) {
        if (!this.partDrop) this.commitFrame(this.partLen);
        this.partLen = -1;
      }
    }
    if (this.rxCount >= SOCKET_PORT_RX_SLOTS - 8) this.pause();
  }
}

/** A listening `--stream` socket; each connection becomes a StreamPort handed to `onPort`. */
export class StreamListener {
  private readonly server: Server;
  private count = 0;
  /** Open connections. */
  readonly ports = new Set<StreamPort>();

  private constructor(
    readonly spec: StreamSpec,
    onPort: (p: StreamPort) => void,
    maxFrameLen: number,
  ) {
    this.server = createServer({ noDelay: true }, (sock) => {
      const where = spec.kind === 'unix' ? spec.path : `${sock.remoteAddress}:${sock.remotePort}`;
      const p = new StreamPort(`stream:${where}#${++this.count}`, sock, maxFrameLen);
      this.ports.add(p);
      p.onClose = () => this.ports.delete(p);
      onPort(p);
    });
  }

  /** Listen on `spec`; resolve once listening. A stale Unix socket file is replaced. Errors: the listen error (EADDRINUSE, EACCES). */
  static async listen(spec: StreamSpec, onPort: (p: StreamPort) => void, maxFrameLen = STREAM_MAX_FRAME_DEFAULT): Promise<StreamListener> {
    const l = new StreamListener(spec, onPort, maxFrameLen);
    if (spec.kind === 'unix' && existsSync(spec.path)) unlinkSync(spec.path);
    await new Promise<void>((resolve, reject) => {
      l.server.once('error', reject);
      const done = (): void => {
        l.server.off('error', reject);
        resolve();
      };
      if (spec.kind === 'unix') l.server.listen(spec.path, done);
      else l.server.listen(spec.port, spec.host, done);
    });
    l.server.on('error', () => undefined);
    return l;
  }

  /** Return `unix:PATH` or `tcp:HOST:PORT` with the port actually bound. */
  address(): string {
    if (this.spec.kind === 'unix') return `unix:${this.spec.path}`;
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? `tcp:${a.address}:${a.port}` : `tcp:${this.spec.host}:${this.spec.port}`;
  }

  /** Stop listening and close the open connections; remove a Unix socket file. */
  close(): Promise<void> {
    for (const p of this.ports) p.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      if (this.spec.kind === 'unix') {
        try {
          unlinkSync(this.spec.path);
        } catch {
          // gone already
        }
      }
    });
  }
}

/**
 * The guest's end of a stream link as a LinkDevice (what QEMU is to the gateway): for tests
 * and for joining a host of our own to a gateway network.
 */
export class StreamDevice implements LinkDevice {
  readonly name: string;
  readonly maxFrameLen: number;
  readonly stats: LinkStats;
  readonly txBytes: Uint8Array;

  constructor(readonly port: StreamPort) {
    this.name = port.name;
    this.maxFrameLen = port.maxFrameLen;
    this.stats = port.stats;
    this.txBytes = new Uint8Array(port.maxFrameLen);
  }

  receive(sink: FrameSink, budget: number, now: Millis): number {
    return this.port.receive(sink, budget, now);
  }

  transmitBegin(len: number): number {
    return len <= this.maxFrameLen && this.port.writable() ? 0 : -1;
  }

  transmitCommit(off: number, len: number, now: Millis): void {
    this.port.send(this.txBytes, off, len, now);
  }

  setRxNotify(cb: (() => void) | null): void {
    this.port.setNotify(cb === null ? null : () => setImmediate(cb));
  }

  pollAt(): Millis {
    return Infinity;
  }

  close(): void {
    this.port.close();
  }
}

/** Connect to a stream link at `spec` (as QEMU's `server=off` does); resolve with the device once connected. Errors: the connect error. */
export function connectStream(spec: StreamSpec, name = 'stream0'): Promise<StreamDevice> {
  return new Promise((resolve, reject) => {
    const sock = spec.kind === 'unix' ? connect(spec.path) : connect(spec.port, spec.host);
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(new StreamDevice(new StreamPort(name, sock)));
    });
  });
}
