import { type Dialect, significant, type Token, tokenize } from '../sql/lexer';

/** One statement cut out of a script. */
export interface StatementSlice {
  /** Offset of the first significant character (after leading whitespace and comments). */
  readonly start: number;
  /** Offset just past the last significant character (before the semicolon). */
  readonly end: number;
  readonly text: string;
  /** 1-based line of `start`. */
  readonly line: number;
  /** Significant tokens of `text`, with offsets into `text`. */
  readonly tokens: readonly Token[];
}

export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source[i] === '\n') line++;
  return line;
}

/**
 * Trims a span of the source to its significant tokens. Undefined when nothing but whitespace,
 * comments and semicolons is left (an empty statement).
 */
export function trimStatement(
  source: string,
  start: number,
  end: number,
  dialect: Dialect,
): StatementSlice | undefined {
  const tokens = significant(tokenize(source.slice(start, end), dialect));
  while (tokens.length > 0 && tokens[tokens.length - 1]!.text === ';') tokens.pop();
  while (tokens.length > 0 && tokens[0]!.text === ';') tokens.shift();
  if (tokens.length === 0) return undefined;
  const first = start + tokens[0]!.start;
  const last = start + tokens[tokens.length - 1]!.end;
  const text = source.slice(first, last);
  return {
    start: first,
    end: last,
    text,
    line: lineAt(source, first),
    tokens: significant(tokenize(text, dialect)),
  };
}

/**
 * Splits a script at top-level semicolons. Used for MySQL (node-sql-parser has no statement
 * locations) and for PostgreSQL scripts the real parser rejects, so that one bad statement
 * does not hide the others.
 */
export function splitStatements(source: string, dialect: Dialect): StatementSlice[] {
  const tokens = tokenize(source, dialect);
  const slices: StatementSlice[] = [];
  let from = 0;
  for (const token of tokens) {
    if (token.kind === 'op' && token.text === ';') {
      const slice = trimStatement(source, from, token.start, dialect);
      if (slice) slices.push(slice);
      from = token.end;
    }
  }
  const tail = trimStatement(source, from, source.length, dialect);
  if (tail) slices.push(tail);
  return slices;
}
