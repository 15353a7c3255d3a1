import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql';
import type { Tx } from '../../src/db/types';
import { installLedger, readLedger } from '../../src/engine';
import { displayKey } from '../../src/engine/key-display';
import { defineJob } from '../../src/job/define-job';
import type { CompositeKey } from '../../src/job/types';
import { ENGINES } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';

/**
 * A custom job over a composite key: its hooks get and return one array of column values per key;
 * lowtide carries them through the ledger and hands the last one back as afterKey.
 */
describe.each(ENGINES)('a custom job over a composite key on %s', (engine) => {
  const t = useEngineDatabase(engine);

  it('gets each key as an array, afterKey as the last array it returned, and walks every row once', async () => {
    const table = 'keys_custom_lines';
    await t.raw.query(
      `CREATE TABLE ${table} (tenant_id int NOT NULL, code varchar(10) NOT NULL, n int NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, code))`,
    );
    const rows = ["(1, 'a')", "(1, 'b')", "(1, 'it''s')", "(2, 'a')", "(9007199, 'z')"];
    await t.raw.query(`INSERT INTO ${table} (tenant_id, code) VALUES ${rows.join(', ')}`);
    const afters: (CompositeKey | null)[] = [];
    const applied: CompositeKey[][] = [];
    const spec = defineJob({
      id: 'keys-custom',
      owner: 'test',
      engine,
      database: 'primary',
      table,
      // key left out: the primary key (tenant_id, code)
      kind: 'custom',
      batch: { size: 2, min: 1, max: 2 },
      async selectBatch(tx: Tx, after: CompositeKey | null, limit: number) {
        afters.push(after);
        const stmt = sql(tx.dialect, (b) => {
          const from =
            after === null
              ? ''
              : `WHERE tenant_id > ${b.val(after[0])} OR (tenant_id = ${b.val(after[0])} AND code > ${b.val(after[1])}) `;
          return `SELECT tenant_id, code FROM ${b.id(table)} ${from}ORDER BY tenant_id, code LIMIT ${b.val(limit)} FOR UPDATE`;
        });
        const found = await tx.query<{ tenant_id: unknown; code: string }>(stmt.text, stmt.values);
        return found.rows.map((r) => [Number(r.tenant_id), r.code] as const);
      },
      async applyBatch(tx: Tx, keys: readonly CompositeKey[]) {
        applied.push([...keys]);
        let changed = 0;
        for (const [tenant, code] of keys) {
          const stmt = sql(
            tx.dialect,
            (b) =>
              `UPDATE ${b.id(table)} SET n = n + 1 WHERE tenant_id = ${b.val(tenant)} AND code = ${b.val(code)}`,
          );
          changed += (await tx.query(stmt.text, stmt.values)).rowCount;
        }
        return changed;
      },
    });
    await installLedger(t.db, spec);
    const run = await runUntilDone(spec, t.db);

    expect(run.rows).toBe(rows.length);
    const counts = await t.raw.query<{ n: unknown }>(`SELECT n FROM ${table}`);
    expect(counts.map((r) => Number(r.n))).toEqual(rows.map(() => 1));
    // applyBatch gets exactly what selectBatch returned; afterKey comes back with numbers as decimal text.
    expect(applied[0]).toEqual([
      [1, 'a'],
      [1, 'b'],
    ]);
    expect(afters.slice(0, 3)).toEqual([null, ['1', 'b'], ['2', 'a']]);
    const head = await readLedger(t.db, spec);
    expect(displayKey(head!.lastKey!)).toBe("(9007199, 'z')");
  });

  it('refuses a key of the wrong shape with what to return', async () => {
    const table = 'keys_custom_shape';
    await t.raw.query(`CREATE TABLE ${table} (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b))`);
    await t.raw.query(`INSERT INTO ${table} (a, b) VALUES (1, 1)`);
    const spec = defineJob({
      id: 'keys-custom-shape',
      owner: 'test',
      engine,
      database: 'primary',
      table,
      key: ['a', 'b'],
      kind: 'custom',
      selectBatch: async () => ['1'],
      applyBatch: async () => 1,
    });
    await installLedger(t.db, spec);
    await expect(runUntilDone(spec, t.db)).rejects.toThrow(
      'for a key of 2 columns: return one array of 2 values per key',
    );
  });
});
