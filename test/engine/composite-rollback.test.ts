import { describe, expect, it } from 'vitest';
import {
  installLedger,
  listRollbackConflicts,
  rollbackJob,
  runPreflight,
  validateJob,
} from '../../src/engine';
import { displayKey } from '../../src/engine/key-display';
import { defineJob } from '../../src/job/define-job';
import { ENGINES, type TestEngine } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';

const binary = (engine: TestEngine) => (engine === 'postgres' ? 'bytea' : 'varbinary(4)');
const bytes = (engine: TestEngine, hex: string) =>
  engine === 'postgres' ? `'\\x${hex}'::bytea` : `X'${hex}'`;

/**
 * Archive and delete over a composite key of mixed types with rollback.audit: the before-images are
 * keyed by the tuple, and a rollback restores them and reports conflicts by the tuple.
 */
describe.each(ENGINES)('audited composite-key jobs and their rollback on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let n = 0;

  const makeTable = async (name: string) => {
    await t.raw.query(
      `CREATE TABLE ${name} (tenant_id int NOT NULL, tag ${binary(engine)} NOT NULL, line int NOT NULL, note varchar(20) NOT NULL, PRIMARY KEY (tenant_id, tag, line))`,
    );
  };

  const seed = async (table: string) => {
    const rows: string[] = [];
    for (const tenant of [1, 2])
      for (const tag of ['00', '0000', 'ff'])
        for (const line of [1, 2]) {
          rows.push(`(${tenant}, ${bytes(engine, tag)}, ${line}, 'old')`);
        }
    await t.raw.query(`INSERT INTO ${table} (tenant_id, tag, line, note) VALUES ${rows.join(', ')}`);
    return rows.length;
  };

  const count = async (table: string) =>
    Number((await t.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

  it('archives by tuple and rolls the archive back', async () => {
    const table = `keys_arch_${++n}`;
    const archive = `${table}_archive`;
    await makeTable(table);
    await makeTable(archive);
    const rows = await seed(table);
    const spec = defineJob({
      id: `keys-arch-${n}`,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      key: ['tenant_id', 'tag', 'line'],
      kind: 'archive',
      where: 'tenant_id = 1',
      archiveTable: archive,
      batch: { size: 2, min: 1, max: 2 },
      rollback: { audit: true },
    });
    expect((await runPreflight({ spec, db: t.db })).ok).toBe(true);
    await installLedger(t.db, spec);
    expect((await runUntilDone(spec, t.db)).rows).toBe(rows / 2);
    expect(await count(table)).toBe(rows / 2);
    expect(await count(archive)).toBe(rows / 2);
    expect(await validateJob({ spec, db: t.db })).toEqual({ ok: true });

    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);
    expect((await runUntilDone(undo, t.db)).rows).toBe(rows / 2);
    expect(await count(table)).toBe(rows);
    expect(await count(archive)).toBe(0);
  });

  it('deletes by tuple, and a rollback reports by tuple the row the application recreated', async () => {
    const table = `keys_del_${++n}`;
    await makeTable(table);
    const rows = await seed(table);
    const spec = defineJob({
      id: `keys-del-${n}`,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      kind: 'delete',
      where: 'line = 2',
      batch: { size: 2, min: 1, max: 2 },
      rollback: { audit: true },
    });
    await installLedger(t.db, spec);
    expect((await runUntilDone(spec, t.db)).rows).toBe(rows / 2);
    // The application takes one deleted key for a row of its own.
    await t.raw.query(
      `INSERT INTO ${table} (tenant_id, tag, line, note) VALUES (2, ${bytes(engine, '0000')}, 2, 'app')`,
    );

    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);
    expect((await runUntilDone(undo, t.db)).rows).toBe(rows / 2);

    expect(await count(table)).toBe(rows);
    const [app] = await t.raw.query<{ note: string }>(
      `SELECT note FROM ${table} WHERE tenant_id = 2 AND tag = ${bytes(engine, '0000')} AND line = 2`,
    );
    expect(app!.note).toBe('app');
    const conflicts = await listRollbackConflicts(t.db, spec);
    expect(conflicts.map((c) => displayKey(c.key))).toEqual(['(2, 0x0000, 2)']);
    expect(conflicts[0]!.reason).toContain('recreated by the application');
  });
});
