import { type Node, parse } from 'libpg-query';
import { UnterminatedTokenError } from '../../sql/lexer';
import { statementFingerprint, tokensFingerprint } from '../fingerprint';
import { lineAt, lineIndex, type StatementSlice, splitStatements, trimStatement } from '../split-statements';

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

/**
 * Parses a script with the real PostgreSQL grammar. When the script as a whole does not parse,
 * it is split at top-level semicolons and each statement parsed alone, so one bad statement is
 * reported as unparsed while the others are still analysed.
 */
export async function parsePostgresScript(source: string): Promise<PgParsed[]> {
  try {
    const result = await parse(source);
    const charOffset = charOffsets(source);
    const lineOf = lineIndex(source);
    const out: PgParsed[] = [];
    for (const raw of result.stmts ?? []) {
      const startByte = raw.stmt_location ?? 0;
      const start = charOffset(startByte);
      const end = raw.stmt_len ? charOffset(startByte + raw.stmt_len) : source.length;
      const slice = trimStatement(source, start, end, 'postgres', lineOf);
      if (slice && raw.stmt) out.push(located(slice, raw.stmt));
    }
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
