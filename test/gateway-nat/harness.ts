// A guest built from our own stack, on a memory link (or a stream link) to a Gateway: the
// NAT tests need no QEMU. Traffic goes only to 127.0.0.1 and the in-process guest network.

import { createServer, type Server, type AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { Host } from '../../src/iface/host.js';
import { memoryLinkPair } from '../../src/link/memory.js';
import type { LinkDevice } from '../../src/link/device.js';
import { type Stack, createStack } from '../../src/adapters/api.js';
import { Gateway, type GatewayRunOptions } from '../../src/gateway/index.js';

/** A gateway and one guest host with a stack (net/dgram) on it. */
export interface Guest {
  gw: Gateway;
  host: Host;
  stack: Stack;
  close(): Promise<void>;
}

let macSeq = 0x10;

/** Attach a guest host of our own at `address` to `gw` over `dev` (default: a new memory link). */
export function addGuest(gw: Gateway, address = '10.0.2.15', dev?: LinkDevice): { host: Host; stack: Stack } {
  let guestEnd = dev;
  if (guestEnd === undefined) {
    const [a, b] = memoryLinkPair({ names: ['guest', 'gw-port'] });
    gw.attach(b);
    guestEnd = a;
  }
  const host = new Host({ name: `guest-${address}` });
  host.addInterface(guestEnd, { mac: `02:00:00:00:00:${(macSeq++).toString(16).padStart(2, '0')}`, address: `${address}/24` });
  host.setDefaultGateway('10.0.2.2');
  const stack = createStack({ host, loop: gw.loop, name: 'guest' });
  return { host, stack };
}

/** A gateway (egress loopback unless told) and one guest. */
export function guestNetwork(opts: GatewayRunOptions = {}): Guest {
  const gw = new Gateway({ egress: 'loopback', ...opts });
  const { host, stack } = addGuest(gw);
  return {
    gw,
    host,
    stack,
    async close() {
      stack.close();
      await gw.close();
      gw.loop.stop();
      host.close();
    },
  };
}

/** Listen on 127.0.0.1 with `handler`; resolve with the server and its port. */
export function loopbackServer(handler: Parameters<typeof createServer>[1], opts: { allowHalfOpen?: boolean } = {}): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    // A connection the gateway resets at close must not fail the test as an uncaught 'error'.
    const server = createServer({ allowHalfOpen: opts.allowHalfOpen ?? false }, (k) => {
      k.on('error', () => undefined);
      handler?.(k);
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

/** Return the SHA-256 hex of `b`. */
export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Return `n` pseudo-random bytes (seeded). */
export function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Resolve when `cond()` holds, polling every 5 ms; reject after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
