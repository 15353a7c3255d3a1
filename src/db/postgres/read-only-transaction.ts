import type pg from 'pg';
import type { ReadOnlyConnection } from '../read-only-view';
import { DbError, type Row } from '../types';
import { type CheckedOutClient, checkOut } from './checked-out-client';
import { explainText, type PlanRow, planOf } from './explain';
import { type PgStatementRunner, publicResult, type RawResult } from './run-query';
import { type RolledBackScope, statementsOf } from './table-estimate';

const SAVEPOINT = 'lowtide_read_only';
const SCOPE_SAVEPOINT = 'lowtide_read_only_scope';

/** The read-only transaction as its view needs it: author SQL, and lowtide's own catalog reads. */
export interface PgReadOnlyConnection extends ReadOnlyConnection {
  /** Each statement under a savepoint on the transaction's connection, like `query`. */
  readonly statements: PgStatementRunner;
  /** A savepoint rolled back afterwards, for reads that set their own short timeouts. */
  readonly scope: RolledBackScope;
}

/**
 * One read-only transaction, opened on first use and always rolled back. Each statement runs
 * under a savepoint, so one that fails (a check whose SQL the server rejects) does not abort the
 * transaction for the checks after it. A statement that ended the transaction itself (COMMIT)
 * makes the savepoint's release fail, and the connection is discarded. Statements run one at a
 * time, in call order, so savepoints of calls made at once never interleave.
 */
export async function runReadOnlyTransaction<T>(
  pool: pg.Pool,
  fn: (conn: PgReadOnlyConnection) => Promise<T>,
): Promise<T> {
  let opened: Promise<CheckedOutClient> | undefined;
  let open = true;
  const client = (): Promise<CheckedOutClient> =>
    (opened ??= (async () => {
      const c = await checkOut(pool);
      try {
        await c.run('BEGIN');
        await c.run('SET TRANSACTION READ ONLY');
      } catch (err) {
        c.markBroken(err);
        c.release();
        throw err;
      }
      return c;
    })());

  let tail: Promise<unknown> = Promise.resolve();
  const serially = <R>(work: (c: CheckedOutClient) => Promise<R>): Promise<R> => {
    const next = tail.then(async () => {
      if (!open)
        throw new DbError('other', 'a read-only transaction was used after its callback returned', undefined);
      return work(await client());
    });
    tail = next.catch(() => undefined);
    return next;
  };

  const run = <R>(text: string, values?: readonly unknown[]): Promise<RawResult<R>> =>
    serially(async (c) => {
      await c.run(`SAVEPOINT ${SAVEPOINT}`);
      let result: RawResult<R>;
      try {
        result = await c.run<R>(text, values);
      } catch (err) {
        await c.run(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).catch((e: unknown) => c.markBroken(e));
        throw err;
      }
      try {
        await c.run(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      } catch (err) {
        c.markBroken(err);
        throw new DbError(
          'other',
          `a statement ended the read-only transaction (${result.command})`,
          undefined,
          {
            cause: err,
          },
        );
      }
      return result;
    });

  const scope: RolledBackScope = (work) =>
    serially(async (c) => {
      await c.run(`SAVEPOINT ${SCOPE_SAVEPOINT}`);
      try {
        return await work(statementsOf(c));
      } finally {
        await c
          .run(`ROLLBACK TO SAVEPOINT ${SCOPE_SAVEPOINT}`)
          .then(() => c.run(`RELEASE SAVEPOINT ${SCOPE_SAVEPOINT}`))
          .catch((e: unknown) => c.markBroken(e));
      }
    });

  try {
    return await fn({
      query: async <R = Row>(text: string, values?: readonly unknown[]) =>
        publicResult(await run<R>(text, values)),
      explain: async (text, values) => planOf((await run<PlanRow>(explainText(text), values)).rows),
      statements: { query: (config) => run(config.text, config.values) },
      scope,
    });
  } finally {
    open = false;
    // Statements already queued finish (or fail) before the rollback.
    await tail;
    if (opened) {
      const c = await opened.catch(() => undefined);
      if (c) {
        if (!c.broken) await c.run('ROLLBACK').catch((e: unknown) => c.markBroken(e));
        c.release();
      }
    }
  }
}
