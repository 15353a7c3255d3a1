import { DbError, type DbErrorKind } from '../types';

/** Server error numbers, shared by MySQL and MariaDB unless noted. */
const SERVER_ERRORS: ReadonlyMap<number, DbErrorKind> = new Map([
  // ER_LOCK_WAIT_TIMEOUT: both the InnoDB row lock wait and the metadata lock_wait_timeout.
  [1205, 'lock-timeout'],
  [1213, 'deadlock'],
  // MySQL ER_QUERY_TIMEOUT (max_execution_time) and MariaDB ER_STATEMENT_TIMEOUT (max_statement_time).
  [3024, 'statement-timeout'],
  [1969, 'statement-timeout'],
  // ER_READ_ONLY_MODE and ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION; 1290 is handled below.
  [1836, 'read-only'],
  [1792, 'read-only'],
  // The session is gone or going: ER_SERVER_SHUTDOWN, ER_CON_COUNT_ERROR (too many connections),
  // MariaDB ER_CONNECTION_KILLED, MySQL ER_CLIENT_INTERACTION_TIMEOUT, and the client-side
  // CR_SERVER_GONE_ERROR / CR_SERVER_LOST numbers other drivers and proxies report.
  [1053, 'connection'],
  [1040, 'connection'],
  [1927, 'connection'],
  [4031, 'connection'],
  [2006, 'connection'],
  [2013, 'connection'],
]);

const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface DriverErrorShape {
  message?: unknown;
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  fatal?: unknown;
}

function shape(err: unknown): DriverErrorShape {
  return typeof err === 'object' && err !== null ? (err as DriverErrorShape) : {};
}

/** The error came from mysql2 or the socket under it (as opposed to a job author's own code). */
export function isDriverError(err: unknown): boolean {
  if (err instanceof DbError) return true;
  const e = shape(err);
  return (
    typeof e.sqlState === 'string' ||
    typeof e.fatal === 'boolean' ||
    (typeof e.code === 'string' && CONNECTION_CODES.has(e.code))
  );
}

function classify(e: DriverErrorShape, message: string): DbErrorKind {
  // Server error packets carry a SQLSTATE; socket and protocol errors do not.
  if (typeof e.sqlState === 'string' && typeof e.errno === 'number') {
    // ER_OPTION_PREVENTS_STATEMENT is also raised for other options (e.g. --secure-file-priv).
    if (e.errno === 1290) return /read.only/i.test(message) ? 'read-only' : 'other';
    return SERVER_ERRORS.get(e.errno) ?? 'other';
  }
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return 'connection';
  if (typeof e.errno === 'number' && SERVER_ERRORS.get(e.errno) === 'connection') return 'connection';
  // mysql2 marks every error that closes the connection as fatal, including "Can't add new command
  // when connection is in closed state", which has no code at all.
  if (e.fatal === true) return 'connection';
  return 'other';
}

/** Classifies a mysql2 error so the runner can decide whether to shrink, retry or fail; keeps it as cause. */
export function toDbError(err: unknown): DbError {
  if (err instanceof DbError) return err;
  const e = shape(err);
  const message =
    typeof e.message === 'string' && e.message !== '' ? e.message : String(err ?? 'unknown MySQL error');
  const code =
    typeof e.errno === 'number' && e.errno > 0
      ? String(e.errno)
      : typeof e.code === 'string'
        ? e.code
        : undefined;
  return new DbError(classify(e, message), `MySQL: ${message}`, code, { cause: err });
}
