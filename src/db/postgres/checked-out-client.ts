import type pg from 'pg';
import { DbError, type QueryResult, type Row } from '../types';
import { toDbError } from './errors';
import { publicResult, type RawResult, runQuery } from './run-query';

/** One pooled client, checked out for a batch transaction or a session. */
export interface CheckedOutClient {
  run<R = Row>(text: string, values?: readonly unknown[]): Promise<RawResult<R>>;
  /** Whether the connection broke; a broken client is destroyed, not returned to the pool. */
  readonly broken: boolean;
  /** Records that the session's state is unknown (a clean-up statement failed). */
  markBroken(err: unknown): void;
  /** The caller-facing query function, refused once `isOpen()` says the callback has returned. */
  guardedQuery(
    isOpen: () => boolean,
    misuse: string,
  ): <R = Row>(text: string, values?: readonly unknown[]) => Promise<QueryResult<R>>;
  /** Returns the client to the pool, or destroys it when its connection broke. */
  release(): void;
}

/**
 * Checks a client out of the pool and watches it: while checked out, the pool no longer listens
 * for the client's errors, and an unheard 'error' event (the server ending the session between two
 * queries) would crash the process.
 */
export async function checkOut(pool: pg.Pool): Promise<CheckedOutClient> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw toDbError(err);
  }
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);

  const run = async <R>(text: string, values?: readonly unknown[]): Promise<RawResult<R>> => {
    try {
      return await runQuery<R>(client, text, values);
    } catch (err) {
      if (err instanceof DbError && err.kind === 'connection') {
        // pg only says "not queryable" once the session is gone; the server's own reason (e.g.
        // 57P01 terminated by an administrator, 25P03 idle in transaction too long) is what an
        // operator needs, and it arrived earlier as the client's 'error' event.
        if (broken && !(broken instanceof DbError)) throw toDbError(broken);
        broken ??= err;
      }
      throw err;
    }
  };

  return {
    run,
    get broken() {
      return broken !== undefined;
    },
    markBroken(err) {
      broken ??= err instanceof Error ? err : new Error(String(err));
    },
    guardedQuery:
      (isOpen, misuse) =>
      <R = Row>(text: string, values?: readonly unknown[]) =>
        isOpen()
          ? run<R>(text, values).then(publicResult)
          : Promise.reject(new DbError('other', misuse, undefined)),
    release() {
      client.off('error', onError);
      client.release(broken);
    },
  };
}
