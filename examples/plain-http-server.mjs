// A plain Node HTTP server: nothing here knows about netchannels. Run it on the stack with
// the preload, which moves its `net` (and so `http`) onto a host of the stack:
//   npm run build
//   NETCH_FORWARD=tcp:127.0.0.1:8080-192.0.2.2:80 node --import netchannels/preload examples/plain-http-server.mjs
//   curl localhost:8080/hello
// or traced, its socket calls printed as strace prints them:
//   netch trace --forward tcp:127.0.0.1:8080-192.0.2.2:80 -e trace=%network,close -- node examples/plain-http-server.mjs
// PORT (default 80) and REQUESTS (stop after that many requests; default: run until Ctrl-C) are optional.

import http from 'node:http';

const port = Number(process.env.PORT ?? 80);
const limit = Number(process.env.REQUESTS ?? 0);
let served = 0;

const server = http.createServer((req, res) => {
  const body = `hello ${req.socket.remoteAddress}, you asked for ${req.url}\n`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
  if (limit > 0 && ++served >= limit) server.close();
});
server.listen(port, () => {
  const a = server.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
server.on('close', () => console.log('closed'));
