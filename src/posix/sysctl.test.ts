import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../iface/host.js';
import { VirtualClock } from '../time.js';
import { EINVAL, ENOENT } from './errno.js';
import { Kernel } from './kernel.js';

function kernel(personality?: 'linux' | 'linux-2.6' | 'freebsd'): Kernel {
  return new Kernel(new Host({ name: 'h' }), { clock: new VirtualClock(), ...(personality ? { personality } : {}) });
}

test('Linux defaults', () => {
  const s = kernel().sysctl;
  assert.equal(s.read('net.core.somaxconn'), '4096');
  assert.equal(s.read('net.ipv4.tcp_abort_on_overflow'), '0');
  assert.equal(s.read('net.ipv4.tcp_syncookies'), '1');
  assert.equal(s.read('net.ipv4.tcp_syn_retries'), '6');
  assert.equal(s.read('net.ipv4.tcp_synack_retries'), '5');
  assert.equal(s.read('net.ipv4.ip_local_port_range'), '32768\t60999');
  assert.equal(s.read('net.ipv4.tcp_fin_timeout'), '60');
  assert.equal(s.read('net.ipv4.tcp_keepalive_time'), '7200');
  assert.equal(s.read('net.core.rmem_max'), '212992');
  assert.equal(s.read('net/ipv4/tcp_retries2'), '15', 'slashes as in /proc/sys');
  assert.equal(s.read('net.ipv4.nope'), null);
  assert.ok(s.list().length >= 18);
});

test('the personality sets somaxconn\'s default; FreeBSD\'s name is an alias', () => {
  assert.equal(kernel('linux-2.6').sysctl.readInt('net.core.somaxconn'), 128);
  const f = kernel('freebsd');
  assert.equal(f.sysctl.read('kern.ipc.soacceptqueue'), '128');
  assert.equal(f.sysctl.write('kern.ipc.soacceptqueue', 256), 0);
  assert.equal(f.sysctl.read('net.core.somaxconn'), '256');
  assert.equal(f.tcp.config.somaxconn, 256);
});

test('writes reach the TCP layer and the host', () => {
  const k = kernel();
  const s = k.sysctl;
  assert.equal(s.write('net.core.somaxconn', '1024\n'), 0);
  assert.equal(k.tcp.config.somaxconn, 1024);
  assert.equal(s.write('net.ipv4.tcp_abort_on_overflow', 1), 0);
  assert.equal(k.tcp.config.abortOnOverflow, true);
  assert.equal(s.write('net.ipv4.tcp_syncookies', 2), 0);
  assert.equal(k.tcp.config.syncookies, 2);
  assert.equal(s.write('net.ipv4.tcp_syn_retries', 3), 0);
  assert.equal(k.tcp.config.synRetries, 3);
  assert.equal(s.write('net.ipv4.tcp_synack_retries', 2), 0);
  assert.equal(k.tcp.config.synAckRetries, 2);
  assert.equal(s.write('net.ipv4.tcp_max_syn_backlog', 64), 0);
  assert.equal(k.tcp.config.maxSynBacklog, 64);
  assert.equal(s.write('net.ipv4.tcp_fin_timeout', 30), 0);
  assert.equal(k.tcp.config.finTimeoutMs, 30_000);
  assert.equal(s.write('net.ipv4.ip_local_port_range', '40000 40010'), 0);
  assert.deepEqual([k.host.config.ephemeralLow, k.host.config.ephemeralHigh], [40000, 40010]);
  assert.equal(s.read('net.ipv4.ip_local_port_range'), '40000\t40010');
  assert.equal(s.write('net.ipv4.tcp_congestion_control', 'reno'), 0);
  assert.equal(k.tcp.config.congestion, 'newreno');
  assert.equal(s.read('net.ipv4.tcp_congestion_control'), 'reno');
});

test('a new ip_local_port_range applies to the next ephemeral TCP and UDP ports', () => {
  const k = kernel();
  assert.equal(k.sysctl.write('net.ipv4.ip_local_port_range', '40000 40001'), 0);
  const a = k.tcp.socket();
  const b = k.tcp.socket();
  assert.equal(a.listen(1), 0);
  assert.equal(b.listen(1), 0);
  assert.deepEqual([a.localPort, b.localPort].sort(), [40000, 40001]);
  assert.equal(k.tcp.socket().listen(1) < 0, true, 'the range is used up');
  const u = k.host.udpSocket().bind(0, 0);
  assert.ok(u.localPort >= 40000 && u.localPort <= 40001, `UDP port ${u.localPort} is in the range`);
});

test('bad values are EINVAL and change nothing; unknown names ENOENT', () => {
  const k = kernel();
  const s = k.sysctl;
  for (const [name, v] of [
    ['net.core.somaxconn', -1], ['net.core.somaxconn', 'lots'], ['net.core.somaxconn', 1.5], ['net.core.somaxconn', '1 2'],
    ['net.ipv4.tcp_abort_on_overflow', 2], ['net.ipv4.tcp_syncookies', 3], ['net.ipv4.tcp_syn_retries', 0],
    ['net.ipv4.tcp_syn_retries', 128], ['net.ipv4.ip_local_port_range', '5000 4000'], ['net.ipv4.ip_local_port_range', '0 100'],
    ['net.ipv4.ip_local_port_range', '1000 70000'], ['net.ipv4.ip_local_port_range', '1000'], ['net.ipv4.tcp_fin_timeout', -5],
  ] as const) {
    const before = s.read(name);
    assert.equal(s.write(name, v), -EINVAL, `${name}=${v}`);
    assert.equal(s.read(name), before);
  }
  assert.equal(s.write('net.ipv4.tcp_congestion_control', 'bbr9'), -ENOENT);
  assert.equal(s.write('net.nothing', 1), -ENOENT);
});
