import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, tableExists } from './support/accounts';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 12_000;

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

describe.each(ENGINES)('preflight refusals and dry runs on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  // Walks created_at, which has no index: on a table this size the preflight refuses to scan.
  const unindexed = backfillJob(engine, { id: 'unindexed-key', key: 'created_at' });
  const gated = backfillJob(engine, {
    id: 'needs-approval',
    requiresApproval: true,
    batch: { size: 2000, min: 100, max: 5000, targetMs: 300 },
  });
  const plain = backfillJob(engine, { id: 'plain-backfill' });

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    await createAccounts(db.raw, engine, ROWS);
    rt = await startRuntime(db, [unindexed, gated, plain]);
  });

  afterAll(async () => {
    await rt?.close();
    await db?.close();
  });

  async function expectNothingWritten(jobId: string) {
    expect(await rt.runtime.store.getJob(jobId)).toBeUndefined();
    expect(await tableExists(db.raw, engine, 'lowtide_ledger')).toBe(false);
    expect((await appliedCounts(db.raw)).byCount).toEqual({ 0: ROWS });
  }

  it('ends Blocked with the reasons when the key has no index, writing nothing anywhere', async () => {
    const result = await rt.runtime.run({ jobId: unindexed.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Blocked' });
    const reasons = blockedReasons(result.output);
    expect(reasons.some((r) => r.startsWith('key-index:'))).toBe(true);
    await expectNothingWritten(unindexed.id);
  });

  it('ends Blocked awaiting approval, writing nothing; runs once the approval is recorded', async () => {
    const blocked = await rt.runtime.run({ jobId: gated.id });
    expect(blocked.exit).toBe('Blocked');
    expect(blockedReasons(blocked.output).join('\n')).toMatch(/awaiting approval/);
    await expectNothingWritten(gated.id);

    await rt.runtime.store.ensureJob(gated.id);
    await rt.runtime.store.recordApproval(gated.id, { by: 'carol', note: 'reviewed the plan' });
    const approved = await rt.runtime.run({ jobId: gated.id });
    expect(approved.exit).toBe('Completed');
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });

  it('runs the preflight and the plan in a dry run and stops, writing nothing', async () => {
    const fresh = backfillJob(engine, { id: 'dry-run-only', table: 'accounts_dry' });
    await createAccounts(db.raw, engine, 3_000, 'accounts_dry');
    const local = await startRuntime(db, [fresh]);
    try {
      const result = await local.runtime.run({ jobId: fresh.id, dryRun: true });
      expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'DryRunDone' });
      const plan = result.output?.plan as {
        estimatedRows: number;
        estimatedBatches: number;
        checks: unknown[];
      };
      expect(plan.estimatedRows).toBeGreaterThan(0);
      expect(plan.estimatedBatches).toBeGreaterThan(0);
      expect(plan.checks.length).toBeGreaterThan(3);
      expect(result.output?.blocked).toBeUndefined();
      expect(await local.runtime.store.getJob(fresh.id)).toBeUndefined();
      expect((await appliedCounts(db.raw, 'accounts_dry')).byCount).toEqual({ 0: 3_000 });
      if (await tableExists(db.raw, engine, 'lowtide_ledger')) {
        const ledgerRowsForJob = await db.raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM lowtide_ledger WHERE job_id = '${fresh.id}'`,
        );
        expect(Number(ledgerRowsForJob[0]!.n)).toBe(0);
      }
    } finally {
      await local.close();
    }
  });

  it('refuses an execution input with a typo instead of running for real', async () => {
    const result = await rt.runtime.run({ jobId: plain.id, dryrun: true } as never);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidPayload');
    expect(result.cause).toMatch(/dryrun/);
    expect(await rt.runtime.store.getJob(plain.id)).toBeUndefined();
  });
});
