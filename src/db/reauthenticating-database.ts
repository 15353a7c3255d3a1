import { type Database, DbError } from './types';

/**
 * Server codes for "these credentials are wrong": PostgreSQL 28P01 (invalid_password), MySQL and
 * MariaDB 1045 (ER_ACCESS_DENIED_ERROR). Both come only while a connection authenticates, before
 * any statement of the call ran, so the call can be repeated on a new connection.
 */
const AUTHENTICATION_FAILURES = new Set(['28P01', '1045', 'ER_ACCESS_DENIED_ERROR']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; errno?: unknown };
  if (typeof e.errno === 'number') return String(e.errno);
  return typeof e.code === 'string' ? e.code : undefined;
}

export function isAuthenticationFailure(error: unknown): boolean {
  const code = error instanceof DbError ? error.code : codeOf(error);
  if (code && AUTHENTICATION_FAILURES.has(code)) return true;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const causeCode = codeOf(cause);
  return causeCode !== undefined && AUTHENTICATION_FAILURES.has(causeCode);
}

/** The database refused credentials that were just read anew: the secret itself is wrong. */
export class AuthenticationFailedError extends Error {
  override readonly name = 'AuthenticationFailedError';
}

/**
 * A Database whose pool is replaced when the server refuses its credentials: after a secret
 * rotation the cached pool still holds the old password, and every new connection it opens fails.
 * `reopen` reads the credentials anew (bypassing any cache) and opens a new pool; the failed call
 * runs once more on it. A second refusal is reported, not retried: no loop on a wrong secret.
 */
export function reauthenticating(
  first: Database,
  reopen: () => Promise<Database>,
  description: string,
): Database {
  let current = first;
  let generation = 0;
  let renewing: Promise<void> | undefined;

  const renew = async (seen: number): Promise<void> => {
    if (generation !== seen) return; // a concurrent call renewed the pool already
    renewing ??= (async () => {
      const old = current;
      try {
        current = await reopen();
        generation++;
      } finally {
        renewing = undefined;
      }
      void old.close().catch(() => undefined);
    })();
    await renewing;
  };

  const call = async (method: keyof Database, args: unknown[]): Promise<unknown> => {
    const seen = generation;
    const invoke = (db: Database) => (db[method] as (...a: unknown[]) => Promise<unknown>).apply(db, args);
    try {
      return await invoke(current);
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      await renew(seen);
      try {
        return await invoke(current);
      } catch (again) {
        if (!isAuthenticationFailure(again)) throw again;
        throw new AuthenticationFailedError(
          `${description}: the database refused the credentials again after they were read anew (${(again as Error).message}); fix the secret's username and password, or the database user`,
          { cause: again },
        );
      }
    }
  };

  return new Proxy(first, {
    get(_target, prop) {
      if (prop === 'close') return () => current.close();
      const value = (current as unknown as Record<PropertyKey, unknown>)[prop];
      return typeof value === 'function' ? (...args: unknown[]) => call(prop as keyof Database, args) : value;
    },
  });
}
