// The control path between the main thread and a channel-mode worker: a MessagePort the
// worker polls without yielding (receiveMessageOnPort), so a thread that spins or sleeps
// on a doorbell still answers. Requests are answered in order. Never on the data path.

import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

/** A request to a worker. */
export interface ControlRequest {
  cmd: string;
  [k: string]: unknown;
}

/** The main thread's handle on one worker. */
export class WorkerHandle {
  readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  /** Resolves with the exit code when the thread ends. */
  readonly exited: Promise<number>;
  /** The error that ended the thread, if one did. */
  error: Error | null = null;
  private gone = false;

  /** Start `url` with `data` (posted once; SharedArrayBuffers are shared, not copied). */
  constructor(url: URL, data: Record<string, unknown>) {
    const ch = new MessageChannel();
    this.port = ch.port1;
    this.worker = new Worker(url, { workerData: { ...data, ctlPort: ch.port2 }, transferList: [ch.port2] });
    this.port.on('message', (m: unknown) => this.waiting.shift()?.resolve(m));
    this.worker.on('error', (e) => {
      this.error = e;
    });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.gone = true;
        this.port.close();
        for (const w of this.waiting.splice(0)) w.reject(new Error(`worker exited (${code})${this.error ? `: ${this.error.message}` : ''}`));
        resolve(code);
      });
    });
  }

  /** Return whether the thread has ended. */
  get isGone(): boolean {
    return this.gone;
  }

  /** Send a request and resolve with the worker's answer. */
  request<T>(req: ControlRequest): Promise<T> {
    if (this.gone) return Promise.reject(new Error(`worker is gone${this.error ? `: ${this.error.stack ?? this.error.message}` : ''}`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage(req);
    });
  }

  /** Send a message that gets no answer. */
  tell(req: ControlRequest): void {
    if (!this.gone) this.port.postMessage(req);
  }
}

/** The worker's side: poll for a request without yielding; null when none. */
export function pollControl(port: MessagePort): ControlRequest | null {
  const m = receiveMessageOnPort(port);
  return m === undefined ? null : (m.message as ControlRequest);
}
