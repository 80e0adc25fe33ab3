// `netch demo` end to end: it exits 0, prints its sections, and the capture it writes decodes
// cleanly in tshark (ARP, ICMP echo request and reply, UDP; no malformed packets; valid
// IPv4, ICMP and UDP checksums).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '..', 'src', 'cli', 'main.js');

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

function runDemo(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'demo', ...args], { encoding: 'utf8', timeout: 60_000 });
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

test('netch demo resolves ARP, pings ten times, echoes UDP, and exits 0', () => {
  const r = runDemo([]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /192\.0\.2\.2 is at [0-9a-f:]{17}/);
  const replies = r.stdout.match(/bytes from 192\.0\.2\.2: icmp_seq=\d+ ttl=64 time=/g) ?? [];
  assert.equal(replies.length, 10);
  assert.match(r.stdout, /10 packets transmitted, 10 received, 0% packet loss/);
  assert.match(r.stdout, /UDP echo: \d+\/\d+ datagrams echoed intact/);
  assert.match(r.stdout, /InEchos/);
});

test('netch demo --pcap writes a capture that tshark decodes with valid checksums', (t) => {
  if (!hasTool('tshark')) {
    t.skip('tshark is not installed (apt-get install tshark); .ci/run installs it');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'netch-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pcap = join(dir, 'demo.pcap');
  const r = runDemo(['--pcap', pcap]);
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
