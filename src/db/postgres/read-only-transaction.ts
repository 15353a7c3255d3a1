import type pg from 'pg';
import type { ReadOnlyConnection } from '../read-only-view';
import { DbError, type Row } from '../types';
import { type CheckedOutClient, checkOut } from './checked-out-client';
import { explainText, type PlanRow, planOf } from './explain';
import { publicResult, type RawResult } from './run-query';

const SAVEPOINT = 'lowtide_read_only';

/**
 * One read-only transaction, opened on first use and always rolled back. Each statement runs
 * under a savepoint, so one that fails (a check whose SQL the server rejects) does not abort the
 * transaction for the checks after it. A statement that ended the transaction itself (COMMIT)
 * makes the savepoint's release fail, and the connection is discarded.
 */
export async function runReadOnlyTransaction<T>(
  pool: pg.Pool,
  fn: (conn: ReadOnlyConnection) => Promise<T>,
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

  const run = async <R>(text: string, values?: readonly unknown[]): Promise<RawResult<R>> => {
    if (!open)
      throw new DbError('other', 'a read-only transaction was used after its callback returned', undefined);
    const c = await client();
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
  };

  try {
    return await fn({
      query: async <R = Row>(text: string, values?: readonly unknown[]) =>
        publicResult(await run<R>(text, values)),
      explain: async (text, values) => planOf((await run<PlanRow>(explainText(text), values)).rows),
    });
  } finally {
    open = false;
    if (opened) {
      const c = await opened.catch(() => undefined);
      if (c) {
        if (!c.broken) await c.run('ROLLBACK').catch((e: unknown) => c.markBroken(e));
        c.release();
      }
    }
  }
}
