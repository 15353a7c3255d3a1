import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexConcurrently, runRecipe } from '../../src/recipes';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { type RecipeHarness, recipeHarness } from './support';

describe('recipe: CREATE INDEX CONCURRENTLY on PostgreSQL', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let h: RecipeHarness;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    raw = await connectRaw(testDb);
    await createAccounts(raw, 'postgres', 5_000);
    h = await recipeHarness(testDb, []);
  });

  afterAll(async () => {
    await h?.close();
    await raw?.close();
    await testDb?.drop();
  });

  const indexes = (name: string) =>
    raw.query<{ valid: boolean }>(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`,
      [name],
    );

  it('leaves a valid index', async () => {
    const recipe = createIndexConcurrently({
      id: 'idx-note',
      table: 'accounts',
      name: 'accounts_note_idx',
      columns: ['note'],
    });
    const result = await runRecipe(recipe, h.options(recipe.id));
    expect(result.status).toBe('completed');
    expect(await indexes('accounts_note_idx')).toEqual([{ valid: true }]);
  });

  it('a failed build leaves no INVALID index, and a rerun after the cause is fixed builds a valid one', async () => {
    // Injected failure: a unique index over duplicate values fails mid-build.
    await raw.query('UPDATE accounts SET lifetime_value = 1 WHERE id IN (3, 6)');
    const recipe = createIndexConcurrently({
      id: 'idx-ltv',
      table: 'accounts',
      name: 'accounts_ltv_key',
      columns: ['id', 'lifetime_value'],
      unique: false,
    });
    const unique = createIndexConcurrently({
      id: 'idx-uniq',
      table: 'accounts',
      name: 'accounts_ltv_uniq',
      columns: ['lifetime_value'],
      unique: true,
    });
    const failed = await runRecipe(unique, h.options(unique.id));
    expect(failed.status).toBe('failed');
    expect(failed.reasons.join(' ')).toMatch(/create-index failed/);
    expect(await indexes('accounts_ltv_uniq')).toEqual([]);

    await raw.query(
      'DELETE FROM accounts WHERE lifetime_value IN (SELECT lifetime_value FROM accounts GROUP BY 1 HAVING count(*) > 1)',
    );
    const rerun = await runRecipe(unique, h.options(unique.id));
    expect(rerun.status).toBe('completed');
    expect(await indexes('accounts_ltv_uniq')).toEqual([{ valid: true }]);

    const plain = await runRecipe(recipe, h.options(recipe.id));
    expect(plain.status).toBe('completed');
    expect(await indexes('accounts_ltv_key')).toEqual([{ valid: true }]);
  });

  it('drops an INVALID index left by a crashed earlier attempt and rebuilds it', async () => {
    await raw.query(
      `INSERT INTO accounts (id, note, created_at) VALUES (1, 'dup', now()), (2, 'dup', now())`,
    );
    await raw
      .query('CREATE UNIQUE INDEX CONCURRENTLY accounts_note_uniq ON accounts (note)')
      .catch(() => undefined);
    expect(await indexes('accounts_note_uniq')).toEqual([{ valid: false }]);
    await raw.query('DELETE FROM accounts WHERE id = 2');

    const recipe = createIndexConcurrently({
      id: 'idx-note-uniq',
      table: 'accounts',
      name: 'accounts_note_uniq',
      columns: ['note'],
      unique: true,
    });
    const result = await runRecipe(recipe, h.options(recipe.id));
    expect(result.phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['drop-invalid-index', 'applied'],
      ['create-index', 'applied'],
    ]);
    expect(await indexes('accounts_note_uniq')).toEqual([{ valid: true }]);
    const invalid = await raw.query('SELECT 1 FROM pg_index WHERE NOT indisvalid');
    expect(invalid).toEqual([]);
  });
});
