import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackJobId } from '../../src/engine';
import { tableChecksum } from '../support/checksum';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { auditedKillJob } from './fixtures/rollback-jobs';
import { ledgerRows } from './support/accounts';
import { type RunnerEvent, runAndKill } from './support/child-runner';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 500;
const LEASE_TTL_MS = 2_000;
const applied = (events: RunnerEvent[]) => events.filter((e) => e.type === 'batch-applied').length;

describe.each(ENGINES)('a rollback killed mid-run, then resumed, on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  const tables = ['killed_after_batch', 'killed_in_apply'];
  const before = new Map<string, string>();

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    for (const t of tables) {
      await createAccounts(db.raw, engine, ROWS, t);
      before.set(t, await tableChecksum(db.raw, engine, t));
    }
    rt = await startRuntime(
      db,
      tables.map((t) => auditedKillJob(engine, t)),
      { leaseTtlMs: LEASE_TTL_MS },
    );
    for (const t of tables) {
      const done = await rt.runtime.run({ jobId: auditedKillJob(engine, t).id });
      if (done.exit !== 'Completed')
        throw new Error(`the backfill of ${t} ended ${done.exit}: ${done.cause}`);
    }
  });

  afterAll(async () => {
    await rt?.close();
    await db?.close();
  });

  async function killThenResume(
    table: string,
    killWhen: (event: RunnerEvent, events: RunnerEvent[]) => boolean | Promise<boolean>,
  ): Promise<RunnerEvent[]> {
    const job = auditedKillJob(engine, table);
    const rollbackId = rollbackJobId(job.id);
    const config = {
      engine,
      url: db.testDb.url,
      table,
      dynamoEndpoint: rt.runtime.dynamoEndpoint,
      leaseTtlMs: LEASE_TTL_MS,
    };
    const { events } = await runAndKill({ ...config, rollback: true }, killWhen);
    expect(await tableChecksum(db.raw, engine, table)).not.toBe(before.get(table));

    // The dead runner's lease stands until it expires: a rollback started meanwhile is a no-op.
    const dead = await rt.runtime.store.getJob(rollbackId);
    if (dead?.lease && dead.lease.expiresAt > Date.now() + 200) {
      expect((await rt.runtime.run({ jobId: job.id, rollback: true })).exit).toBe('LeaseHeld');
    }
    const expiresAt = (await rt.runtime.store.getJob(rollbackId))?.lease?.expiresAt ?? 0;
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));

    const resumed = await rt.runtime.run({ jobId: job.id, rollback: true });
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });

    const targets = backfillTargets(ROWS);
    expect(await tableChecksum(db.raw, engine, table)).toBe(before.get(table));
    const states = await db.raw.query<{ s: string; n: unknown }>(
      `SELECT lowtide_state AS s, count(*) AS n FROM lowtide_audit_${job.id.replace(/-/g, '_')} GROUP BY lowtide_state`,
    );
    expect(states.map((r) => [r.s, Number(r.n)])).toEqual([['restored', targets]]);
    // One ledger row per batch, numbered without a gap or a repeat, adding up to every row once.
    const ledger = await ledgerRows(db.raw, rollbackId);
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));
    expect(Number(ledger.at(-1)!.rows_done)).toBe(targets);
    expect(ledger.length).toBe(targets / 50);
    const state = await rt.runtime.store.getJob(rollbackId);
    expect(state).toMatchObject({
      status: 'completed',
      checkpoint: { batchNo: ledger.length, rowsDone: targets },
    });
    expect((await rt.runtime.store.getJob(job.id))?.status).toBe('completed');
    return events;
  }

  it('after a committed batch, at a random moment', async () => {
    const batch = 2 + Math.floor(Math.random() * 3);
    const delayMs = Math.floor(Math.random() * 10);
    let armed = false;
    const events = await killThenResume('killed_after_batch', (e, all) => {
      if (armed || e.type !== 'batch-applied' || applied(all) !== batch) return false;
      armed = true;
      return new Promise((resolve) => setTimeout(() => resolve(true), delayMs));
    });
    expect(applied(events)).toBeGreaterThanOrEqual(batch);
  });

  it('as ApplyBatch starts its fourth batch', async () => {
    const events = await killThenResume(
      'killed_in_apply',
      (e, all) =>
        e.type === 'task-started' &&
        e.state === 'ApplyBatch' &&
        all.filter((x) => x.type === 'task-started' && x.state === 'ApplyBatch').length === 4,
    );
    expect(applied(events)).toBeGreaterThanOrEqual(3);
  });
});
