import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowTable } from './flow-table.js';

test('flows are found, moved and removed; deletion keeps every other flow reachable', () => {
  const t = new FlowTable(64, 3);
  const flows: [number, number, number, number][] = [];
  for (let i = 0; i < 50; i++) flows.push([0xc6336401 + (i % 5), 40000 + i, 5001, i % 3]);
  for (const [a, rp, lp, p] of flows) assert.ok(t.add(a, rp, lp, p));
  assert.equal(t.size, 50);
  for (const [a, rp, lp, p] of flows) assert.equal(t.lookup(a, rp, lp), p);
  for (let i = 0; i < 50; i += 2) assert.ok(t.remove(flows[i]![0], flows[i]![1], flows[i]![2]));
  for (let i = 0; i < 50; i++) assert.equal(t.lookup(flows[i]![0], flows[i]![1], flows[i]![2]), i % 2 === 0 ? -1 : flows[i]![3]);
  assert.equal(t.removeProc(1), flows.filter(([, , , p], i) => p === 1 && i % 2 === 1).length);
  for (let i = 1; i < 50; i += 2) assert.equal(t.lookup(flows[i]![0], flows[i]![1], flows[i]![2]), flows[i]![3] === 1 ? -1 : flows[i]![3]);
});

test('a full table refuses new flows', () => {
  const t = new FlowTable(16, 1);
  let n = 0;
  while (t.add(1, n, 80, 0)) n++;
  assert.equal(n, 14);
});

test('SO_REUSEPORT pick: members of the port only, stable per flow, spread over members', () => {
  const t = new FlowTable(16, 4);
  assert.equal(t.pickForPort(1, 2, 80), -1);
  t.addPort(80, 1);
  t.addPort(80, 3);
  t.addPort(80, 3);
  const seen = new Set<number>();
  for (let rp = 1000; rp < 1100; rp++) {
    const p = t.pickForPort(0xc6336401, rp, 80);
    assert.ok(p === 1 || p === 3);
    assert.equal(t.pickForPort(0xc6336401, rp, 80), p);
    seen.add(p);
  }
  assert.equal(seen.size, 2);
  t.removePort(80, 3);
  assert.equal(t.portMembers(80), (1 << 1) | (1 << 3), 'one reference of process 3 remains');
  t.removePort(80, 3);
  assert.equal(t.pickForPort(0xc6336401, 1234, 80), 1);
  t.removeProc(1);
  assert.equal(t.portMembers(80), 0);
});
