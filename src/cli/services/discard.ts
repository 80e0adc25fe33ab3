// The discard service (RFC 863, TCP): everything received is counted and dropped. Once the
// client has closed its side and every byte has been read, the service closes its side.

import type { Millis } from '../../time.js';
import { TcpErr } from '../../transport/tcp/errors.js';
import type { ConnectionContext, ConnectionHandler } from './service.js';

/** Bytes read at a time (one scratch buffer shared by every discard connection). */
export const DISCARD_CHUNK = 65536;
const scratch = new Uint8Array(DISCARD_CHUNK);

/** One discard connection. */
export class DiscardConnection implements ConnectionHandler {
  /** Bytes this connection received. */
  received = 0;
  private done = false;

  /** Serve the connection of `ctx`. */
  constructor(private readonly ctx: ConnectionContext) {}

  /** Read and count everything readable; close at the client's end of stream. */
  step(now: Millis): void {
    if (this.done) return;
    const s = this.ctx.socket;
    for (let i = 0; i < this.ctx.stepLimit; i++) {
      const n = s.recv(scratch, 0, scratch.length, now);
      if (n === -TcpErr.WouldBlock) return;
      if (n <= 0) {
        this.done = true;
        if (n === 0) this.ctx.finish(now);
        else this.ctx.fail(now);
        return;
      }
      this.received += n;
      this.ctx.counters.bytesIn += n;
    }
  }
}
