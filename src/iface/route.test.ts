import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteKind, RouteTable } from './route.js';
import type { Interface } from './interface.js';
import { parseIpv4 } from '../wire/ipv4.js';

const eth0 = { name: 'eth0' } as Interface;
const eth1 = { name: 'eth1' } as Interface;
const ip = parseIpv4;

test('the longest prefix wins, then the lowest metric', () => {
  const t = new RouteTable();
  t.add(0, 0, ip('192.0.2.254'), eth0);
  t.add(ip('198.51.100.0'), 24, 0, eth1, 0, 0, RouteKind.Connected);
  t.add(ip('198.51.100.128'), 25, ip('198.51.100.1'), eth1, 0, 10);
  t.add(ip('198.51.100.128'), 25, ip('192.0.2.1'), eth0, 0, 5);
  assert.equal(t.lookup(ip('203.0.113.9'))!.gateway, ip('192.0.2.254'));
  assert.equal(t.lookup(ip('198.51.100.7'))!.iface, eth1);
  assert.equal(t.lookup(ip('198.51.100.200'))!.metric, 5);
  assert.equal(t.add(ip('198.51.100.128'), 25, 0, eth0, 0, 5), false, 'duplicate');
  assert.equal(t.remove(ip('198.51.100.128'), 25), 2);
  assert.equal(t.lookup(ip('198.51.100.200'))!.prefixLen, 24);
  assert.equal(t.remove(0, 0), 1);
  assert.equal(t.lookup(ip('203.0.113.9')), null);
});

test('format prints like ip route', () => {
  const t = new RouteTable();
  t.add(ip('192.0.2.7'), 24, 0, eth0, ip('192.0.2.7'), 0, RouteKind.Connected);
  t.add(0, 0, ip('192.0.2.1'), eth0, 0, 100);
  assert.equal(t.format(), 'default via 192.0.2.1 dev eth0 metric 100\n192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.7\n');
});
