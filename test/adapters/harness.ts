// Test harness for the Node adapters: two hosts, a (192.0.2.1) and b (192.0.2.2), on a
// memory link in one thread, each with a kernel and a process wrapped in a Stack, driven
// by the real-time Loop (the normal setup), or by a Sim on a virtual clock stepped from the
// event loop (`simPair`), so the same adapter code runs under both drivers.

import { once } from 'node:events';
import { memoryLinkPair, type MemoryLinkOptions } from '../../src/link/memory.js';
import { Host } from '../../src/iface/host.js';
import { Kernel } from '../../src/posix/kernel.js';
import { Loop } from '../../src/runtime/loop.js';
import { Sim } from '../../src/runtime/sim.js';
import { type Stack, createStack } from '../../src/adapters/index.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { MAC_A, MAC_B } from '../iface/harness.js';

export const IP_A = '192.0.2.1';
export const IP_B = '192.0.2.2';

/** Two stacks on one link and the driver that runs them; `close()` tears everything down. */
export interface Pair {
  a: Stack;
  b: Stack;
  close(): void;
}

/** Options of the pairs. */
export interface PairOptions {
  link?: MemoryLinkOptions;
  tcp?: TcpOptionsInput;
}

function hosts(opts: PairOptions): [Host, Host] {
  const [la, lb] = memoryLinkPair({ checksumOffload: true, ...opts.link });
  const ha = new Host({ name: 'a' });
  const hb = new Host({ name: 'b' });
  ha.addInterface(la, { mac: MAC_A, address: `${IP_A}/24` });
  hb.addInterface(lb, { mac: MAC_B, address: `${IP_B}/24` });
  return [ha, hb];
}

/** Two stacks on the real-time Loop (unref'd: the stacks' handles keep the process alive). */
export function loopPair(opts: PairOptions = {}): Pair & { loop: Loop } {
  const [ha, hb] = hosts(opts);
  const loop = new Loop({ unref: true });
  const ka = new Kernel(ha, { clock: loop.clock, ...(opts.tcp ? { tcp: opts.tcp } : {}) });
  const kb = new Kernel(hb, { clock: loop.clock, ...(opts.tcp ? { tcp: opts.tcp } : {}) });
  const a = createStack({ kernel: ka, loop, name: 'a' });
  const b = createStack({ kernel: kb, loop, name: 'b' });
  return {
    a, b, loop,
    close() {
      a.close();
      b.close();
      loop.stop();
    },
  };
}

/** Two stacks in a Sim on a virtual clock, stepped from the event loop until closed. */
export function simPair(opts: PairOptions = {}): Pair & { sim: Sim } {
  const [ha, hb] = hosts(opts);
  const sim = new Sim();
  const ka = new Kernel(ha, { clock: sim.clock, ...(opts.tcp ? { tcp: opts.tcp } : {}) });
  const kb = new Kernel(hb, { clock: sim.clock, ...(opts.tcp ? { tcp: opts.tcp } : {}) });
  sim.add(ka, kb);
  const a = createStack({ kernel: ka, name: 'a' });
  const b = createStack({ kernel: kb, name: 'b' });
  let running = true;
  // One step per turn of the event loop: promise chains and nextTicks of the adapters run
  // between steps, as they would between polls of a real-time loop. Idle: check again soon.
  const tick = (): void => {
    if (!running) return;
    const busy = sim.step(sim.now() + 1000);
    if (busy) setImmediate(tick);
    else setTimeout(tick, 1).unref();
  };
  setImmediate(tick);
  return {
    a, b, sim,
    close() {
      running = false;
      a.close();
      b.close();
    },
  };
}

/** Resolve with the first emission of `event`, rejecting on 'error' (events.once). */
export async function onceEvent<T extends unknown[] = unknown[]>(em: NodeJS.EventEmitter, event: string): Promise<T> {
  return (await once(em, event)) as T;
}

/** Return a promise that rejects after `ms` (a test's safety net) and a function cancelling it. */
export function deadline(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let t: NodeJS.Timeout;
  const promise = new Promise<never>((_, rej) => {
    t = setTimeout(() => rej(new Error(`${what}: not done after ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(t) };
}

/** Race `p` against a wall-clock limit. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  const d = deadline(ms, what);
  try {
    return await Promise.race([p, d.promise]);
  } finally {
    d.cancel();
  }
}
