// The TAP link: argument checks and error codes everywhere; with root, /dev/net/tun and the
// addon, a real device inside a namespace of our own: an ARP request we write is answered
// by the kernel, and the receive notification fires.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openBench, KERNEL_ADDR, HOST_ADDR, HOST_MAC } from '../../test/interop/bench.js';
import { ARP_HEADER_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, ArpView, emitArp, newArpRepr, parseArpInto } from '../wire/arp.js';
import { ETH_HEADER_LEN, ETH_P_ARP, EthernetView, MAC_BROADCAST, emitEthernet, newEthernetRepr, parseEthernetInto, parseMac } from '../wire/ethernet.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { WireErr } from '../wire/errors.js';
import type { FrameSink } from './device.js';
import { NETCH_ERR_TAP_OPEN, NETCH_ERR_TAP_UNAVAILABLE, TapDevice, openTap, tapUnavailableReason } from './tap.js';
import { skipOrFail } from '../../test/require-all.js';

const tapModule = fileURLToPath(new URL('./tap.js', import.meta.url));

/** Run `openTap({ name })` in a child node with `env` (and `uid`); return the error's code fields. */
function openInChild(env: Record<string, string>, uid?: number): { code?: string; errnoCode?: string; syscall?: string } {
  const script = `import(${JSON.stringify(tapModule)}).then((m) => {
    try { m.openTap({ name: 'netchx0' }).close(); console.log(JSON.stringify({ code: 'opened' })); }
    catch (e) { console.log(JSON.stringify({ code: e.code, errnoCode: e.errnoCode, syscall: e.syscall })); }
  });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 10_000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim()) as { code?: string };
}

test('openTap rejects bad names and sizes before touching the kernel', () => {
  assert.throws(() => openTap({ name: 'a-name-longer-than-15' }), RangeError);
  assert.throws(() => openTap({ name: 'a/b' }), RangeError);
  assert.throws(() => openTap({ name: 'a b' }), RangeError);
  assert.throws(() => openTap({ name: 'tap0', maxFrameLen: 10 }), RangeError);
  assert.throws(() => openTap({ name: 'tap0', batch: 0 }), RangeError);
});

test('without the addon, openTap throws NETCH_ERR_TAP_UNAVAILABLE', () => {
  const r = openInChild({ NETCH_TAP_ADDON: '/nonexistent/netch_tap.node' });
  assert.equal(r.code, NETCH_ERR_TAP_UNAVAILABLE);
});

test('without privileges, openTap throws NETCH_ERR_TAP_OPEN with the errno', (t) => {
  const why = tapUnavailableReason();
  if (why !== null) return skipOrFail(t, why);
  const root = process.getuid?.() === 0;
  // As root, drop to nobody in a child; otherwise this process is already unprivileged.
  const r = root
    ? openInChild({}, 65534)
    : (() => {
        try {
          openTap({ name: 'netchx0' }).close();
          return { code: 'opened' };
        } catch (e) {
          return e as { code?: string; errnoCode?: string; syscall?: string };
        }
      })();
  if (r.code === 'opened') return t.skip('this unprivileged user may open TAP devices (CAP_NET_ADMIN)');
  assert.equal(r.code, NETCH_ERR_TAP_OPEN);
  assert.ok(r.errnoCode === 'EACCES' || r.errnoCode === 'EPERM', `errnoCode ${r.errnoCode}`);
  assert.ok(r.syscall === 'open' || r.syscall === 'ioctl(TUNSETIFF)', `syscall ${r.syscall}`);
});

test('openTap in a namespace that does not exist names the path', (t) => {
  const why = tapUnavailableReason();
  if (why !== null) return skipOrFail(t, why);
  assert.throws(
    () => openTap({ name: 'netchx0', netns: 'netch-no-such-namespace' }),
    (e: { code?: string; errnoCode?: string; path?: string }) =>
      e.code === NETCH_ERR_TAP_OPEN && e.errnoCode === 'ENOENT' && e.path === '/run/netns/netch-no-such-namespace',
  );
});

/** Collect ARP replies from `sender` among received frames (other frames are ignored). */
class ArpReplies implements FrameSink {
  readonly eth = newEthernetRepr();
  readonly arp = newArpRepr();
  readonly ethView = new EthernetView();
  readonly arpView = new ArpView();
  replies: { mac: number; dstMac: number }[] = [];
  frames = 0;
  constructor(private readonly sender: number) {}
  onFrame(buf: Uint8Array, off: number, len: number): void {
    this.frames++;
    if (parseEthernetInto(this.ethView.wrap(buf, off, len), this.eth) !== WireErr.Ok || this.eth.etherType !== ETH_P_ARP) return;
    const err = parseArpInto(this.arpView.wrap(buf, off + ETH_HEADER_LEN, len - ETH_HEADER_LEN), this.arp);
    if (err === WireErr.Ok && this.arp.operation === ARP_OP_REPLY && this.arp.senderProtocolAddr === this.sender) {
      this.replies.push({ mac: this.arp.senderHardwareAddr, dstMac: this.eth.dstAddr });
    }
  }
}

/** Write a broadcast ARP request "who-has KERNEL_ADDR tell HOST_ADDR" to `tap`; return whether it was sent. */
function sendArpRequest(tap: TapDevice): boolean {
  const len = ETH_HEADER_LEN + ARP_HEADER_LEN;
  const off = tap.transmitBegin(len);
  if (off < 0) return false;
  const eth = newEthernetRepr();
  eth.dstAddr = MAC_BROADCAST;
  eth.srcAddr = parseMac(HOST_MAC);
  eth.etherType = ETH_P_ARP;
  emitEthernet(eth, tap.txBytes, off);
  const arp = newArpRepr();
  arp.operation = ARP_OP_REQUEST;
  arp.senderHardwareAddr = eth.srcAddr;
  arp.senderProtocolAddr = parseIpv4(HOST_ADDR);
  arp.targetHardwareAddr = 0;
  arp.targetProtocolAddr = parseIpv4(KERNEL_ADDR);
  emitArp(arp, tap.txBytes, off + ETH_HEADER_LEN);
  const before = tap.stats.txFrames;
  tap.transmitCommit(off, len, 0);
  return tap.stats.txFrames === before + 1;
}

/** Resolve on the device's next receive notification, or reject after `ms`. */
function nextNotify(tap: TapDevice, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      tap.setRxNotify(null);
      reject(new Error(`no receive notification within ${ms} ms`));
    }, ms);
    tap.setRxNotify(() => {
      clearTimeout(timer);
      tap.setRxNotify(null);
      resolve();
    });
  });
}

test('the kernel answers an ARP request written to the TAP device', async (t) => {
  const bench = await openBench(t);
  if (bench === null) return;
  const tap = bench.tap;
  const kernelMac = parseMac((await bench.ip(['-br', 'link', 'show', bench.ifname])).stdout.trim().split(/\s+/)[2]!);
  const sink = new ArpReplies(parseIpv4(KERNEL_ADDR));
  // Drain whatever the kernel sent while coming up, then ask; retry a few times, bounded.
  tap.receive(sink, 1000, 0);
  for (let attempt = 0; attempt < 5 && sink.replies.length === 0; attempt++) {
    const notified = nextNotify(tap, 2000);
    assert.ok(sendArpRequest(tap), `write failed: errno ${tap.lastErrno}`);
    await notified;
    for (let i = 0; i < 10 && tap.receive(sink, 64, 0) > 0; i++);
  }
  assert.equal(sink.replies.length >= 1, true, 'no ARP reply from the kernel');
  assert.equal(sink.replies[0]!.mac, kernelMac, 'the reply names the kernel side MAC');
  assert.equal(sink.replies[0]!.dstMac, parseMac(HOST_MAC), 'the reply is unicast to us');
  assert.ok(tap.stats.rxFrames >= 1 && tap.stats.txFrames >= 1);
  // The kernel learned us from the request (RFC 826: merge the sender into the table).
  const neigh = await bench.exec(['ip', 'neigh', 'show', HOST_ADDR, 'dev', bench.ifname]);
  assert.match(neigh.stdout, new RegExp(HOST_MAC, 'i'));
});

test('a frame longer than maxFrameLen is refused on transmit; close is idempotent', async (t) => {
  const bench = await openBench(t);
  if (bench === null) return;
  const tap = bench.tap;
  assert.equal(tap.transmitBegin(tap.maxFrameLen + 1), -1);
  assert.equal(tap.transmitBegin(tap.maxFrameLen), 0);
  tap.close();
  tap.close();
  assert.equal(tap.transmitBegin(60), -1);
  assert.equal(tap.receive({ onFrame: () => assert.fail('closed device delivered a frame') }, 64, 0), 0);
  // Closing the descriptor removed the device from the namespace.
  const links = await bench.exec(['ip', '-br', 'link']);
  assert.doesNotMatch(links.stdout, new RegExp(bench.ifname));
});

test('frames larger than the device takes are counted as dropped, not delivered', async (t) => {
  const bench = await openBench(t);
  if (bench === null) return;
  const tap = bench.tap;
  // A 2000-byte MTU on the kernel side; our device takes 1514-byte frames.
  await bench.ip(['link', 'set', bench.ifname, 'mtu', '2000']);
  await bench.exec(['ip', 'neigh', 'replace', HOST_ADDR, 'lladdr', HOST_MAC, 'dev', bench.ifname]);
  tap.receive({ onFrame: () => undefined }, 1000, 0);
  const notified = nextNotify(tap, 3000);
  const send = 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(bytes(int(sys.argv[2])),(sys.argv[1],9))';
  await bench.python(send, [HOST_ADDR, 1900], { check: true }); // one 1942-byte frame
  await notified;
  let big = 0;
  tap.receive({ onFrame: (_b, _o, len) => void (len > tap.maxFrameLen && big++) }, 64, 0);
  assert.equal(big, 0);
  assert.ok(tap.stats.rxDropped >= 1, `rxDropped ${tap.stats.rxDropped}`);
});
