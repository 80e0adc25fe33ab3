import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RttEstimator } from './rtt.js';

test('the first sample sets SRTT = R and RTTVAR = R/2 (RFC 6298 §2.2)', () => {
  const e = new RttEstimator(200, 120_000, 1000);
  assert.equal(e.rto(), 1000);
  e.sample(100);
  assert.equal(e.srtt, 100);
  assert.equal(e.rttvar, 50);
  assert.equal(e.rto(), 300);
});

test('later samples smooth with alpha 1/8 and beta 1/4 (RFC 6298 §2.3)', () => {
  const e = new RttEstimator(1, 120_000, 1000);
  e.sample(100);
  e.sample(200);
  assert.equal(e.rttvar, 0.75 * 50 + 0.25 * 100);
  assert.equal(e.srtt, 0.875 * 100 + 0.125 * 200);
  assert.equal(e.rto(), e.srtt + 4 * e.rttvar);
});

test('the RTO never falls below the minimum', () => {
  const e = new RttEstimator(200, 120_000, 1000);
  e.sample(1);
  assert.equal(e.rto(), 200);
});

test('backoff doubles up to the maximum and a sample ends it', () => {
  const e = new RttEstimator(200, 5000, 1000);
  e.backOff();
  assert.equal(e.rto(), 2000);
  e.backOff();
  assert.equal(e.rto(), 4000);
  e.backOff();
  assert.equal(e.rto(), 5000);
  e.backOff();
  assert.equal(e.rto(), 5000);
  e.sample(100);
  assert.equal(e.backoff, 0);
  assert.equal(e.rto(), 300);
});
