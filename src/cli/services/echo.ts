// The echo service (RFC 862, TCP): every byte received goes back to the client. Bytes are
// read only as fast as they can be sent back (one chunk at a time), so a client that does
// not read what it gets back stops being read, and TCP's flow control slows it down. Once
// the client has closed its side and every byte has been queued back, the service closes
// its side too (the FIN follows the last echoed byte).

import type { Millis } from '../../time.js';
import { TcpErr } from '../../transport/tcp/errors.js';
import type { ConnectionContext, ConnectionHandler } from './service.js';

/** Bytes read from the client at a time. */
export const ECHO_CHUNK = 16384;

/** One echo connection. */
export class EchoConnection implements ConnectionHandler {
  private readonly buf = new Uint8Array(ECHO_CHUNK);
  private off = 0;
  private len = 0;
  private eof = false;
  private done = false;

  /** Serve the connection of `ctx`. */
  constructor(private readonly ctx: ConnectionContext) {}

  /** Echo what can be echoed now; close once the client's end of stream is echoed. */
  step(now: Millis): void {
    if (this.done) return;
    const s = this.ctx.socket;
    const c = this.ctx.counters;
    for (let i = 0; i < this.ctx.stepLimit; i++) {
      if (this.len > 0) {
        const n = s.send(this.buf, this.off, this.len, now);
        if (n === -TcpErr.WouldBlock) return; // continue on Writable
        if (n < 0) return this.end(true, now);
        this.off += n;
        this.len -= n;
        c.bytesOut += n;
        continue;
      }
      if (this.eof) return this.end(false, now);
      const n = s.recv(this.buf, 0, this.buf.length, now);
      if (n === -TcpErr.WouldBlock) return; // continue on Readable
      if (n < 0) return this.end(true, now);
      if (n === 0) {
        this.eof = true;
        continue;
      }
      c.bytesIn += n;
      this.off = 0;
      this.len = n;
    }
  }

  private end(error: boolean, now: Millis): void {
    this.done = true;
    if (error) this.ctx.fail(now);
    else this.ctx.finish(now);
  }
}
