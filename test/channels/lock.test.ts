// A locked policy holds in a stack thread too: in one-thread mode (a whole host in a worker)
// and in a channel-mode process thread, a POSIX process over the thread's own stack, locked,
// refuses every way round its syscall table (test/hooks/lock.test.ts tries each in detail).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSharedMemoryLink } from '../../src/link/memory.js';
import { ChannelHost, StackThread } from '../../src/runtime/channel-mode/index.js';
import { SERVER_ADDR, SERVER_MAC } from './harness.js';

const APP = { module: new URL('./_lock-app.js', import.meta.url).href, factory: 'lockedProcessApp', options: {} };

const EXPECTED = {
  table: '-1',
  assign: 'threw NETCH_ERR_SYSCALL_TABLE',
  defineProperty: 'threw TypeError',
  wrapSyscall: 'threw NETCH_ERR_POLICY_LOCKED',
  newSyscallTable: '-1',
  captured: '-1',
  hookBeneath: 'threw NETCH_ERR_POLICY_LOCKED',
  openFds: '0,1,2',
};

for (const procs of [1, 2]) {
  test(`${procs === 1 ? 'one-thread mode' : 'channel mode (2 processes)'}: a locked process in a stack thread opens no socket by any route`, async () => {
    const [, s] = createSharedMemoryLink({ mtu: 1500, frames: 1024, checksumOffload: true });
    const opts = { link: s, mac: SERVER_MAC, address: `${SERVER_ADDR}/24`, app: APP };
    const server = procs === 1 ? StackThread.start({ ...opts, name: 'locked' }) : ChannelHost.start({ ...opts, procs });
    try {
      await server.ready();
      const stats = server instanceof ChannelHost ? await server.procStats() : [await server.stats()];
      assert.equal(stats.length, procs);
      for (const [i, st] of stats.entries()) {
        const { thread, ...got } = st!.app as Record<string, string>;
        assert.equal(thread, `${procs === 1 ? 0 : i}/${procs}`);
        assert.deepEqual(got, EXPECTED);
      }
    } finally {
      await server.close();
    }
  });
}
