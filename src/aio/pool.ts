// The helper pool (glibc: the thread creation in __aio_enqueue_request, and the exit at the
// end of handle_fildes_io): worker threads started on demand, each with its own completion
// ring sized so that a push never fails, the data buffers registered with them (each
// SharedArrayBuffer posted once to every live helper, like io_uring's registered buffers),
// and whether they keep the process alive.
//
// Guarantees: a helper's exit is reported once, after it left the list. Never does: decide
// when to start a helper or what a helper's exit means for the requests (context.ts does),
// or post a message per request.

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { Ring, createRing, type RingSpec } from '../channel/index.js';
import { HELPER_IDLE, type BufferRegistration, type HelperData } from './helper.js';
import type { RunQueueSpec } from './runqueue.js';
import type { RequestTable } from './table.js';

/** One helper thread as the main thread sees it. */
export interface Helper {
  readonly id: number;
  readonly worker: Worker;
  /** Its completion ring (it pushes, the main thread pops). */
  readonly comp: Ring;
  /** Its state word (HELPER_* of helper.ts). */
  readonly state: Int32Array;
  readonly port: MessagePort;
  dead: boolean;
}

/**
 * Return this process's Node flags minus the ones that name its main program (-e, -p,
 * --input-type), which a helper must not inherit; undefined when there are none to drop,
 * so the worker inherits the flags as Node does by default (Node 24's test runner starts
 * processes with flags that Worker refuses when they are passed explicitly).
 */
function helperExecArgv(): string[] | undefined {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out.length === argv.length ? undefined : out;
}

/** Return the Worker option that sets the helper's flags, or nothing (inherit). */
function execArgvOption(): { execArgv?: string[] } {
  const execArgv = helperExecArgv();
  return execArgv === undefined ? {} : { execArgv };
}

/** The helper threads of one AIO instance. */
export class HelperPool {
  /** The live helpers. */
  readonly list: Helper[] = [];
  /** Live helpers (the list's length). */
  live = 0;
  /** Helpers started so far. */
  spawned = 0;
  /** Helpers that exited so far. */
  retired = 0;
  private nextId = 1;
  private referenced = false;
  private nextBufferId = 1;
  private readonly bufferIds = new WeakMap<SharedArrayBuffer, number>();
  private readonly registry = new Map<number, WeakRef<SharedArrayBuffer>>();

  /** Make a pool that reports each helper's exit to `onExit`, after taking it out of the list. */
  constructor(private readonly onExit: (h: Helper) => void) {}

  /**
   * Start a helper on run queue `queue` and request table `table` that retires after
   * `idleMs` without work (0: as soon as it finds none); the caller counts it idle first.
   */
  spawn(queue: RunQueueSpec, table: RequestTable, idleMs: number): void {
    let size = 2;
    while (size < table.slots) size <<= 1;
    const compSpec: RingSpec = createRing(size); // room for every request that can be outstanding
    const state = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(state, 0, HELPER_IDLE);
    const { port1, port2 } = new MessageChannel();
    const buffers: BufferRegistration[] = [];
    for (const [id, ref] of this.registry) {
      const sab = ref.deref();
      if (sab === undefined) this.registry.delete(id);
      else buffers.push({ id, buffer: sab });
    }
    const id = this.nextId++;
    const data: HelperData & { aioHelper: true } = { aioHelper: true, id, queue, comp: compSpec, table: table.buffer, slots: table.slots, state, idleMs, port: port2, buffers };
    // The only postMessage of a helper's life besides buffer registrations: its start.
    const worker = new Worker(new URL('./helper.js', import.meta.url), { workerData: data, transferList: [port2], ...execArgvOption() });
    const h: Helper = { id, worker, comp: new Ring(compSpec), state, port: port1, dead: false };
    if (!this.referenced) worker.unref();
    port1.unref();
    worker.on('exit', () => this.exited(h));
    worker.on('error', () => undefined); // reported through 'exit'; its request fails with EIO
    this.list.push(h);
    this.live++;
    this.spawned++;
  }

  /** Keep the process alive while a request is outstanding (`on`); let an idle pool go (no destroy call). */
  setReferenced(on: boolean): void {
    if (this.referenced === on) return;
    this.referenced = on;
    for (const h of this.list) {
      if (on) h.worker.ref();
      else h.worker.unref();
    }
  }

  /** Return the id of a data buffer, registering it with every live helper the first time. */
  bufferId(sab: SharedArrayBuffer): number {
    let id = this.bufferIds.get(sab);
    if (id !== undefined) return id;
    id = this.nextBufferId++;
    this.bufferIds.set(sab, id);
    this.registry.set(id, new WeakRef(sab));
    const reg: BufferRegistration = { id, buffer: sab };
    for (const h of this.list) if (!h.dead) h.port.postMessage(reg);
    return id;
  }

  private exited(h: Helper): void {
    if (h.dead) return;
    h.dead = true;
    this.live--;
    this.retired++;
    h.port.close();
    this.list.splice(this.list.indexOf(h), 1);
    this.onExit(h);
  }
}
