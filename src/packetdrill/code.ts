// The `%{ ... }%` blocks of packetdrill scripts are Python run against the TCP_INFO of the
// socket under test. This is a small evaluator for the subset the corpus uses: statements
// `assert E[, msg]`, `print(...)`, `x = E`, `x += E`, `x -= E`, separated by newlines or
// `;`; expressions with `or`, `and`, `not`, chained comparisons, bit and arithmetic
// operators, parentheses, integers, strings (only as messages) and names: `tcpi_*` from the
// snapshot (in Linux's units), `TCP_CA_*`, `TCPI_OPT_*`, `TCP_INFINITE_SSTHRESH`, and the
// script's own variables, which live from one block to the next as in upstream's Python.
// Anything else is reported as unsupported, never guessed.

/** An assertion that did not hold. */
export class CodeAssertion extends Error {}
/** A construct or a name the evaluator does not have. */
export class CodeUnsupported extends Error {}

/** Linux's congestion-avoidance states (include/uapi/linux/tcp.h). */
export const TCP_CA = { TCP_CA_Open: 0, TCP_CA_Disorder: 1, TCP_CA_CWR: 2, TCP_CA_Recovery: 3, TCP_CA_Loss: 4 } as const;
/** Linux's tcpi_options bits. */
export const TCPI_OPT = {
  TCPI_OPT_TIMESTAMPS: 1, TCPI_OPT_SACK: 2, TCPI_OPT_WSCALE: 4, TCPI_OPT_ECN: 8, TCPI_OPT_ECN_SEEN: 16, TCPI_OPT_SYN_DATA: 32, TCPI_OPT_USEC_TS: 64,
} as const;

type Val = number | string;

interface Tok {
  k: 'num' | 'name' | 'str' | 'op' | 'end';
  v: string;
  n: number;
}

const OPS = ['//', '**', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '(', ')', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '~', ',', '=', '[', ']', '.'];

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const hex = /^0[xX][0-9a-fA-F]+/.exec(s.slice(i));
    const num = hex ?? /^\d+/.exec(s.slice(i));
    if (num !== null) {
      out.push({ k: 'num', v: num[0], n: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (name !== null) {
      out.push({ k: 'name', v: name[0], n: 0 });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const j = s.indexOf(c, i + 1);
      if (j < 0) throw new CodeUnsupported('unterminated string');
      out.push({ k: 'str', v: s.slice(i + 1, j), n: 0 });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op === undefined) throw new CodeUnsupported(`character '${c}'`);
    out.push({ k: 'op', v: op, n: 0 });
    i += op.length;
  }
  out.push({ k: 'end', v: '', n: 0 });
  return out;
}

/** Split a block into statements: lines and `;`, without `#` comments (outside strings). */
function statements(code: string): string[] {
  const out: string[] = [];
  for (const raw of code.split('\n')) {
    let cur = '';
    let quote = '';
    let depth = 0;
    for (const c of raw) {
      if (quote !== '') {
        cur += c;
        if (c === quote) quote = '';
        continue;
      }
      if (c === '#') break;
      if (c === '"' || c === "'") quote = c;
      if (c === '(') depth++;
      if (c === ')') depth--;
      if (c === ';' && depth === 0) {
        out.push(cur);
        cur = '';
        continue;
      }
      cur += c;
    }
    out.push(cur);
  }
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** The evaluator's state: the script's variables, kept across blocks. */
export class CodeContext {
  readonly vars = new Map<string, number>();

  /** Run a block with `info` (tcpi_* names); throw CodeAssertion or CodeUnsupported. */
  run(code: string, info: (name: string) => number | undefined): void {
    for (const st of statements(code)) this.statement(st, info);
  }

  private statement(st: string, info: (name: string) => number | undefined): void {
    if (/^(if|for|while|def|import|from|class|with|try|return)\b/.test(st) || st.endsWith(':')) throw new CodeUnsupported(`Python statement '${st}'`);
    const toks = lex(st);
    const e = new Eval(toks, this, info);
    if (toks[0]!.k === 'name' && toks[0]!.v === 'assert') {
      e.pos = 1;
      const v = e.expr();
      if (!e.at('end') && !e.at(',')) throw new CodeUnsupported(`'${st}'`);
      if (!truthy(v)) throw new CodeAssertion(`assertion failed: ${st.slice(6).split(',')[0]!.trim()}${describeNames(st, info)}`);
      return;
    }
    if (toks[0]!.k === 'name' && toks[0]!.v === 'print') return;
    if (toks[0]!.k === 'name' && toks[1]!.k === 'op' && ['=', '+=', '-='].includes(toks[1]!.v)) {
      e.pos = 2;
      const v = e.expr();
      if (!e.at('end')) throw new CodeUnsupported(`'${st}'`);
      if (typeof v !== 'number') throw new CodeUnsupported(`string variable in '${st}'`);
      const name = toks[0]!.v;
      const op = toks[1]!.v;
      const old = this.vars.get(name);
      if (op !== '=' && old === undefined) throw new CodeAssertion(`NameError: ${name} is not defined`);
      this.vars.set(name, op === '=' ? v : op === '+=' ? old! + v : old! - v);
      return;
    }
    throw new CodeUnsupported(`Python statement '${st}'`);
  }
}

function describeNames(st: string, info: (name: string) => number | undefined): string {
  const names = [...new Set(st.match(/tcpi_[a-z_]+/g) ?? [])];
  return names.length === 0 ? '' : ` (${names.map((n) => `${n}=${info(n)}`).join(', ')})`;
}

function truthy(v: Val): boolean {
  return typeof v === 'number' ? v !== 0 : v !== '';
}

function num(v: Val): number {
  if (typeof v !== 'number') throw new CodeUnsupported('arithmetic on a string');
  return v;
}

class Eval {
  pos = 0;
  constructor(private readonly t: Tok[], private readonly ctx: CodeContext, private readonly info: (name: string) => number | undefined) {}

  at(v: string): boolean {
    const t = this.t[this.pos]!;
    return v === 'end' ? t.k === 'end' : (t.k === 'op' || t.k === 'name') && t.v === v;
  }

  take(v: string): boolean {
    if (!this.at(v)) return false;
    this.pos++;
    return true;
  }

  expr(): Val {
    let l = this.and();
    while (this.take('or')) {
      const r = this.and();
      l = truthy(l) ? l : r;
    }
    return l;
  }

  and(): Val {
    let l = this.not();
    while (this.take('and')) {
      const r = this.not();
      l = truthy(l) ? r : l;
    }
    return l;
  }

  not(): Val {
    if (this.take('not')) return truthy(this.not()) ? 0 : 1;
    return this.comparison();
  }

  comparison(): Val {
    let l = this.bitor();
    let result = true;
    let any = false;
    for (;;) {
      const op = ['==', '!=', '<=', '>=', '<', '>'].find((o) => this.at(o));
      if (op === undefined) break;
      this.pos++;
      const r = this.bitor();
      any = true;
      const a = num(l);
      const b = num(r);
      const ok = op === '==' ? a === b : op === '!=' ? a !== b : op === '<=' ? a <= b : op === '>=' ? a >= b : op === '<' ? a < b : a > b;
      result &&= ok;
      l = r;
    }
    return any ? (result ? 1 : 0) : l;
  }

  bitor(): Val {
    let l = this.bitxor();
    while (this.take('|')) l = Number(BigInt(num(l)) | BigInt(num(this.bitxor())));
    return l;
  }

  bitxor(): Val {
    let l = this.bitand();
    while (this.take('^')) l = Number(BigInt(num(l)) ^ BigInt(num(this.bitand())));
    return l;
  }

  bitand(): Val {
    let l = this.shift();
    while (this.take('&')) l = Number(BigInt(num(l)) & BigInt(num(this.shift())));
    return l;
  }

  shift(): Val {
    let l = this.sum();
    for (;;) {
      if (this.take('<<')) l = num(l) * 2 ** num(this.sum());
      else if (this.take('>>')) l = Math.floor(num(l) / 2 ** num(this.sum()));
      else return l;
    }
  }

  sum(): Val {
    let l = this.term();
    for (;;) {
      if (this.take('+')) l = num(l) + num(this.term());
      else if (this.take('-')) l = num(l) - num(this.term());
      else return l;
    }
  }

  term(): Val {
    let l = this.unary();
    for (;;) {
      if (this.take('*')) l = num(l) * num(this.unary());
      else if (this.take('//')) l = Math.floor(num(l) / num(this.unary()));
      else if (this.take('/')) l = num(l) / num(this.unary());
      else if (this.take('%')) {
        const r = this.unary();
        l = typeof l === 'string' ? l : num(l) - Math.floor(num(l) / num(r)) * num(r);
      } else return l;
    }
  }

  unary(): Val {
    if (this.take('-')) return -num(this.unary());
    if (this.take('+')) return num(this.unary());
    if (this.take('~')) return ~num(this.unary());
    return this.atom();
  }

  atom(): Val {
    const t = this.t[this.pos++]!;
    if (t.k === 'num') return t.n;
    if (t.k === 'str') return t.v;
    if (t.k === 'op' && t.v === '(') {
      const items: Val[] = [this.expr()];
      while (this.take(',')) items.push(this.expr());
      if (!this.take(')')) throw new CodeUnsupported("expected ')'");
      return items.length === 1 ? items[0]! : items.join(',');
    }
    if (t.k === 'name') {
      if (this.at('(') || this.at('.') || this.at('[')) throw new CodeUnsupported(`Python call or attribute '${t.v}'`);
      if (t.v in TCP_CA) return TCP_CA[t.v as keyof typeof TCP_CA];
      if (t.v in TCPI_OPT) return TCPI_OPT[t.v as keyof typeof TCPI_OPT];
      if (t.v === 'TCP_INFINITE_SSTHRESH') return 0x7fff_ffff;
      if (t.v === 'True') return 1;
      if (t.v === 'False') return 0;
      if (t.v.startsWith('tcpi_')) {
        const v = this.info(t.v);
        if (v === undefined) throw new CodeUnsupported(`TCP_INFO field ${t.v}`);
        return v;
      }
      const v = this.ctx.vars.get(t.v);
      if (v === undefined) throw new CodeUnsupported(`Python name ${t.v}`);
      return v;
    }
    throw new CodeUnsupported(`unexpected '${t.v}'`);
  }
}
