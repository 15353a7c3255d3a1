import { describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import { ENGINES } from '../support/databases';
import type { TupleWrites } from '../support/tuple-writes';
import { walkedInKeyOrder } from '../support/tuple-writes';
import { blockedReasons, countRows, keyedJob, ledgerExists, ledgerOf, planOf } from './support/keyed-jobs';
import { createOrderLines, LINE_ROWS, OPEN_LINES } from './support/order-lines';

const billOpenLines = {
  kind: 'update',
  where: "status = 'open'",
  set: { status: "'billed'", applied_count: 'applied_count + 1' },
} as const;

describe.each(ENGINES)('a job without `key` on %s', (engine) => {
  const implicit = keyedJob(engine, {
    id: 'keytests-pk-default',
    table: 'keytests_pk_default',
    key: undefined,
    ...billOpenLines,
  });
  const noPrimaryKey = keyedJob(engine, {
    id: 'keytests-no-pk',
    table: 'keytests_no_pk',
    key: undefined,
    ...billOpenLines,
  });
  let writes: TupleWrites;
  const e2e = useE2e(engine, [implicit, noPrimaryKey], {
    prepare: async (db) => {
      writes = (await createOrderLines(db.raw, engine, 'keytests_pk_default'))!;
      // Unique over (tenant_id, order_id, line) but no primary key: nothing to default to.
      await db.raw.query(
        engine === 'postgres'
          ? `CREATE TABLE keytests_no_pk (tenant_id integer NOT NULL, order_id uuid NOT NULL, line smallint NOT NULL,
               status text NOT NULL, applied_count integer NOT NULL DEFAULT 0, UNIQUE (tenant_id, order_id, line))`
          : `CREATE TABLE keytests_no_pk (tenant_id int NOT NULL, order_id char(36) NOT NULL, line smallint NOT NULL,
               status varchar(20) NOT NULL, applied_count int NOT NULL DEFAULT 0, UNIQUE KEY u (tenant_id, order_id, line))`,
      );
      await db.raw.query(
        `INSERT INTO keytests_no_pk (tenant_id, order_id, line, status) VALUES (1, '${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}', 1, 'open')`,
      );
    },
  });

  it('plan says it uses the primary key, naming its columns in order', async () => {
    const { report, text } = await planOf(implicit, e2e.db.testDb.url);
    expect(report.ok, text).toBe(true);
    expect(text).toMatch(/primary key/i);
    expect(text).toMatch(/tenant_id\W+order_id\W+line/);
    expect(await countRows(e2e.db.raw, 'keytests_pk_default', 'applied_count <> 0')).toBe(0);
  });

  it('runs keyed by the primary key: every open line once, in key order', async () => {
    const result = await e2e.rt.runtime.run({ jobId: implicit.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await writes.histogram()).toEqual([[1, OPEN_LINES]]);
    expect(
      await countRows(e2e.db.raw, 'keytests_pk_default', "status = 'closed' AND applied_count = 0"),
    ).toBe(LINE_ROWS - OPEN_LINES);
    expect(walkedInKeyOrder(await writes.statements())).toBe(true);
    const ledger = await ledgerOf(e2e.db.raw, implicit.id);
    expect(Number(ledger.at(-1)!.rows_done)).toBe(OPEN_LINES);
    expect(await e2e.rt.runtime.store.getJob(implicit.id)).toMatchObject({
      status: 'completed',
      checkpoint: { batchNo: ledger.length, rowsDone: OPEN_LINES },
    });
  });

  it('is refused, in plan and run, on a table without a primary key, saying to name the key', async () => {
    const { report, text } = await planOf(noPrimaryKey, e2e.db.testDb.url);
    expect(report.ok).toBe(false);
    expect(text).toMatch(/primary key/i);
    const result = await e2e.rt.runtime.run({ jobId: noPrimaryKey.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Blocked' });
    expect(blockedReasons(result.output).join('\n')).toMatch(/primary key/i);
    expect(blockedReasons(result.output).join('\n')).toMatch(/key/);
    expect(await countRows(e2e.db.raw, 'keytests_no_pk', 'applied_count <> 0')).toBe(0);
    expect(await e2e.rt.runtime.store.getJob(noPrimaryKey.id)).toBeUndefined();
    if (await ledgerExists(e2e.db.raw, engine))
      expect(await ledgerOf(e2e.db.raw, noPrimaryKey.id)).toEqual([]);
  });
});
