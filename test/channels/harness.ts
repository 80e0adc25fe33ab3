// Shared setup of the channel-mode tests: a client host in one thread and a server host in
// one-thread mode (StackThread) or channel mode (ChannelHost), on a shared memory link.

import { createSharedMemoryLink } from '../../src/link/memory.js';
import { ChannelHost, StackThread, type AppRef, type StackStats } from '../../src/runtime/channel-mode/index.js';

export const APP_MODULE = new URL('../../bench/_channels-app.js', import.meta.url).href;
export const SERVER_ADDR = '198.51.100.2';
export const CLIENT_ADDR = '198.51.100.1';
export const SERVER_MAC = 0x02_00_00_00_02_02;
export const CLIENT_MAC = 0x02_00_00_00_02_01;

/** A running pair: the client thread and the server (one thread or channel mode). */
export interface Setup {
  client: StackThread;
  server: ChannelHost | StackThread;
  close(): Promise<void>;
}

/** Start a server running `serverApp` (mode 1: one thread; N > 1: channel mode with N processes) and a client running `clientApp`. */
export async function startPair(mode: number, serverApp: AppRef, clientApp: AppRef, opts: { mtu?: number; frames?: number; rxQuota?: number; bufSize?: number; beforeClient?: (server: ChannelHost | StackThread) => Promise<void> } = {}): Promise<Setup> {
  const [c, s] = createSharedMemoryLink({ mtu: opts.mtu ?? 9000, frames: opts.frames ?? 1024, checksumOffload: true });
  const tcp = { sendBufSize: opts.bufSize ?? 1 << 20, recvBufSize: opts.bufSize ?? 1 << 20 };
  const server = mode === 1
    ? StackThread.start({ link: s, mac: SERVER_MAC, address: `${SERVER_ADDR}/24`, name: 'server', app: serverApp, tcp })
    : ChannelHost.start({ link: s, mac: SERVER_MAC, address: `${SERVER_ADDR}/24`, procs: mode, app: serverApp, tcp, ...(opts.rxQuota ? { rxQuota: opts.rxQuota } : {}) });
  await server.ready();
  await opts.beforeClient?.(server);
  const client = StackThread.start({ link: c, mac: CLIENT_MAC, address: `${CLIENT_ADDR}/24`, name: 'client', app: clientApp, tcp });
  return { client, server, close: async () => { await client.close(); await server.close(); } };
}

/** Return the server's per-process app stats (one entry in one-thread mode). */
export async function serverStats(server: ChannelHost | StackThread): Promise<(StackStats | null)[]> {
  return server instanceof ChannelHost ? server.procStats() : [await server.stats()];
}

/** Poll `fn` every 20 ms until it returns true or `ms` passes; return its last answer. */
export async function until(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
