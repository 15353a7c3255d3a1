import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql';
import { auditTableRef, installLedger, rollbackJob } from '../../src/engine';
import { AUDIT_COLUMNS } from '../../src/engine/audit/audit-table';
import { defineJob } from '../../src/job/define-job';
import { ENGINES } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts } from '../support/fixtures';

const ROWS = 30_000;

describe.each(ENGINES)('a rollback over an audit table the job just filled on %s', (engine) => {
  const t = useEngineDatabase(engine);

  it('reads its batches through the key index, not a full scan per batch', async () => {
    await createAccounts(t.raw, engine, ROWS, 'audited');
    const spec = defineJob({
      id: 'stats-backfill',
      owner: 'test',
      engine,
      database: 'primary',
      table: 'audited',
      key: 'id',
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: "'standard'" },
      batch: { size: 5000, min: 100, max: 5000 },
      rollback: { audit: true },
    });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);

    await installLedger(t.db, rollbackJob(spec));
    // The statement each rollback batch starts with (compileRollback's selectBatch), halfway in.
    const next = sql(t.db.dialect, (b) => {
      const k = b.id('id');
      return `SELECT ${k} AS k FROM ${b.table(auditTableRef(spec))} WHERE ${k} > ${b.val(BigInt(ROWS * 3) / 2n)} AND ${b.id(AUDIT_COLUMNS.state)} = ${b.val('applied')} ORDER BY ${k} LIMIT ${b.val(100)}`;
    });
    const plan = await t.db.explain(next.text, next.values);
    // Before: PostgreSQL had no statistics for the audit table and sorted a full scan of it.
    expect(plan.fullScan, plan.summary).toBe(false);
  });
});
