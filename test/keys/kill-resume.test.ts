import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from '../e2e/support/harness';
import { ENGINES, type TestEngine } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { type TupleWrites, walkedInKeyOrder } from '../support/tuple-writes';
import { compositeKillJob } from './fixtures/kill-jobs';
import { countRows, ledgerOf } from './support/keyed-jobs';
import { type RunnerEvent, runAndKill } from './support/kill-child';
import { createOrderLines, LINE_ROWS, OPEN_LINES } from './support/order-lines';

const LEASE_TTL_MS = 2_000;
const TABLES = [
  'keytests_kill_after',
  'keytests_kill_inside',
  'keytests_kill_verify',
  'keytests_kill_random',
];

const UNDO_TABLE = 'keytests_kill_undo';

const count = (events: RunnerEvent[], type: string, state?: string) =>
  events.filter((e) => e.type === type && (state === undefined || e.state === state)).length;

async function waitingOnLock(raw: RawConnection, engine: TestEngine): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ n: unknown }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      : await raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM information_schema.processlist
            WHERE db = DATABASE() AND (info LIKE 'UPDATE%' OR info LIKE 'SELECT%FOR UPDATE%') AND time_ms > 200`,
        );
  return Number(rows[0]!.n) > 0;
}

describe.each(ENGINES)('a composite-key job killed with SIGKILL, then resumed, on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  let app: RawConnection;
  const writes: Record<string, TupleWrites> = {};
  const randomBatch = 1 + Math.floor(Math.random() * 6);
  const randomDelayMs = Math.floor(Math.random() * 10);

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    app = await connectRaw(db.testDb);
    for (const t of TABLES) writes[t] = (await createOrderLines(db.raw, engine, t))!;
    await createOrderLines(db.raw, engine, UNDO_TABLE, { counted: false });
    rt = await startRuntime(
      db,
      [...TABLES.map((t) => compositeKillJob(engine, t)), compositeKillJob(engine, UNDO_TABLE, true)],
      { leaseTtlMs: LEASE_TTL_MS },
    );
  });

  afterAll(async () => {
    await rt?.close();
    await app?.close();
    await db?.close();
  });

  /** Kills the runner where `killWhen` says, resumes with a new execution, and checks exactly once. */
  async function killThenResume(
    table: string,
    killWhen: (event: RunnerEvent, events: RunnerEvent[]) => boolean | Promise<boolean>,
    afterKill?: () => Promise<void>,
  ) {
    const job = compositeKillJob(engine, table);
    const { events } = await runAndKill(
      {
        engine,
        url: db.testDb.url,
        table,
        dynamoEndpoint: rt.runtime.dynamoEndpoint,
        leaseTtlMs: LEASE_TTL_MS,
      },
      killWhen,
    );
    await afterKill?.();
    // The dead runner's lease stands until it expires; a start before then is a no-op (LeaseHeld).
    let resumed = await rt.runtime.run({ jobId: job.id });
    while (resumed.exit === 'LeaseHeld') {
      const expiresAt = (await rt.runtime.store.getJob(job.id))?.lease?.expiresAt ?? 0;
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));
      resumed = await rt.runtime.run({ jobId: job.id });
    }
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });

    expect(await writes[table]!.histogram()).toEqual([[1, OPEN_LINES]]);
    expect(await countRows(db.raw, table, "status = 'billed' AND applied_count = 1")).toBe(OPEN_LINES);
    expect(await countRows(db.raw, table, "status = 'closed' AND applied_count = 0")).toBe(
      LINE_ROWS - OPEN_LINES,
    );
    expect(walkedInKeyOrder(await writes[table]!.statements())).toBe(true);
    const ledger = await ledgerOf(db.raw, job.id);
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));
    expect(Number(ledger.at(-1)!.rows_done)).toBe(OPEN_LINES);
    expect(await rt.runtime.store.getJob(job.id)).toMatchObject({
      status: 'completed',
      checkpoint: { batchNo: ledger.length, rowsDone: OPEN_LINES },
    });
    return events;
  }

  it('after three batches committed', async () => {
    const events = await killThenResume(
      'keytests_kill_after',
      (e) => e.type === 'batch-applied' && (e.batch as { batchNo: number }).batchNo === 3,
    );
    expect(count(events, 'batch-applied')).toBeGreaterThanOrEqual(3);
  });

  it('inside the batch transaction, its rows locked', async () => {
    const table = 'keytests_kill_inside';
    // The application holds an open line of the fourth batch, so that batch waits in its transaction.
    const [held] = await db.raw.query<{ tenant_id: unknown; order_id: unknown; line: unknown }>(
      `SELECT tenant_id, order_id, line FROM ${table} WHERE status = 'open' ORDER BY ord LIMIT 1 OFFSET 170`,
    );
    await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
    await app.query(
      `UPDATE ${table} SET status = status WHERE tenant_id = ${Number(held!.tenant_id)} AND order_id = '${String(held!.order_id)}' AND line = ${Number(held!.line)}`,
    );
    const events = await killThenResume(
      table,
      async (e, all) => {
        if (
          !(
            e.type === 'task-started' &&
            e.state === 'ApplyBatch' &&
            count(all, 'task-started', 'ApplyBatch') === 4
          )
        )
          return false;
        const deadline = Date.now() + 10_000;
        while (!(await waitingOnLock(db.raw, engine))) {
          if (Date.now() > deadline) throw new Error('the fourth batch never waited on the held line');
          await new Promise((r) => setTimeout(r, 10));
        }
        return true;
      },
      () => app.query('ROLLBACK').then(() => undefined),
    );
    expect(count(events, 'batch-applied')).toBe(3);
  });

  it('while VerifyBatch re-reads a committed batch', async () => {
    await killThenResume(
      'keytests_kill_verify',
      (e, all) =>
        e.type === 'task-started' &&
        e.state === 'VerifyBatch' &&
        count(all, 'task-started', 'VerifyBatch') === 2,
    );
  });

  it(`at a random moment (${randomDelayMs} ms after batch ${randomBatch})`, async () => {
    let armed = false;
    await killThenResume('keytests_kill_random', (e, all) => {
      if (armed || e.type !== 'batch-applied' || count(all, 'batch-applied') !== randomBatch) return false;
      armed = true;
      return new Promise((resolve) => setTimeout(() => resolve(true), randomDelayMs));
    });
  });

  it('its rollback killed after three batches, then resumed: every line restored once', async () => {
    const job = compositeKillJob(engine, UNDO_TABLE, true);
    const rowsOf = async () =>
      (
        await db.raw.query<{ r: unknown }>(
          `SELECT concat_ws('|', tenant_id, order_id, line, status, applied_count) AS r FROM ${UNDO_TABLE} ORDER BY ord`,
        )
      ).map((row) => String(row.r));
    const before = await rowsOf();
    expect(await rt.runtime.run({ jobId: job.id })).toMatchObject({ exit: 'Completed' });
    expect(await countRows(db.raw, UNDO_TABLE, "status = 'billed'")).toBe(OPEN_LINES);

    const { events } = await runAndKill(
      {
        engine,
        url: db.testDb.url,
        table: UNDO_TABLE,
        dynamoEndpoint: rt.runtime.dynamoEndpoint,
        leaseTtlMs: LEASE_TTL_MS,
        audited: true,
        rollback: true,
      },
      (e) => e.type === 'batch-applied' && (e.batch as { batchNo: number }).batchNo === 3,
    );
    expect(count(events, 'batch-applied')).toBeGreaterThanOrEqual(3);
    let resumed = await rt.runtime.run({ jobId: job.id, rollback: true });
    while (resumed.exit === 'LeaseHeld') {
      await new Promise((r) => setTimeout(r, LEASE_TTL_MS / 4));
      resumed = await rt.runtime.run({ jobId: job.id, rollback: true });
    }
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await rowsOf()).toEqual(before);
    const states = await db.raw.query<{ s: string; n: unknown }>(
      `SELECT lowtide_state AS s, count(*) AS n FROM lowtide_audit_${job.id.replace(/-/g, '_')} GROUP BY lowtide_state`,
    );
    expect(Object.fromEntries(states.map((r) => [r.s, Number(r.n)]))).toEqual({ restored: OPEN_LINES });
  });
});
