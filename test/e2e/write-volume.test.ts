import { describe, expect, it } from 'vitest';
import { planJob } from '../../src/cli/plan/plan-job';
import type { FreeStorage } from '../../src/health/free-storage';
import { ENGINES } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, tableExists } from './support/accounts';
import { CONNECTION, useE2e } from './support/harness';

const ROWS = 3_000;

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

describe.each(ENGINES)('the write-volume estimate on %s', (engine) => {
  const table = (n: number) => `writes_${n}`;
  const batch = { size: 200, min: 50, max: 2000, targetMs: 200 };
  const plain = backfillJob(engine, { id: 'writes-plain', table: table(1), batch });
  const audited = backfillJob(engine, {
    id: 'writes-audited',
    table: table(2),
    batch,
    rollback: { audit: true },
  });
  const capped = backfillJob(engine, {
    id: 'writes-capped',
    table: table(3),
    batch,
    limits: { maxWriteBytes: 1000 },
  });
  const onSmallDisk = backfillJob(engine, {
    id: 'writes-small-disk',
    table: table(4),
    batch,
    limits: { maxWriteShare: 0.5 },
  });
  let free: FreeStorage = { freeBytes: 10_000, source: 'a test disk' };
  const e2e = useE2e(engine, [plain, audited, capped, onSmallDisk], {
    freeStorageFor: (spec) => (spec.id === onSmallDisk.id ? async () => free : undefined),
    prepare: async (db) => {
      for (const n of [1, 2, 3, 4]) await createAccounts(db.raw, engine, ROWS, table(n));
    },
  });
  const open = () => e2e.rt.runtime.deps.connections.open(CONNECTION);

  it('plan reports a measured, plausible estimatedWriteBytes scaled from the rolled-back sample', async () => {
    const report = await planJob(plain, await open());
    expect(report.ok).toBe(true);
    const estimate = report.writeEstimate!;
    expect(estimate.basis).toBe('measured');
    expect(estimate.sampleRows).toBe(batch.size);
    expect(report.estimatedWriteBytes).toBe(estimate.bytes);
    // Rows the backfill changes (tier IS NULL: four in five).
    expect(estimate.rows).toBeGreaterThan(ROWS * 0.6);
    const perRow = estimate.logBytes / estimate.rows;
    // A changed row of this table writes a new version or a redo/undo record: tens to a few thousand bytes.
    expect(perRow).toBeGreaterThan(20);
    expect(perRow).toBeLessThan(5_000);
    expect(estimate.auditBytes).toBe(0);
    // Nothing was committed by the samples.
    expect((await appliedCounts(e2e.db.raw, table(1))).byCount).toEqual({ 0: ROWS });
  });

  it('adds the audit table when audit is on', async () => {
    const report = await planJob(audited, await open());
    const estimate = report.writeEstimate!;
    expect(estimate.auditBytes).toBeGreaterThan(estimate.rows * 20);
    expect(estimate.bytes).toBe(estimate.logBytes + estimate.binlogBytes + estimate.auditBytes);
    expect(estimate.note).toContain('audit table');
  });

  it('blocks the run over limits.maxWriteBytes, with the figures, changing nothing', async () => {
    const result = await e2e.rt.runtime.run({ jobId: capped.id });
    expect(result.exit).toBe('Blocked');
    const reason = blockedReasons(result.output).find((r) => r.startsWith('write-volume:'));
    expect(reason).toMatch(/estimated .* written \(.*\), above limits\.maxWriteBytes 1000 B \(1000 bytes\)/);
    expect((await appliedCounts(e2e.db.raw, table(3))).byCount).toEqual({ 0: ROWS });
    expect(await tableExists(e2e.db.raw, engine, 'lowtide_ledger')).toBe(false);
  });

  it('blocks over the share of the free storage, and runs once there is room', async () => {
    const blocked = await e2e.rt.runtime.run({ jobId: onSmallDisk.id });
    expect(blocked.exit).toBe('Blocked');
    expect(blockedReasons(blocked.output).join('\n')).toMatch(
      /write-volume: estimated .*, above 0\.5 of the 9\.8 KiB free \(a test disk\)/,
    );
    expect((await appliedCounts(e2e.db.raw, table(4))).byCount).toEqual({ 0: ROWS });

    free = { freeBytes: 1e12, source: 'a test disk' };
    expect((await e2e.rt.runtime.run({ jobId: onSmallDisk.id })).exit).toBe('Completed');
  });
});
