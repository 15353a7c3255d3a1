import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileFlagReader } from '../../src/health';
import type { RuntimeEvent } from '../../src/runtime/local';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows, tableExists } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 600;
const FLAG = 'maintenance';
const featureFlag = { application: 'app1234', environment: 'env1234', profile: 'prf1234', flag: FLAG };

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

describe.each(ENGINES)('the feature flag on %s', async (engine) => {
  const dir = await mkdtemp(join(tmpdir(), `lowtide-flag-${engine}-`));
  const flagsFile = join(dir, 'lowtide.flags.json');
  const setFlag = (enabled: boolean) => writeFileSync(flagsFile, JSON.stringify({ [FLAG]: { enabled } }));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const table = (n: number) => `flagged_${n}`;
  const job = (n: number, autoResume = true) =>
    backfillJob(engine, {
      id: `flag-gated-${n}`,
      table: table(n),
      // One transaction per apply step: the flag is the health gate's, between steps.
      batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
      health: { featureFlag, autoResume, pauseBetweenBatchesMs: 0 },
    });
  const jobs = [job(1), job(2), job(3), job(4, false)];
  const e2e = useE2e(engine, jobs, {
    flags: fileFlagReader(flagsFile),
    prepare: async (db) => {
      for (const n of [1, 2, 3, 4]) await createAccounts(db.raw, engine, ROWS, table(n));
    },
  });

  async function expectUntouched(n: number) {
    expect((await appliedCounts(e2e.db.raw, table(n))).byCount).toEqual({ 0: ROWS });
    if (await tableExists(e2e.db.raw, engine, 'lowtide_ledger'))
      expect(await ledgerRows(e2e.db.raw, jobs[n - 1]!.id)).toHaveLength(0);
  }

  it('blocks preflight while the flag is off, with the reason, changing nothing', async () => {
    setFlag(false);
    const result = await e2e.rt.runtime.run({ jobId: jobs[0]!.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Blocked' });
    expect(blockedReasons(result.output)).toContainEqual(
      `feature-flag: flag:${FLAG}: feature flag ${FLAG} is off: turn it on to let the job run`,
    );
    await expectUntouched(1);
  });

  it('counts an unreadable flag as off, with the error in the reason', async () => {
    writeFileSync(flagsFile, '{ "maintenance": ');
    const result = await e2e.rt.runtime.run({ jobId: jobs[1]!.id });
    expect(result.exit).toBe('Blocked');
    expect(blockedReasons(result.output).join('\n')).toMatch(
      /feature-flag: flag:maintenance: feature flag maintenance could not be read, so it counts as off: flags file .* is not JSON/,
    );
    await expectUntouched(2);
  });

  it('flipped off mid-run: stops after the current batch with flag:NAME, goes on by itself once on', async () => {
    setFlag(true);
    const spec = jobs[2]!;
    const events: RuntimeEvent[] = [];
    let flippedAfter = -1;
    const off = e2e.rt.runtime.onEvent((e) => {
      events.push(e);
      if (e.type === 'batch-applied' && e.jobId === spec.id && e.batch.batchNo === 3 && flippedAfter < 0) {
        flippedAfter = 3;
        setFlag(false);
      }
    });
    const execution = e2e.rt.runtime.start({ jobId: spec.id });
    const heldByFlag = () =>
      events.filter(
        (e) => e.type === 'health' && e.decision === 'wait' && e.reasons.join(' ').includes(`flag:${FLAG}`),
      ).length;
    await until(() => heldByFlag() >= 3, 'three gates held by the flag');
    const applied = events.filter((e) => e.type === 'batch-applied').length;
    // The batch in flight when the flag went off may finish; none starts after it.
    expect(applied).toBeLessThanOrEqual(flippedAfter + 1);
    const held = await e2e.rt.runtime.store.getJob(spec.id);
    expect(held?.status).toBe('paused');
    expect(held?.statusReason).toContain(`flag:${FLAG}`);
    expect(await ledgerRows(e2e.db.raw, spec.id)).toHaveLength(applied);

    setFlag(true);
    expect(await execution.result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    off();
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw, table(3))).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });

  it('without autoResume, ends Paused with pause reason flag:NAME; a resume lets it run again', async () => {
    setFlag(true);
    const spec = jobs[3]!;
    const off = e2e.rt.runtime.onEvent((e) => {
      if (e.type === 'batch-applied' && e.jobId === spec.id && e.batch.batchNo === 2) setFlag(false);
    });
    const result = await e2e.rt.runtime.run({ jobId: spec.id });
    off();
    expect(result.exit).toBe('Paused');
    expect(result.output).toMatchObject({ stop: { outcome: 'paused', pauseReason: `flag:${FLAG}` } });
    const paused = await e2e.rt.runtime.store.getJob(spec.id);
    expect(paused?.status).toBe('paused');
    expect(paused?.pauseRequests.map((r) => r.reason)).toEqual([`flag:${FLAG}`]);
    const done = (await ledgerRows(e2e.db.raw, spec.id)).length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThanOrEqual(3);

    setFlag(true);
    await e2e.rt.runtime.store.clearPause(spec.id, 'operator');
    expect((await e2e.rt.runtime.store.getJob(spec.id))?.pauseRequests).toEqual([]);
    expect((await e2e.rt.runtime.run({ jobId: spec.id })).exit).toBe('Completed');
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw, table(4))).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });
});
