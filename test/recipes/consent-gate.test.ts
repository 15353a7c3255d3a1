import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementFingerprint } from '../../src/ddl';
import { defineJob } from '../../src/job/define-job';
import { changeColumnType, runRecipe } from '../../src/recipes';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { CONNECTION, type RecipeHarness, recipeHarness, recipeJobs } from './support';

const DANGEROUS = 'CREATE INDEX accounts_tier_idx ON accounts (tier)';

describe('DDL consent on PostgreSQL: preflight and the recipe gate', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let h: RecipeHarness;

  const job = defineJob({
    id: 'tier-with-ddl',
    owner: 'test',
    engine: 'postgres',
    database: CONNECTION,
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'basic'" },
    health: { pauseBetweenBatchesMs: 0 },
    batch: { size: 5000, min: 100, max: 10_000, targetMs: 500 },
    ddl: { statements: ['SET lock_timeout = 1000', DANGEROUS] },
  });
  const recipe = changeColumnType({
    id: 'ltv-to-numeric',
    table: 'accounts',
    column: 'applied_count',
    newType: 'bigint',
    job: { database: CONNECTION, owner: 'test', key: 'id', health: { pauseBetweenBatchesMs: 0 } },
  });

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    raw = await connectRaw(testDb);
    await createAccounts(raw, 'postgres', 20_000);
    h = await recipeHarness(testDb, [job, ...recipeJobs(recipe)]);
  });

  afterAll(async () => {
    await h?.close();
    await raw?.close();
    await testDb?.drop();
  });

  it('a job with an unconsented dangerous ddl statement ends Blocked, and runs once consent is recorded', async () => {
    const blocked = await h.runtime.run({ jobId: job.id });
    expect(blocked.exit).toBe('Blocked');
    const fingerprint = statementFingerprint(DANGEROUS, 'postgres');
    const reasons = ((blocked.output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? []).join(
      '\n',
    );
    expect(reasons).toContain(`ddl:${fingerprint}`);
    expect(reasons).toMatch(/pg-create-index-without-concurrently|CONCURRENTLY/);
    expect(await h.runtime.store.getJob(job.id)).toBeUndefined();

    await h.runtime.store.recordDdlConsent(job.id, fingerprint, { by: 'dana', note: 'quiet hours' });
    const passed = await h.runtime.run({ jobId: job.id });
    expect(passed.exit).toBe('Completed');
    const [left] = await raw.query<{ n: string }>('SELECT count(*) AS n FROM accounts WHERE tier IS NULL');
    expect(Number(left?.n)).toBe(0);
  });

  it('recipe 3 stops at the application switch until the swap is consented, then finishes', async () => {
    const first = await runRecipe(recipe, h.options(recipe.id));
    expect(first.status).toBe('blocked');
    expect(first.phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['add-new-column', 'applied'],
      ['backfill', 'applied'],
      ['swap-names', 'blocked'],
    ]);
    const fingerprints = [...first.reasons.join(' ').matchAll(/fingerprint (ddl1-[0-9a-f]{16})/g)].map(
      (m) => m[1]!,
    );
    expect(fingerprints.length).toBeGreaterThan(0);
    const [mismatch] = await raw.query<{ n: string }>(
      'SELECT count(*) AS n FROM accounts WHERE applied_count_new IS DISTINCT FROM applied_count::bigint',
    );
    expect(Number(mismatch?.n)).toBe(0);

    const again = await runRecipe(recipe, h.options(recipe.id));
    expect(again.status).toBe('blocked');
    expect(again.phases.slice(0, 1).map((p) => p.outcome)).toEqual(['skipped']);

    for (const fp of fingerprints) await h.runtime.store.recordDdlConsent(recipe.id, fp, { by: 'erin' });
    const done = await runRecipe(recipe, h.options(recipe.id));
    expect(done.reasons).toEqual([]);
    expect(done.status).toBe('completed');
    expect(done.phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['add-new-column', 'skipped'],
      ['backfill', 'skipped'],
      ['swap-names', 'applied'],
      ['drop-old-column', 'applied'],
    ]);
    const columns = await raw.query<{ attname: string; type: string }>(
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = 'accounts'::regclass AND attname LIKE 'applied_count%' AND NOT attisdropped`,
    );
    expect(columns).toEqual([{ attname: 'applied_count', type: 'bigint' }]);
  });
});
