// Node's own http server on the stack, and Node's http client talking to it: nothing in
// http is changed; the server is fed the stack's sockets, the client dials through it.
//   npm run build && node examples/http-server.mjs

import http from 'node:http';
import { privateNetwork } from './_network.mjs';

const net = privateNetwork();

const app = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`hello ${req.socket.remoteAddress}, you asked for ${req.url}\n`);
});
// The stack's listener hands every accepted connection to the http server.
const listener = net.server.createServer((socket) => app.emit('connection', socket));
listener.listen(80, '192.0.2.2', () => console.log('http server listening on', listener.address()));

// A keep-alive agent whose connections are opened on the client host.
const agent = new http.Agent({ keepAlive: true });
agent.createConnection = (opts) => net.client.connect({ host: opts.host, port: opts.port });

for (const path of ['/', '/status', '/bye']) {
  const body = await new Promise((resolve, reject) => {
    http.get({ host: '192.0.2.2', port: 80, path, agent }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(`${res.statusCode} ${text.trim()}`));
    }).on('error', reject);
  });
  console.log(body);
}
agent.destroy();
app.closeAllConnections();
listener.close(() => {
  net.close();
  console.log('done');
});
