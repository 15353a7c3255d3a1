import { describe, expect, it } from 'vitest';
import { DbError } from '../../src/db/types';
import { installLedger, readLedger, runBatch } from '../../src/engine';
import { ENGINES, type TestEngine } from '../support/databases';
import { useEngineDatabase, useFreshAccounts } from '../support/engine-database';
import { accountsBackfill, TIER_EXPRESSION } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { waitUntil } from '../support/replicas/wait-until';

const ROWS = 300;

/** A `set` that takes 100 ms a row: a batch of 40 rows would hold its first row locks for 4 s. */
function slowNote(engine: TestEngine): string {
  return engine === 'postgres'
    ? 'CASE WHEN pg_sleep(0.1) IS NULL THEN note ELSE note END'
    : 'CASE WHEN SLEEP(0.1) = 0 THEN note ELSE note END';
}

/** How long the batch's slow UPDATE has been running, in ms (undefined while it is not). */
async function changeRunningMs(raw: RawConnection, engine: TestEngine): Promise<number | undefined> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ ms: unknown }>(
          `SELECT extract(epoch FROM clock_timestamp() - query_start) * 1000 AS ms FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE '%UPDATE%pg_sleep(0.1)%'
              AND pid <> pg_backend_pid()`,
        )
      : await raw.query<{ ms: unknown }>(
          `SELECT time_ms AS ms FROM information_schema.processlist
            WHERE db = DATABASE() AND command = 'Query' AND info LIKE '%UPDATE%SLEEP(0.1)%'
              AND id <> CONNECTION_ID()`,
        );
  return rows[0] === undefined ? undefined : Number(rows[0].ms);
}

/** Whether the application's session `id` is waiting for a row lock right now. */
async function waitsForLock(raw: RawConnection, engine: TestEngine, id: number): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [id])
      : await raw.query(
          `SELECT 1 FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'`,
          [id],
        );
  return rows.length > 0;
}

describe.each(ENGINES)('how long the application waits behind a batch on %s', (engine) => {
  const t = useEngineDatabase(engine, 3);
  const accounts = useFreshAccounts(t, engine, ROWS);

  it("ends when the batch statement's statement timeout cancels it, and the application's update then succeeds", async () => {
    const spec = accountsBackfill(engine, accounts.table, 'slow-set', {
      set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1', note: slowNote(engine) },
      batch: { size: 40, min: 40, max: 40, targetMs: 200 },
      limits: { lockTimeoutMs: 1000, statementTimeoutMs: 1500 },
    });
    await installLedger(t.db, spec);
    const [first] = await t.raw.query<{ id: unknown }>(
      `SELECT id FROM ${accounts.table} WHERE tier IS NULL ORDER BY id LIMIT 1`,
    );
    const firstId = Number(first!.id);
    const app = await connectRaw(t.testDb);
    const observer = await connectRaw(t.testDb);
    try {
      const batch = runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 40 }).catch((e: unknown) => e);
      // The change has run long enough to have locked its first rows (100 ms a row).
      await waitUntil(
        'the batch UPDATE to run 300 ms',
        async () => ((await changeRunningMs(observer, engine)) ?? 0) >= 300 || undefined,
        { intervalMs: 20 },
      );
      const update = app.query(`UPDATE ${accounts.table} SET note = 'application' WHERE id = ${firstId}`);
      await waitUntil('the application to wait on the batch', async () =>
        (await waitsForLock(observer, engine, app.id)) ? true : undefined,
      );

      // The application waits on the batch; the statement timeout cancels the batch, which rolls
      // back and lets the application's update through (a 40-row batch would have held it 4 s).
      const error = await batch;
      await update;
      expect(error).toBeInstanceOf(DbError);
      expect((error as DbError).kind).toBe('statement-timeout');
    } finally {
      await app.close();
      await observer.close();
    }
    const [row] = await t.raw.query<{ note: unknown; applied_count: unknown }>(
      `SELECT note, applied_count FROM ${accounts.table} WHERE id = ${firstId}`,
    );
    expect(row).toMatchObject({ note: 'application' });
    expect(Number(row!.applied_count)).toBe(0);
    const [applied] = await t.raw.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM ${accounts.table} WHERE applied_count > 0`,
    );
    expect(Number(applied!.n)).toBe(0);
    expect(await readLedger(t.db, spec)).toBeUndefined();
  });
});
