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

/** Finds the 1-based line of an offset; built once per source so a long script is not re-scanned per statement. */
export type LineOf = (offset: number) => number;

export function lineIndex(source: string): LineOf {
  const starts = [0];
  for (let nl = source.indexOf('\n'); nl !== -1; nl = source.indexOf('\n', nl + 1)) starts.push(nl + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}

export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source[i] === '\n') line++;
  return line;
}

/** The slice for a run of significant tokens (offsets into `source`), without semicolons at either end. */
function sliceOf(source: string, tokens: Token[], lineOf: LineOf): StatementSlice | undefined {
  let from = 0;
  let to = tokens.length;
  while (to > from && tokens[to - 1]!.text === ';') to--;
  while (from < to && tokens[from]!.text === ';') from++;
  if (from === to) return undefined;
  const first = tokens[from]!.start;
  const last = tokens[to - 1]!.end;
  const shifted: Token[] = [];
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    shifted.push({ kind: t.kind, text: t.text, start: t.start - first, end: t.end - first });
  }
  return { start: first, end: last, text: source.slice(first, last), line: lineOf(first), tokens: shifted };
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
  lineOf: LineOf = (offset) => lineAt(source, offset),
): StatementSlice | undefined {
  const tokens = significant(tokenize(source.slice(start, end), dialect));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    tokens[i] = { kind: t.kind, text: t.text, start: t.start + start, end: t.end + start };
  }
  return sliceOf(source, tokens, lineOf);
}

/**
 * Splits a script at top-level semicolons. Used for MySQL (node-sql-parser has no statement
 * locations) and for PostgreSQL scripts the real parser rejects, so that one bad statement
 * does not hide the others. The script is lexed once.
 */
export function splitStatements(source: string, dialect: Dialect): StatementSlice[] {
  const lineOf = lineIndex(source);
  const slices: StatementSlice[] = [];
  let current: Token[] = [];
  for (const token of tokenize(source, dialect)) {
    if (token.kind === 'space' || token.kind === 'comment') continue;
    if (token.kind === 'op' && token.text === ';') {
      const slice = sliceOf(source, current, lineOf);
      if (slice) slices.push(slice);
      current = [];
    } else {
      current.push(token);
    }
  }
  const tail = sliceOf(source, current, lineOf);
  if (tail) slices.push(tail);
  return slices;
}
