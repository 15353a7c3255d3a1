import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import { ENGINES, type TestEngine } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { type TupleWrites, walkedInKeyOrder } from '../support/tuple-writes';
import { countRows, keyedJob } from './support/keyed-jobs';
import { createOrderLines, LINE_KEY, LINE_ROWS, OPEN_LINES } from './support/order-lines';

const LOW_ORDER = '00000000-0000-0000-0000-000000000001';
const HIGH_ORDER = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const LIMITS = { lockTimeoutMs: 20_000, statementTimeoutMs: 30_000 };

/** True once a statement of the job waits on a row lock the application holds. */
async function jobWaitsOnLock(raw: RawConnection, engine: TestEngine): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ n: unknown }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      : await raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM information_schema.processlist
            WHERE db = DATABASE() AND (info LIKE 'UPDATE%' OR info LIKE 'SELECT%FOR UPDATE%' OR info LIKE 'DELETE%')
              AND time_ms > 100`,
        );
  return Number(rows[0]!.n) > 0;
}

async function waitUntil(what: string, condition: () => Promise<boolean>) {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(ENGINES)(
  'application inserts into the key range while a composite-key job runs on %s',
  (engine) => {
    const update = keyedJob(engine, {
      id: 'keytests-live-update',
      table: 'keytests_live_update',
      key: [...LINE_KEY],
      kind: 'update',
      where: "status = 'open'",
      set: { status: "'billed'", applied_count: 'applied_count + 1' },
      limits: LIMITS,
    });
    const purge = keyedJob(engine, {
      id: 'keytests-live-delete',
      table: 'keytests_live_delete',
      key: [...LINE_KEY],
      kind: 'delete',
      where: "status = 'open'",
      limits: LIMITS,
    });
    const writes: Record<string, TupleWrites> = {};
    const e2e = useE2e(engine, [update, purge], {
      prepare: async (db) => {
        for (const table of ['keytests_live_update', 'keytests_live_delete'])
          writes[table] = (await createOrderLines(db.raw, engine, table))!;
      },
    });
    let app: RawConnection;
    let writer: RawConnection;
    beforeAll(async () => {
      app = await connectRaw(e2e.db.testDb);
      writer = await connectRaw(e2e.db.testDb);
    });
    afterAll(async () => {
      await app?.close();
      await writer?.close();
    });

    /**
     * Runs `jobId` while the application holds tenant 3's first open line, so the job stops inside
     * the batch that reaches it; meanwhile the application commits three open lines behind the
     * cursor (tenant 1) and three ahead of it (tenant 4, after every other order). Then lets go.
     */
    async function runWithInserts(jobId: string, table: string) {
      const [held] = await e2e.db.raw.query<{ tenant_id: unknown; order_id: unknown; line: unknown }>(
        `SELECT tenant_id, order_id, line FROM ${table} WHERE tenant_id = 3 AND status = 'open' ORDER BY ord LIMIT 1`,
      );
      await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      // The fixture's own values, spliced: a test's literal, not input.
      await app.query(
        `UPDATE ${table} SET status = status WHERE tenant_id = ${Number(held!.tenant_id)} AND order_id = '${String(held!.order_id)}' AND line = ${Number(held!.line)}`,
      );
      const execution = e2e.rt.runtime.start({ jobId });
      try {
        await waitUntil('the job waits on the held line', () => jobWaitsOnLock(e2e.db.raw, engine));
        for (const [tenant, order, ordBase] of [
          [1, LOW_ORDER, 0],
          [4, HIGH_ORDER, 100_000],
        ] as const)
          for (const line of [1, 2, 4])
            await writer.query(
              `INSERT INTO ${table} (tenant_id, order_id, line, status, ord) VALUES (${tenant}, '${order}', ${line}, 'open', ${ordBase + line})`,
            );
      } finally {
        await app.query('ROLLBACK');
      }
      return execution.result;
    }

    it('update (resume): the lines ahead are updated once; those behind wait for a later pass', async () => {
      const table = 'keytests_live_update';
      const result = await runWithInserts(update.id, table);
      expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
      expect(await writes[table]!.histogram()).toEqual([[1, OPEN_LINES + 3]]);
      expect(
        await countRows(
          e2e.db.raw,
          table,
          `order_id = '${HIGH_ORDER}' AND status = 'billed' AND applied_count = 1`,
        ),
      ).toBe(3);
      expect(
        await countRows(
          e2e.db.raw,
          table,
          `order_id = '${LOW_ORDER}' AND status = 'open' AND applied_count = 0`,
        ),
      ).toBe(3);
      expect(await countRows(e2e.db.raw, table, "status = 'closed' AND applied_count = 0")).toBe(
        LINE_ROWS - OPEN_LINES,
      );
      expect(walkedInKeyOrder(await writes[table]!.statements())).toBe(true);
      expect(await e2e.rt.runtime.store.getJob(update.id)).toMatchObject({
        status: 'completed',
        checkpoint: { rowsDone: OPEN_LINES + 3 },
      });
    });

    it('delete (new-pass): the lines ahead go in the first pass, those behind in the next; each deleted once', async () => {
      const table = 'keytests_live_delete';
      const first = await runWithInserts(purge.id, table);
      expect(first).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
      expect(await countRows(e2e.db.raw, table, `order_id = '${HIGH_ORDER}'`)).toBe(0);
      expect(await countRows(e2e.db.raw, table, `order_id = '${LOW_ORDER}'`)).toBe(3);
      expect(await writes[table]!.histogram()).toEqual([[1, OPEN_LINES + 3]]);

      const second = await e2e.rt.runtime.run({ jobId: purge.id });
      expect(second).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
      expect(await countRows(e2e.db.raw, table, "status = 'open'")).toBe(0);
      expect(await countRows(e2e.db.raw, table)).toBe(LINE_ROWS - OPEN_LINES);
      expect(await writes[table]!.histogram()).toEqual([[1, OPEN_LINES + 6]]);
    });
  },
);
