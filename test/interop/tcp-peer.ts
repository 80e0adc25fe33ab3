// Helpers of the TCP interop tests (tcp-*.test.ts): our host with a TCP layer on the bench,
// driven by the real-time Loop; a byte source and a hashing sink on our sockets; a Linux
// socket driven line by line from the test (a python3 script in the namespace); `ss -tan`
// in the namespace, parsed; bulk transfers each way with socat, hashed on both sides.

import assert from 'node:assert/strict';
import { createHash, randomFillSync, type Hash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Host } from '../../src/iface/host.js';
import type { LinkDevice } from '../../src/link/device.js';
import { Loop } from '../../src/runtime/loop.js';
import type { Clock } from '../../src/time.js';
import { TcpErr, tcpErrName } from '../../src/transport/tcp/errors.js';
import { TcpLayer } from '../../src/transport/tcp/layer.js';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { SHUT_WR, type TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState, tcpStateName } from '../../src/transport/tcp/state.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { HOST_ADDR, HOST_MAC, KERNEL_ADDR, PREFIX_LEN, sleep, waitFor, type Bench } from './bench.js';

/** Our host on the bench with a TCP layer. */
export interface TcpBenchHost {
  host: Host;
  loop: Loop;
  tcp: TcpLayer;
}

/** Attach a host with a TCP layer to `dev` (the bench's TAP, or a wrapper of it); stopped at teardown. */
export function startTcpHost(t: TestContext, dev: LinkDevice, opts: TcpOptionsInput = {}): TcpBenchHost {
  const host = new Host({ name: 'netch' });
  host.addInterface(dev, { mac: HOST_MAC, address: `${HOST_ADDR}/${PREFIX_LEN}`, name: 'eth0' });
  const tcp = new TcpLayer(host, opts);
  const loop = new Loop();
  loop.add(host).start();
  t.after(() => {
    loop.stop();
    host.close();
  });
  return { host, loop, tcp };
}

/** Reads everything a socket receives and hashes it (SHA-256), from readiness callbacks. */
export class HashSink {
  bytes = 0;
  eof = false;
  /** The first error recv returned (a negated TcpErr), 0 while none. */
  error = 0;
  digest = '';
  private readonly hash: Hash = createHash('sha256');
  private readonly buf = new Uint8Array(65536);

  /** Start reading `s`. */
  constructor(
    readonly s: TcpSocket,
    private readonly clock: Clock,
  ) {
    s.onReadiness = () => this.step();
    this.step();
  }

  /** Read what is there. */
  step(): void {
    if (this.eof || this.error !== 0) return;
    const now = this.clock.now();
    // One step drains everything readable (nothing arrives during it): readiness comes with
    // new arrivals only, so bytes left behind after the peer's last segment would never be
    // announced again. The bound is what is readable now, not recvBufSize (the configured
    // SO_RCVBUF): auto-tuning grows the buffer past it, and a 64 KiB-based bound once left
    // 120 KB unread behind the FIN on a loaded machine.
    const rounds = Math.ceil(this.s.readable / this.buf.length) + 2;
    for (let i = 0; i < rounds; i++) {
      const n = this.s.recv(this.buf, 0, this.buf.length, now);
      if (n > 0) {
        this.hash.update(this.buf.subarray(0, n));
        this.bytes += n;
        continue;
      }
      if (n === 0) {
        this.eof = true;
        this.digest = this.hash.digest('hex');
      } else if (n !== -TcpErr.WouldBlock) {
        this.error = n;
      }
      return;
    }
  }
}

/** Sends `total` random bytes through a socket (hashing them), then shuts down writing. */
export class RandomSource {
  /** Bytes taken by send. */
  sent = 0;
  /** The first error send returned (a negated TcpErr), 0 while none. */
  error = 0;
  shut = false;
  digest = '';
  private readonly hash: Hash = createHash('sha256');
  private readonly chunk = new Uint8Array(65536);
  private off = 0;
  private len = 0;
  private made = 0;

  /** Start sending on `s` (connected, or connecting: it waits for Writable). */
  constructor(
    readonly s: TcpSocket,
    readonly total: number,
    private readonly clock: Clock,
    private readonly then: 'shutdown' | 'none' = 'shutdown',
  ) {
    s.onReadiness = () => this.step();
    this.step();
  }

  /** Send what the send buffer takes. Bounded: a chunk per round, until send would block. */
  step(): void {
    if (this.error !== 0 || this.shut) return;
    const now = this.clock.now();
    for (let i = 0; i < 64; i++) {
      if (this.len === 0) {
        if (this.made === this.total) {
          this.digest = this.hash.digest('hex');
          this.shut = true;
          if (this.then === 'shutdown') this.s.shutdown(SHUT_WR, now);
          return;
        }
        const n = Math.min(this.chunk.length, this.total - this.made);
        randomFillSync(this.chunk, 0, n);
        this.hash.update(this.chunk.subarray(0, n));
        this.made += n;
        this.off = 0;
        this.len = n;
      }
      const n = this.s.send(this.chunk, this.off, this.len, now);
      if (n === -TcpErr.WouldBlock || n === -TcpErr.NotConnected) return;
      if (n < 0) {
        this.error = n;
        return;
      }
      this.off += n;
      this.len -= n;
      this.sent += n;
    }
  }
}

/** Return a TcpErr result as text ("-Refused (ECONNREFUSED)"). */
export function errText(code: number): string {
  return code === 0 ? '0' : `-${tcpErrName(code)}`;
}

/**
 * A socket in the namespace driven by line commands (python3), so a test can make Linux
 * connect, send, shut down, close or reset at the moment it chooses:
 *   rcvbuf N | listen ADDR PORT | accept | connect ADDR PORT | send N | sendbg N | join |
 *   recv N [SECONDS] | recveof | shutwr | close | rst
 * (rcvbuf sets SO_RCVBUF of the sockets made after it; sendbg sends in a thread, so the
 * script goes on taking commands while the send blocks, and join waits for it; recv waits
 * up to SECONDS, default 10, for each piece.)
 * Each command answers one line: `ok ...` or `err NAME ERRNO`.
 */
export const PEER_PY = `
import socket, struct, sys, threading
s = None
bg = None
bgerr = []
l = None
rcvbuf = 0
def sock():
    x = socket.socket()
    if rcvbuf:
        x.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    return x
def out(*a):
    print(*a, flush=True)
def pattern(n):
    return (bytes(range(256)) * (n // 256 + 1))[:n]
for line in sys.stdin:
    c = line.split()
    if not c:
        continue
    try:
        if c[0] == 'rcvbuf':
            rcvbuf = int(c[1])
            out('ok')
        elif c[0] == 'listen':
            l = sock()
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind((c[1], int(c[2])))
            l.listen(8)
            out('ok')
        elif c[0] == 'accept':
            l.settimeout(10)
            s, a = l.accept()
            out('ok', a[1])
        elif c[0] == 'connect':
            s = sock()
            s.settimeout(10)
            s.connect((c[1], int(c[2])))
            out('ok', s.getsockname()[1])
        elif c[0] == 'send':
            s.settimeout(30)
            s.sendall(pattern(int(c[1])))
            out('ok', c[1])
        elif c[0] == 'sendbg':
            s.settimeout(60)
            def send_all(x, data):
                try:
                    x.sendall(data)
                except OSError as e:
                    bgerr.append(e)
            bg = threading.Thread(target=send_all, args=(s, pattern(int(c[1]))))
            bg.start()
            out('ok', c[1])
        elif c[0] == 'join':
            bg.join(60)
            if bg.is_alive():
                out('err', 'TimeoutError', 0)
            elif bgerr:
                out('err', type(bgerr[0]).__name__, bgerr[0].errno)
            else:
                out('ok')
        elif c[0] == 'recv':
            n = int(c[1]); got = b''
            s.settimeout(float(c[2]) if len(c) > 2 else 10)
            while len(got) < n:
                d = s.recv(min(65536, n - len(got)))
                if not d:
                    break
                got += d
            out('ok', len(got), 'intact' if got == pattern(len(got)) else 'damaged')
        elif c[0] == 'recveof':
            n = 0
            s.settimeout(30)
            while True:
                d = s.recv(65536)
                if not d:
                    break
                n += len(d)
            out('ok', n)
        elif c[0] == 'shutwr':
            s.shutdown(socket.SHUT_WR)
            out('ok')
        elif c[0] == 'close':
            s.close()
            out('ok')
        elif c[0] == 'rst':
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
            out('ok')
        else:
            out('err', 'unknown', c[0])
    except OSError as e:
        out('err', type(e).__name__, e.errno)
`;

/** The Linux end of a connection, driven by PEER_PY. */
export class LinuxPeer {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      for (let i = partial.indexOf('\n'); i >= 0; i = partial.indexOf('\n')) {
        const line = partial.slice(0, i);
        partial = partial.slice(i + 1);
        const w = this.waiting;
        if (w !== null) {
          this.waiting = null;
          w(line);
        } else {
          this.lines.push(line);
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Start the script in the bench's namespace (killed at the bench's teardown). */
  static start(bench: Bench): LinuxPeer {
    return new LinuxPeer(bench.spawn(['python3', '-u', '-c', PEER_PY]));
  }

  /** Send one command; resolve with its answer line. Errors: rejects after `timeoutMs`. */
  async cmd(line: string, timeoutMs = 15_000): Promise<string> {
    if (this.lines.length > 0) throw new Error(`unread answer from the Linux peer: ${this.lines[0]}`);
    this.child.stdin!.write(line + '\n');
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`the Linux peer did not answer "${line}" in ${timeoutMs} ms${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      }, timeoutMs);
      this.waiting = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
    });
  }

  /** Send one command and return its answer; throw unless it starts with "ok". */
  async ok(line: string, timeoutMs?: number): Promise<string[]> {
    const a = await this.cmd(line, timeoutMs);
    if (!a.startsWith('ok')) throw new Error(`Linux peer: "${line}" answered "${a}"`);
    return a.split(' ').slice(1);
  }
}

/** One line of `ss -tan`. */
export interface SsEntry {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
}

/** Return the TCP sockets of the namespace, as `ss -tan` lists them. */
export async function ss(bench: Bench): Promise<SsEntry[]> {
  const r = await bench.exec(['ss', '-tanH'], { check: true });
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [state, recvQ, sendQ, local, peer] = l.trim().split(/\s+/) as [string, string, string, string, string];
      return { state, recvQ: Number(recvQ), sendQ: Number(sendQ), local, peer };
    });
}

/** Return the state of the kernel's socket between `local` and `peer` (ADDR:PORT each), or null when there is none. */
export async function ssState(bench: Bench, local: string, peer: string): Promise<string | null> {
  const e = (await ss(bench)).find((x) => x.local === local && x.peer === peer);
  return e?.state ?? null;
}

/**
 * Poll `ss` every 50 ms until the kernel's socket `local` - `peer` is in `state` (null:
 * gone) or `ms` passed; resolve with the last state seen.
 */
export async function waitForSs(bench: Bench, local: string, peer: string, state: string | null, ms = 5000): Promise<string | null> {
  const deadline = performance.now() + ms;
  let last = await ssState(bench, local, peer);
  while (last !== state && performance.now() < deadline) {
    await sleep(50);
    last = await ssState(bench, local, peer);
  }
  return last;
}

/** Our host on the bench with its bench (what the bulk transfers need). */
export interface BulkSetup extends TcpBenchHost {
  bench: Bench;
}

/** Return the SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Return "N MiB in S s (R Gbit/s)". */
export function transferRate(bytes: number, ms: number): string {
  return `${(bytes / (1 << 20)).toFixed(0)} MiB in ${(ms / 1000).toFixed(2)} s (${((bytes * 8) / 1e6 / ms).toFixed(2)} Gbit/s)`;
}

/**
 * Linux sends `n` random bytes with socat to our listener on `port`; both sides hash them.
 * Return the milliseconds from the connect to the last byte; our side ends CLOSED.
 */
export async function bulkFromKernel(s: BulkSetup, n: number, port: number): Promise<number> {
  const file = join(s.bench.dir, 'send.bin');
  await s.bench.exec(['sh', '-c', `head -c ${n} /dev/urandom > ${file}`], { check: true, timeoutMs: 60_000 });
  const want = await sha256File(file);
  const l = s.tcp.socket();
  assert.equal(l.bind(0, port), 0);
  assert.equal(l.listen(4), 0);
  let sink: HashSink | null = null;
  l.onReadiness = () => {
    const c = l.accept();
    if (c !== null) sink = new HashSink(c, s.loop.clock);
  };
  const t0 = performance.now();
  const r = await s.bench.exec(['socat', '-u', `OPEN:${file},rdonly`, `TCP:${HOST_ADDR}:${port}`], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, `socat: ${r.stderr}`);
  const got = (): HashSink | null => sink;
  if (!(await waitFor(() => got()?.eof === true || (got()?.error ?? 0) !== 0, 30_000))) {
    const k = await s.bench.exec(['ss', '-tinoe'], { timeoutMs: 5000 });
    const c = got()?.s;
    const ours = c === undefined ? 'no connection' : JSON.stringify({ state: tcpStateName(c.state), rcvNxt: c.rcvNxt, readable: c.readable, recvBuf: c.recvBufSize, free: c.recvBuf.free, ooo: c.ooo?.toString(), sndUna: c.sndUna, sndNxt: c.sndNxt });
    assert.fail(`received ${got()?.bytes ?? 0} of ${n}; ours ${ours}; counters ${JSON.stringify(s.tcp.counters)}; kernel:\n${k.stdout}`);
  }
  const ms = performance.now() - t0;
  const done = got()!;
  assert.equal(errText(done.error), '0');
  assert.equal(done.bytes, n);
  assert.equal(done.digest, want, 'SHA-256 of the bytes we received = SHA-256 of the file Linux sent');
  // socat closed; we close too: our side ends (LAST-ACK, then CLOSED).
  done.s.close(s.loop.clock.now());
  assert.ok(await waitFor(() => done.s.state === TcpState.Closed, 10_000), `our socket is ${tcpStateName(done.s.state)}`);
  l.close(s.loop.clock.now());
  return ms;
}

/**
 * We send `n` random bytes to socat listening on Linux at `port`, which hashes them with
 * sha256sum. Return the milliseconds from the connect to socat's exit; our side ends in
 * TIME-WAIT.
 */
export async function bulkToKernel(s: BulkSetup, n: number, port: number): Promise<number> {
  const child = s.bench.spawn(['sh', '-c', `socat -u TCP-LISTEN:${port},bind=${KERNEL_ADDR},reuseaddr STDOUT | sha256sum`]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Wait for socat to listen (bounded).
  let listening = false;
  for (let i = 0; i < 100 && !listening; i++) {
    listening = (await ss(s.bench)).some((e) => e.state === 'LISTEN' && e.local === `${KERNEL_ADDR}:${port}`);
    if (!listening) await sleep(50);
  }
  assert.ok(listening, 'socat listens');
  const sock = s.tcp.socket();
  assert.equal(sock.connect(parseIpv4(KERNEL_ADDR), port, s.loop.clock.now()), -TcpErr.InProgress);
  const t0 = performance.now();
  const src = new RandomSource(sock, n, s.loop.clock);
  const limitMs = 300_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limitMs)))]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  assert.notEqual(code, 'timeout', `socat did not finish in ${limitMs} ms: sent ${src.sent} of ${n}, ${tcpStateName(sock.state)}`);
  assert.equal(errText(src.error), '0');
  assert.equal(src.sent, n);
  assert.equal(out.split(' ')[0], src.digest, 'SHA-256 Linux computed = SHA-256 of the bytes we sent');
  // socat read our FIN and closed: we end in TIME-WAIT.
  assert.ok(await waitFor(() => sock.state === TcpState.TimeWait, 10_000), `our socket is ${tcpStateName(sock.state)}`);
  return ms;
}
