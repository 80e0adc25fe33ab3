// A parser for packetdrill scripts, written from upstream's grammar (parser.y): options,
// an optional init command, events (`time action`), an optional cleanup command. An
// action is a TCP packet (`< S 0:0(0) win 1000 <mss 1460>`), a system call
// (`...0.2 read(4, ..., 10) = 10`), a back-quoted command or a `%{ }%` block.
// Constructs we parse but cannot run (UDP, ICMP, ECN marks, encapsulation, options such
// as FO or md5) are kept as `unsupported` on the packet, so the runner can name them.

import {
  type EventTime,
  type Expr,
  type PacketEvent,
  PacketdrillSyntaxError,
  type Script,
  type ScriptEvent,
  type StructField,
  type SyscallEvent,
  type TcpOptSpec,
} from './ast.js';
import { type Token, tokenize } from './lexer.js';

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  isPunct(c: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.text === c;
  }

  isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && t.text === w;
  }

  fail(msg: string, t: Token = this.peek()): never {
    throw new PacketdrillSyntaxError(t.line, `${msg} (at '${t.text}')`);
  }

  expectPunct(c: string): Token {
    if (!this.isPunct(c)) this.fail(`expected '${c}'`);
    return this.next();
  }

  number(): number {
    let neg = false;
    if (this.isPunct('-')) {
      this.next();
      neg = true;
    }
    const t = this.next();
    if (t.kind !== 'int' && t.kind !== 'float') this.fail('expected a number', t);
    return neg ? -t.num : t.num;
  }

  integer(): number {
    const t = this.peek();
    const v = this.number();
    if (!Number.isInteger(v)) this.fail('expected an integer', t);
    return v;
  }

  /** A time in seconds, as microseconds. */
  time(): number {
    const t = this.next();
    if (t.kind !== 'int' && t.kind !== 'float') this.fail('expected a time', t);
    return Math.round(t.num * 1e6);
  }

  startsEvent(): boolean {
    const t = this.peek();
    return t.kind === 'int' || t.kind === 'float' || (t.kind === 'punct' && (t.text === '+' || t.text === '*'));
  }

  eventTime(): EventTime {
    if (this.isPunct('*')) {
      this.next();
      return { kind: 'any', usecs: 0, endUsecs: -1 };
    }
    if (this.isPunct('+')) {
      this.next();
      const usecs = this.time();
      if (this.isPunct('~')) {
        this.next();
        this.expectPunct('+');
        return { kind: 'relRange', usecs, endUsecs: this.time() };
      }
      return { kind: 'relative', usecs, endUsecs: -1 };
    }
    const usecs = this.time();
    if (this.isPunct('~')) {
      this.next();
      return { kind: 'absRange', usecs, endUsecs: this.time() };
    }
    return { kind: 'absolute', usecs, endUsecs: -1 };
  }

  script(): Script {
    const s: Script = { options: [], initCommands: [], cleanupCommands: [], events: [] };
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'option') {
        this.next();
        const eq = t.text.indexOf('=');
        s.options.push(eq < 0 ? { name: t.text, value: '', line: t.line } : { name: t.text.slice(0, eq), value: t.text.slice(eq + 1).trim(), line: t.line });
        continue;
      }
      if (t.kind === 'backquote') {
        this.next();
        (s.events.length === 0 ? s.initCommands : s.cleanupCommands).push({ command: t.text, line: t.line });
        continue;
      }
      if (!this.startsEvent()) this.fail('expected an event time');
      if (s.cleanupCommands.length > 0) this.fail('event after the cleanup command');
      s.events.push(this.event());
    }
    return s;
  }

  event(): ScriptEvent {
    const line = this.peek().line;
    const time = this.eventTime();
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '<' || t.text === '>')) return this.packet(line, time);
    if (t.kind === 'backquote') {
      this.next();
      return { type: 'command', line, time, command: t.text };
    }
    if (t.kind === 'code') {
      this.next();
      return { type: 'code', line, time, code: t.text };
    }
    return this.syscall(line, time);
  }

  // ---- packets ----

  packet(line: number, time: EventTime): PacketEvent {
    const dir = this.next().text === '<' ? 'in' : 'out';
    const p: PacketEvent = { type: 'packet', line, time, dir, flags: '', seq: 0, end: 0, len: 0, ack: null, win: null, options: [], unsupported: null };
    const unsupported = (what: string): void => {
      if (p.unsupported === null) p.unsupported = what;
    };
    // IP information: [ect0], [noecn], (tos 0x..), ...
    while (this.isPunct('[') || this.isPunct('(')) {
      const close = this.isPunct('[') ? ']' : ')';
      this.next();
      const words: string[] = [];
      while (!this.isPunct(close) && this.peek().kind !== 'eof') words.push(this.next().text);
      this.expectPunct(close);
      const text = words.join(' ');
      if (!(close === ']' && text === 'noecn')) unsupported(`IP header field [${text}]`);
    }
    const first = this.peek();
    if (first.kind === 'word' && ['udp', 'icmp', 'ipv4', 'ipv6', 'encap', 'gre', 'GREv0', 'mpls', 'psp'].includes(first.text)) {
      unsupported(`${first.text} packet`);
      while (this.peek().line === line && this.peek().kind !== 'eof') this.next();
      return p;
    }
    // Flags: letters and '.', possibly split across tokens ("S." is word S, punct .).
    let flags = '';
    if (this.isPunct('-')) {
      // No flags at all.
      this.next();
      flags = '-';
    }
    for (; flags !== '-'; ) {
      const f = this.peek();
      if (f.kind === 'word' && /^[FSRPEWUA]+$/.test(f.text) && flags.indexOf('.') < 0) {
        flags += f.text;
        this.next();
      } else if (f.kind === 'punct' && f.text === '.') {
        flags += '.';
        this.next();
      } else break;
    }
    if (flags === '') this.fail('expected TCP flags');
    p.flags = flags;
    if (/[EWUA]/.test(flags.replace('.', ''))) unsupported(`TCP flags ${flags} (ECN or URG)`);
    p.seq = this.integer() >>> 0;
    this.expectPunct(':');
    p.end = this.integer() >>> 0;
    this.expectPunct('(');
    p.len = this.integer();
    this.expectPunct(')');
    if (((p.end - p.seq) >>> 0) !== p.len) this.fail(`inconsistent sequence range ${p.seq}:${p.end}(${p.len})`);
    for (;;) {
      if (this.isWord('ack')) {
        this.next();
        p.ack = this.integer() >>> 0;
      } else if (this.isWord('win')) {
        this.next();
        p.win = this.integer();
      } else if (this.isWord('urg')) {
        this.next();
        this.integer();
        unsupported('urgent pointer');
      } else if (this.isPunct('<')) {
        p.options = this.tcpOptions(unsupported);
      } else break;
    }
    return p;
  }

  tcpOptions(unsupported: (w: string) => void): TcpOptSpec[] | null {
    this.expectPunct('<');
    if (this.peek().kind === 'ellipsis') {
      this.next();
      this.expectPunct('>');
      return null;
    }
    const opts: TcpOptSpec[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind !== 'word') this.fail('expected a TCP option', t);
      switch (t.text) {
        case 'mss':
          opts.push({ kind: 'mss', value: this.integer() });
          break;
        case 'nop':
          opts.push({ kind: 'nop' });
          break;
        case 'eol':
          opts.push({ kind: 'eol' });
          break;
        case 'sackOK':
          opts.push({ kind: 'sackOK' });
          break;
        case 'wscale':
          opts.push({ kind: 'wscale', value: this.integer() });
          break;
        case 'TS': {
          if (!this.isWord('val')) this.fail("expected 'val'");
          this.next();
          const val = this.integer() >>> 0;
          if (!this.isWord('ecr')) this.fail("expected 'ecr'");
          this.next();
          opts.push({ kind: 'ts', val, ecr: this.integer() >>> 0 });
          break;
        }
        case 'sack': {
          const blocks: [number, number][] = [];
          while (this.peek().kind === 'int') {
            const l = this.integer() >>> 0;
            this.expectPunct(':');
            blocks.push([l, this.integer() >>> 0]);
          }
          opts.push({ kind: 'sack', blocks });
          break;
        }
        default:
          // FO, FOEXP, md5, ECN (AccECN), exp, unknown kinds: skip to the next option.
          unsupported(`TCP option ${t.text}`);
          while (!this.isPunct(',') && !this.isPunct('>') && this.peek().kind !== 'eof') this.next();
      }
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct('>');
      return opts;
    }
  }

  // ---- system calls ----

  syscall(line: number, time: EventTime): SyscallEvent {
    let endUsecs = -1;
    if (this.peek().kind === 'ellipsis') {
      this.next();
      endUsecs = this.time();
    }
    const nameTok = this.next();
    if (nameTok.kind !== 'word') this.fail('expected a system call', nameTok);
    this.expectPunct('(');
    const args: Expr[] = [];
    if (!this.isPunct(')')) {
      for (;;) {
        args.push(this.expr());
        if (this.isPunct(',')) {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expectPunct(')');
    this.expectPunct('=');
    const result = this.expr();
    let errno: string | null = null;
    let note: string | null = null;
    if (this.peek().kind === 'word' && /^E[A-Z0-9]+$/.test(this.peek().text) && this.peek().line === this.toks[this.i - 1]!.line) errno = this.next().text;
    if (this.isPunct('(') && this.peek().line === this.toks[this.i - 1]!.line) {
      this.next();
      const words: string[] = [];
      let depth = 1;
      while (this.peek().kind !== 'eof') {
        if (this.isPunct('(')) depth++;
        if (this.isPunct(')') && --depth === 0) break;
        words.push(this.next().text);
      }
      this.expectPunct(')');
      note = words.join(' ');
    }
    return { type: 'syscall', line, time, name: nameTok.text, args, result, errno, note, endUsecs };
  }

  expr(): Expr {
    let l = this.unary();
    // An operator continues the expression only on its line: `+0` on the next line is a time.
    while ((this.isPunct('|') || this.isPunct('+') || this.isPunct('*') || this.isPunct('-')) && this.peek().line === this.toks[this.i - 1]!.line) {
      const op = this.next().text;
      l = { t: 'binop', op, l, r: this.unary() };
    }
    return l;
  }

  unary(): Expr {
    const t = this.peek();
    if (t.kind === 'ellipsis') {
      this.next();
      return { t: 'ellipsis' };
    }
    if (t.kind === 'punct' && t.text === '-') {
      this.next();
      const v = this.unary();
      if (v.t !== 'int') this.fail('expected a number after -');
      return { t: 'int', v: -v.v };
    }
    if (t.kind === 'int') {
      this.next();
      return { t: 'int', v: t.num };
    }
    if (t.kind === 'float') this.fail('unexpected number');
    if (t.kind === 'string') {
      this.next();
      return { t: 'string', s: t.text };
    }
    if (t.kind === 'ipv4') {
      this.next();
      return { t: 'string', s: t.text };
    }
    if (t.kind === 'punct' && t.text === '[') {
      this.next();
      const items: Expr[] = [];
      if (!this.isPunct(']')) {
        for (;;) {
          items.push(this.expr());
          if (this.isPunct(',')) {
            this.next();
            continue;
          }
          break;
        }
      }
      this.expectPunct(']');
      return { t: 'array', items };
    }
    if (t.kind === 'punct' && t.text === '{') return this.struct();
    if (t.kind === 'word') {
      this.next();
      if (this.isPunct('(')) {
        this.next();
        const args: Expr[] = [];
        if (!this.isPunct(')')) {
          for (;;) {
            args.push(this.expr());
            if (this.isPunct(',')) {
              this.next();
              continue;
            }
            break;
          }
        }
        this.expectPunct(')');
        return { t: 'call', name: t.text, args };
      }
      return { t: 'word', name: t.text };
    }
    return this.fail('expected an expression');
  }

  struct(): Expr {
    this.expectPunct('{');
    const fields: StructField[] = [];
    while (!this.isPunct('}')) {
      let name: string | null = null;
      const t = this.peek();
      if (t.kind === 'word' && (this.isPunct('=', 1) || (this.isPunct('(', 1) && this.fieldWithCount()))) {
        this.next();
        name = t.text;
        if (this.isPunct('(')) {
          // msg_iov(1)=..., msg_name(...)=...: the count is informative.
          while (!this.isPunct(')')) this.next();
          this.next();
        }
        this.expectPunct('=');
      }
      fields.push({ name, value: this.expr() });
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct('}')) this.fail("expected ',' or '}'");
    }
    this.expectPunct('}');
    return { t: 'struct', fields };
  }

  /** Whether `word(...)=` starts here (a field with a count), not a call. */
  fieldWithCount(): boolean {
    let k = 2;
    while (this.peek(k).kind !== 'eof' && !this.isPunct(')', k)) k++;
    return this.isPunct('=', k + 1);
  }
}

/** Parse a script. Errors: PacketdrillSyntaxError with the line. */
export function parseScript(src: string): Script {
  return new Parser(tokenize(src)).script();
}
