import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, newSigevent, type Sigevent } from './aiocb.js';
import { NoteQueue } from './notify.js';

function thread(fn: (v: unknown) => void, value: unknown): Sigevent {
  return { ...newSigevent(), sigev_notify: SIGEV_THREAD, sigev_notify_function: fn, sigev_value: value };
}

test('notes run in one microtask, in order, signals included; SIGEV_NONE and null are skipped', async () => {
  const seen: unknown[] = [];
  const q = new NoteQueue((signo, v) => seen.push(['sig', signo, v]));
  q.push(thread((v) => seen.push(v), 1));
  q.push(null);
  q.push({ ...newSigevent(), sigev_notify: SIGEV_NONE });
  q.push({ ...newSigevent(), sigev_notify: SIGEV_SIGNAL, sigev_signo: 10, sigev_value: 2 });
  q.push(thread((v) => seen.push(v), 3));
  assert.deepEqual(seen, [], 'nothing runs synchronously');
  await Promise.resolve();
  assert.deepEqual(seen, [1, ['sig', 10, 2], 3]);
});

test('a note queued by a callback runs in the same loop; the queue is reused after a run', async () => {
  const seen: unknown[] = [];
  const q = new NoteQueue(() => undefined);
  q.push(thread(() => {
    seen.push('a');
    q.push(thread((v) => seen.push(v), 'nested'));
  }, null));
  await Promise.resolve();
  assert.deepEqual(seen, ['a', 'nested']);
  q.push(thread((v) => seen.push(v as string), 'again'));
  await Promise.resolve();
  assert.deepEqual(seen, ['a', 'nested', 'again']);
});
