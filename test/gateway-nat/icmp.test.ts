// ICMP echo to outside addresses through the host's unprivileged ICMP sockets: relayed
// where net.ipv4.ping_group_range allows them (checked in a private network namespace, so
// the only traffic is to an address of that namespace's lo), counted and dropped with one
// warning where it does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tapUnavailableReason } from '../../src/link/tap.js';
import { skipOrFail } from '../require-all.js';
import { guestNetwork, until } from './harness.js';

/** Return true when this process's group may open ICMP echo sockets here. */
function pingAllowed(): boolean {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    const gid = process.getgid?.() ?? 0;
    return gid >= lo! && gid <= hi!;
  } catch {
    return false;
  }
}

test('where ping_group_range forbids ICMP sockets, guest pings outside are counted, dropped, and said once', async (t) => {
  if (pingAllowed()) {
    // This host allows them: forbid them in a private network namespace instead.
    const child = fileURLToPath(new URL('./fixtures/ping-child.js', import.meta.url));
    const script = `ip link set lo up && sysctl -qw net.ipv4.ping_group_range="1 0" && exec "${process.execPath}" "${child}"`;
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) {
      skipOrFail(t, `ICMP sockets are allowed here and there is no private network namespace to forbid them in: ${r.stderr.trim()}`);
      return;
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { replies: unknown[]; counters: Record<string, number>; warnings: string[] };
    assert.equal(out.replies.length, 0);
    assert.equal(out.counters['IcmpEchoDropped'], 3);
    assert.equal(out.warnings.length, 1);
    return;
  }
  const net = guestNetwork({ egress: 'all', dns: false });
  const said: string[] = [];
  net.gw.onWarning = (m) => said.push(m);
  try {
    const p = net.host.pingSocket();
    p.sendEcho('192.0.2.1', 1, net.gw.now());
    p.sendEcho('192.0.2.1', 2, net.gw.now());
    await until(() => net.gw.counters.IcmpEchoDropped === 2, 5000, 'two drops');
    assert.equal(net.gw.counters.IcmpEchoOut, 0);
    assert.equal(said.length, 1);
    assert.match(said[0]!, /ping_group_range|addon/);
    p.close();
  } finally {
    await net.close();
  }
});

test('egress loopback: a guest ping to an outside address is dropped before any socket', async () => {
  const net = guestNetwork({ dns: false });
  try {
    const p = net.host.pingSocket();
    p.sendEcho('192.0.2.1', 1, net.gw.now());
    await until(() => net.gw.counters.IcmpEchoDropped === 1, 5000, 'drop');
    assert.equal(net.gw.warnings.length, 0);
    p.close();
  } finally {
    await net.close();
  }
});

test('ICMP echo relayed through an unprivileged ICMP socket (in a private network namespace)', (t) => {
  const why = tapUnavailableReason();
  if (why !== null) {
    skipOrFail(t, why);
    return;
  }
  const child = fileURLToPath(new URL('./fixtures/ping-child.js', import.meta.url));
  const script = `ip link set lo up && ip addr add 192.0.2.1/32 dev lo && sysctl -qw net.ipv4.ping_group_range="0 2147483647" && exec "${process.execPath}" "${child}"`;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0 && /unshare|Operation not permitted|not found/i.test(r.stderr + String(r.error ?? ''))) {
    // No private namespace here (not root): nothing to check without pinging a real network.
    skipOrFail(t, `no private network namespace (root): ${r.stderr.trim() || String(r.error)}`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { replies: { from: number; seq: number; type: number }[]; counters: Record<string, number>; warnings: string[] };
  assert.deepEqual(out.replies.map((x) => x.seq).sort(), [1, 2, 3]);
  assert.ok(out.replies.every((x) => x.from === 0xc000_0201 && x.type === 0));
  assert.equal(out.counters['IcmpEchoOut'], 3);
  assert.equal(out.counters['IcmpEchoIn'], 3);
  assert.deepEqual(out.warnings, []);
});
