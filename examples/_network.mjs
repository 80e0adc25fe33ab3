// Shared by the examples: two hosts, 192.0.2.1 ("client") and 192.0.2.2 ("server"), on a
// memory link in this one Node process, driven in real time by a Loop, each with a stack
// context (a kernel and a process) whose `net` and `dgram` objects mimic Node's modules.
// Run the examples against the built package: `npm run build && node examples/<name>.mjs`.

import { memoryLinkPair } from 'netchannels/link';
import { Host } from 'netchannels/iface';
import { Loop } from 'netchannels/runtime';
import { createStack } from 'netchannels/adapters';

/** Return { client, server, close } : two stacks on one private network. */
export function privateNetwork() {
  const [la, lb] = memoryLinkPair({ checksumOffload: true });
  const a = new Host({ name: 'client' });
  const b = new Host({ name: 'server' });
  a.addInterface(la, { mac: 0x02_00_00_00_00_01, address: '192.0.2.1/24' });
  b.addInterface(lb, { mac: 0x02_00_00_00_00_02, address: '192.0.2.2/24' });
  // unref: the Loop's own timers do not keep Node alive; open sockets and servers do.
  const loop = new Loop({ unref: true });
  const client = createStack({ host: a, loop, name: 'client' });
  const server = createStack({ host: b, loop, name: 'server' });
  return {
    client,
    server,
    close() {
      client.close();
      server.close();
      loop.stop();
    },
  };
}
