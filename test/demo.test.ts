// `netch demo` end to end. The default (HTTP) demo: a short run exits 0, prints its table, and
// its JSON has requests per second on both stacks and no failed request; with --loss,
// --delay and --pcap our TCP still completes every request and the capture decodes cleanly
// in tshark (HTTP over TCP, no malformed packets, valid IPv4 and TCP checksums).
// `netch demo basics`: ARP, ten pings, UDP echo; its capture decodes cleanly too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipOrFail } from './require-all.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '..', 'src', 'cli', 'main.js');

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

function runDemo(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'demo', ...args], { encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('netch --help lists the demo command', () => {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\bdemo\b/);
});

test('netch with an unknown command exits 2', () => {
  const r = spawnSync(process.execPath, [cli, 'no-such-command'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command/);
});

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'netch-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface DemoStack {
  rps: number;
  requests: number;
  completed: number;
  failed: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  retrans_segs: number | null;
  lost_frames: number;
  pcap_frames: number;
}

test('netch demo --duration 1: Node http over our stack and over loopback, every request served', (t) => {
  const json = join(tmp(t), 'demo.json');
  const r = runDemo(['--duration', '1', '--json', json]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const field of ['requests/s', 'latency p50', 'latency p90', 'latency p99', 'latency max', 'throughput', 'failed requests', 'retransmissions']) {
    assert.match(r.stdout, new RegExp(`^${field}\\s`, 'm'), `the table has ${field}`);
  }
  assert.match(r.stdout, /netch \(memory link\)\s+kernel \(loopback\)/);
  assert.match(r.stdout, /netch \/ kernel: [\d.]+x/);
  // Not a terminal: a plain progress line per stack, no bar.
  assert.match(r.stderr, /netch memory link: [\d.]+ s of load/);
  assert.doesNotMatch(r.stderr, /\r/);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as { netch: DemoStack; kernel: DemoStack };
  for (const side of [doc.netch, doc.kernel]) {
    assert.ok(side.rps > 0, 'requests per second > 0');
    assert.equal(side.failed, 0);
    assert.ok(side.completed >= side.requests);
    assert.ok(side.latency_ms.p50 <= side.latency_ms.p99 && side.latency_ms.p99 <= side.latency_ms.max);
  }
  assert.equal(typeof doc.netch.retrans_segs, 'number');
});

test('netch demo --loss --delay --pcap: every request still served, the capture decodes cleanly', (t) => {
  const dir = tmp(t);
  const json = join(dir, 'demo.json');
  const pcap = join(dir, 'http.pcap');
  const r = runDemo(['--duration', '1', '--loss', '0.02', '--delay', '2', '--pcap', pcap, '--no-kernel', '--json', json]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as { netch: DemoStack; kernel: null };
  assert.equal(doc.kernel, null);
  assert.ok(doc.netch.rps > 0);
  assert.equal(doc.netch.failed, 0);
  assert.ok(doc.netch.lost_frames > 0, 'the fault injector dropped frames');
  assert.ok((doc.netch.retrans_segs ?? 0) > 0, 'TCP retransmitted what was lost');
  assert.ok(doc.netch.pcap_frames > 0);
  assert.match(r.stdout, /capture: [\d,]+ frames written/);
  if (!hasTool('tshark')) {
    skipOrFail(t, 'tshark is not installed (apt-get install tshark); .ci/run installs it');
    return;
  }
  const fields = spawnSync(
    'tshark',
    ['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.protocols', '-e', 'http.response.code'],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  assert.equal(fields.status, 0, fields.stderr);
  const lines = fields.stdout.trim().split('\n');
  assert.ok(lines.some((l) => l.startsWith('eth:ethertype:arp')), 'an ARP frame');
  assert.ok(lines.some((l) => l.includes(':tcp:http') && l.endsWith('\t200')), 'an HTTP 200 response');
  const bad = spawnSync(
    'tshark',
    [
      '-r', pcap,
      '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
      '-Y', '_ws.malformed || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad"',
    ],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  assert.equal(bad.status, 0, bad.stderr);
  assert.equal(bad.stdout.trim(), '', `tshark flagged packets:\n${bad.stdout.slice(0, 4000)}`);
});

test('netch demo basics resolves ARP, pings ten times, echoes UDP, and exits 0', () => {
  const r = runDemo(['basics', '--interval', '20']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /192\.0\.2\.2 is at [0-9a-f:]{17}/);
  const replies = r.stdout.match(/bytes from 192\.0\.2\.2: icmp_seq=\d+ ttl=64 time=/g) ?? [];
  assert.equal(replies.length, 10);
  assert.match(r.stdout, /10 packets transmitted, 10 received, 0% packet loss/);
  assert.match(r.stdout, /UDP echo: \d+\/\d+ datagrams echoed intact/);
  assert.match(r.stdout, /InEchos/);
});

test('netch demo basics --pcap writes a capture that tshark decodes with valid checksums', (t) => {
  if (!hasTool('tshark')) {
    skipOrFail(t, 'tshark is not installed (apt-get install tshark); .ci/run installs it');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'netch-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pcap = join(dir, 'demo.pcap');
  const r = runDemo(['basics', '--interval', '20', '--pcap', pcap]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(statSync(pcap).size > 24, 'capture has records');

  const fields = spawnSync(
    'tshark',
    ['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.protocols', '-e', 'icmp.type'],
    { encoding: 'utf8' },
  );
  assert.equal(fields.status, 0, fields.stderr);
  const lines = fields.stdout.trim().split('\n');
  assert.ok(lines.some((l) => l.startsWith('eth:ethertype:arp')), 'an ARP frame');
  assert.ok(lines.some((l) => /:icmp(:data)?\t8$/.test(l)), 'an ICMP echo request');
  assert.ok(lines.some((l) => /:icmp(:data)?\t0$/.test(l)), 'an ICMP echo reply');
  assert.ok(lines.some((l) => l.includes(':udp')), 'a UDP datagram');

  const bad = spawnSync(
    'tshark',
    [
      '-r', pcap,
      '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-Y', '_ws.malformed || _ws.expert.severity >= warning || ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad"',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(bad.status, 0, bad.stderr);
  assert.equal(bad.stdout.trim(), '', `tshark flagged packets:\n${bad.stdout}`);
});
