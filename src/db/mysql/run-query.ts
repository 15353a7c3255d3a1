import type { QueryOptions } from 'mysql2/promise';
import { DbError, type QueryResult, type Row } from '../types';
import { toDbError } from './errors';

/** Anything mysql2 can run a text query on: the pool, a pooled connection, a lone connection. */
export interface MysqlRunner {
  query(options: QueryOptions): Promise<[unknown, unknown]>;
}

function isScalar(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const t = typeof value;
  if (t === 'string' || t === 'bigint' || t === 'boolean') return true;
  if (t === 'number') return Number.isFinite(value);
  return value instanceof Date || value instanceof Uint8Array;
}

/**
 * mysql2 formats values into the text client-side, and it expands arrays into lists and plain
 * objects into `col = value` pairs. lowtide's SQL builder binds one scalar per placeholder, so
 * anything else is a caller's mistake that would silently change the statement's shape.
 */
function checkValues(values: readonly unknown[]): unknown[] {
  values.forEach((value, i) => {
    if (!isScalar(value)) {
      const what = Array.isArray(value)
        ? 'an array'
        : typeof value === 'number'
          ? String(value)
          : typeof value;
      throw new DbError(
        'other',
        `bind value #${i + 1} is ${what}: MySQL values must be strings, finite numbers, bigints, booleans, dates, bytes or null (serialise JSON with JSON.stringify, bind lists one value per placeholder)`,
        undefined,
      );
    }
  });
  return values.map((v) => (v === undefined ? null : v));
}

/**
 * Runs one statement and shapes the result: SELECT-like statements give their rows; DML gives
 * affectedRows, which counts matched rows because the connection sets FOUND_ROWS.
 */
export async function runQuery<R = Row>(
  runner: MysqlRunner,
  text: string,
  values?: readonly unknown[],
  timeoutMs?: number,
): Promise<QueryResult<R>> {
  const options: QueryOptions = { sql: text };
  // Without values mysql2 leaves the text alone, so a literal '?' stays a '?'.
  if (values !== undefined && values.length > 0) options.values = checkValues(values);
  if (timeoutMs !== undefined) options.timeout = timeoutMs;
  let result: unknown;
  try {
    [result] = await runner.query(options);
  } catch (err) {
    throw toDbError(err);
  }
  if (Array.isArray(result)) return { rows: result as R[], rowCount: result.length };
  const affected = (result as { affectedRows?: unknown } | undefined)?.affectedRows;
  return { rows: [], rowCount: typeof affected === 'number' ? affected : 0 };
}
