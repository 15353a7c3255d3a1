import { DbError, type DbErrorKind } from '../types';

/** Socket-level failures reported by Node: the server is gone or unreachable, not the SQL wrong. */
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages pg raises itself (no SQLSTATE) when the connection broke or never came up. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /cannot use a pool after calling end/i,
];

const SQLSTATE_KINDS: Record<string, DbErrorKind> = {
  '55P03': 'lock-timeout',
  '57014': 'statement-timeout',
  '40P01': 'deadlock',
  '25006': 'read-only',
  '57P01': 'connection', // admin_shutdown, also pg_terminate_backend
  '57P02': 'connection', // crash_shutdown
  '57P03': 'connection', // cannot_connect_now (starting up, shutting down, recovering)
  // The server ends the session for these two, so the connection is gone as well.
  '25P03': 'connection', // idle_in_transaction_session_timeout
  '57P05': 'connection', // idle_session_timeout
};

const ADVICE: Record<DbErrorKind, string> = {
  'lock-timeout':
    'another transaction held a lock longer than the batch may wait (lockTimeoutMs); the batch is retried smaller, or raise lockTimeoutMs if foreground transactions are long by design',
  'statement-timeout':
    'a statement ran longer than statementTimeoutMs; the batch is retried smaller; if single rows are slow, check that the selection uses an index',
  deadlock: 'the batch deadlocked with another transaction and was rolled back; it is retried',
  'read-only':
    'the server refuses writes: point the job at the primary, or turn off default_transaction_read_only for this database or role',
  connection: 'the connection to PostgreSQL was lost or refused; check that the server is up and reachable',
  other: '',
};

interface ErrorFields {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
}

function kindOf(code: string | undefined, message: string): DbErrorKind {
  if (code) {
    const known = SQLSTATE_KINDS[code];
    if (known) return known;
    if (code.startsWith('08')) return 'connection';
    if (SOCKET_CODES.has(code)) return 'connection';
  }
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return 'connection';
  return 'other';
}

/**
 * Classifies anything thrown by `pg` (a server error with its SQLSTATE, a socket error, or one of
 * the driver's own) into a DbError the runner can act on. A DbError passes through unchanged; the
 * original error is kept as `cause`.
 */
export function toDbError(err: unknown): DbError {
  if (err instanceof DbError) return err;
  const fields: ErrorFields = typeof err === 'object' && err !== null ? (err as ErrorFields) : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const raw = typeof fields.message === 'string' && fields.message !== '' ? fields.message : String(err);
  const kind = kindOf(code, raw);
  const parts = [`PostgreSQL${code ? ` ${code}` : ''}: ${raw}`];
  if (typeof fields.detail === 'string' && fields.detail) parts.push(`(${fields.detail})`);
  if (typeof fields.hint === 'string' && fields.hint) parts.push(`hint: ${fields.hint}`);
  const advice = ADVICE[kind];
  return new DbError(kind, advice ? `${parts.join(' ')} — ${advice}` : parts.join(' '), code, { cause: err });
}
