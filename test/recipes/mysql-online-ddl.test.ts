import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAddColumn, mysqlAddIndex, mysqlChangeColumnType, runRecipe } from '../../src/recipes';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { type RecipeHarness, recipeHarness } from './support';

describe('recipes on MariaDB / MySQL: online DDL or a refusal', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let h: RecipeHarness;

  beforeAll(async () => {
    testDb = await createTestDatabase('mysql');
    raw = await connectRaw(testDb);
    await createAccounts(raw, 'mysql', 20_000);
    h = await recipeHarness(testDb, []);
  });

  afterAll(async () => {
    await h?.close();
    await raw?.close();
    await testDb?.drop();
  });

  const columnsNamed = (name: string) =>
    raw.query(
      `SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = ?`,
      [name],
    );

  it('adds a column with ALGORITHM=INSTANT, and skips it on a rerun', async () => {
    const recipe = mysqlAddColumn({ id: 'add-score', table: 'accounts', column: 'score', type: 'int' });
    const result = await runRecipe(recipe, h.options(recipe.id));
    expect(result.reasons).toEqual([]);
    expect(result.status).toBe('completed');
    expect(await columnsNamed('score')).toHaveLength(1);
    const rerun = await runRecipe(recipe, h.options(recipe.id));
    expect(rerun.phases.map((p) => p.outcome)).toEqual(['skipped']);
  });

  it('adds an index with ALGORITHM=INPLACE, LOCK=NONE while a writer keeps writing', async () => {
    const writer = await connectRaw(testDb);
    let writes = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        await writer.query('UPDATE accounts SET note = ? WHERE id = ?', [
          `w${writes}`,
          (writes % 1000) * 3 + 3,
        ]);
        writes++;
      }
    })();
    try {
      const recipe = mysqlAddIndex({
        id: 'idx-ltv',
        table: 'accounts',
        name: 'accounts_ltv_idx',
        columns: ['lifetime_value'],
      });
      const result = await runRecipe(recipe, h.options(recipe.id));
      expect(result.reasons).toEqual([]);
      expect(result.status).toBe('completed');
    } finally {
      running = false;
      await loop;
      await writer.close();
    }
    expect(writes).toBeGreaterThan(0);
    const index = await raw.query(
      `SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND INDEX_NAME = 'accounts_ltv_idx'`,
    );
    expect(index).toHaveLength(1);
  });

  it('refuses a type change the server would carry out as a table copy, pointing to online schema change tools', async () => {
    const recipe = mysqlChangeColumnType({
      id: 'ltv-double',
      table: 'accounts',
      column: 'lifetime_value',
      newType: 'double',
    });
    const result = await runRecipe(recipe, h.options(recipe.id));
    expect(result.status).toBe('blocked');
    expect(result.reasons.join(' ')).toMatch(/gh-ost, pt-online-schema-change or Spirit/);
    const [column] = await raw.query<{ DATA_TYPE: string }>(
      `SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'lifetime_value'`,
    );
    expect(column?.DATA_TYPE).toBe('decimal');
  });
});
