// A WebSocket echo with the `ws` package over the stack: Node's http server upgrades the
// connection on the server host, ws's client dials through `createConnection`.
//   npm install ws && npm run build && node examples/ws-echo.mjs

import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { privateNetwork } from './_network.mjs';

const net = privateNetwork();

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
const app = http.createServer((_req, res) => res.end('websocket only\n'));
app.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
const listener = net.server.createServer((socket) => app.emit('connection', socket));
await new Promise((r) => listener.listen(8080, '192.0.2.2', r));

const ws = new WebSocket('ws://192.0.2.2:8080/echo', {
  createConnection: (opts) => net.client.connect({ host: opts.host, port: Number(opts.port) }),
});
ws.on('open', () => {
  ws.send('hello over netchannels');
  ws.send(Buffer.alloc(100_000, 1));
});
let n = 0;
ws.on('message', (data, isBinary) => {
  console.log('echo:', isBinary ? `${data.length} binary bytes` : data.toString());
  if (++n === 2) ws.close(1000, 'done');
});
ws.on('close', (code) => {
  console.log('closed', code);
  wss.close();
  app.closeAllConnections();
  listener.close(() => net.close());
});
