// listen()'s backlog against the real Linux kernel over the TAP bench (test/interop/bench.ts),
// both ways: a Linux listener that never accepts against our clients, and our listener
// (linux personality, with and without abortOnOverflow, and the freebsd personality)
// against Linux clients. docs/backlog.md states the rules; test/tcp/backlog.test.ts checks
// them between our own hosts on a virtual clock. Here the kernel's side is read from
// `ss -ltn`, /proc/net/netstat and a tcpdump capture of the link (checked with tshark for
// malformed frames and bad checksums); ours from TcpSocket and the layer's counters.
// Every wait is bounded: our clients use synRetries 2 (SYNs at 0, 1, 2, 3, 4 and 5 s with
// Linux's linear start, ETIMEDOUT at 7 s, as a Linux 6.18 client does), Linux's use socket
// timeouts.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { TcpOptionsInput } from '../../src/transport/tcp/config.js';
import { TcpErr } from '../../src/transport/tcp/errors.js';
import type { TcpSocket } from '../../src/transport/tcp/socket.js';
import { TcpState, tcpStateName } from '../../src/transport/tcp/state.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { HOST_ADDR, KERNEL_ADDR, openBench, run, toolSkipReason, waitFor, type Bench, type Capture } from './bench.js';
import { errText, startTcpHost, type TcpBenchHost } from './tcp-peer.js';

interface Setup extends TcpBenchHost {
  bench: Bench;
  cap: Capture;
  linux: LinuxSockets;
}

/** Open a bench with a capture running, our host with TCP (`opts`) and the Linux socket script; or skip. */
async function setup(t: TestContext, opts: TcpOptionsInput): Promise<Setup | null> {
  const missing = toolSkipReason('tcpdump', 'tshark', 'python3', 'ss', 'cat');
  if (missing !== null) {
    skipOrFail(t, missing);
    return null;
  }
  const bench = await openBench(t);
  if (bench === null) return null;
  const cap = await bench.capture('capture.pcap');
  const linux = new LinuxSockets(bench.spawn(['python3', '-u', '-c', SOCKETS_PY]));
  return { bench, cap, linux, ...startTcpHost(t, bench.tap, opts) };
}

/**
 * Many sockets in the namespace, driven by line commands (python3); each answer is one line
 * starting with the command's tag, and connects answer when they end, so several may run
 * at once:
 *   listen TAG ADDR PORT BACKLOG | accept TAG | connect TAG ADDR PORT TIMEOUT_S |
 *   connect2 TAG1 TAG2 ADDR PORT TIMEOUT_S (two connects started back to back) |
 *   probe TAG TIMEOUT_S (recv one byte: "alive" when it times out, "eof", or the error)
 * A connect answers `TAG ok LOCALPORT SECONDS` or `TAG err ERRNAME ERRNO SECONDS LOCALPORT`
 * (a timeout is ETIMEDOUT). A connect whose handshake completed and was reset before the
 * script looked answers `err ECONNRESET`.
 */
const SOCKETS_PY = `
import errno, select, socket, sys, threading, time
socks = {}
lock = threading.Lock()
L = None
def out(*a):
    with lock:
        print(*a, flush=True)
def start(addr, port):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((addr, port))
    return s, time.monotonic()
def finish(tag, s, t0, tmo):
    port = s.getsockname()[1]
    _, w, _ = select.select([], [s], [], tmo)
    el = '%.3f' % (time.monotonic() - t0)
    if not w:
        s.close()
        out(tag, 'err', 'ETIMEDOUT', errno.ETIMEDOUT, el, port)
        return
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if e:
        out(tag, 'err', errno.errorcode.get(e, str(e)), e, el, port)
        return
    s.setblocking(True)
    socks[tag] = s
    out(tag, 'ok', s.getsockname()[1], el)
def go(tag, s, t0, tmo):
    threading.Thread(target=finish, args=(tag, s, t0, tmo), daemon=True).start()
for line in sys.stdin:
    c = line.split()
    if len(c) < 2:
        continue
    tag = c[1]
    try:
        if c[0] == 'listen':
            L = socket.socket()
            L.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            L.bind((c[2], int(c[3])))
            L.listen(int(c[4]))
            out(tag, 'ok')
        elif c[0] == 'accept':
            L.settimeout(5)
            s, a = L.accept()
            socks[tag] = s
            out(tag, 'ok', a[1])
        elif c[0] == 'connect':
            s, t0 = start(c[2], int(c[3]))
            go(tag, s, t0, float(c[4]))
        elif c[0] == 'connect2':
            s1, t1 = start(c[3], int(c[4]))
            s2, t2 = start(c[3], int(c[4]))
            go(c[1], s1, t1, float(c[5]))
            go(c[2], s2, t2, float(c[5]))
        elif c[0] == 'probe':
            s = socks[tag]
            s.settimeout(float(c[2]))
            try:
                d = s.recv(1)
                out(tag, 'eof' if not d else 'data')
            except socket.timeout:
                out(tag, 'alive')
        else:
            out(tag, 'err', 'unknown', c[0])
    except OSError as e:
        out(tag, 'err', type(e).__name__, e.errno)
`;
import { skipOrFail } from '../require-all.js';

/** The python socket script in the namespace: commands in, tagged answers out. */
class LinuxSockets {
  private readonly answers = new Map<string, string[]>();
  private readonly waiting = new Map<string, (a: string[]) => void>();
  private stderr = '';

  constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      for (let i = partial.indexOf('\n'); i >= 0; i = partial.indexOf('\n')) {
        const [tag = '', ...rest] = partial.slice(0, i).trim().split(/\s+/);
        partial = partial.slice(i + 1);
        const w = this.waiting.get(tag);
        if (w !== undefined) {
          this.waiting.delete(tag);
          w(rest);
        } else {
          this.answers.set(tag, rest);
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Send one command line. */
  send(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  /** Resolve with the answer tagged `tag` (the words after the tag). Errors: rejects after `ms`. */
  answer(tag: string, ms: number): Promise<string[]> {
    const a = this.answers.get(tag);
    if (a !== undefined) {
      this.answers.delete(tag);
      return Promise.resolve(a);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(tag);
        reject(new Error(`no answer tagged ${tag} from the Linux sockets in ${ms} ms${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      }, ms);
      this.waiting.set(tag, (words) => {
        clearTimeout(timer);
        resolve(words);
      });
    });
  }

  /** Send `line` and return its answer (tagged by the line's second word); throw unless it is "ok". */
  async ok(line: string, ms = 10_000): Promise<string[]> {
    const tag = line.split(' ')[1]!;
    this.send(line);
    const a = await this.answer(tag, ms);
    if (a[0] !== 'ok') throw new Error(`Linux: "${line}" answered "${a.join(' ')}"`);
    return a.slice(1);
  }
}

/** Return the kernel's TcpExt counters in the namespace (/proc/net/netstat). */
async function kernelTcpExt(bench: Bench): Promise<Record<string, number>> {
  const r = await bench.exec(['cat', '/proc/net/netstat'], { check: true });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  assert.equal(lines.length, 2, '/proc/net/netstat has a TcpExt header and a value line');
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** Return the kernel's listener on `port` as `ss -ltn` shows it: Recv-Q (queued) and Send-Q (backlog). */
async function kernelListener(bench: Bench, port: number): Promise<{ recvQ: number; sendQ: number } | null> {
  const r = await bench.exec(['ss', '-ltnH'], { check: true });
  for (const l of r.stdout.split('\n')) {
    const [state, recvQ, sendQ, local] = l.trim().split(/\s+/);
    if (state === 'LISTEN' && local === `${KERNEL_ADDR}:${port}`) return { recvQ: Number(recvQ), sendQ: Number(sendQ) };
  }
  return null;
}

/** Poll `ss -ltn` (every 50 ms, at most `ms`) until the kernel's listener on `port` has `recvQ` queued; return what it shows. */
async function waitForQueued(bench: Bench, port: number, recvQ: number, ms = 3000): Promise<{ recvQ: number; sendQ: number } | null> {
  const deadline = performance.now() + ms;
  let e = await kernelListener(bench, port);
  while (e?.recvQ !== recvQ && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    e = await kernelListener(bench, port);
  }
  return e;
}

/** Return the capture times (s) of the SYNs (no ACK) sent from `src`:`port`. */
async function synTimes(file: string, src: string, port: number): Promise<number[]> {
  const filter = `ip.src == ${src} && tcp.srcport == ${port} && tcp.flags.syn == 1 && tcp.flags.ack == 0`;
  const r = await run('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.time_relative'], { timeoutMs: 120_000, check: true });
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/** Return the gaps between successive times, rounded to 10 ms. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((x, i) => Math.round((x - times[i]!) * 100) / 100);
}

/** Stop the capture; assert it holds at least `minFrames` frames and none is malformed or has a bad checksum. */
async function checkCapture(s: Setup, minFrames: number): Promise<void> {
  await s.cap.stop();
  const r = await s.bench.checkCapture(s.cap.file);
  assert.deepEqual(r.bad, [], 'malformed or bad-checksum frames in the capture');
  assert.ok(r.total >= minFrames, `capture holds ${r.total} frames, expected at least ${minFrames}`);
}

/** Connect from our host to the kernel's `port`; resolve once ESTABLISHED. */
async function connectOut(s: Setup, port: number): Promise<TcpSocket> {
  const sock = s.tcp.socket();
  assert.equal(sock.connect(parseIpv4(KERNEL_ADDR), port, s.loop.clock.now()), -TcpErr.InProgress);
  await waitFor(() => sock.state !== TcpState.SynSent, 5000);
  assert.equal(tcpStateName(sock.state), 'ESTABLISHED', `our connect to ${KERNEL_ADDR}:${port}`);
  return sock;
}

/** Listen on our `port` with `backlog`; never accept unless the test does. */
function listenOn(s: Setup, port: number, backlog: number): TcpSocket {
  const l = s.tcp.socket();
  assert.equal(l.bind(0, port), 0);
  assert.equal(l.listen(backlog), 0);
  return l;
}

test('Linux listener, listen(1), never accepting: 2 connections queue, the third SYN is dropped until our connect times out; after accept() one gets in', async (t) => {
  const s = await setup(t, { synRetries: 2 });
  if (s === null) return;
  const port = 47000;
  await s.linux.ok(`listen L ${KERNEL_ADDR} ${port} 1`);
  const before = await kernelTcpExt(s.bench);
  // Backlog 1 holds 2 (sk_acceptq_is_full: `>`).
  await connectOut(s, port);
  await connectOut(s, port);
  assert.deepEqual(await waitForQueued(s.bench, port, 2), { recvQ: 2, sendQ: 1 }, 'ss -ltn: Recv-Q 2 (queued), Send-Q 1 (backlog)');
  // The third: its SYNs are dropped, no SYN-ACK, no RST; ETIMEDOUT after synRetries.
  const retrans0 = s.tcp.counters.Tcp.RetransSegs;
  const c3 = s.tcp.socket();
  assert.equal(c3.connect(parseIpv4(KERNEL_ADDR), port, s.loop.clock.now()), -TcpErr.InProgress);
  const t0 = performance.now();
  assert.ok(await waitFor(() => c3.state === TcpState.Closed, 12_000), `our third connect is ${tcpStateName(c3.state)} after 12 s`);
  const secs = (performance.now() - t0) / 1000;
  t.diagnostic(`our third connect failed after ${secs.toFixed(2)} s`);
  assert.equal(errText(c3.takeError()), errText(TcpErr.TimedOut));
  assert.equal(s.tcp.counters.Tcp.RetransSegs - retrans0, 5, 'five SYN retransmissions in the 7 s that synRetries 2 allows');
  const after = await kernelTcpExt(s.bench);
  const overflows = after['ListenOverflows']! - before['ListenOverflows']!;
  const drops = after['ListenDrops']! - before['ListenDrops']!;
  t.diagnostic(`kernel: ListenOverflows +${overflows}, ListenDrops +${drops}`);
  assert.equal(overflows, 6, 'the kernel counted each of our six SYNs in ListenOverflows');
  assert.equal(drops, 6, 'and in ListenDrops');
  assert.deepEqual(await kernelListener(s.bench, port), { recvQ: 2, sendQ: 1 }, 'the queue is unchanged');

  // accept() makes room: a new client of ours gets in, and the queue is full again.
  await s.linux.ok('accept A');
  assert.deepEqual(await waitForQueued(s.bench, port, 1), { recvQ: 1, sendQ: 1 });
  await connectOut(s, port);
  assert.deepEqual(await waitForQueued(s.bench, port, 2), { recvQ: 2, sendQ: 1 });

  await s.cap.stop();
  const syns = await synTimes(s.cap.file, HOST_ADDR, c3.localPort);
  t.diagnostic(`our dropped SYNs at ${syns.map((x) => x.toFixed(3)).join(', ')} s (gaps ${gaps(syns).join(', ')} s)`);
  assert.equal(syns.length, 6, 'the SYN and five retransmissions on the wire');
  // Linux's linear start (tcp_syn_linear_timeouts 4): every retransmission about 1 s after
  // the one before; the fifth doubles the RTO, and the time limit comes first.
  for (const [i, g] of gaps(syns).entries()) assert.ok(g > 0.8 && g < 1.6, `SYN retransmission ${i + 1} came ${g} s after the one before, expected about 1 s`);
  const answered = await s.bench.summarize(s.cap.file, `ip.src == ${KERNEL_ADDR} && tcp.dstport == ${c3.localPort}`);
  assert.deepEqual(answered, [], 'the kernel sent nothing to the third client (no SYN-ACK, no RST)');
  await checkCapture(s, 12);
});

/**
 * Assert the Linux client `tag` (whose connect answered `answer`) read ECONNRESET: a reset
 * after its handshake completed, not a refusal. The RST may come before the script looked
 * at the connect (then the connect itself reports it) or after (then recv() does).
 */
async function readsReset(s: Setup, tag: string, answer: string[]): Promise<number> {
  if (answer[0] !== 'ok') {
    assert.deepEqual(answer.slice(0, 3), ['err', 'ECONNRESET', '104'], `Linux ${tag}'s connect: ${answer.join(' ')}`);
    return Number(answer[4]); // err ERRNAME ERRNO SECONDS LOCALPORT
  }
  s.linux.send(`probe ${tag} 2`);
  assert.deepEqual(await s.linux.answer(tag, 5000), ['err', 'ConnectionResetError', '104'], `Linux ${tag}'s recv() after its connect succeeded`);
  return Number(answer[1]);
}

/**
 * Our listener with backlog 0 holds one Linux client and does not accept: a second Linux
 * client's SYNs are dropped and counted until we accept(); then it gets in. Resolve with
 * the capture times of the second client's SYNs. `linearSyns` sets the namespace's
 * net.ipv4.tcp_syn_linear_timeouts (null: the kernel's default).
 */
async function secondClientWaits(t: TestContext, port: number, linearSyns: number | null): Promise<{ syns: number[]; linear: number } | null> {
  const s = await setup(t, {});
  if (s === null) return null;
  const sysctl = '/proc/sys/net/ipv4/tcp_syn_linear_timeouts';
  const has = (await s.bench.exec(['cat', sysctl])).code === 0;
  if (linearSyns !== null && has) await s.bench.exec(['sysctl', '-qw', `net.ipv4.tcp_syn_linear_timeouts=${linearSyns}`], { check: true });
  const linear = has ? Number((await s.bench.exec(['cat', sysctl], { check: true })).stdout.trim()) : 0;
  t.diagnostic(`namespace net.ipv4.tcp_syn_linear_timeouts = ${has ? linear : '(absent: a kernel before 6.5)'}`);
  const l = listenOn(s, port, 0);
  await s.linux.ok(`connect A ${HOST_ADDR} ${port} 5`);
  assert.ok(await waitFor(() => l.acceptQueue.length === 1, 3000), 'the first Linux client is queued');
  // The second: its SYNs find the queue full (backlog 0 holds one) and are dropped.
  s.linux.send(`connect B ${HOST_ADDR} ${port} 20`);
  const x = s.tcp.counters.TcpExt;
  assert.ok(await waitFor(() => x.ListenOverflows >= 3, 10_000), `ListenOverflows ${x.ListenOverflows} after 10 s`);
  assert.equal(l.acceptQueue.length, 1);
  assert.equal(l.synQueueLen, 0, 'nothing kept for the dropped SYNs');
  const dropped = x.ListenOverflows;
  assert.equal(x.ListenDrops, dropped);
  assert.equal(s.tcp.counters.Tcp.OutRsts, 0, 'no RST: the client is left to retry');
  assert.ok(l.accept() !== null);
  const b = await s.linux.answer('B', 20_000);
  assert.equal(b[0], 'ok', `the second Linux connect: ${b.join(' ')}`);
  t.diagnostic(`the second Linux connect returned after ${b[2]} s`);
  assert.ok(await waitFor(() => l.acceptQueue.length === 1, 3000), 'the second Linux client is queued');
  assert.equal(l.acceptQueue[0]!.remotePort, Number(b[1]));
  assert.equal(x.ListenOverflows, dropped, 'the SYN after accept() was not dropped');
  await s.cap.stop();
  const syns = await synTimes(s.cap.file, KERNEL_ADDR, Number(b[1]));
  t.diagnostic(`Linux's SYNs at ${syns.map((v) => v.toFixed(3)).join(', ')} s (gaps ${gaps(syns).join(', ')} s)`);
  assert.equal(syns.length, dropped + 1, 'every SYN but the last was dropped by us');
  await checkCapture(s, 8);
  return { syns, linear };
}

test('our listener (backlog 0, not accepting) drops a Linux client\'s SYNs; Linux (default sysctls) retransmits them; after our accept() it gets in', async (t) => {
  const r = await secondClientWaits(t, 45100, null);
  if (r === null) return;
  // Linux >= 6.5 keeps the SYN RTO at 1 s for the first tcp_syn_linear_timeouts (default 4)
  // retransmissions, then doubles it ("tcp: make the first N SYN RTO backoffs linear"):
  // SYNs at 0, 1, 2, 3, 4, 5, 7, ... s. docs/backlog.md's "1 s, 2 s, 4 s" is the schedule
  // with tcp_syn_linear_timeouts = 0 (next test) or an older kernel.
  // The first gap is the initial 1 s RTO and the next `linear` are the linear backoffs:
  // linear + 1 gaps of about 1 s (one on a kernel without the sysctl: 1 s, 2 s, 4 s).
  gaps(r.syns).forEach((g, i) => {
    if (i <= r.linear) assert.ok(g > 0.8 && g < 1.6, `SYN retransmission ${i + 1} came ${g} s after the one before, expected about 1 s (linear)`);
    else assert.ok(g > 1.6, `SYN retransmission ${i + 1} came ${g} s after the one before, expected a doubled RTO`);
  });
});

test('our listener drops a Linux client\'s SYNs; with tcp_syn_linear_timeouts = 0 Linux retransmits after 1 s, then 2 s (docs/backlog.md); after our accept() it gets in', async (t) => {
  const r = await secondClientWaits(t, 45103, 0);
  if (r === null) return;
  const [g1, g2] = gaps(r.syns) as [number, number];
  assert.ok(g1 > 0.8 && g1 < 1.6, `first SYN retransmission ${g1} s after the SYN, expected about 1 s`);
  assert.ok(g2 > 1.6 * g1 && g2 < 3, `second SYN retransmission ${g2} s after the first, expected about 2 s`);
});

test('our listener with abortOnOverflow (tcp_abort_on_overflow = 1): the Linux client whose final ACK finds the queue full is reset (ECONNRESET)', async (t) => {
  const s = await setup(t, { abortOnOverflow: true });
  if (s === null) return;
  const port = 45101;
  const l = listenOn(s, port, 1);
  await s.linux.ok(`connect A ${HOST_ADDR} ${port} 5`);
  assert.ok(await waitFor(() => l.acceptQueue.length === 1, 3000));
  // Two SYNs must both reach the listener before either final ACK: with the second SYN
  // only a few ms behind the first (the python script's two connects), our SYN-ACK and
  // Linux's final ACK can overtake it, and then it meets a full queue and is dropped. So
  // our loop pauses while Linux sends both; the TAP device queues them.
  s.loop.stop();
  s.linux.send(`connect2 B C ${HOST_ADDR} ${port} 5`);
  await new Promise((r) => setTimeout(r, 300));
  s.loop.start();
  const [b, c] = await Promise.all([s.linux.answer('B', 8000), s.linux.answer('C', 8000)]);
  t.diagnostic(`Linux connects: B ${b.join(' ')}; C ${c.join(' ')}`);
  assert.ok(await waitFor(() => s.tcp.counters.TcpExt.ListenOverflows === 1, 3000), `ListenOverflows ${s.tcp.counters.TcpExt.ListenOverflows}`);
  assert.equal(l.acceptQueue.length, 2);
  assert.equal(l.synQueueLen, 0, 'the reset child is gone');
  const queuedPort = l.acceptQueue[1]!.remotePort;
  const [kept, reset] = queuedPort === Number(b[1]) ? ([['B', b], ['C', c]] as const) : ([['C', c], ['B', b]] as const);
  assert.equal(kept[1][0], 'ok', `the queued one (${kept[0]}) connected`);
  s.linux.send(`probe ${kept[0]} 0.5`);
  assert.deepEqual(await s.linux.answer(kept[0], 5000), ['alive'], `the queued one (${kept[0]}) is still connected`);
  const resetPort = await readsReset(s, reset[0], [...reset[1]]);
  await s.cap.stop();
  const rsts = await s.bench.summarize(s.cap.file, `ip.src == ${HOST_ADDR} && tcp.flags.reset == 1`);
  assert.equal(rsts.length, 1, `one RST from us: ${rsts.join('\n')}`);
  const flags = await run('tshark', ['-n', '-r', s.cap.file, '-Y', `tcp.port == ${resetPort}`, '-T', 'fields', '-e', 'tcp.flags.str'], { check: true });
  // SYN, SYN-ACK, the final ACK (Linux believes it is connected), our RST.
  assert.deepEqual(flags.stdout.trim().split('\n').map((f) => f.replace(/·/g, '').trim()), ['S', 'AS', 'A', 'R']);
  await checkCapture(s, 10);
});

test('our freebsd listener (backlog 2 holds 3/2 of it + 1 = 4): every Linux client is answered, the fifth is reset after its handshake', async (t) => {
  const s = await setup(t, { personality: 'freebsd' });
  if (s === null) return;
  const port = 45102;
  const l = listenOn(s, port, 2);
  const tags = ['A', 'B', 'C', 'D', 'E'];
  const answers: string[][] = [];
  for (const tag of tags) {
    s.linux.send(`connect ${tag} ${HOST_ADDR} ${port} 5`);
    answers.push(await s.linux.answer(tag, 8000));
  }
  assert.ok(await waitFor(() => s.tcp.counters.TcpExt.ListenOverflows === 1, 3000), `ListenOverflows ${s.tcp.counters.TcpExt.ListenOverflows}`);
  assert.equal(l.acceptQueue.length, 4);
  for (const [i, tag] of tags.slice(0, 4).entries()) {
    assert.equal(answers[i]![0], 'ok', `Linux ${tag}: ${answers[i]!.join(' ')}`);
    s.linux.send(`probe ${tag} 0.3`);
    assert.deepEqual(await s.linux.answer(tag, 5000), ['alive'], `Linux ${tag} is connected`);
  }
  const resetPort = await readsReset(s, 'E', answers[4]!);
  await s.cap.stop();
  const synAcks = await s.bench.summarize(s.cap.file, `ip.src == ${HOST_ADDR} && tcp.flags.syn == 1 && tcp.flags.ack == 1`);
  assert.equal(synAcks.length, 5, 'the SYN cache answered every SYN');
  const rsts = await s.bench.summarize(s.cap.file, `ip.src == ${HOST_ADDR} && tcp.flags.reset == 1`);
  assert.equal(rsts.length, 1, 'one RST');
  const rstTo = await s.bench.summarize(s.cap.file, `ip.src == ${HOST_ADDR} && tcp.flags.reset == 1 && tcp.dstport == ${resetPort}`);
  assert.equal(rstTo.length, 1, 'to the fifth');
  await checkCapture(s, 16);
});
