// `netch filter`: the filter hooks of a running `netch up`, listed and changed the way
// iptables does it for the kernel's filter table. The command line is checked here, then
// sent through the control socket; the running stack parses it again into the
// host.filter API and answers with text (or `error: CODE: message`).
//
//   netch filter                           list every chain (iptables -L -v -n)
//   netch filter -L [CHAIN] [-x] [--line-numbers]
//   netch filter -S [CHAIN]                the rules as commands (iptables -S)
//   netch filter -A CHAIN RULE             append        -I CHAIN [N] RULE   insert
//   netch filter -D CHAIN N|RULE           delete        -R CHAIN N RULE     replace
//   netch filter -F [CHAIN]  -Z [CHAIN]    flush, zero   -P CHAIN ACCEPT|DROP
//
// RULE: [!] -s ADDR[/LEN]  [!] -d ADDR[/LEN]  [!] -p tcp|udp|icmp|all|N  [!] -i IFACE
// [!] -o IFACE  [-m tcp|udp]  [!] --sport P[:P]  [!] --dport P[:P]
// [!] --tcp-flags MASK COMP  [!] --syn  -j ACCEPT|DROP|REJECT  [--reject-with TYPE]

import type { FilterChainName, FilterPolicy, FilterRuleSpec, FilterTable } from '../iface/filter.js';
import { netchError } from '../iface/errors.js';
import { queryControl } from './control.js';

/** One parsed `netch filter` command line. */
export type FilterCommand =
  | { op: 'list'; chain?: FilterChainName; exact: boolean; lineNumbers: boolean }
  | { op: 'rules'; chain?: FilterChainName }
  | { op: 'append'; chain: FilterChainName; spec: FilterRuleSpec }
  | { op: 'insert'; chain: FilterChainName; num: number; spec: FilterRuleSpec }
  | { op: 'replace'; chain: FilterChainName; num: number; spec: FilterRuleSpec }
  | { op: 'delete'; chain: FilterChainName; rule: number | FilterRuleSpec }
  | { op: 'flush'; chain?: FilterChainName }
  | { op: 'zero'; chain?: FilterChainName }
  | { op: 'policy'; chain: FilterChainName; policy: FilterPolicy };

const COMMANDS: Readonly<Record<string, string>> = {
  '-L': 'list', '--list': 'list', '-S': 'rules', '--list-rules': 'rules', '-A': 'append', '--append': 'append',
  '-I': 'insert', '--insert': 'insert', '-R': 'replace', '--replace': 'replace', '-D': 'delete', '--delete': 'delete',
  '-F': 'flush', '--flush': 'flush', '-Z': 'zero', '--zero': 'zero', '-P': 'policy', '--policy': 'policy',
};

function syntax(message: string): Error {
  return netchError('NETCH_ERR_FILTER_SYNTAX', message, { syscall: 'filter' });
}

/**
 * Parse iptables-style words (without `netch filter`) into a command. Matches and targets
 * become a FilterRuleSpec; their values are checked by the API.
 * Errors: NETCH_ERR_FILTER_SYNTAX for an unknown option, a missing value, two commands.
 */
export function parseFilterCommand(words: readonly string[]): FilterCommand {
  let op = '';
  const pos: string[] = [];
  const spec: Record<string, unknown> = {};
  const not: Record<string, boolean> = {};
  let exact = false;
  let lineNumbers = false;
  let negate = false;
  let i = 0;
  const value = (opt: string): string => {
    const v = words[i++];
    if (v === undefined || (v.startsWith('-') && v.length > 1 && !/^-\d/.test(v))) throw syntax(`option ${opt} needs a value`);
    return v;
  };
  const set = (key: string, v: unknown, opt: string): void => {
    if (spec[key] !== undefined) throw syntax(`option ${opt} given twice`);
    spec[key] = v;
    if (negate) not[key] = true;
  };
  while (i < words.length) {
    const w = words[i++]!;
    if (w === '!') {
      if (negate) throw syntax('"!" given twice');
      negate = true;
      continue;
    }
    const cmd = COMMANDS[w];
    if (cmd !== undefined) {
      if (op !== '') throw syntax(`only one command at a time (${w} after -${op[0]!.toUpperCase()})`);
      op = cmd;
      while (i < words.length && !words[i]!.startsWith('-') && words[i] !== '!') pos.push(words[i++]!);
    } else {
      switch (w) {
        case '-s': case '--source': set('src', value(w), w); break;
        case '-d': case '--destination': set('dst', value(w), w); break;
        case '-p': case '--protocol': set('proto', value(w), w); break;
        case '-i': case '--in-interface': set('inIface', value(w), w); break;
        case '-o': case '--out-interface': set('outIface', value(w), w); break;
        case '--sport': case '--source-port': set('sport', value(w), w); break;
        case '--dport': case '--destination-port': set('dport', value(w), w); break;
        case '--tcp-flags': {
          const mask = value(w);
          set('tcpFlags', { mask, comp: value(w) }, w);
          break;
        }
        case '--syn': set('tcpFlags', { mask: 'SYN,RST,ACK,FIN', comp: 'SYN' }, w); break;
        case '-j': case '--jump': set('verdict', value(w), w); break;
        case '--reject-with': set('rejectWith', value(w), w); break;
        case '-m': case '--match': {
          const m = value(w);
          if (m !== 'tcp' && m !== 'udp') throw syntax(`match module ${m} is not supported (tcp, udp)`);
          break;
        }
        case '-t': case '--table': {
          const t = value(w);
          if (t !== 'filter') throw syntax(`only the filter table exists, not ${t}`);
          break;
        }
        case '-v': case '--verbose': case '-n': case '--numeric': break;
        case '-x': case '--exact': exact = true; break;
        case '--line-numbers': lineNumbers = true; break;
        default: throw syntax(`unknown option ${w}`);
      }
      if (negate && !['-s', '--source', '-d', '--destination', '-p', '--protocol', '-i', '--in-interface', '-o', '--out-interface', '--sport', '--source-port', '--dport', '--destination-port', '--tcp-flags', '--syn'].includes(w)) {
        throw syntax(`"!" cannot invert ${w}`);
      }
    }
    negate = false;
  }
  if (negate) throw syntax('"!" at the end');
  if (Object.keys(not).length > 0) spec.not = not;
  const hasRule = Object.keys(spec).length > 0;
  const chain = pos[0] as FilterChainName | undefined;
  const rule = spec as unknown as FilterRuleSpec;
  const needChain = (): FilterChainName => {
    if (chain === undefined) throw syntax(`-${op[0]!.toUpperCase()} needs a chain`);
    return chain;
  };
  const noRule = (): void => {
    if (hasRule) throw syntax(`-${op[0]!.toUpperCase()} takes no rule options`);
  };
  const number = (t: string | undefined, what: string): number => {
    if (t === undefined || !/^\d+$/.test(t)) throw syntax(`${what} must be a rule number`);
    return Number(t);
  };
  const extra = (n: number): void => {
    if (pos.length > n) throw syntax(`unexpected argument ${pos[n]!}`);
  };
  switch (op) {
    case '':
      noRule();
      return { op: 'list', exact, lineNumbers };
    case 'list':
      noRule();
      extra(1);
      return chain === undefined ? { op: 'list', exact, lineNumbers } : { op: 'list', chain, exact, lineNumbers };
    case 'rules':
    case 'flush':
    case 'zero':
      noRule();
      extra(1);
      return chain === undefined ? { op } : { op, chain };
    case 'append':
      extra(1);
      return { op, chain: needChain(), spec: rule };
    case 'insert':
      extra(2);
      return { op, chain: needChain(), num: pos[1] === undefined ? 1 : number(pos[1], '-I position'), spec: rule };
    case 'replace':
      extra(2);
      return { op, chain: needChain(), num: number(pos[1], '-R position'), spec: rule };
    case 'delete': {
      extra(2);
      const c = needChain();
      if (pos[1] !== undefined) {
        noRule();
        return { op, chain: c, rule: number(pos[1], '-D argument') };
      }
      if (!hasRule) throw syntax('-D needs a rule number or a rule');
      return { op, chain: c, rule };
    }
    case 'policy': {
      noRule();
      extra(2);
      const c = needChain();
      if (pos[1] === undefined) throw syntax('-P needs a chain and a policy');
      return { op, chain: c, policy: pos[1] as FilterPolicy };
    }
    default:
      throw syntax(`unknown command ${op}`);
  }
}

/** Run a parsed command on `table`; return the text `netch filter` prints. Errors: the API's NETCH_ERR_FILTER_* codes. */
export function runFilterCommand(table: FilterTable, cmd: FilterCommand): string {
  switch (cmd.op) {
    case 'list':
      return table.format(cmd.chain, { exact: cmd.exact, lineNumbers: cmd.lineNumbers });
    case 'rules':
      return table.formatRules(cmd.chain);
    case 'append':
      table.append(cmd.chain, cmd.spec);
      return '';
    case 'insert':
      table.insert(cmd.chain, cmd.spec, cmd.num);
      return '';
    case 'replace':
      table.replace(cmd.chain, cmd.num, cmd.spec);
      return '';
    case 'delete':
      table.delete(cmd.chain, cmd.rule);
      return '';
    case 'flush':
      table.flush(cmd.chain);
      return '';
    case 'zero':
      table.zero(cmd.chain);
      return '';
    case 'policy':
      table.setPolicy(cmd.chain, cmd.policy);
      return '';
  }
}

/** Answer a `filter ...` control request on `table` (words without the tool name). */
export function answerFilter(table: FilterTable, words: readonly string[]): string {
  return runFilterCommand(table, parseFilterCommand(words));
}

const USAGE = `usage: netch filter [COMMAND] [RULE] [--control PATH]

The filter hooks of the running \`netch up\`, as iptables shows and changes the kernel's:
  (none), -L [CHAIN] [-x] [--line-numbers]   list (iptables -L -v -n)
  -S [CHAIN]                                 the rules as commands
  -A CHAIN RULE | -I CHAIN [N] RULE | -R CHAIN N RULE | -D CHAIN N|RULE
  -F [CHAIN] | -Z [CHAIN] | -P CHAIN ACCEPT|DROP
Chains: PREROUTING INPUT OUTPUT POSTROUTING.
RULE: [!] -s ADDR[/LEN] [!] -d ADDR[/LEN] [!] -p tcp|udp|icmp|all|N [!] -i IFACE [!] -o IFACE
      [!] --sport P[:P] [!] --dport P[:P] [!] --tcp-flags MASK COMP [!] --syn
      -j ACCEPT|DROP|REJECT [--reject-with tcp-reset|icmp-port-unreachable|icmp-admin-prohibited|...]
Example: netch filter -A INPUT -p tcp --dport 80 -j DROP
`;

/** Run `netch filter`; return the exit code. */
export async function run(argv: string[]): Promise<number> {
  const words: string[] = [];
  let control: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (a === '--control') control = argv[++i];
    else if (a.startsWith('--control=')) control = a.slice('--control='.length);
    else words.push(a);
  }
  try {
    parseFilterCommand(words);
    if (words.some((w) => /\s/.test(w) || w === '')) throw syntax('arguments cannot contain spaces');
  } catch (err) {
    process.stderr.write(`netch filter: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const answer = await queryControl(['filter', ...words], control);
  if (answer.startsWith('error: ')) {
    process.stderr.write(`netch filter: ${answer.slice('error: '.length)}`);
    return 1;
  }
  process.stdout.write(answer);
  return 0;
}
