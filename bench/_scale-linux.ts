// The Linux side of the scale bench (bench/scale.ts): N idle TCP connections between two
// network namespaces over a veth pair, a Python server (epoll, one response per request,
// close at end of stream) in one and a Python client in the other, with the client bound to
// a few addresses so that ports never run out. Kernel memory comes from /proc/slabinfo (the
// caches a socket takes: TCP, sock_inode_cache, filp, dentry, eventpoll's, skbuff_head_cache,
// tw_sock_TCP) and from /proc/net/sockstat's TCP `mem` (pages of buffer memory), measured
// before and after; both namespaces share the kernel, so an idle connection's figure is the
// growth over 2N sockets, TIME-WAIT's over N entries. The machine's other work shows up in
// these caches too: the figures are indicative. Needs root, `ip` and python3; namespaces
// `netch-scale-<pid>-{s,c}` (198.51.100.0/24) are created and removed by the run. A process
// holds at most its RLIMIT_NOFILE sockets, so several servers share the port (SO_REUSEPORT)
// and several clients split the N connections.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CACHES = ['TCP', 'tw_sock_TCP', 'request_sock_TCP', 'sock_inode_cache', 'filp', 'dentry', 'eventpoll_epi', 'eventpoll_pwq', 'skbuff_head_cache'];

/** Return why the Linux side cannot run here, or null. */
export function linuxSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('python3', ['-c', 'import selectors'], { stdio: 'ignore' });
    readFileSync('/proc/slabinfo', 'utf8');
  } catch {
    return 'needs ip, python3 and a readable /proc/slabinfo';
  }
  return null;
}

/** Bytes held by the socket caches now (active objects × object size). */
function slabBytes(): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of readFileSync('/proc/slabinfo', 'utf8').split('\n')) {
    const f = line.split(/\s+/);
    if (CACHES.includes(f[0]!)) m.set(f[0]!, Number(f[1]) * Number(f[3]));
  }
  return m;
}

function sockstatMemBytes(): number {
  const m = /TCP: .* mem (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'));
  return m === null ? 0 : Number(m[1]) * 4096;
}

function total(before: Map<string, number>, after: Map<string, number>): number {
  let t = 0;
  for (const [k, v] of after) t += v - (before.get(k) ?? 0);
  return t;
}

const PY = String.raw`
import os, socket, selectors, sys, time, resource
role, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n = hi - lo
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
REQ = b'GET / HTTP/1.1\r\nHost: scale\r\n\r\n'
RESP = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
sel = selectors.DefaultSelector()
def say(*a):
    print(*a, flush=True)
if role == 's':
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    l.bind(('198.51.100.1', 80)); l.listen(4096); l.setblocking(False)
    sel.register(l, selectors.EVENT_READ, None)
    say('listening')
    deadline = time.time() + 900
    while time.time() < deadline:
        for key, _ in sel.select(1.0):
            if key.data is None:
                for _ in range(256):
                    try: c, _a = l.accept()
                    except BlockingIOError: break
                    c.setblocking(False); sel.register(c, selectors.EVENT_READ, 1)
            else:
                c = key.fileobj
                try: d = c.recv(4096)
                except ConnectionError: d = b''
                if d: c.send(RESP * max(1, round(len(d) / len(REQ))))
                else: sel.unregister(c); c.close()
    sys.exit(0)
socks = []
answered = [0] * hi
def pump(want, limit):
    got = 0; end = time.time() + limit
    while got < want and time.time() < end:
        for key, _ in sel.select(1.0):
            i = key.data
            try: d = key.fileobj.recv(4096)
            except BlockingIOError: continue
            if d:
                k = max(1, round(len(d) / len(RESP))); answered[i] += k; got += k
    return got
t0 = time.time()
for b in range(lo, hi, 1000):
    batch = []
    for i in range(b, min(hi, b + 1000)):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('198.51.100.%d' % (11 + i // 50000), 10000 + i % 50000)); s.setblocking(False)
        s.connect_ex(('198.51.100.1', 80)); socks.append(s); batch.append((i, s))
    for i, s in batch:
        sel.register(s, selectors.EVENT_WRITE, i)
    left = len(batch); end = time.time() + 60
    while left > 0 and time.time() < end:
        for key, _ in sel.select(1.0):
            sel.modify(key.fileobj, selectors.EVENT_READ, key.data); left -= 1
elapsed = time.time() - t0
for s in socks: s.send(REQ)
pump(n, 120)
say('ready %f' % elapsed)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == 'req2':
        for s in socks: s.send(REQ)
        pump(n, 120)
        say('answered %d' % sum(1 for a in answered[lo:hi] if a == 2))
    elif cmd == 'close':
        for s in socks: sel.unregister(s); s.close()
        socks = []
        say('closed')
    elif cmd == 'exit':
        break
`;

/** What the Linux side measured for one N. */
export interface LinuxFigures {
  idle: number;
  tw: number;
  /** The tw_sock_TCP cache alone, per entry. */
  twSock: number;
  acceptPerS: number;
  answered2: number;
}

/** The hard RLIMIT_NOFILE a child process gets. */
function fdLimit(): number {
  const out = execFileSync('python3', ['-c', 'import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE)[1])'], { encoding: 'utf8' });
  const v = Number(out.trim());
  return Number.isFinite(v) && v > 0 ? Math.min(v, 1 << 20) : 1024;
}

function ip(...a: string[]): void {
  execFileSync('ip', a, { stdio: 'ignore' });
}

/** Read lines from a child's stdout until one starts with `prefix` (bounded by `ms`). */
function waitLine(child: ReturnType<typeof spawn>, prefix: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`scale: no '${prefix}' from python in ${ms} ms`)), ms);
    const onData = (d: Buffer): void => {
      buf += d.toString();
      for (const line of buf.split('\n')) if (line.startsWith(prefix)) return done(null, line);
    };
    const done = (e: Error | null, line = ''): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      if (e !== null) reject(e);
      else resolve(line);
    };
    child.stdout!.on('data', onData);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Measure N idle connections and N TIME-WAIT entries of the kernel between two namespaces. */
export async function linuxScale(n: number): Promise<LinuxFigures> {
  const tag = `netch-scale-${process.pid}`;
  const ns = `${tag}-s`;
  const nc = `${tag}-c`;
  const dir = mkdtempSync(join(tmpdir(), 'netch-scale-'));
  const py = join(dir, 'scale.py');
  writeFileSync(py, PY);
  const addrs = Math.max(1, Math.ceil(n / 50000));
  const kids: ReturnType<typeof spawn>[] = [];
  // One process holds at most its RLIMIT_NOFILE descriptors (20 000 here, and this root
  // cannot raise it): several servers share the port (SO_REUSEPORT), several clients split N.
  const per = Math.max(1000, fdLimit() - 1000);
  const nServers = Math.ceil((1.3 * n) / per);
  const nClients = Math.ceil(n / per);
  try {
    ip('netns', 'add', ns);
    ip('netns', 'add', nc);
    ip('link', 'add', 'nscale0', 'netns', ns, 'type', 'veth', 'peer', 'name', 'nscale1', 'netns', nc);
    ip('-n', ns, 'addr', 'add', '198.51.100.1/24', 'dev', 'nscale0');
    for (let i = 0; i < addrs; i++) ip('-n', nc, 'addr', 'add', `198.51.100.${11 + i}/24`, 'dev', 'nscale1');
    for (const [x, d] of [[ns, 'nscale0'], [nc, 'nscale1']] as const) {
      ip('-n', x, 'link', 'set', 'lo', 'up');
      ip('-n', x, 'link', 'set', d, 'up');
    }
    for (let k = 0; k < nServers; k++) {
      const server = spawn('ip', ['netns', 'exec', ns, 'python3', py, 's', '0', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
      kids.push(server);
      await waitLine(server, 'listening', 10_000);
    }
    await sleep(300);
    const before = slabBytes();
    const memBefore = sockstatMemBytes();
    const clients: ReturnType<typeof spawn>[] = [];
    for (let k = 0; k < nClients; k++) {
      const lo = Math.floor((k * n) / nClients);
      const hi = Math.floor(((k + 1) * n) / nClients);
      const client = spawn('ip', ['netns', 'exec', nc, 'python3', py, 'c', String(lo), String(hi)], { stdio: ['pipe', 'pipe', 'inherit'] });
      kids.push(client);
      clients.push(client);
    }
    const all = async (cmd: string | null, prefix: string, ms: number): Promise<number[]> => {
      const got = clients.map((c) => waitLine(c, prefix, ms));
      if (cmd !== null) for (const c of clients) c.stdin!.write(cmd + '\n');
      return (await Promise.all(got)).map((line) => Number(line.split(' ')[1] ?? 0));
    };
    const elapsed = await all(null, 'ready', 300_000);
    const acceptPerS = n / Math.max(...elapsed);
    await sleep(1000);
    const idle = (total(before, slabBytes()) + sockstatMemBytes() - memBefore) / (2 * n);
    const answered2 = (await all('req2', 'answered', 300_000)).reduce((p, x) => p + x, 0);
    await all('close', 'closed', 120_000);
    await sleep(2000);
    const after = slabBytes();
    const tw = (total(before, after) + sockstatMemBytes() - memBefore) / n;
    const twSock = ((after.get('tw_sock_TCP') ?? 0) - (before.get('tw_sock_TCP') ?? 0)) / n;
    for (const c of clients) c.stdin!.write('exit\n');
    return { idle, tw, twSock, acceptPerS, answered2 };
  } finally {
    for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL');
    for (const x of [ns, nc]) {
      try {
        ip('netns', 'del', x);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
