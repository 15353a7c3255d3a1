import { describe, expect, it } from 'vitest';
import { defineJob } from '../../src/job/define-job';
import { ENGINES, type TestEngine } from '../support/databases';
import { ledgerRows } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 2000;

const ago = (engine: TestEngine, days: number) =>
  engine === 'postgres' ? `now() - interval '${days} days'` : `NOW() - INTERVAL ${days} DAY`;
const expired = (engine: TestEngine) =>
  engine === 'postgres' ? "expires_at < now() - interval '30 days'" : 'expires_at < NOW() - INTERVAL 30 DAY';

/**
 * The README's purge through the state machine, run twice: rows that cross the threshold behind
 * the cursor no longer fail the first run's postflight, and the second run takes them in a new pass.
 */
describe.each(ENGINES)('a purge on a moving predicate, run after run, on %s', (engine) => {
  const job = defineJob({
    id: 'purge-expired',
    owner: 'test',
    engine,
    database: 'main',
    table: 'sessions',
    key: 'id',
    kind: 'delete',
    where: expired(engine),
    batch: { size: 200, min: 100, max: 200 },
  });

  const e2e = useE2e(engine, [job], {
    prepare: async (db) => {
      const ts = engine === 'postgres' ? 'timestamptz' : 'datetime(3)';
      await db.raw.query(`CREATE TABLE sessions (id bigint PRIMARY KEY, expires_at ${ts} NOT NULL)`);
      const values = Array.from(
        { length: ROWS },
        (_, i) => `(${i + 1}, ${ago(engine, i % 2 === 0 ? 60 : 10)})`,
      );
      await db.raw.query(`INSERT INTO sessions (id, expires_at) VALUES ${values.join(', ')}`);
    },
  });

  const expiredLeft = async () =>
    Number(
      (
        await e2e.db.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM sessions WHERE ${expired(engine)}`)
      )[0]!.n,
    );

  it('every run completes: a later run walks a new pass and takes the rows that crossed behind the cursor', async () => {
    const first = await e2e.rt.runtime.run({ jobId: job.id });
    expect(first).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await expiredLeft()).toBe(0);
    // Time passes: rows behind the cursor cross the threshold.
    await e2e.db.raw.query(`UPDATE sessions SET expires_at = ${ago(engine, 40)} WHERE id IN (2, 4, 6)`);
    expect(await expiredLeft()).toBe(3);

    const second = await e2e.rt.runtime.run({ jobId: job.id });

    expect(second).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await expiredLeft()).toBe(0);
    const ledger = await e2e.db.raw.query<{ pass: unknown; affected: unknown }>(
      `SELECT pass, affected FROM lowtide_ledger WHERE job_id = '${job.id}' ORDER BY batch_no`,
    );
    // The sizer picks the first pass's transaction sizes (toward its lock-hold target), so count
    // them from the ledger: every row but the last is the first pass, which deleted half the rows.
    const firstPass = ledger.length - 1;
    expect(firstPass).toBeGreaterThanOrEqual(ROWS / 2 / 200);
    expect(ledger.map((r) => Number(r.pass))).toEqual([...Array(firstPass).fill(1), 2]);
    expect(ledger.slice(0, -1).reduce((sum, r) => sum + Number(r.affected), 0)).toBe(ROWS / 2);
    expect(Number(ledger.at(-1)!.affected)).toBe(3);
    const state = await e2e.rt.runtime.store.getJob(job.id);
    expect(state?.status).toBe('completed');

    const third = await e2e.rt.runtime.run({ jobId: job.id });
    expect(third).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await ledgerRows(e2e.db.raw, job.id)).toHaveLength(firstPass + 1);
  });
});
