/**
 * A small SQL lexer, only as deep as splitting a script into statements and normalising a
 * statement for its fingerprint need: it knows where strings, quoted names and comments begin
 * and end (including PostgreSQL dollar quotes and MySQL executable comments), not what the
 * words mean. The parsers decide meaning.
 */

export type Dialect = 'postgres' | 'mysql';

export type TokenKind =
  | 'word'
  | 'quoted'
  | 'string'
  | 'number'
  | 'param'
  | 'op'
  | 'space'
  | 'comment'
  /** MySQL `/*! ... *\/` or `/*M! ... *\/`: a comment the server executes. */
  | 'exec-comment';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offset of the first character in the source (JavaScript string index). */
  readonly start: number;
  readonly end: number;
}

/** The text ran out inside a string, quoted name or comment. */
export class UnterminatedTokenError extends Error {
  override readonly name = 'UnterminatedTokenError';
  constructor(
    readonly what: string,
    readonly offset: number,
  ) {
    super(`unterminated ${what} starting at offset ${offset}`);
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const OPERATOR = /[+\-*/<>=~!@#%^&|?:]/;
const SPACE = /\s/;

export function tokenize(sql: string, dialect: Dialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number) => {
    tokens.push({ kind, text: sql.slice(start, end), start, end });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (SPACE.test(c)) {
      let j = i + 1;
      while (j < sql.length && SPACE.test(sql[j]!)) j++;
      push('space', i, j);
    } else if (c === '-' && next === '-' && (dialect === 'postgres' || /[\s]|^$/.test(sql[i + 2] ?? ''))) {
      push('comment', i, lineEnd(sql, i));
    } else if (c === '#' && dialect === 'mysql') {
      push('comment', i, lineEnd(sql, i));
    } else if (c === '/' && next === '*') {
      const executable =
        dialect === 'mysql' && (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!'));
      push(executable ? 'exec-comment' : 'comment', i, blockCommentEnd(sql, i, dialect === 'postgres'));
    } else if (c === "'") {
      push('string', i, quotedEnd(sql, i, "'", dialect === 'mysql'));
    } else if (c === '"') {
      // MySQL without ANSI_QUOTES reads "..." as a string; PostgreSQL as a quoted name.
      push(dialect === 'mysql' ? 'string' : 'quoted', i, quotedEnd(sql, i, '"', dialect === 'mysql'));
    } else if (c === '`' && dialect === 'mysql') {
      push('quoted', i, quotedEnd(sql, i, '`', false));
    } else if (c === '$' && dialect === 'postgres') {
      const dollar = dollarQuoteEnd(sql, i);
      if (dollar !== undefined) push('string', i, dollar);
      else if (DIGIT.test(next ?? '')) push('param', i, runEnd(sql, i + 1, DIGIT));
      else push('op', i, i + 1);
    } else if (WORD_START.test(c)) {
      const end = runEnd(sql, i + 1, WORD_PART);
      const word = sql.slice(i, end);
      // String prefixes: E'..' (backslash escapes), B'..', X'..', N'..', U&'..'.
      if (sql[end] === "'" && /^[EeBbXxNn]$/.test(word)) {
        push('string', i, quotedEnd(sql, end, "'", /^[Ee]$/.test(word) || dialect === 'mysql'));
      } else if (
        dialect === 'postgres' &&
        /^[Uu]$/.test(word) &&
        sql[end] === '&' &&
        /['"]/.test(sql[end + 1] ?? '')
      ) {
        const quote = sql[end + 1]!;
        push(quote === "'" ? 'string' : 'quoted', i, quotedEnd(sql, end + 1, quote, false));
      } else {
        push('word', i, end);
      }
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(next ?? ''))) {
      push('number', i, numberEnd(sql, i));
    } else if (c === '?' && dialect === 'mysql') {
      push('param', i, i + 1);
    } else if (OPERATOR.test(c)) {
      push('op', i, runEnd(sql, i + 1, dialect === 'mysql' ? /[+\-*/<>=~!%^&|:]/ : OPERATOR));
    } else {
      push('op', i, i + 1);
    }
  }
  return tokens;
}

function lineEnd(sql: string, from: number): number {
  const nl = sql.indexOf('\n', from);
  return nl === -1 ? sql.length : nl;
}

function runEnd(sql: string, from: number, part: RegExp): number {
  let j = from;
  while (j < sql.length && part.test(sql[j]!)) j++;
  return j;
}

function blockCommentEnd(sql: string, from: number, nested: boolean): number {
  let depth = 0;
  let j = from;
  while (j < sql.length) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth = nested ? depth + 1 : 1;
      j += 2;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  throw new UnterminatedTokenError('comment', from);
}

function quotedEnd(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let j = from + 1;
  while (j < sql.length) {
    const ch = sql[j]!;
    if (backslashEscapes && ch === '\\') {
      j += 2;
    } else if (ch === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else {
      j++;
    }
  }
  throw new UnterminatedTokenError(quote === '`' || quote === '"' ? 'quoted name or string' : 'string', from);
}

/** `$tag$ ... $tag$` (tag may be empty); undefined when `$` does not open one. */
function dollarQuoteEnd(sql: string, from: number): number | undefined {
  const open = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(from, from + 64));
  if (!open) return undefined;
  const close = sql.indexOf(open[0], from + open[0].length);
  if (close === -1) throw new UnterminatedTokenError('dollar-quoted string', from);
  return close + open[0].length;
}

function numberEnd(sql: string, from: number): number {
  const m = /^(?:0[xX][0-9A-Fa-f]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.)/.exec(sql.slice(from));
  return from + (m ? m[0].length : 1);
}

/** Tokens that carry meaning: no whitespace, no plain comments. */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}
