import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, tempStateDir } from '../cli/support/cli-process';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import type { TupleWrites } from '../support/tuple-writes';
import { countRows } from './support/keyed-jobs';
import { createOrderLines, OPEN_LINES } from './support/order-lines';

/** A composite key as people read it: `(4, 'ffe0…', 5)`, never the tagged JSON it travels as. */
const TUPLE = /\(\d+, '[0-9a-f-]{32,36}', \d+\)/;
const TAGGED = /\["[nsxb]/;

describe.each(ENGINES)('lowtide plan, run, status and history of a composite-key job on %s', (engine) => {
  const jobFile = `test/keys/fixtures/cli-lines-${engine}.ts`;
  const jobId = `keytests-cli-lines-${engine}`;
  let db: TestDatabase;
  let raw: RawConnection;
  let writes: TupleWrites;
  let state: Awaited<ReturnType<typeof tempStateDir>>;
  const env = () => ({ env: { LOWTIDE_STATE_DIR: state.dir } });

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    raw = await connectRaw(db);
    writes = (await createOrderLines(raw, engine, 'keytests_cli_lines'))!;
    state = await tempStateDir();
  });
  afterAll(async () => {
    await raw?.close();
    await db?.drop();
    await state?.remove();
  });

  it('plans with the key named, runs every open line once, and shows the keys readably', async () => {
    const plan = await runCli(['plan', jobFile, '--database-url', db.url], env());
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/tenant_id, order_id, line/);
    expect(plan.stdout).not.toMatch(TAGGED);
    expect(await countRows(raw, 'keytests_cli_lines', 'applied_count <> 0')).toBe(0);

    const ran = await runCli(['--json', 'run', jobFile, '--local', '--database-url', db.url], env());
    expect(ran.code, ran.stderr).toBe(0);
    expect(parseJson<{ outcome: string; rowsDone: number }>(ran)).toMatchObject({ rowsDone: OPEN_LINES });
    expect(await writes.histogram()).toEqual([[1, OPEN_LINES]]);

    const status = await runCli(['status', jobId], env());
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`last key ${TUPLE.source}`));
    expect(status.stdout).not.toMatch(TAGGED);

    const history = await runCli(['history', jobId], env());
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(new RegExp(`keys ${TUPLE.source}\\.\\.${TUPLE.source}`));
    expect(history.stdout).not.toMatch(TAGGED);
  });
});
