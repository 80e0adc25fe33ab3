// Test harness for the POSIX layer: two hosts (192.0.2.1 and 192.0.2.2) on a memory link,
// each with a Kernel, driven by a Sim on a virtual clock; and `drive`, which runs the
// simulation until a promise of the promise-returning calls settles.

import assert from 'node:assert/strict';
import { twoHosts, IP_A, IP_B } from '../iface/harness.js';
import { TEST_ISN_KEY } from '../tcp/harness.js';
import { Kernel } from '../../src/posix/kernel.js';
import type { Sim } from '../../src/runtime/sim.js';
import type { TcpOptionsInput, TcpPersonality } from '../../src/transport/tcp/config.js';
import { sockaddrIn, type SockAddrIn } from '../../src/posix/sockaddr.js';
import { AF_INET, EINPROGRESS, SOCK_NONBLOCK, SOCK_STREAM, type Process } from '../../src/posix/index.js';

export { IP_A, IP_B };

/** Options of `kernelPair`. */
export interface PairOptions {
  personality?: TcpPersonality;
  tcp?: TcpOptionsInput;
  delay?: number;
}

/** Two kernels, a (192.0.2.1) and b (192.0.2.2), in one Sim. */
export function kernelPair(opts: PairOptions = {}): { ka: Kernel; kb: Kernel; sim: Sim } {
  const { a, b, sim } = twoHosts({ delay: opts.delay ?? 0 });
  const personality = opts.personality ?? 'linux';
  const ka = new Kernel(a, { clock: sim.clock, personality, tcp: { isnKey: TEST_ISN_KEY, ...opts.tcp } });
  const kb = new Kernel(b, { clock: sim.clock, personality, tcp: { isnKey: TEST_ISN_KEY.map((x) => x ^ 0xff), ...opts.tcp } });
  sim.add(ka, kb);
  return { ka, kb, sim };
}

/** Address of host b (or a) at `port`. */
export function addrB(port: number): SockAddrIn {
  return sockaddrIn(IP_B, port);
}

/** Address of host a at `port`. */
export function addrA(port: number): SockAddrIn {
  return sockaddrIn(IP_A, port);
}

/** A listener on port `port` (any address) in process `srv`; return its fd. */
export function listenOn(srv: Process, port: number, backlog = 16): number {
  const fd = srv.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(srv.sys.bind(fd, sockaddrIn(0, port)), 0);
  assert.equal(srv.sys.listen(fd, backlog), 0);
  return fd;
}

/** A connected pair to host b: client fd `c` in `cli`, listener `l` and accepted fd `s` in `srv`. */
export function connected(sim: Sim, cli: Process, srv: Process, port = 80): { c: number; s: number; l: number } {
  const l = listenOn(srv, port);
  const c = cli.sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert.equal(cli.sys.connect(c, addrB(port)), -EINPROGRESS);
  let s = -1;
  assert.ok(sim.runUntil(() => (s = srv.sys.accept(l, null)) >= 0, { maxTime: 5000 }));
  sim.settle();
  return { c, s, l };
}

/**
 * Run the simulation until `p` settles (at most `maxMs` of virtual time); return its value.
 * Microtasks run between steps, so the promise chains of the calls make progress.
 */
export async function drive<T>(sim: Sim, p: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown = null;
  let failed = false;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      error = e;
    },
  );
  const end = sim.now() + maxMs;
  for (let i = 0; i < 1_000_000; i++) {
    await new Promise<void>((r) => setImmediate(r));
    if (done) break;
    assert.ok(sim.now() < end, `drive: not settled after ${maxMs} ms of virtual time`);
    if (!sim.step(end)) {
      await new Promise<void>((r) => setImmediate(r));
      assert.ok(done, 'drive: the simulation went idle and the promise never settled');
    }
  }
  if (failed) throw error;
  return value as T;
}

/** Run the simulation for `ms`, letting promise chains run in between. */
export async function runFor(sim: Sim, ms: number): Promise<void> {
  const end = sim.now() + ms;
  for (let i = 0; i < 1_000_000; i++) {
    await new Promise<void>((r) => setImmediate(r));
    if (sim.now() >= end) break;
    sim.step(end);
  }
  sim.settle();
  await new Promise<void>((r) => setImmediate(r));
}
