// The driver's thread: steps the ChannelDriver in a loop, sleeps on the link's rx doorbell
// (which the processes ring too) when idle, and answers control requests: detach {proc},
// stats, filter {op, args} (a call on its host's filter table), stop.

import { type MessagePort, workerData } from 'node:worker_threads';
import { ChanErr } from '../../channel/index.js';
import { netchError } from '../../iface/errors.js';
import { ChannelDriver } from './driver.js';
import { FILTER_CALLS, type DriverSpec } from './spec.js';
import { threadCpuMs } from '../thread-cpu.js';
import { pollControl } from './worker-link.js';

const MAX_SLEEP_MS = 2;
const FILTER_OPS: ReadonlySet<string> = new Set(FILTER_CALLS);

/** Run one call on the driver's filter table; answer its result, or the error's code and message. */
function filterCall(driver: ChannelDriver, op: string, args: unknown): { result?: unknown; error?: { code: string; message: string } } {
  try {
    if (!FILTER_OPS.has(op)) throw netchError('EINVAL', `no filter call ${JSON.stringify(op)}`);
    const f = driver.host.filter as unknown as Record<string, (...a: unknown[]) => unknown>;
    return { result: f[op]!(...(Array.isArray(args) ? args : [])) };
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    return { error: { code: typeof err.code === 'string' ? err.code : 'EINVAL', message: String(err.message) } };
  }
}

function main(d: { spec: DriverSpec; ctlPort: MessagePort }): void {
  const driver = new ChannelDriver(d.spec);
  const port = d.ctlPort;
  const spins = d.spec.idleSpins;
  let idle = 0;
  // How the loop slept (stats `loop`): sleeps, of which woken by a doorbell, timed out, or not
  // needed (work arrived while arming); milliseconds asleep; iterations; the thread's CPU ms.
  const loop = { iters: 0, cpuMs: 0, sleeps: 0, sleptMs: 0, woken: 0, timedOut: 0, noWait: 0 };
  for (let i = 0; ; i++) {
    loop.iters = i;
    const now = performance.now();
    const w = driver.step(now);
    if (w === 0 || (i & 255) === 0) {
      const m = pollControl(port);
      if (m !== null) {
        if (m.cmd === 'stop') break;
        if (m.cmd === 'detach') {
          driver.detach(Number(m['proc']));
          port.postMessage({ ok: true, framesLent: driver.framesLent() });
        } else if (m.cmd === 'filter') {
          port.postMessage(filterCall(driver, String(m['op']), m['args']));
        } else if (m.cmd === 'stats') {
          loop.cpuMs = threadCpuMs();
          port.postMessage({ driver: driver.snapshot(), framesLent: driver.framesLent(), flows: driver.table.size, loop });
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
    loop.sleeps++;
    const t = performance.now();
    const r = driver.sleep(Math.max(0, Math.min(MAX_SLEEP_MS, driver.pollAt() - now)));
    if (r === ChanErr.Ok) loop.woken++;
    else if (r === ChanErr.TimedOut) loop.timedOut++;
    else loop.noWait++;
    loop.sleptMs += performance.now() - t;
  }
  port.close();
}

main(workerData as { spec: DriverSpec; ctlPort: MessagePort });
