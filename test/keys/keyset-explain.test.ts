import { describe, expect, it } from 'vitest';
import { installLedger } from '../../src/engine';
import type { JobSpec } from '../../src/job/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import type { RawConnection } from '../support/raw-sql';
import { countRows, keyedJob } from './support/keyed-jobs';
import { type LoggedStatement, logStatements } from './support/statement-log';

const TABLE = 'keytests_explain';
const TENANTS = 20;
const ORDERS = 100;
const LINES = 10;
const ROWS = TENANTS * ORDERS * LINES;

/** 20,000 lines keyed by (tenant_id, order_id, line): big enough that a full scan and a range scan differ. */
async function createLines(raw: RawConnection, engine: TestEngine) {
  if (engine === 'postgres') {
    await raw.query(`CREATE TABLE ${TABLE} (tenant_id integer NOT NULL, order_id text NOT NULL, line smallint NOT NULL,
      status text NOT NULL, applied_count integer NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, order_id, line))`);
    await raw.query(
      `INSERT INTO ${TABLE} (tenant_id, order_id, line, status)
       SELECT t, md5(t || '-' || o), l, 'open' FROM generate_series(1, ${TENANTS}) t, generate_series(1, ${ORDERS}) o, generate_series(1, ${LINES}) l`,
    );
    await raw.query(`ANALYZE ${TABLE}`);
    return;
  }
  await raw.query(`CREATE TABLE ${TABLE} (tenant_id int NOT NULL, order_id char(32) NOT NULL, line smallint NOT NULL,
    status varchar(10) NOT NULL, applied_count int NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, order_id, line)) ENGINE=InnoDB`);
  await raw.query(
    `INSERT INTO ${TABLE} (tenant_id, order_id, line, status)
     SELECT t.seq, MD5(CONCAT(t.seq, '-', o.seq)), l.seq, 'open' FROM seq_1_to_${TENANTS} t, seq_1_to_${ORDERS} o, seq_1_to_${LINES} l`,
  );
  await raw.query(`ANALYZE TABLE ${TABLE}`);
}

/** A statement on the table that compares the whole key tuple with a cursor (after the first batch). */
function comparesTuple(s: LoggedStatement): boolean {
  return (
    s.text.includes(TABLE) &&
    !/^\s*(INSERT|CREATE|ALTER|ANALYZE|EXPLAIN)/i.test(s.text) &&
    ['tenant_id', 'order_id', 'line'].every((c) => s.text.includes(c)) &&
    />/.test(s.text.replace(/->/g, '')) &&
    s.values.length >= 3
  );
}

/** The keyset selection: the next keys after a cursor, in key order, a batch's worth. */
function isKeyset(s: LoggedStatement): boolean {
  // A SELECT, or on PostgreSQL the batch's one statement whose first CTE is that SELECT.
  return /^\s*(SELECT|WITH)/i.test(s.text) && /ORDER BY/i.test(s.text) && /LIMIT/i.test(s.text);
}

describe.each(ENGINES)('the keyset statements of a 3-column key on %s', (engine) => {
  const t = useEngineDatabase(engine);

  async function walk(spec: JobSpec): Promise<LoggedStatement[]> {
    await installLedger(t.db, spec);
    const { db, statements } = logStatements(t.db);
    const result = await runUntilDone(spec, db);
    expect(result.rows).toBe(ROWS);
    expect(await countRows(t.raw, TABLE, 'applied_count = 1')).toBe(ROWS);
    return statements.filter(comparesTuple);
  }

  /** Each EXPLAIN row for the table, as [access type, index]: MariaDB's `type` and `key`. */
  async function mysqlAccess(s: LoggedStatement): Promise<Array<[string, string]>> {
    const text = s.text.replace(/\s+(FOR UPDATE|LOCK IN SHARE MODE)\s*$/i, '');
    const { rows } = await t.db.query<{ table: unknown; type: unknown; key: unknown }>(
      `EXPLAIN ${text}`,
      s.values,
    );
    return rows.filter((r) => String(r.table) === TABLE).map((r) => [String(r.type), String(r.key)]);
  }

  async function postgresPlan(s: LoggedStatement): Promise<string> {
    const text = s.text.replace(/\s+FOR UPDATE\s*$/i, '');
    const { rows } = await t.db.query<Record<string, unknown>>(`EXPLAIN ${text}`, s.values);
    return rows.map((r) => String(Object.values(r)[0])).join('\n');
  }

  it('are index range scans on the primary key, never full scans, from the first batch to the last', async () => {
    await createLines(t.raw, engine);
    const spec = keyedJob(engine, {
      id: 'keytests-explain',
      table: TABLE,
      key: ['tenant_id', 'order_id', 'line'],
      kind: 'update',
      where: "status = 'open'",
      set: { applied_count: 'applied_count + 1' },
      batch: { size: 1000, min: 1000, max: 1000, targetMs: 200 },
    });
    const statements = await walk(spec);
    const keyset = statements.filter(isKeyset);
    expect(keyset.length, statements.map((s) => s.text).join('\n')).toBeGreaterThan(0);

    for (const s of statements) {
      if (engine === 'mysql') {
        const access = await mysqlAccess(s);
        expect(access.length, s.text).toBeGreaterThan(0);
        // The expanded OR form is what MariaDB turns into a range; a row constructor `(a, b, c) > (...)` is not.
        for (const [type, key] of access) {
          if (isKeyset(s)) expect([type, key], s.text).toEqual(['range', 'PRIMARY']);
          else expect(['ALL', 'index'], s.text).not.toContain(type);
        }
      } else {
        const plan = await postgresPlan(s);
        expect(plan, s.text).not.toMatch(/Seq Scan/);
        // An index scan, or near the end of the table a bitmap scan, of the primary key, bounded
        // by the row comparison itself (PostgreSQL range-scans `ROW(a, b, c) > ROW(...)`).
        expect(plan, s.text).toMatch(/(Index (Only )?Scan using|Bitmap Index Scan on) keytests_explain_pkey/);
        expect(plan, s.text).toMatch(/Index Cond: \(+ROW\(tenant_id, order_id, line\) >/);
      }
    }
  });
});
