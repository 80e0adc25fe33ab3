// The CPU time of the calling thread, for reports (a worker's stats), never the data path.
// Linux: the first field of /proc/thread-self/schedstat, nanoseconds this thread has run on a
// CPU (CONFIG_SCHED_INFO). `process.cpuUsage` sums every thread of the process and Node 20
// has no per-thread call (process.threadCpuUsage came in Node 23.9), so a benchmark that
// wants to say which thread spent what reads this in each thread.

import { readFileSync } from 'node:fs';

/** Return the milliseconds of CPU this thread has used, or NaN where the system does not say. */
export function threadCpuMs(): number {
  try {
    const s = readFileSync('/proc/thread-self/schedstat', 'latin1');
    const ns = Number(s.slice(0, s.indexOf(' ')));
    return Number.isFinite(ns) ? ns / 1e6 : NaN;
  } catch {
    return NaN;
  }
}
