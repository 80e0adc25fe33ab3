// One side of the HTTP workload in a worker thread (see http-run.ts): the server (Node's
// http) or the load generator (http-load.ts), on the kernel's loopback (node:net) or on one
// of our hosts attached to a shared memory link. Messages in: a ServerJob, a ClientJob, then
// 'stop'. Messages out: { ready, port } once the server listens; the ClientReport when the
// load ends; the ServerReport after 'stop'.

import { openSync } from 'node:fs';
import { connect as kernelConnect, type Server as KernelServer } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { createStack, type Stack } from '../adapters/index.js';
import { Tracer } from '../hooks/tracer.js';
import { Host } from '../iface/host.js';
import type { LinkDevice } from '../link/device.js';
import { FaultInjector } from '../link/fault-injector.js';
import { type MemoryLink, openMemoryLink, type MemoryLinkSpec } from '../link/memory.js';
import { PcapTap, PcapWriter } from '../link/pcap.js';
import { Kernel } from '../posix/kernel.js';
import { Loop } from '../runtime/loop.js';
import { threadCpuMs } from '../runtime/thread-cpu.js';
import type { Millis } from '../time.js';
import { createHttpApp, runLoad, type LoadResult, type LoadSocket } from './http-load.js';

/** Which stack a side runs on. */
export type HttpStackKind = 'netch' | 'kernel';

/** The server's address on the memory link. */
export const HTTP_SERVER_ADDR = '192.0.2.2';
/** The client's address on the memory link. */
export const HTTP_CLIENT_ADDR = '192.0.2.1';
/** The port the server listens on (our stack; the kernel's uses an ephemeral port). */
export const HTTP_PORT = 80;

/** What the link does to the client's frames (both directions), and where to capture them. */
export interface LinkScenario {
  /** Probability that a frame is dropped, each direction. */
  loss: number;
  /** Delay of every frame, each direction (ms). */
  delayMs: number;
  /** Capture file (libpcap) of the client's interface, or null. */
  pcap: string | null;
  /** Frames the capture keeps before it stops writing. */
  pcapFrames: number;
  /** Seed of the fault injector. */
  seed: number;
}

/** Start the server. */
export interface ServerJob {
  cmd: 'server';
  kind: HttpStackKind;
  spec: MemoryLinkSpec | null;
  bodyLen: number;
  /** `-e trace=` of a Tracer installed on the process, writing to a null sink (netch only), or null. */
  trace: string | null;
}

/** Run the load generator. */
export interface ClientJob {
  cmd: 'client';
  kind: HttpStackKind;
  spec: MemoryLinkSpec | null;
  scenario: LinkScenario;
  /** The kernel server's port (ignored for netch). */
  port: number;
  conns: number;
  durationMs: number;
  warmupMs: number;
  bodyLen: number;
  /** `-e trace=` of a Tracer installed on the process, writing to a null sink (netch only), or null. */
  trace: string | null;
  /** [0] responses completed, [1] failures: read by the main thread for the progress bar. */
  progress: Int32Array;
}

/** TCP counters of one of our hosts. */
export interface TcpFigures {
  outSegs: number;
  inSegs: number;
  retransSegs: number;
  /** Wake-ups (Atomics.notify) this host's link end sent to the other end. */
  linkWakeups: number;
}

/** What the client side reports. */
export interface ClientReport {
  load: LoadResult;
  /** Our TCP's counters (netch only). */
  tcp: TcpFigures | null;
  /** Frames the fault injector dropped, both directions (netch only). */
  lostFrames: number;
  /** Frames written to the capture (0 without one). */
  pcapFrames: number;
  /** Lines the tracer printed (0 without one). */
  traceLines: number;
  /** This thread's CPU time over the load, warm-up and drain included (ms). */
  cpuMs: number;
  /** An error that stopped the side ('' when none). */
  error: string;
}

/** What the server side reports after 'stop'. */
export interface ServerReport {
  tcp: TcpFigures | null;
  /** Connections the http server saw. */
  connections: number;
  /** Lines the tracer printed (0 without one). */
  traceLines: number;
  /** This thread's CPU time from listening to 'stop' (ms). */
  cpuMs: number;
}

/** A capture that stops writing after `limit` frames, so a long run cannot fill the disk. */
class BoundedPcapTap extends PcapTap {
  constructor(
    inner: LinkDevice,
    writer: PcapWriter,
    epochBaseMs: number,
    private readonly limit: number,
  ) {
    super(inner, writer, { epochBaseMs });
  }

  /** Write the frame unless the capture is full. */
  override capture(buf: Uint8Array, off: number, len: number, now: Millis): void {
    if (this.writer.records < this.limit) super.capture(buf, off, len, now);
  }
}

/** One of our hosts on its end of the link, with a kernel, a real-time loop and the Node adapters. */
interface NetchSide {
  link: MemoryLink;
  host: Host;
  kernel: Kernel;
  loop: Loop;
  stack: Stack;
  faults: FaultInjector | null;
  writer: PcapWriter | null;
  tracer: Tracer | null;
  traceLines: number;
}

function netchSide(spec: MemoryLinkSpec, server: boolean, scenario: LinkScenario | null, trace: string | null): NetchSide {
  const link = openMemoryLink(spec);
  const loop = new Loop();
  let dev: LinkDevice = link;
  let faults: FaultInjector | null = null;
  let writer: PcapWriter | null = null;
  if (scenario !== null && (scenario.loss > 0 || scenario.delayMs > 0)) {
    const cfg = { loss: scenario.loss, delay: scenario.delayMs };
    // Enough held frames for every connection's request and response while delayed.
    faults = new FaultInjector(dev, { seed: scenario.seed, tx: cfg, rx: cfg, poolFrames: 4096 });
    dev = faults;
  }
  if (scenario !== null && scenario.pcap !== null) {
    writer = new PcapWriter(openSync(scenario.pcap, 'w'), {}, true);
    // The tap sits above the fault injector, as tcpdump sits above netem's qdisc.
    dev = new BoundedPcapTap(dev, writer, Date.now() - loop.clock.now(), scenario.pcapFrames);
  }
  const host = new Host({ name: server ? 'beta' : 'alpha' });
  host.addInterface(dev, {
    mac: server ? '02:00:00:00:00:02' : '02:00:00:00:00:01',
    address: `${server ? HTTP_SERVER_ADDR : HTTP_CLIENT_ADDR}/24`,
    name: 'eth0',
  });
  const kernel = new Kernel(host, { clock: loop.clock });
  const stack = createStack({ kernel, loop, name: server ? 'http-server' : 'load' });
  const side: NetchSide = { link, host, kernel, loop, stack, faults, writer, tracer: null, traceLines: 0 };
  if (trace !== null) {
    // Lines go nowhere but are counted, so a run shows the tracer was there.
    side.tracer = new Tracer({ trace, write: () => void side.traceLines++ });
    side.tracer.attach(stack.process);
  }
  return side;
}

function tcpFigures(side: NetchSide): TcpFigures {
  const t = side.kernel.tcp.counters.Tcp;
  return { outSegs: t.OutSegs, inSegs: t.InSegs, retransSegs: t.RetransSegs, linkWakeups: side.link.wakeupsSent };
}

function closeNetch(side: NetchSide): void {
  side.tracer?.detachAll();
  side.stack.close();
  side.loop.stop();
  side.host.close();
  side.writer?.close();
}

let serverSide: NetchSide | null = null;
let kernelServer: KernelServer | null = null;
let serverConnections = 0;
let serverCpu0 = Number.NaN;

function startServer(job: ServerJob, reply: (m: unknown) => void): void {
  serverCpu0 = threadCpuMs();
  const app = createHttpApp(job.bodyLen);
  app.on('connection', () => serverConnections++);
  if (job.kind === 'kernel') {
    kernelServer = app;
    app.listen(0, '127.0.0.1', () => reply({ ready: true, port: (app.address() as { port: number }).port }));
    return;
  }
  const side = netchSide(job.spec!, true, null, job.trace);
  serverSide = side;
  // TCP_NODELAY on every accepted socket, as http.createServer's net.Server sets it on the
  // kernel's (its noDelay option defaults to true): the same server on both stacks.
  const srv = side.stack.createServer({ noDelay: true }, (s) => app.emit('connection', s));
  srv.listen(HTTP_PORT, HTTP_SERVER_ADDR, () => reply({ ready: true, port: HTTP_PORT }));
}

function stopServer(): ServerReport {
  const report: ServerReport = {
    tcp: serverSide === null ? null : tcpFigures(serverSide),
    connections: serverConnections,
    traceLines: serverSide?.traceLines ?? 0,
    cpuMs: threadCpuMs() - serverCpu0,
  };
  if (serverSide !== null) closeNetch(serverSide);
  kernelServer?.close();
  return report;
}

async function runClient(job: ClientJob): Promise<ClientReport> {
  let side: NetchSide | null = null;
  const report: ClientReport = { load: null as unknown as LoadResult, tcp: null, lostFrames: 0, pcapFrames: 0, traceLines: 0, cpuMs: 0, error: '' };
  const cpu0 = threadCpuMs();
  try {
    let dial: () => LoadSocket;
    if (job.kind === 'kernel') {
      dial = () => kernelConnect(job.port, '127.0.0.1');
    } else {
      const s = netchSide(job.spec!, false, job.scenario, job.trace);
      side = s;
      dial = () => s.stack.connect({ host: HTTP_SERVER_ADDR, port: HTTP_PORT }) as unknown as LoadSocket;
    }
    report.load = await runLoad({
      dial,
      host: job.kind === 'kernel' ? `127.0.0.1:${job.port}` : HTTP_SERVER_ADDR,
      conns: job.conns,
      durationMs: job.durationMs,
      warmupMs: job.warmupMs,
      bodyLen: job.bodyLen,
      progress: job.progress,
      drainMs: Math.max(2000, 4 * job.scenario.delayMs + 1000),
    });
    report.cpuMs = threadCpuMs() - cpu0;
    if (side !== null) {
      report.tcp = tcpFigures(side);
      report.traceLines = side.traceLines;
      if (side.faults !== null) report.lostFrames = side.faults.txFaults.lost + side.faults.rxFaults.lost;
      if (side.writer !== null) {
        side.writer.flush();
        report.pcapFrames = side.writer.records;
      }
    }
  } catch (err) {
    report.error = String((err as Error).stack ?? err);
  } finally {
    if (side !== null) closeNetch(side);
  }
  return report;
}

if (parentPort !== null) {
  const port = parentPort;
  const reply = (m: unknown): void => port.postMessage(m);
  port.on('message', (m: ServerJob | ClientJob | { cmd: 'stop' }) => {
    if (m.cmd === 'server') startServer(m, reply);
    else if (m.cmd === 'client') void runClient(m).then(reply);
    else reply(stopServer());
  });
}
