// Tokens of a packetdrill script, after upstream's lexer.l (read, not copied): numbers
// (decimal, hex, float), words, IPv4 addresses, strings, back-quoted commands, `%{ }%`
// code, `--option` lines, `...`, and single punctuation characters. Comments (`//`, `/* */`)
// and white space are dropped; every token keeps its line.

import { PacketdrillSyntaxError } from './ast.js';

/** A token kind. */
export type TokKind = 'int' | 'float' | 'word' | 'ipv4' | 'string' | 'backquote' | 'code' | 'option' | 'ellipsis' | 'punct' | 'eof';

/** One token. */
export interface Token {
  kind: TokKind;
  text: string;
  /** Numeric value of int and float tokens. */
  num: number;
  line: number;
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])/y;
const HEX = /0x[0-9a-fA-F]+/y;
const FLOAT = /\d*\.\d+/y;
const INT = /\d+/y;
const WORD = /[A-Za-z0-9_]+#?/y;

function sticky(re: RegExp, s: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(s);
  return m === null ? null : m[0];
}

/** Split `src` into tokens. Errors: PacketdrillSyntaxError for an unterminated string, comment or block. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  const push = (kind: TokKind, text: string, num = 0): void => {
    out.push({ kind, text, num, line });
  };
  const advanceLines = (text: string): void => {
    for (const c of text) if (c === '\n') line++;
  };
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new PacketdrillSyntaxError(line, 'unterminated /* comment');
      advanceLines(src.slice(i, end));
      i = end + 2;
      continue;
    }
    if (c === '%' && src[i + 1] === '{') {
      const end = src.indexOf('}%', i + 2);
      if (end < 0) throw new PacketdrillSyntaxError(line, 'unterminated %{ block');
      push('code', src.slice(i + 2, end));
      advanceLines(src.slice(i, end));
      i = end + 2;
      continue;
    }
    if (c === '`') {
      let j = i + 1;
      while (j < n && src[j] !== '`') j += src[j] === '\\' ? 2 : 1;
      if (j >= n) throw new PacketdrillSyntaxError(line, 'unterminated back-quoted command');
      push('backquote', src.slice(i + 1, j));
      advanceLines(src.slice(i, j));
      i = j + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= n) throw new PacketdrillSyntaxError(line, 'unterminated string');
      push('string', src.slice(i + 1, j).replace(/\\(.)/g, '$1'));
      advanceLines(src.slice(i, j));
      i = j + 1;
      continue;
    }
    if (c === '-' && src[i + 1] === '-' && /[A-Za-z]/.test(src[i + 2] ?? '')) {
      // An option runs to the end of its line (less a trailing comment).
      let j = i;
      while (j < n && src[j] !== '\n') j++;
      push('option', src.slice(i + 2, j).replace(/\s*\/\/.*$/, '').trim());
      i = j;
      continue;
    }
    if (c === '.' && src[i + 1] === '.' && src[i + 2] === '.') {
      push('ellipsis', '...');
      i += 3;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let m = sticky(IPV4, src, i);
      if (m !== null) {
        push('ipv4', m);
        i += m.length;
        continue;
      }
      m = sticky(HEX, src, i);
      if (m !== null) {
        push('int', m, Number.parseInt(m.slice(2), 16));
        i += m.length;
        continue;
      }
      m = sticky(FLOAT, src, i);
      if (m !== null) {
        push('float', m, Number(m));
        i += m.length;
        continue;
      }
      m = sticky(INT, src, i)!;
      // A word that starts with digits (rare) stays a word.
      const w = sticky(WORD, src, i)!;
      if (w.length > m.length) {
        push('word', w);
        i += w.length;
        continue;
      }
      push('int', m, Number(m));
      i += m.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const w = sticky(WORD, src, i)!;
      push('word', w);
      i += w.length;
      continue;
    }
    push('punct', c);
    i++;
  }
  push('eof', '');
  return out;
}
