// A thread running one stack and one app: a channel-mode process (its rings to the driver)
// or, in one-thread mode, a whole host on a memory link end. The loop polls the stack and
// steps the app; when nothing happened for a while it sleeps on the rx doorbell until the
// next timer (at most 2 ms), so idle threads leave the cores to busy ones.
//
// workerData: { mode: 'process', spec: ProcSpec, ... } or { mode: 'standalone', link,
// mac, address, ... }, plus app (AppRef), tcp (TcpOptionsInput), ctlPort.
// Control requests: stats, app {msg} (StackApp.control), stall {ms} (a slow process: spin
// without polling), stop.

import { type MessagePort, workerData } from 'node:worker_threads';
import { ChanErr, Ring } from '../../channel/index.js';
import { Host } from '../../iface/host.js';
import { openMemoryLink, type MemoryLinkSpec } from '../../link/memory.js';
import type { TcpOptionsInput } from '../../transport/tcp/config.js';
import { TcpLayer } from '../../transport/tcp/layer.js';
import { loadApp, type AppRef, type AppStack } from './app.js';
import { ChannelProcess } from './process.js';
import type { ProcSpec } from './spec.js';
import { threadCpuMs } from '../thread-cpu.js';
import { pollControl } from './worker-link.js';
import { COPY_HOLDER, ZeroCopySocket } from './zero-copy.js';

interface Data {
  mode: 'process' | 'standalone';
  spec?: ProcSpec;
  link?: MemoryLinkSpec;
  mac?: number;
  address?: string;
  name?: string;
  app: AppRef;
  tcp?: TcpOptionsInput;
  ctlPort: MessagePort;
}

const IDLE_SPINS = 64;
const MAX_SLEEP_MS = 2;
/** A whole host's memory link wakes its sleeping peer once per this many frames (MemoryLink.setWakeBatch); the loop flushes the rest when idle and every WAKE_FLUSH_TURNS turns. */
const WAKE_BATCH = 32;
const WAKE_FLUSH_TURNS = 16;

async function main(d: Data): Promise<void> {
  const app = await loadApp(d.app);
  let stack: AppStack;
  let poll: (now: number) => number;
  let sleep: (ms: number) => number;
  let linkStats: () => unknown;
  let flushWakeups: () => void = () => {};
  if (d.mode === 'process') {
    const proc = new ChannelProcess(d.spec!, d.tcp ?? {});
    stack = { host: proc.host, tcp: proc.tcp, index: d.spec!.index, procs: d.spec!.procs, zeroCopy: (s) => ZeroCopySocket.attach(s, proc.dev) };
    poll = (now) => proc.poll(now);
    sleep = (ms) => proc.sleep(ms);
    linkStats = () => ({ ...proc.dev.stats, heldFrames: proc.dev.heldFrames });
  } else {
    const dev = openMemoryLink(d.link!);
    dev.setWakeBatch(WAKE_BATCH);
    flushWakeups = () => dev.flushWakeups();
    const host = new Host({ name: d.name ?? 'host' });
    host.addInterface(dev, { mac: d.mac!, address: d.address! });
    const tcp = new TcpLayer(host, d.tcp ?? {});
    stack = { host, tcp, index: 0, procs: 1, zeroCopy: (s) => ZeroCopySocket.attach(s, COPY_HOLDER) };
    poll = (now) => host.poll(now);
    const ring = new Ring(d.link!.rx.data);
    sleep = (ms) => {
      ring.bell.arm();
      let r = -1;
      if (ring.count() === 0) r = ring.bell.waitSync(ms);
      ring.bell.disarm();
      return r;
    };
    linkStats = () => dev.stats;
  }
  const port = d.ctlPort;
  let now = performance.now();
  app.start(stack, now);
  let idle = 0;
  // A process spins as its spec says (channelIdleSpins); a whole host in one thread, as before.
  const spins = d.mode === 'process' ? d.spec!.idleSpins : IDLE_SPINS;
  // How the loop slept (stats `loop`): sleeps, of which woken by a doorbell, timed out, or not
  // needed (work arrived while arming); milliseconds asleep; iterations; the thread's CPU ms.
  const loop = { iters: 0, cpuMs: 0, sleeps: 0, sleptMs: 0, woken: 0, timedOut: 0, noWait: 0 };
  for (let i = 0; ; i++) {
    loop.iters = i;
    now = performance.now();
    const w = poll(now) + app.step(now);
    if (w === 0 || i % WAKE_FLUSH_TURNS === 0) flushWakeups();
    if (w === 0 || (i & 255) === 0) {
      const m = pollControl(port);
      if (m !== null) {
        if (m.cmd === 'stop') break;
        if (m.cmd === 'stats') {
          loop.cpuMs = threadCpuMs();
          const t = stack.tcp.counters.Tcp;
          port.postMessage({ app: app.stats(), tcp: { InSegs: t.InSegs, OutSegs: t.OutSegs, RetransSegs: t.RetransSegs, CurrEstab: t.CurrEstab }, link: linkStats(), loop });
        } else if (m.cmd === 'app') {
          const msg = (m['msg'] ?? {}) as Record<string, unknown>;
          let answer: unknown = null;
          try {
            if (app.control !== undefined) answer = app.control(msg, performance.now());
          } catch (e) {
            answer = { error: String((e as Error).message ?? e) }; // a control call is not a crash
          }
          port.postMessage(answer);
        } else if (m.cmd === 'stall') {
          // A slow process: blocked (as on a disk read), neither polling nor using a core.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(m['ms']));
        }
        continue;
      }
    }
    if (w !== 0) {
      idle = 0;
      continue;
    }
    if (++idle < spins) continue;
    idle = 0;
    const at = stack.host.pollAt();
    loop.sleeps++;
    const t = performance.now();
    const r = sleep(Math.max(0, Math.min(MAX_SLEEP_MS, at - now)));
    if (r === ChanErr.Ok) loop.woken++;
    else if (r === ChanErr.TimedOut) loop.timedOut++;
    else loop.noWait++;
    loop.sleptMs += performance.now() - t;
  }
  port.close();
}

await main(workerData as Data);
