// The gateway on a TAP device, with Linux's own TCP/IP as the guest: run in a private
// network namespace (root), so nothing leaves it. Skips where there is no namespace or
// no TAP addon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tapUnavailableReason } from '../../src/link/tap.js';
import { skipOrFail } from '../require-all.js';

test('--tap: Linux as the guest fetches and uploads through the gateway to 127.0.0.1; a closed port is refused', (t) => {
  const why = tapUnavailableReason();
  if (why !== null) {
    skipOrFail(t, why);
    return;
  }
  const child = fileURLToPath(new URL('./fixtures/tap-child.js', import.meta.url));
  const r = spawnSync('unshare', ['-n', process.execPath, child], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && /unshare: |Operation not permitted/i.test(r.stderr)) {
    skipOrFail(t, `no private network namespace (root): ${r.stderr.trim()}`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { upOk: boolean; downOk: boolean; refused: string; counters: Record<string, number> };
  assert.equal(out.upOk, true);
  assert.equal(out.downOk, true);
  assert.equal(out.refused, 'ECONNREFUSED');
  assert.equal(out.counters['TcpOpened'], 1);
  assert.equal(out.counters['TcpRefused'], 1);
});

test('an unreachable host network reaches the guest as ICMP unreachable at once (in a namespace with no route out)', (t) => {
  const child = fileURLToPath(new URL('./fixtures/unreach-child.js', import.meta.url));
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${child}"`], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && /unshare: |Operation not permitted/i.test(r.stderr)) {
    skipOrFail(t, `no private network namespace (root): ${r.stderr.trim()}`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { guestIcmpUnreach: number; counters: Record<string, number> };
  // The first SYN was answered (the guest's host received the error: no retransmission needed).
  assert.ok(out.guestIcmpUnreach >= 1);
  assert.equal(out.counters['TcpUnreachable'], out.guestIcmpUnreach);
  assert.equal(out.counters['TcpFlows'], 0);
  assert.equal(out.counters['TcpOpened'], 0);
});

test('inbound forwards show a non-loopback client as itself (address and port), TCP and UDP; a guest reaches an outside address as itself (in a namespace)', (t) => {
  const child = fileURLToPath(new URL('./fixtures/forward-child.js', import.meta.url));
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && ip addr add 192.0.2.5/32 dev lo && exec "${process.execPath}" "${child}"`], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && /unshare: |Operation not permitted/i.test(r.stderr)) {
    skipOrFail(t, `no private network namespace (root): ${r.stderr.trim()}`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    seen: string[];
    text: string;
    clientPort: number;
    useen: string[];
    udpClientPort: number;
    echoed: string;
    outbound: { text: string; peer: string };
    outPort: number;
  };
  assert.deepEqual(out.outbound, { text: 'you are 192.0.2.5', peer: `192.0.2.5:${out.outPort}` });
  assert.deepEqual(out.seen, [`192.0.2.5:${out.clientPort}`]);
  assert.equal(out.text, 'hi');
  assert.deepEqual(out.useen, [`192.0.2.5:${out.udpClientPort}`]);
  assert.equal(out.echoed, 'udp hello');
});
