// Port forwarding, as QEMU's hostfwd: Node's http server runs on the stack (192.0.2.2:80,
// on a private memory network in this process), and a forward accepts on the kernel's
// loopback and relays each connection into the stack from the other host (192.0.2.1), so
// any program on this machine — curl, a browser — reaches the server without root.
//   npm run build && node examples/port-forward.mjs            (then: curl localhost:8080/)
//   node examples/port-forward.mjs --once                      (one request, then exit)
// The same from the command line, with the built-in services: netch up --forward tcp:127.0.0.1:8080-192.0.2.2:80

import http from 'node:http';
import { privateNetwork } from './_network.mjs';
// The forwarding module of the CLI (netch up --forward, the preload's NETCH_FORWARD).
import { parseForwardSpec, startForward } from '../dist/src/cli/forward.js';

const once = process.argv.includes('--once');
const net = privateNetwork();

const app = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`hello ${req.socket.remoteAddress}:${req.socket.remotePort} (the forward's side on the stack), you asked for ${req.url}\n`);
});
const listener = net.server.createServer((socket) => app.emit('connection', socket));
await new Promise((resolve) => listener.listen(80, '192.0.2.2', resolve));

// Port 8080 on loopback, or any free port with --once.
const fwd = await startForward(parseForwardSpec(`tcp:127.0.0.1:${once ? 0 : 8080}-192.0.2.2:80`), net.client);
const { port } = fwd.address();
console.log(`forwarding ${fwd}: try  curl http://127.0.0.1:${port}/`);

if (once) {
  // A plain kernel-side client: Node's http with no agent tricks, to 127.0.0.1.
  const body = await new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}/from-the-kernel`, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(`${res.statusCode} ${text.trim()}`));
    }).on('error', reject);
  });
  console.log(body);
  console.log(`connections accepted by the forward: ${fwd.counters.accepted}`);
  await fwd.close();
  app.closeAllConnections();
  listener.close(() => net.close());
} else {
  process.on('SIGINT', async () => {
    await fwd.close();
    app.closeAllConnections();
    listener.close(() => net.close());
  });
}
