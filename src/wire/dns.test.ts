import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DNS_FLAG_QR,
  DNS_FLAG_RD,
  DNS_FLAG_TC,
  DNS_HEADER_LEN,
  DNS_TYPE_A,
  DnsRcode,
  DnsView,
  dnsNameToString,
  dnsSkipName,
  formatDns,
  newDnsRepr,
  parseDnsInto,
} from './dns.js';
import { WireErr } from './errors.js';
import { DNS_ANSWER_A, DNS_ANSWER_NXDOMAIN, DNS_ANSWER_SERVFAIL, DNS_ANSWER_TRUNCATED, DNS_QUERY_A } from './fixtures/dns-messages.js';
import { hexToBytes } from './fixtures/linux-frames.js';

const ALL = [DNS_QUERY_A, DNS_ANSWER_A, DNS_ANSWER_NXDOMAIN, DNS_ANSWER_SERVFAIL, DNS_ANSWER_TRUNCATED];

function parse(hex: string): { bytes: Uint8Array; view: DnsView; r: ReturnType<typeof newDnsRepr>; err: number } {
  const bytes = hexToBytes(hex);
  const view = new DnsView().wrap(bytes, 0, bytes.length);
  const r = newDnsRepr();
  return { bytes, view, r, err: parseDnsInto(view, r) };
}

test('reads the header and question of the captured messages (as tshark decodes them)', () => {
  const q = parse(DNS_QUERY_A);
  assert.equal(q.err, WireErr.Ok);
  assert.equal(q.view.id(), 0x94af);
  assert.equal(q.view.flags(), DNS_FLAG_RD);
  assert.equal(q.view.isResponse(), false);
  assert.equal(q.view.opcode(), 0);
  assert.deepEqual([q.r.qdCount, q.r.anCount, q.r.nsCount, q.r.arCount], [1, 0, 0, 0]);
  assert.equal(q.r.qtype, DNS_TYPE_A);
  assert.equal(q.r.qclass, 1);
  assert.equal(q.r.questionOffset, DNS_HEADER_LEN);
  assert.equal(q.r.questionLength, 20);
  assert.equal(q.r.end, 32);
  assert.equal(dnsNameToString(q.bytes, 12, 0, 32), 'www.netch.test.');

  const a = parse(DNS_ANSWER_A);
  assert.equal(a.err, WireErr.Ok);
  assert.equal(a.view.flags(), 0x8580);
  assert.equal(a.view.isResponse(), true);
  assert.equal(a.view.rcode(), DnsRcode.NoError);
  assert.equal(a.r.anCount, 1);
  assert.equal(a.r.end, 48);
  // The answer's owner name is a pointer to the question's.
  assert.equal(dnsNameToString(a.bytes, 32, 0, 48), 'www.netch.test.');
  assert.equal(dnsSkipName(a.bytes, 32, 48), 34);

  for (const [hex, rcode, tc] of [
    [DNS_ANSWER_NXDOMAIN, DnsRcode.NXDomain, false],
    [DNS_ANSWER_SERVFAIL, DnsRcode.ServFail, false],
    [DNS_ANSWER_TRUNCATED, DnsRcode.NoError, true],
  ] as const) {
    const m = parse(hex);
    assert.equal(m.err, WireErr.Ok);
    assert.equal(m.view.rcode(), rcode);
    assert.equal(m.view.truncated(), tc);
    assert.equal(m.r.anCount, 0);
  }
});

test('formatDns prints in tcpdump\'s words', () => {
  const lines = ALL.map((hex) => {
    const m = parse(hex);
    return formatDns(m.r, m.bytes, 0, m.bytes.length);
  });
  assert.deepEqual(lines, [
    '38063+ A? www.netch.test. (32)',
    '38063* 1/0/0 A 192.0.2.80 (48)',
    '38860 NXDomain 0/0/0 (33)',
    '26682 ServFail 0/0/0 (33)',
    '4429*| 0/0/0 (31)',
  ]);
});

test('setId remaps the id in place and nothing else changes', () => {
  const m = parse(DNS_QUERY_A);
  const before = m.bytes.slice();
  m.view.setId(0x1234);
  assert.equal(m.view.id(), 0x1234);
  assert.deepEqual(m.bytes.subarray(2), before.subarray(2));
  m.view.setFlags(m.view.flags() | DNS_FLAG_QR | DNS_FLAG_TC);
  assert.equal(m.view.truncated(), true);
});

test('an OPT record in the additional section gives the EDNS UDP size (RFC 6891)', () => {
  const q = hexToBytes(DNS_QUERY_A);
  const opt = Uint8Array.of(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0); // root, OPT, 1232, ttl 0, rdlen 0
  const m = new Uint8Array(q.length + opt.length);
  m.set(q);
  m.set(opt, q.length);
  m[11] = 1; // ARCOUNT
  const r = newDnsRepr();
  assert.equal(parseDnsInto(new DnsView().wrap(m, 0, m.length), r), WireErr.Ok);
  assert.equal(r.ednsUdpSize, 1232);
  assert.equal(r.end, m.length);
  assert.equal(formatDns(r, m, 0, m.length), '38063+ A? www.netch.test. (43)');
});

test('every truncation returns a code; lying counts, bad labels and pointer loops are caught', () => {
  const r = newDnsRepr();
  const v = new DnsView();
  for (const hex of ALL) {
    const b = hexToBytes(hex);
    for (let len = 0; len < b.length; len++) {
      const err = parseDnsInto(v.wrap(b, 0, len), r);
      assert.ok(err === WireErr.Truncated || err === WireErr.Malformed, `${hex.slice(0, 4)} length ${len}: ${err}`);
    }
  }
  const more = hexToBytes(DNS_QUERY_A);
  more[7] = 1; // ANCOUNT 1, no record
  assert.equal(parseDnsInto(v.wrap(more, 0, more.length), r), WireErr.Malformed);
  const label = hexToBytes(DNS_QUERY_A);
  label[12] = 0x40; // reserved label type
  assert.equal(parseDnsInto(v.wrap(label, 0, label.length), r), WireErr.Malformed);
  const loop = hexToBytes(DNS_ANSWER_A);
  loop[32] = 0xc0;
  loop[33] = 32; // the answer's name points at itself
  assert.equal(parseDnsInto(v.wrap(loop, 0, loop.length), r), WireErr.Ok, 'skipping a pointer does not follow it');
  assert.equal(dnsNameToString(loop, 32, 0, loop.length), '?');
  // Trailing bytes after the last record are outside `end`.
  const tail = new Uint8Array(40);
  tail.set(hexToBytes(DNS_QUERY_A));
  assert.equal(parseDnsInto(v.wrap(tail, 0, tail.length), r), WireErr.Ok);
  assert.equal(r.end, 32);
});

test('seeded random corruption never throws', () => {
  let seed = 99;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const r = newDnsRepr();
  const v = new DnsView();
  for (let n = 0; n < 5000; n++) {
    const b = hexToBytes(ALL[n % ALL.length]!);
    for (let k = 0; k < 1 + (rnd() % 6); k++) b[rnd() % b.length] = rnd() & 0xff;
    const err = parseDnsInto(v.wrap(b, 0, b.length), r);
    assert.ok(err >= 0 && err <= 8);
    if (err === WireErr.Ok) {
      assert.ok(r.end <= b.length);
      formatDns(r, b, 0, b.length);
    }
  }
});
