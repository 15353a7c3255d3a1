import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 1_000;

describe.each(ENGINES)('continue-as-new on %s', (engine) => {
  // One transaction per apply step, so the 20 batches take 20 loops of the state machine.
  const job = backfillJob(engine, {
    batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
  });

  const e2e = useE2e(engine, [job], {
    continueAsNewAfter: 5,
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
  });

  it('completes across several generations, each started by its parent and resuming from the checkpoint', async () => {
    const result = await e2e.rt.runtime.run({ jobId: job.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const generations = result.executions;
    // 16 batches of 50 at 5 iterations per execution.
    expect(generations.length).toBeGreaterThanOrEqual(3);
    expect(generations.slice(0, -1).every((g) => g.exit === 'Continued')).toBe(true);

    const runId = String(generations[0]!.output?.runId);
    generations.slice(1).forEach((g, i) => {
      expect(g.executionName).toBe(`${job.id}-${runId}-g${i + 1}`);
      expect(generations[i]!.continuedAs).toBe(g.executionName);
      const input = (g.output ?? {}) as { generation?: number; runStartedAt?: string };
      expect(input.generation).toBe(i + 1);
      expect(input.runStartedAt).toBe(generations[0]!.output?.runStartedAt);
    });
    expect(generations[0]!.output?.successor).toMatchObject({
      input: { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: generations[0]!.executionArn, generation: 1 },
      started: { executionArn: generations[1]!.executionArn },
    });

    const runs = await e2e.rt.runtime.store.listRuns(job.id, 100);
    expect(runs.filter((r) => r.outcome === 'continued')).toHaveLength(generations.length - 1);
    expect(runs[0]).toMatchObject({ executionId: result.executionArn, outcome: 'completed' });

    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
    const tokens = (await ledgerRows(e2e.db.raw, job.id)).map((r) => Number(r.lease_token));
    // Each generation fenced with a higher token than its parent.
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(3);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
  });
});
