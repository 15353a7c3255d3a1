import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { connectRaw } from '../support/raw-sql';
import { parseJson, runCli, tempStateDir } from './support/cli-process';

/** Small enough for CI, big enough for the batch size to adapt over a dozen batches. */
const ROWS = 6_000;
const TARGETS = ROWS - ROWS / 10;

interface DemoJson {
  ok: boolean;
  embedded: boolean;
  rows: number;
  verification: {
    ok: boolean;
    changed: number;
    missing: number;
    wrong: number;
    presetTouched: number;
    changedTwice: number;
  };
  run: {
    outcome: { outcome: string };
    summary: {
      rowsChanged: number;
      batches: number;
      rowsPerSecond: number;
      batchMs: { p50: number; p99: number; max: number };
    };
  };
}

describe('the demo (npm start)', () => {
  let state: Awaited<ReturnType<typeof tempStateDir>>;
  beforeAll(async () => {
    state = await tempStateDir();
  });
  afterAll(async () => {
    await state?.remove();
  });

  it('runs on the embedded PostgreSQL and ends with a checked summary', async () => {
    const result = await runCli(['demo'], {
      env: { LOWTIDE_DEMO_ROWS: String(ROWS), LOWTIDE_STATE_DIR: state.dir },
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('embedded PostgreSQL (PGlite');
    expect(out).toContain('preflight passed');
    expect(out).toContain('outcome: completed');
    expect(out).toContain(
      `verified by counting: ${TARGETS.toLocaleString('en-US')} of ${TARGETS.toLocaleString('en-US')} rows backfilled`,
    );
    expect(out).toMatch(new RegExp(`rows changed\\s+${TARGETS.toLocaleString('en-US')}`));
    for (const line of [
      'batches',
      'duration',
      'throughput',
      'batch time     p50',
      'pauses         0',
      'retries        0',
    ]) {
      expect(out).toContain(line);
    }
    // Progress went to stderr as plain lines (not a terminal).
    expect(result.stderr).toContain('job demo-backfill-tier: started');
    expect(result.stderr).toContain('job demo-backfill-tier: completed');
  });

  describe('against a server given by DATABASE_URL (MariaDB)', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('mysql');
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('runs the same job there, and --json reports what the table shows', async () => {
      const result = await runCli(['--json', 'demo'], {
        env: { LOWTIDE_DEMO_ROWS: String(ROWS), LOWTIDE_STATE_DIR: state.dir, DATABASE_URL: db.url },
        timeoutMs: 120_000,
      });
      expect(result.code, result.stderr).toBe(0);
      const demo = parseJson<DemoJson>(result);
      expect(demo).toMatchObject({ ok: true, embedded: false, rows: ROWS });
      expect(demo.verification).toEqual({
        ok: true,
        changed: TARGETS,
        expectedChanged: TARGETS,
        missing: 0,
        wrong: 0,
        presetTouched: 0,
        changedTwice: 0,
      });
      expect(demo.run.outcome.outcome).toBe('completed');
      expect(demo.run.summary.rowsChanged).toBe(TARGETS);
      const { p50, p99, max } = demo.run.summary.batchMs;
      expect(0 < p50 && p50 <= p99 && p99 <= max).toBe(true);

      const conn = await connectRaw(db);
      try {
        const [row] = await conn.query<{ n: unknown }>(
          "SELECT COUNT(*) AS n FROM lowtide_demo_accounts WHERE backfill_count = 1 AND tier IN ('standard', 'silver', 'gold')",
        );
        expect(Number(row!.n)).toBe(TARGETS);
        const [ledger] = await conn.query<{ n: unknown }>(
          "SELECT COUNT(*) AS n FROM lowtide_ledger WHERE job_id = 'demo-backfill-tier'",
        );
        expect(Number(ledger!.n)).toBe(demo.run.summary.batches);
      } finally {
        await conn.close();
      }
    });
  });
});
