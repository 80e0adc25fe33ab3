// The application contract of channel mode: the same code runs in one-thread mode (one
// Host and TcpLayer serve every connection) and in channel mode (each process thread has
// its own Host and TcpLayer with the shared address, and the driver steers each flow to
// one of them). An app is a module exporting a factory; a worker imports it by URL.

import type { Host } from '../../iface/host.js';
import type { Millis } from '../../time.js';
import type { TcpLayer } from '../../transport/tcp/layer.js';
import type { TcpSocket } from '../../transport/tcp/socket.js';
import type { ZeroCopySocket } from './zero-copy.js';

/** What an app runs on: one stack (a whole host in one-thread mode, one process in channel mode). */
export interface AppStack {
  readonly host: Host;
  readonly tcp: TcpLayer;
  /** This process's index (0 in one-thread mode) and the number of processes. */
  readonly index: number;
  readonly procs: number;
  /**
   * Attach a zero-copy reader to a connected socket: `readView` hands out the received
   * bytes as views (`bytes`, `offset`, `length`), `release` gives them back. In channel
   * mode in-order payload stays in the arena frame it arrived in; in one-thread mode every
   * view is a copy (COPY_HOLDER). Same API, same bytes.
   */
  zeroCopy(s: TcpSocket): ZeroCopySocket;
}

/** An application: sockets opened in `start`, driven by `step`. */
export interface StackApp {
  /** Open the app's sockets (listen, connect). */
  start(stack: AppStack, now: Millis): void;
  /** Make progress (read, write, accept); return how much work was done (0: idle). */
  step(now: Millis): number;
  /** Return the app's counters (bytes checked, requests, errors). */
  stats(): Record<string, number | string>;
  /**
   * Answer a control message from the main thread (`StackThread.appControl`,
   * `ChannelHost.appControl`), between steps: a benchmark starts another round of flows on
   * threads that are already warm. Optional; without it the answer is null.
   */
  control?(msg: Record<string, unknown>, now: Millis): Record<string, number | string> | null;
}

/** How a worker finds an app: a module URL, the name of a factory it exports, and its options. */
export interface AppRef {
  readonly module: string;
  readonly factory: string;
  readonly options: unknown;
}

/** Import the app `ref` names and make one. */
export async function loadApp(ref: AppRef): Promise<StackApp> {
  const mod = (await import(ref.module)) as Record<string, (o: unknown) => StackApp>;
  const f = mod[ref.factory];
  if (typeof f !== 'function') throw new TypeError(`app: ${ref.module} exports no function ${ref.factory}`);
  return f(ref.options);
}
