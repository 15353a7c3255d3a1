import { beforeEach, describe, expect, it } from 'vitest';
import { sampleBatch } from '../../src/cli/plan/sample-batch';
import { installLedger, readLedger, runBatch, validateJob } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { ENGINES, type TestEngine } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import { accountsBackfill, createAccounts } from '../support/fixtures';
import { countWrites, type WriteCounter } from '../support/write-counter';

const ROWS = 1000;

/** The README's purge: its predicate moves with the clock. */
function expired(engine: TestEngine): string {
  return engine === 'postgres'
    ? "expires_at < now() - interval '30 days'"
    : 'expires_at < NOW() - INTERVAL 30 DAY';
}

function daysAgo(engine: TestEngine, days: number): string {
  return engine === 'postgres' ? `now() - interval '${days} days'` : `NOW() - INTERVAL ${days} DAY`;
}

describe.each(ENGINES)('passes over a moving predicate on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let table = '';
  let n = 0;
  let writes: WriteCounter;

  /** Odd ids expired 60 days ago; even ids 10 days ago, so they cross the threshold only when "time passes". */
  beforeEach(async () => {
    table = `sessions_${++n}`;
    const ts = engine === 'postgres' ? 'timestamptz' : 'datetime(3)';
    await t.raw.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, expires_at ${ts} NOT NULL)`);
    const values = Array.from({ length: ROWS }, (_, i) => {
      const id = i + 1;
      return `(${id}, ${daysAgo(engine, id % 2 === 1 ? 60 : 10)})`;
    });
    await t.raw.query(`INSERT INTO ${table} (id, expires_at) VALUES ${values.join(', ')}`);
    writes = await countWrites(t.raw, engine, table);
  });

  const purge = (id: string, extra: Record<string, unknown> = {}) =>
    defineJob({
      id,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      key: 'id',
      kind: 'delete',
      where: expired(engine),
      batch: { size: 100, min: 100, max: 100 },
      ...extra,
    });

  /** Rows behind the cursor cross the threshold: what the clock does to rows 10 days from it. */
  const timePasses = (ids: readonly number[]) =>
    t.raw.query(`UPDATE ${table} SET expires_at = ${daysAgo(engine, 40)} WHERE id IN (${ids.join(', ')})`);

  const left = async () =>
    (await t.raw.query<{ id: unknown }>(`SELECT id FROM ${table} WHERE ${expired(engine)} ORDER BY id`)).map(
      (r) => Number(r.id),
    );

  it('completes a pass whose rows began matching behind the cursor, reporting them as a note', async () => {
    const spec = purge('purge-moving');
    await installLedger(t.db, spec);
    for (let i = 0; i < 2; i++) await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 100 });
    await timePasses([2, 4, 6]);
    const rest = await runUntilDone(spec, t.db);
    expect(rest.batches).toBe(3);

    const verdict = await validateJob({ spec, db: t.db });

    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.note).toContain(
      '3 rows in the key range the pass walked (1 to 999) match the predicate now',
    );
    expect(verdict.note).toContain('e.g. keys 2, 4, 6; the next run takes them in a new pass');
    expect(await left()).toEqual([2, 4, 6]);
    // Each expired row deleted once; the crossed rows written once, by the "clock".
    expect(await writes.histogram()).toEqual([[1, ROWS / 2 + 3]]);
  });

  it('a new run starts a new pass from the first key and takes them; the same run does not', async () => {
    const spec = purge('purge-passes');
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db, 1);
    await timePasses([2, 4, 6, 600]);
    // The run that found the pass complete is told it is done, however often it asks.
    expect(await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 100 })).toMatchObject({
      status: 'done',
      batchNo: 5,
    });

    // A dry run samples the batch the next run will take: the new pass's first, rolled back.
    expect(await sampleBatch(spec, t.db)).toMatchObject({ status: 'measured', mode: 'applied', rows: 4 });
    expect(await left()).toEqual([2, 4, 6, 600]);

    const second = await runBatch({ spec, db: t.db, lease: { token: 2 }, batchSize: 100 });

    expect(second).toMatchObject({
      status: 'applied',
      batchNo: 6,
      pass: 2,
      firstKey: '2',
      lastKey: '600',
      affected: 4,
    });
    expect(await runUntilDone(spec, t.db, 2)).toMatchObject({ batches: 0 });
    expect(await left()).toEqual([]);
    expect(await validateJob({ spec, db: t.db })).toEqual({ ok: true });
    expect(await readLedger(t.db, spec)).toMatchObject({
      batchNo: 6,
      pass: 2,
      passEndedBy: 2,
      rowsDone: 504,
    });
    const passes = await t.raw.query<{ pass: unknown; n: unknown }>(
      `SELECT pass, count(*) AS n FROM lowtide_ledger WHERE job_id = 'purge-passes' GROUP BY pass ORDER BY pass`,
    );
    expect(passes.map((r) => [Number(r.pass), Number(r.n)])).toEqual([
      [1, 5],
      [2, 1],
    ]);
    // A third run finds nothing new: no batch, and its retries stay done.
    expect(await runBatch({ spec, db: t.db, lease: { token: 3 }, batchSize: 100 })).toMatchObject({
      status: 'done',
    });
    expect(await readLedger(t.db, spec)).toMatchObject({ batchNo: 6, passEndedBy: 3 });
    expect(await runBatch({ spec, db: t.db, lease: { token: 3 }, batchSize: 100 })).toMatchObject({
      status: 'done',
    });
    // The crossed rows: written by the "clock", then deleted by pass 2.
    expect(await writes.histogram()).toEqual([
      [1, ROWS / 2],
      [2, 4],
    ]);
  });

  it("rerun: 'resume' keeps a purge's pass: a new run goes on after the last key only", async () => {
    const spec = purge('purge-resume', { rerun: 'resume' });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db, 1);
    await timePasses([2]);
    expect(await runBatch({ spec, db: t.db, lease: { token: 2 }, batchSize: 100 })).toMatchObject({
      status: 'done',
    });
    expect(await left()).toEqual([2]);
    const verdict = await validateJob({ spec, db: t.db });
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.ok && verdict.note).toContain("rerun: 'new-pass' would take them in a new pass");
  });

  it('fails postflight when the ledger shows a range walked twice', async () => {
    const spec = purge('purge-tampered');
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db, 1);
    await t.raw.query(
      `UPDATE lowtide_ledger SET first_key = '150' WHERE job_id = 'purge-tampered' AND batch_no = 3`,
    );

    const verdict = await validateJob({ spec, db: t.db });

    expect(verdict).toEqual({
      ok: false,
      reason:
        "postflight: ledger batch 3 starts at key 150, not after batch 2's last key 399: the same rows were walked twice",
    });
  });
});

describe.each(ENGINES)('passes of an update on %s', (engine) => {
  const t = useEngineDatabase(engine);

  it('resumes by default: a completed backfill is not walked again by a new run', async () => {
    await createAccounts(t.raw, engine, 500, 'accounts');
    const writes = await countWrites(t.raw, engine, 'accounts');
    // Not idempotent on purpose: a second walk would show as a second write to every row.
    const spec = accountsBackfill(engine, 'accounts', 'bump-all', {
      where: 'id > 0',
      set: { applied_count: 'applied_count + 1' },
      batch: { size: 100, min: 100, max: 100 },
    });
    await installLedger(t.db, spec);
    expect(await runUntilDone(spec, t.db, 1)).toMatchObject({ batches: 5 });
    expect(await runUntilDone(spec, t.db, 2)).toMatchObject({ batches: 0 });
    expect(await writes.histogram()).toEqual([[1, 500]]);
    expect(await validateJob({ spec, db: t.db })).toEqual({ ok: true });
  });
});
