// The compiled chain matcher against the rule walk it replaces on the packet path: over
// seeded random rules (every match kind, inverted or not) and random datagrams, both must
// name the same first matching rule. And where code generation from strings is disallowed,
// the table falls back to the walk and still filters.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FilterHook, type FilterRule, type FilterRuleSpec, compileRule } from './filter-rule.js';
import { P_DPORT, P_DST, P_FLAGS, P_L4, P_PROTO, P_SLOTS, P_SPORT, P_SRC, compileMatcher, interpretRules } from './filter-match.js';

/** xorshift32: a seeded generator, so a failure names its seed. */
function rng(seed: number): (n: number) => number {
  let x = seed | 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

// Few distinct values, so rules and datagrams meet often.
const ADDRS = ['192.0.2.1', '192.0.2.200', '198.51.100.7', '203.0.113.9', '10.0.0.1', '255.255.255.255', '128.0.0.1'];
const PREFIXES = [0, 1, 8, 24, 31, 32];
const PORTS = [0, 22, 80, 443, 1000, 2000, 65535];
const NAMES = ['eth0', 'eth1', 'lo', 'tap0', 'e'];
const FLAG_SETS = ['SYN', 'ACK', 'SYN,ACK', 'FIN,SYN,RST,ACK', 'NONE', 'ALL', 'RST'];

function addrToInt(a: string): number {
  return a.split('.').reduce((v, o) => ((v << 8) | Number(o)) >>> 0, 0) | 0;
}

function randomSpec(r: (n: number) => number, input: boolean): FilterRuleSpec {
  const s: FilterRuleSpec = { verdict: (['ACCEPT', 'DROP', 'REJECT'] as const)[r(3)]! };
  const not: Record<string, boolean> = {};
  const inv = (k: string): void => {
    if (r(3) === 0) not[k] = true;
  };
  if (r(2) === 0) (s.src = `${ADDRS[r(ADDRS.length)]}/${PREFIXES[r(PREFIXES.length)]}`), inv('src');
  if (r(2) === 0) (s.dst = `${ADDRS[r(ADDRS.length)]}/${PREFIXES[r(PREFIXES.length)]}`), inv('dst');
  const proto = (['tcp', 'udp', 'icmp', 'any', 47] as const)[r(5)]!;
  if (r(4) !== 0) (s.proto = proto), proto !== 'any' && inv('proto');
  if ((s.proto === 'tcp' || s.proto === 'udp') && not['proto'] !== true) {
    const port = (): [number, number] => {
      const a = PORTS[r(PORTS.length)]!;
      const b = PORTS[r(PORTS.length)]!;
      return [Math.min(a, b), Math.max(a, b)];
    };
    if (r(2) === 0) (s.sport = port()), inv('sport');
    if (r(2) === 0) (s.dport = port()), inv('dport');
    if (s.proto === 'tcp' && r(3) === 0) {
      const mask = FLAG_SETS[r(FLAG_SETS.length)]!;
      // comp within mask: all of it, none, or one flag of it
      const one = mask === 'ALL' ? 'SYN' : mask === 'NONE' ? 'NONE' : mask.split(',')[r(mask.split(',').length)]!;
      s.tcpFlags = { mask, comp: [mask, 'NONE', one][r(3)]! };
      inv('tcpFlags');
    }
  }
  const name = `${NAMES[r(NAMES.length)]}${r(3) === 0 ? '+' : ''}`;
  if (r(3) === 0) {
    if (input) (s.inIface = name), inv('inIface');
    else (s.outIface = name), inv('outIface');
  }
  if (Object.keys(not).length > 0) s.not = not;
  return s;
}

function randomPacket(r: (n: number) => number, p: Int32Array): [string, string] {
  p[P_SRC] = addrToInt(ADDRS[r(ADDRS.length)]!) ^ (r(4) === 0 ? r(256) : 0);
  p[P_DST] = addrToInt(ADDRS[r(ADDRS.length)]!) ^ (r(4) === 0 ? r(256) << 8 : 0);
  p[P_PROTO] = [6, 17, 1, 47, 0][r(5)]!;
  p[P_L4] = (p[P_PROTO] === 6 || p[P_PROTO] === 17) && r(5) !== 0 ? 1 : 0;
  p[P_SPORT] = p[P_L4] === 1 ? (r(2) === 0 ? PORTS[r(PORTS.length)]! : r(65536)) : 0;
  p[P_DPORT] = p[P_L4] === 1 ? (r(2) === 0 ? PORTS[r(PORTS.length)]! : r(65536)) : 0;
  p[P_FLAGS] = p[P_PROTO] === 6 && p[P_L4] === 1 ? r(256) : 0;
  const name = (): string => (r(4) === 0 ? '' : `${NAMES[r(NAMES.length)]}${r(3) === 0 ? String(r(3)) : ''}`);
  return [name(), name()];
}

test('a compiled chain names the same first matching rule as the rule walk: 300 random chains x 300 datagrams', () => {
  const p = new Int32Array(P_SLOTS);
  let matched = 0;
  let checks = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed * 7919);
    const input = r(2) === 0;
    const rules: FilterRule[] = [];
    const n = 1 + r(12);
    for (let i = 0; i < n; i++) rules.push(compileRule(input ? FilterHook.Input : FilterHook.Output, input ? 'INPUT' : 'OUTPUT', randomSpec(r, input), 'test'));
    const m = compileMatcher(rules);
    assert.ok(m !== null, 'code generation is allowed here');
    for (let k = 0; k < 300; k++) {
      const [inName, outName] = randomPacket(r, p);
      const want = interpretRules(rules, p, inName, outName);
      const got: number = m(p, inName, outName);
      if (got !== want) {
        assert.fail(`seed ${seed}, datagram ${k}: compiled ${got}, walked ${want}; rules ${JSON.stringify(rules.map((x) => x.args))}, p ${JSON.stringify([...p])}, in '${inName}' out '${outName}'`);
      }
      checks++;
      if (want >= 0) matched++;
    }
  }
  // Both outcomes must be common, or the comparison says little.
  assert.ok(matched > checks / 10 && matched < (checks * 9) / 10, `${matched} of ${checks} datagrams matched a rule`);
});

test('an empty chain compiles to no match', () => {
  const m = compileMatcher([]);
  assert.ok(m !== null);
  assert.equal(m(new Int32Array(P_SLOTS), 'eth0', ''), -1);
});

test('where code generation from strings is disallowed, the table walks its rules and still filters', () => {
  const host = new URL('./host.js', import.meta.url);
  const script = `
    const { Host } = await import(${JSON.stringify(host.href)});
    const f = new Host().filter;
    f.append('INPUT', { proto: 'tcp', dport: 80, verdict: 'DROP' });
    // An IPv4 + TCP header (no payload) to port 80, then to port 81.
    const d = new Uint8Array(40);
    d.set([0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, 0x9c, 0x40, 0, 80]);
    d[32] = 0x50;
    const to80 = f.passIn(f.input, null, d, 0, true, 0);
    d[23] = 81;
    const to81 = f.passIn(f.input, null, d, 0, true, 0);
    console.log(JSON.stringify({ compiled: f.input.matcher !== null, to80, to81, dropped: f.input.rules[0].packets, accepted: f.input.packets }));
  `;
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
  assert.deepEqual(JSON.parse(out), { compiled: false, to80: false, to81: true, dropped: 1, accepted: 1 });
});
