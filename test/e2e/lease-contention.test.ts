import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 2_000;

describe.each(ENGINES)('two executions of one job started at once on %s', (engine) => {
  // Small fixed batches: the winner is still running when the second execution asks for the lease.
  const job = backfillJob(engine, { batch: { size: 40, min: 40, max: 40, targetMs: 200 } });

  const e2e = useE2e(engine, [job], {
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
  });

  it('lets one run and ends the other in LeaseHeld, having touched nothing', async () => {
    const first = e2e.rt.runtime.start({ jobId: job.id });
    const second = e2e.rt.runtime.start({ jobId: job.id });
    const results = await Promise.all([first.result, second.result]);

    const exits = results.map((r) => r.exit).sort();
    expect(exits).toEqual(['Completed', 'LeaseHeld']);
    const winner = results.find((r) => r.exit === 'Completed')!;
    const loser = results.find((r) => r.exit === 'LeaseHeld')!;
    expect(loser.status).toBe('SUCCEEDED');
    expect(loser.output).toMatchObject({ decision: 'lease-held', heldBy: winner.executionArn });
    expect(loser.output?.lease).toBeUndefined();

    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
    const { store } = e2e.rt.runtime;
    const batches = await store.listBatches(job.id, 1000);
    expect(new Set(batches.map((b) => b.executionId))).toEqual(new Set([winner.executionArn]));
    const runs = await store.listRuns(job.id);
    expect(runs.map((r) => r.executionId)).toEqual([winner.executionArn]);
    const tokens = new Set((await ledgerRows(e2e.db.raw, job.id)).map((r) => Number(r.lease_token)));
    expect(tokens.size).toBe(1);
    expect((await store.getJob(job.id))?.status).toBe('completed');
  });
});
