import { describe, expect, it } from 'vitest';
import { rollbackJobId } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { DefineJobInput, JobSpec } from '../../src/job/types';
import { startState } from '../../src/runtime/run-start';
import { successorOf } from '../../src/runtime/successor';
import { tableChecksum } from '../support/checksum';
import { ENGINES, type TestEngine } from '../support/databases';
import { backfillTargets, createAccounts, TIER_EXPRESSION } from '../support/fixtures';
import type { RawConnection } from '../support/raw-sql';
import { ledgerRows } from './support/accounts';
import { CONNECTION, useE2e } from './support/harness';

const ROWS = 1_000;
/** The longest job id defineJob accepts: its rollback's execution names must still fit in 80 characters. */
const MAX_ID = 'undo-names-'.padEnd(48, 'x');
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** The longest job id: the control store holds its rollback's state under `<48 characters>-rollback`. */
const LONG_ID = MAX_ID;

describe('rollback execution names', () => {
  it('stay valid Step Functions names for a 48-character job id, generation after generation', () => {
    const execution = { id: 'arn:aws:states:eu-west-1:123456789012:execution:sm:first', name: 'first' };
    let state = startState({ jobId: MAX_ID, rollback: true, force: true }, execution, new Date());
    expect(state).toMatchObject({ jobId: `${MAX_ID}-rollback`, rollback: true, force: true });
    for (const generation of [0, 9, 99_999]) {
      const next = successorOf({ ...state, generation });
      expect(next.name).toMatch(EXECUTION_NAME);
      expect(next.name.startsWith(`${MAX_ID}-rollback-`)).toBe(true);
      // The successor starts from the original id with rollback: true, like the first execution.
      expect(next.input).toMatchObject({
        jobId: MAX_ID,
        rollback: true,
        force: true,
        generation: generation + 1,
      });
      state = startState(next.input, execution, new Date());
      expect(state.jobId).toBe(`${MAX_ID}-rollback`);
    }
  });
});

type Shape = Omit<DefineJobInput, 'id' | 'table' | 'engine' | 'owner' | 'database' | 'key'>;

function auditedJob(engine: TestEngine, id: string, table: string, shape: Shape): JobSpec {
  return defineJob({
    id,
    owner: 'e2e',
    engine,
    database: CONNECTION,
    table,
    key: 'id',
    // One transaction per apply step, so a run takes enough loops to continue as new.
    batch: { size: 100, min: 100, max: 100, targetMs: 200, invocationBudgetMs: 0 },
    health: { pauseBetweenBatchesMs: 0 },
    rollback: { audit: true },
    ...shape,
  } as DefineJobInput);
}

const backfill: Shape = {
  kind: 'update',
  where: 'tier IS NULL',
  set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1', note: "'overwritten'" },
} as Shape;

/** A Blocked execution's reasons, one a line. */
function blockedReasons(result: { output?: Record<string, unknown> }): string {
  const blocked = result.output?.blocked as { reasons?: string[] } | undefined;
  return (blocked?.reasons ?? []).join('\n');
}

async function auditStates(raw: RawConnection, jobId: string): Promise<Record<string, number>> {
  const rows = await raw.query<{ s: string; n: unknown }>(
    `SELECT lowtide_state AS s, count(*) AS n FROM lowtide_audit_${jobId.replace(/-/g, '_')} GROUP BY lowtide_state`,
  );
  return Object.fromEntries(rows.map((r) => [r.s, Number(r.n)]));
}

async function createTyped(raw: RawConnection, engine: TestEngine): Promise<void> {
  if (engine === 'postgres') {
    await raw.query(`CREATE TABLE typed (id bigint PRIMARY KEY, amount numeric(30,10), at timestamptz(6),
      doc jsonb, payload bytea, label text)`);
    await raw.query(`INSERT INTO typed SELECT n, 12345678901234567890.0123456789 / n,
      timestamptz '2024-03-10 01:59:59.123456+05:30' + n * interval '1 microsecond',
      jsonb_build_object('n', n, 'nested', jsonb_build_array(1.50, 'x', NULL)),
      decode(lpad(to_hex(n), 8, '0') || '00ff', 'hex'), CASE WHEN n % 3 = 0 THEN NULL ELSE 'é ' || n END
      FROM generate_series(1, 300) n`);
    return;
  }
  await raw.query(`CREATE TABLE typed (id bigint PRIMARY KEY, amount decimal(30,10), at timestamp(6) NULL,
    doc json, payload varbinary(64), label text) DEFAULT CHARSET=utf8mb4`);
  await raw.query(`INSERT INTO typed SELECT seq, 12345678901234567890.0123456789 / seq,
    TIMESTAMP '2024-03-10 01:59:59.123456' + INTERVAL seq MICROSECOND,
    JSON_OBJECT('n', seq, 'nested', JSON_ARRAY(1.50, 'x', NULL)),
    UNHEX(CONCAT(LPAD(HEX(seq), 8, '0'), '00FF')), IF(seq % 3 = 0, NULL, CONCAT('é ', seq))
    FROM seq_1_to_300`);
}

describe.each(ENGINES)('rollback through the state machine on %s', (engine) => {
  const long = auditedJob(engine, LONG_ID, 'backfilled', backfill);
  const purge = auditedJob(engine, 'undo-purge', 'purged', { kind: 'delete', where: 'id % 2 = 0' } as Shape);
  const forced = auditedJob(engine, 'undo-forced', 'forced', backfill);
  const guarded = auditedJob(engine, 'undo-guarded', 'guarded', backfill);
  const typed = auditedJob(engine, 'undo-typed', 'typed', {
    kind: 'update',
    where: 'id > 0',
    set: { amount: '0', at: 'NULL', doc: 'NULL', payload: 'NULL', label: "'changed'" },
  } as Shape);
  const unaudited = auditedJob(engine, 'undo-unaudited', 'backfilled', {
    ...backfill,
    rollback: { audit: false },
  } as Shape);
  const checksum = (table: string) => tableChecksum(e2e.db.raw, engine, table);

  const e2e = useE2e(engine, [long, purge, forced, guarded, typed, unaudited], {
    // Three health gates per execution: every run here continues as new, rollbacks included.
    continueAsNewAfter: 3,
    prepare: async (db) => {
      for (const table of ['backfilled', 'purged', 'forced', 'guarded'])
        await createAccounts(db.raw, engine, ROWS, table);
      await createTyped(db.raw, engine);
    },
  });

  it('backfill then rollback: the table is identical, under its own control state and execution names', async () => {
    const { runtime } = e2e.rt;
    const before = await checksum('backfilled');
    expect(await runtime.run({ jobId: long.id })).toMatchObject({ exit: 'Completed' });
    expect(await checksum('backfilled')).not.toBe(before);

    const undo = await runtime.run({ jobId: long.id, rollback: true });
    expect(undo).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await checksum('backfilled')).toBe(before);
    expect(await auditStates(e2e.db.raw, long.id)).toEqual({ restored: backfillTargets(ROWS) });

    const names = undo.executions.map((e) => e.executionName);
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) {
      expect(name).toMatch(EXECUTION_NAME);
      expect(name.startsWith(`${LONG_ID}-rollback-`)).toBe(true);
    }

    const rollbackId = rollbackJobId(long.id);
    const [original, rollback] = await Promise.all([
      runtime.store.getJob(long.id),
      runtime.store.getJob(rollbackId),
    ]);
    expect(original).toMatchObject({ status: 'completed', checkpoint: { rowsDone: backfillTargets(ROWS) } });
    expect(rollback).toMatchObject({ status: 'completed', checkpoint: { rowsDone: backfillTargets(ROWS) } });
    expect(rollback?.lease).toBeUndefined();
    const runs = await runtime.store.listRuns(rollbackId);
    expect(runs.map((r) => r.executionId).every((id) => id.includes(`${LONG_ID}-rollback-`))).toBe(true);
    const ledger = await ledgerRows(e2e.db.raw, rollbackId);
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));
  });

  it('purge then rollback: the deleted rows are back, identical; pause and stop act on the rollback id', async () => {
    const { runtime } = e2e.rt;
    const rollbackId = rollbackJobId(purge.id);
    const before = await checksum('purged');
    const p0 = await runtime.run({ jobId: purge.id });
    expect(p0).toMatchObject({ exit: 'Completed' });
    const [{ n }] = await e2e.db.raw.query<{ n: unknown }>('SELECT count(*) AS n FROM purged');
    expect(Number(n)).toBe(ROWS / 2);

    // A pause request on the rollback's id holds the rollback; the original's item is untouched.
    await runtime.store.requestPause(rollbackId, { reason: 'operator', by: 'e2e' });
    expect((await runtime.run({ jobId: purge.id, rollback: true })).exit).toBe('Paused');
    expect(await auditStates(e2e.db.raw, purge.id)).toEqual({ applied: ROWS / 2 });
    expect((await runtime.store.getJob(purge.id))?.pauseRequests).toEqual([]);
    await runtime.store.clearPause(rollbackId, 'operator');

    // Stopped like StopExecution after a batch: the rollback's own lease is released at once.
    const started = runtime.start({ jobId: purge.id, rollback: true });
    await new Promise<void>((resolve) => {
      const off = runtime.onEvent((e) => {
        if (e.type === 'batch-applied' && e.jobId === rollbackId) {
          off();
          resolve();
        }
      });
    });
    await runtime.stop(started.executionName);
    const stopped = await runtime.store.getJob(rollbackId);
    expect(stopped?.lease).toBeUndefined();
    expect(stopped?.status).toBe('paused');

    expect((await runtime.run({ jobId: purge.id, rollback: true })).exit).toBe('Completed');
    expect(await checksum('purged')).toBe(before);
    expect(await auditStates(e2e.db.raw, purge.id)).toEqual({ restored: ROWS / 2 });
  });

  it('a forced rollback overwrites a row the application changed after the job', async () => {
    const { runtime } = e2e.rt;
    const before = await checksum('forced');
    expect(await runtime.run({ jobId: forced.id })).toMatchObject({ exit: 'Completed' });
    await e2e.db.raw.query("UPDATE forced SET tier = 'platinum' WHERE id = 3");

    const undo = await runtime.run({ jobId: forced.id, rollback: true, force: true });
    expect(undo.exit).toBe('Completed');
    expect(await checksum('forced')).toBe(before);
    expect(await auditStates(e2e.db.raw, forced.id)).toEqual({ restored: backfillTargets(ROWS) });
  });

  it('is Blocked while the original job holds a live lease, and runs once it is released', async () => {
    const { runtime } = e2e.rt;
    const before = await checksum('guarded');
    expect(await runtime.run({ jobId: guarded.id })).toMatchObject({ exit: 'Completed' });
    const held = await runtime.store.acquireLease(guarded.id, 'another-execution', 60_000);
    if (!held.acquired) throw new Error('the test could not take the lease');

    const blocked = await runtime.run({ jobId: guarded.id, rollback: true });
    expect(blocked.exit).toBe('Blocked');
    expect(blockedReasons(blocked)).toMatch(
      /running: job 'undo-guarded' is running \(execution another-execution/,
    );
    expect(await auditStates(e2e.db.raw, guarded.id)).toEqual({ applied: backfillTargets(ROWS) });
    expect(await runtime.store.getJob(rollbackJobId(guarded.id))).toBeUndefined();

    // And the other way round: the job does not start while its rollback runs.
    (await runtime.store.commit(guarded.id, { lease: { kind: 'release', lease: held.lease } })).released;
    const rollbackHeld = await runtime.store.acquireLease(rollbackJobId(guarded.id), 'a-rollback', 60_000);
    if (!rollbackHeld.acquired) throw new Error('the test could not take the rollback lease');
    const job = await runtime.run({ jobId: guarded.id });
    expect(job.exit).toBe('Blocked');
    expect(blockedReasons(job)).toMatch(/rolling back/);
    (
      await runtime.store.commit(rollbackJobId(guarded.id), {
        lease: { kind: 'release', lease: rollbackHeld.lease },
      })
    ).released;

    expect((await runtime.run({ jobId: guarded.id, rollback: true })).exit).toBe('Completed');
    expect(await checksum('guarded')).toBe(before);
  });

  it('refuses what cannot be rolled back with a reason, writing nothing', async () => {
    const { runtime } = e2e.rt;
    const noAudit = await runtime.run({ jobId: unaudited.id, rollback: true });
    expect(noAudit.exit).toBe('Blocked');
    expect(blockedReasons(noAudit)).toMatch(/rollback: job 'undo-unaudited' ran without rollback.audit/);
    const misplacedForce = await runtime.run({ jobId: unaudited.id, force: true });
    expect(misplacedForce.exit).toBe('Blocked');
    expect(blockedReasons(misplacedForce)).toMatch(/force: only a rollback can be forced/);
    expect(await runtime.store.getJob(rollbackJobId(unaudited.id))).toBeUndefined();
    expect(await runtime.store.getJob(unaudited.id)).toBeUndefined();
  });

  it('round-trips numerics, timestamps with zones, json, binary and NULLs end to end', async () => {
    const { runtime } = e2e.rt;
    const before = await checksum('typed');
    expect(await runtime.run({ jobId: typed.id })).toMatchObject({ exit: 'Completed' });
    expect(await checksum('typed')).not.toBe(before);
    expect((await runtime.run({ jobId: typed.id, rollback: true })).exit).toBe('Completed');
    expect(await checksum('typed')).toBe(before);
  });
});
