import { type Node, parse } from 'libpg-query';
import { type Token, tokenize, UnterminatedTokenError } from '../../sql/lexer';
import { statementFingerprint, tokensFingerprint } from '../fingerprint';
import {
  type LineOf,
  lineAt,
  lineIndex,
  type StatementSlice,
  splitStatements,
  trimStatement,
} from '../split-statements';

export interface PgParsed {
  readonly line: number;
  readonly text: string;
  readonly fingerprint: string;
  readonly node?: Node;
  /** Why the parser rejected the statement; set exactly when `node` is not. */
  readonly error?: string;
}

function located(slice: StatementSlice, node?: Node, error?: string): PgParsed {
  return {
    line: slice.line,
    text: slice.text,
    fingerprint: tokensFingerprint(slice.tokens, 'postgres'),
    node,
    error,
  };
}

/**
 * libpg-query reports statement positions in UTF-8 bytes; JavaScript strings index UTF-16 units.
 * Statements come in order, so the conversion walks forward from the last position instead of
 * decoding the script from its start each time (which made long scripts quadratic).
 */
function charOffsets(source: string): (byteOffset: number) => number {
  const bytes = Buffer.from(source, 'utf8');
  if (bytes.length === source.length) return (byteOffset) => byteOffset;
  let byteAt = 0;
  let charAt = 0;
  return (byteOffset) => {
    if (byteOffset < byteAt) {
      byteAt = 0;
      charAt = 0;
    }
    charAt += bytes.subarray(byteAt, byteOffset).toString('utf8').length;
    byteAt = byteOffset;
    return charAt;
  };
}

function parsedStatements(
  source: string,
  result: Awaited<ReturnType<typeof parse>>,
  from: number,
  to: number,
  lineOf: LineOf,
  out: PgParsed[],
): void {
  const text = source.slice(from, to);
  const charOffset = charOffsets(text);
  for (const raw of result.stmts ?? []) {
    const startByte = raw.stmt_location ?? 0;
    const start = from + charOffset(startByte);
    const end = raw.stmt_len ? from + charOffset(startByte + raw.stmt_len) : to;
    const slice = trimStatement(source, start, end, 'postgres', lineOf);
    if (slice && raw.stmt) out.push(located(slice, raw.stmt));
  }
}

/** Scripts longer than this are parsed in pieces of about this many characters. */
const PIECE_CHARS = 32 * 1024;

/**
 * Where a long script can be cut for parsing: just after top-level semicolons, a piece every
 * PIECE_CHARS or so. Undefined when the lexer cannot read the script (the whole parse reports it).
 */
function pieces(source: string): [number, number][] | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(source, 'postgres');
  } catch (error) {
    if (error instanceof UnterminatedTokenError) return undefined;
    throw error;
  }
  const out: [number, number][] = [];
  let from = 0;
  let significantSinceCut = false;
  for (const token of tokens) {
    if (token.kind === 'space' || token.kind === 'comment') continue;
    significantSinceCut ||= token.text !== ';';
    if (token.text === ';' && token.kind === 'op' && token.end - from >= PIECE_CHARS && significantSinceCut) {
      out.push([from, token.end]);
      from = token.end;
      significantSinceCut = false;
    }
  }
  if (significantSinceCut) out.push([from, source.length]);
  return out;
}

/**
 * A piece after the first did not parse, so the statements already given are not known to be the
 * whole parse's (a cut fell inside a BEGIN ATOMIC body, or the script holds a syntax error): the
 * caller starts again from parsePostgresScript, which parses the whole script then.
 */
export class PiecesDisagree extends Error {
  constructor() {
    super('a piece of the script did not parse on its own: parse the whole script');
    this.name = 'PiecesDisagree';
  }
}

/**
 * The script's statements in order, each piece's as soon as it is parsed, so the caller can
 * analyse a statement and drop its parse tree before the next piece is parsed (holding every parse
 * tree of a 5,000-statement script costs tens of MB). A long script is parsed piece by piece:
 * libpg-query's WASM memory never shrinks, and one parse of a long script grows it (and the
 * process's resident memory) by tens of MB. What comes out is the whole parse's: every cut is at a
 * top-level semicolon, and when a cut falls inside a statement (only a BEGIN ATOMIC body holds
 * top-level semicolons) the piece before it does not parse. When that is the first piece, the
 * whole script is parsed at once instead; after the first, PiecesDisagree is thrown.
 */
export async function* postgresStatements(source: string): AsyncGenerator<PgParsed> {
  const bounds = source.length > PIECE_CHARS ? pieces(source) : undefined;
  if (!bounds) {
    yield* await parseWholeScript(source);
    return;
  }
  const lineOf = lineIndex(source);
  for (const [piece, [from, to]] of bounds.entries()) {
    let result: Awaited<ReturnType<typeof parse>>;
    try {
      result = await parse(source.slice(from, to));
    } catch {
      if (piece > 0) throw new PiecesDisagree();
      yield* await parseWholeScript(source);
      return;
    }
    const out: PgParsed[] = [];
    parsedStatements(source, result, from, to, lineOf, out);
    yield* out;
  }
}

/** Every statement of the script, parsed as postgresStatements gives them, held at once. */
export async function parsePostgresScript(source: string): Promise<PgParsed[]> {
  const out: PgParsed[] = [];
  try {
    for await (const parsed of postgresStatements(source)) out.push(parsed);
    return out;
  } catch (error) {
    if (error instanceof PiecesDisagree) return parseWholeScript(source);
    throw error;
  }
}

/**
 * Parses a script with the real PostgreSQL grammar in one call. When the script as a whole does
 * not parse, it is split at top-level semicolons and each statement parsed alone, so one bad
 * statement is reported as unparsed while the others are still analysed.
 */
async function parseWholeScript(source: string): Promise<PgParsed[]> {
  try {
    const result = await parse(source);
    const out: PgParsed[] = [];
    parsedStatements(source, result, 0, source.length, lineIndex(source), out);
    return out;
  } catch (error) {
    if (error instanceof UnterminatedTokenError) return [unparsedWhole(source, error.message)];
    if (!(error instanceof Error)) throw error;
  }
  let slices: StatementSlice[];
  try {
    slices = splitStatements(source, 'postgres');
  } catch (error) {
    if (error instanceof UnterminatedTokenError) return [unparsedWhole(source, error.message)];
    throw error;
  }
  const out: PgParsed[] = [];
  for (const slice of slices) {
    try {
      const result = await parse(slice.text);
      const stmts = result.stmts ?? [];
      if (stmts.length === 1 && stmts[0]!.stmt) out.push(located(slice, stmts[0]!.stmt));
      else out.push(located(slice, undefined, 'the statement could not be isolated from its neighbours'));
    } catch (error) {
      out.push(located(slice, undefined, error instanceof Error ? error.message : String(error)));
    }
  }
  return out;
}

function unparsedWhole(source: string, message: string): PgParsed {
  const text = source.trim();
  const start = source.indexOf(text);
  return {
    line: lineAt(source, start),
    text,
    fingerprint: statementFingerprint(text, 'postgres'),
    error: message,
  };
}
