import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EgressPolicy, resolveGatewayConfig } from './config.js';
import { ipv4ToString } from '../wire/ipv4.js';

test('defaults are QEMU user-mode networking: 10.0.2.0/24, gateway .2, DNS .3, first lease .15, mac 52:55:0a:00:02:02', () => {
  const c = resolveGatewayConfig();
  assert.equal(`${ipv4ToString(c.netAddress)}/${c.prefixLen}`, '10.0.2.0/24');
  assert.equal(ipv4ToString(c.gateway), '10.0.2.2');
  assert.equal(ipv4ToString(c.dnsAddress), '10.0.2.3');
  assert.equal(ipv4ToString(c.dhcpStart), '10.0.2.15');
  assert.equal(c.mac, '52:55:0a:00:02:02');
  assert.equal(c.maxFlows, 4096);
  assert.equal(c.egress, 'all');
  assert.equal(c.hostLoopback, true);
});

test('--net moves every default address into the new network', () => {
  const c = resolveGatewayConfig({ net: '192.168.77.0/24' });
  assert.equal(ipv4ToString(c.gateway), '192.168.77.2');
  assert.equal(ipv4ToString(c.dnsAddress), '192.168.77.3');
  assert.equal(ipv4ToString(c.dhcpStart), '192.168.77.15');
});

test('bad options are NETCH_ERR_GATEWAY_CONFIG', () => {
  for (const o of [
    { net: '10.0.2.0' + '/33' },
    { net: 'ten' },
    { net: '10.0.2.0/30' },
    { gateway: '10.0.3.2' },
    { gateway: '10.0.2.255' },
    { dnsAddress: '10.0.2.2' },
    { dhcpStart: '10.0.2.3' },
    { egress: 'some' as never },
    { deny: ['nope'] },
    { mtu: 100 },
    { maxFlows: 0 },
    { mac: 'zz' },
  ]) {
    assert.throws(() => resolveGatewayConfig(o), { code: 'NETCH_ERR_GATEWAY_CONFIG' }, JSON.stringify(o));
  }
});

test('egress policy: none refuses all, loopback only 127/8, deny wins', () => {
  const lo = 0x7f00_0001;
  const out = 0xc000_0201;
  assert.equal(new EgressPolicy('none', []).allows(lo), false);
  assert.equal(new EgressPolicy('loopback', []).allows(lo), true);
  assert.equal(new EgressPolicy('loopback', []).allows(out), false);
  assert.equal(new EgressPolicy('all', []).allows(out), true);
  assert.equal(new EgressPolicy('all', [{ address: 0xc000_0200, prefixLen: 24 }]).allows(out), false);
  assert.equal(new EgressPolicy('all', [{ address: 0xc000_0200, prefixLen: 24 }]).allows(lo), true);
});
