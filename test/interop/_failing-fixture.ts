// A test file that fails on purpose after opening a bench (run by bench.test.ts in a child
// process, never by the suite): its namespace must still be removed.

import { test } from 'node:test';
import { openBench } from './bench.js';

test('fails after opening a bench', async (t) => {
  const bench = await openBench(t);
  if (bench === null) return;
  process.stdout.write(`NETNS ${bench.ns}\n`);
  await bench.capture();
  bench.spawn(['sleep', '30']);
  throw new Error('on purpose');
});
