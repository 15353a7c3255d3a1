import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAddColumn, mysqlAddIndex, mysqlChangeColumnType } from '../../src/recipes';
import { createLocalRuntime } from '../../src/runtime/local';
import type { LocalRuntime } from '../../src/runtime/local/types';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { CONNECTION } from './support';

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
  let testDb: TestDatabase;
  let raw: RawConnection;
  let runtime: LocalRuntime;

  const information = (view: string, column: string, name: string) =>
    raw.query(
      `SELECT ${column} FROM information_schema.${view} WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND ${column} = ?`,
      [name],
    );

  beforeAll(async () => {
    testDb = await createTestDatabase('mysql');
    raw = await connectRaw(testDb);
    await createAccounts(raw, 'mysql', 5_000);
    runtime = await createLocalRuntime({
      jobs: [],
      recipes: [addScore, addIndex, toDouble].map((recipe) => ({ recipe, control })),
      databases: { [CONNECTION]: testDb.url },
      msPerSecond: 10,
      settings: { backoffSeconds: 1, maxBackoffSeconds: 2 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await raw?.close();
    await testDb?.drop();
  });

  it('adds a column (INSTANT) and an index (INPLACE, LOCK=NONE) as executions; reruns find nothing to do', async () => {
    for (const recipe of [addScore, addIndex]) {
      const result = await runtime.run({ jobId: recipe.id, recipe: true });
      expect(result.cause).toBeUndefined();
      expect(result.exit).toBe('Completed');
      expect((await runtime.store.getJob(recipe.id))?.status).toBe('completed');
    }
    expect(await information('COLUMNS', 'COLUMN_NAME', 'score')).toHaveLength(1);
    expect(await information('STATISTICS', 'INDEX_NAME', 'accounts_ltv_idx')).toHaveLength(1);
    const rerun = await runtime.run({ jobId: addScore.id, recipe: true });
    expect(rerun.exit).toBe('Completed');
    expect(await information('COLUMNS', 'COLUMN_NAME', 'score')).toHaveLength(1);
  });

  it('refuses a change the server would do as a table copy, pointing to online schema change tools', async () => {
    const result = await runtime.run({ jobId: toDouble.id, recipe: true });
    expect(result.exit).toBe('Blocked');
    const reasons = (result.output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
    expect(reasons.join(' ')).toMatch(/gh-ost, pt-online-schema-change or Spirit/);
    const [column] = await raw.query<{ DATA_TYPE: string }>(
      `SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'lifetime_value'`,
    );
    expect(column?.DATA_TYPE).toBe('decimal');
  });
});
