import { describe, expect, it } from 'vitest';
import { mysqlAddColumn, mysqlAddIndex, mysqlChangeColumnType } from '../../src/recipes';
import { CONNECTION, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';

const control = { database: CONNECTION, owner: 'test', limits: { lockTimeoutMs: 1000 } };
const addScore = mysqlAddColumn({ id: 'add-score', table: 'accounts', column: 'score', type: 'int' });
const addIndex = mysqlAddIndex({
  id: 'idx-ltv',
  table: 'accounts',
  name: 'accounts_ltv_idx',
  columns: ['lifetime_value'],
});
const toDouble = mysqlChangeColumnType({
  id: 'ltv-double',
  table: 'accounts',
  column: 'lifetime_value',
  newType: 'double',
});

describe('MySQL recipes through the state machine (MariaDB): online DDL or a refusal', () => {
  const information = (view: string, column: string, name: string) =>
    e2e.db.raw.query(
      `SELECT ${column} FROM information_schema.${view} WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND ${column} = ?`,
      [name],
    );

  const e2e = useE2e('mysql', [], {
    prepare: (db) => createAccounts(db.raw, 'mysql', 5_000),
    recipes: [addScore, addIndex, toDouble].map((recipe) => ({ recipe, control })),
    msPerSecond: 10,
  });

  it('adds a column (INSTANT) and an index (INPLACE, LOCK=NONE) as executions; reruns find nothing to do', async () => {
    for (const recipe of [addScore, addIndex]) {
      const result = await e2e.rt.runtime.run({ jobId: recipe.id, recipe: true });
      expect(result.cause).toBeUndefined();
      expect(result.exit).toBe('Completed');
      expect((await e2e.rt.runtime.store.getJob(recipe.id))?.status).toBe('completed');
    }
    expect(await information('COLUMNS', 'COLUMN_NAME', 'score')).toHaveLength(1);
    expect(await information('STATISTICS', 'INDEX_NAME', 'accounts_ltv_idx')).toHaveLength(1);
    const rerun = await e2e.rt.runtime.run({ jobId: addScore.id, recipe: true });
    expect(rerun.exit).toBe('Completed');
    expect(await information('COLUMNS', 'COLUMN_NAME', 'score')).toHaveLength(1);
  });

  it('refuses a change the server would do as a table copy, pointing to online schema change tools', async () => {
    const result = await e2e.rt.runtime.run({ jobId: toDouble.id, recipe: true });
    expect(result.exit).toBe('Blocked');
    const reasons = (result.output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
    expect(reasons.join(' ')).toMatch(/gh-ost, pt-online-schema-change or Spirit/);
    const [column] = await e2e.db.raw.query<{ DATA_TYPE: string }>(
      `SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'lifetime_value'`,
    );
    expect(column?.DATA_TYPE).toBe('decimal');
  });
});
