// undici's fetch over the stack: an Agent whose `connect` opens the TCP connection on the
// client host; the server is Node's http module on the server host.
//   npm install undici && npm run build && node examples/undici-fetch.mjs

import http from 'node:http';
import { Agent, fetch } from 'undici';
import { privateNetwork } from './_network.mjs';

const net = privateNetwork();

const app = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ path: req.url, from: req.socket.remoteAddress, at: new Date().toISOString() }));
});
const listener = net.server.createServer((socket) => app.emit('connection', socket));
await new Promise((r) => listener.listen(8080, '192.0.2.2', r));

const dispatcher = new Agent({
  connect(opts, cb) {
    const socket = net.client.connect({ host: opts.hostname, port: Number(opts.port) || 80 });
    socket.once('error', (err) => cb(err, null));
    socket.once('connect', () => cb(null, socket));
  },
});

const res = await fetch('http://192.0.2.2:8080/api/time', { dispatcher });
console.log(res.status, await res.json());

try {
  await fetch('http://192.0.2.2:81/', { dispatcher });
} catch (err) {
  // Our Node-shaped error is the cause: ECONNREFUSED, errno, syscall, address, port.
  console.log('port 81:', err.cause.message);
}

await dispatcher.close();
app.closeAllConnections();
listener.close(() => net.close());
