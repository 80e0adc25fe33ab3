// The driver's thread: steps the ChannelDriver in a loop, sleeps on the link's rx doorbell
// (which the processes ring too) when idle, and answers control requests: detach {proc},
// stats, stop.

import { type MessagePort, workerData } from 'node:worker_threads';
import { ChannelDriver } from './driver.js';
import type { DriverSpec } from './spec.js';
import { pollControl } from './worker-link.js';

const IDLE_SPINS = 64;
const MAX_SLEEP_MS = 2;

function main(d: { spec: DriverSpec; ctlPort: MessagePort }): void {
  const driver = new ChannelDriver(d.spec);
  const port = d.ctlPort;
  let idle = 0;
  for (let i = 0; ; i++) {
    const now = performance.now();
    const w = driver.step(now);
    if (w === 0 || (i & 255) === 0) {
      const m = pollControl(port);
      if (m !== null) {
        if (m.cmd === 'stop') break;
        if (m.cmd === 'detach') {
          driver.detach(Number(m['proc']));
          port.postMessage({ ok: true, framesLent: driver.framesLent() });
        } else if (m.cmd === 'stats') {
          port.postMessage({ driver: driver.snapshot(), framesLent: driver.framesLent(), flows: driver.table.size });
        }
        continue;
      }
    }
    if (w !== 0) {
      idle = 0;
      continue;
    }
    if (++idle < IDLE_SPINS) continue;
    idle = 0;
    driver.sleep(Math.max(0, Math.min(MAX_SLEEP_MS, driver.pollAt() - now)));
  }
  port.close();
}

main(workerData as { spec: DriverSpec; ctlPort: MessagePort });
