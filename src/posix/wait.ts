// Waiting for readiness, for the promise-returning calls: a Waiter watches files and
// settles when a condition holds after one of them reported a change (or was released),
// or when its timeout passes on the kernel's clock. No polling: the files' readiness
// callbacks and the kernel's timer heap drive it.

import { TimerHandle } from '../storage/timer-wheel.js';
import { ALWAYS_REPORTED, type FileWatcher, type OpenFile } from './file.js';
import type { Kernel } from './kernel.js';

/** A pending wait of a promise-returning call. */
export class Waiter implements FileWatcher {
  readonly timer: TimerHandle<Waiter>;
  private done = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly files: readonly OpenFile[],
    private readonly ready: () => boolean,
    private readonly resolve: (ready: boolean) => void,
  ) {
    this.timer = new TimerHandle<Waiter>(this);
  }

  /** Settle when the condition now holds. */
  wake(_file: OpenFile, _key: number): void {
    if (this.ready()) this.finish(true);
  }

  /** Settle: the file is gone (the call will now see EBADF or the like). */
  closed(_file: OpenFile): void {
    this.finish(true);
  }

  /** Stop waiting: `ready` false when the timeout passed. */
  finish(ready: boolean): void {
    if (this.done) return;
    this.done = true;
    for (const f of this.files) f.unwatch(this);
    this.kernel.timers.cancel(this.timer);
    this.resolve(ready);
  }
}

/**
 * Return a promise that resolves true once `ready()` holds (checked now and after each
 * change one of `files` reports, or when one is released), false when `timeoutMs` passes
 * first (negative: no timeout; 0: do not wait).
 */
export function waitUntil(kernel: Kernel, files: readonly OpenFile[], ready: () => boolean, timeoutMs: number): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  if (timeoutMs === 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const w = new Waiter(kernel, files, ready, resolve);
    for (const f of files) f.watch(w);
    if (timeoutMs > 0) kernel.scheduleTimer(w.timer, kernel.now() + timeoutMs);
  });
}

/** Wait until `file` reports an event of `mask` (or POLLERR/POLLHUP) or is released; see waitUntil. */
export function waitFor(kernel: Kernel, file: OpenFile, mask: number, timeoutMs: number): Promise<boolean> {
  const m = mask | ALWAYS_REPORTED;
  return waitUntil(kernel, [file], () => file.refs === 0 || (file.poll() & m) !== 0, timeoutMs);
}
