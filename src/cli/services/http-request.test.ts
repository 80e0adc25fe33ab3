import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpRequest, type HttpParse } from './http-request.js';

const enc = new TextEncoder();

function parse(text: string, limit = 8192): HttpParse {
  const b = enc.encode(text);
  return parseHttpRequest(b, b.length, limit);
}

test('a complete head: method, path without query, version, persistence, head length', () => {
  const text = 'GET /bytes/10?x=y HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\nNEXT';
  const p = parse(text);
  assert.equal(p.kind, 'request');
  if (p.kind !== 'request') return;
  assert.deepEqual(p.req, { headLength: text.length - 4, method: 'GET', path: '/bytes/10', minor: 1, keepAlive: true, contentLength: 0 });
});

test('incomplete until the empty line; 431 once the limit is reached without one', () => {
  assert.equal(parse('GET / HTTP/1.1\r\nHost: h\r\n').kind, 'incomplete');
  assert.equal(parse('GET / HTT').kind, 'incomplete');
  const p = parse('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(100), 64);
  assert.deepEqual(p.kind === 'error' && p.status, 431);
});

test('persistence follows RFC 9112 §9.3', () => {
  const ka = (t: string): boolean | string => {
    const p = parse(t);
    return p.kind === 'request' ? p.req.keepAlive : p.kind;
  };
  assert.equal(ka('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), true);
  assert.equal(ka('GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, Close\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.0\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'), true);
});

test('content length is read (identical repeats allowed), conflicting ones are a 400', () => {
  const p = parse('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n');
  assert.equal(p.kind === 'request' && p.req.contentLength, 5);
  const bad = parse('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n');
  assert.equal(bad.kind === 'error' && bad.status, 400);
  const neg = parse('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n');
  assert.equal(neg.kind === 'error' && neg.status, 400);
});

test('malformed heads', () => {
  const status = (t: string): number | string => {
    const p = parse(t);
    return p.kind === 'error' ? p.status : p.kind;
  };
  assert.equal(status('GET  / HTTP/1.1\r\nHost: h\r\n\r\n'), 400);
  assert.equal(status('GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n'), 400);
  assert.equal(status('G(T / HTTP/1.1\r\nHost: h\r\n\r\n'), 400);
  assert.equal(status('GET nopath HTTP/1.1\r\nHost: h\r\n\r\n'), 400);
  assert.equal(status('GET / HTTP/1.x\r\nHost: h\r\n\r\n'), 400);
  assert.equal(status('GET / HTTP/3.0\r\nHost: h\r\n\r\n'), 505);
  assert.equal(status('GET / HTTP/1.1\r\nNoColon\r\n\r\n'), 400);
  assert.equal(status('GET / HTTP/1.1\r\n: v\r\n\r\n'), 400);
  // Empty lines before a request line are skipped (RFC 9112 §2.2): still waiting for one.
  assert.equal(status('\r\n\r\n'), 'incomplete');
});
