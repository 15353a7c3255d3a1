import { describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import type { TestEngine } from '../support/databases';
import { ENGINES } from '../support/databases';
import type { TupleWrites } from '../support/tuple-writes';
import { planOf } from './support/keyed-jobs';
import { expectEveryRowOnce, touchAll } from './support/touch-all';
import { createTypedKeyTable, type TypedKeyCase } from './support/typed-tables';

/**
 * Names whose order differs between byte order and a linguistic or case-insensitive collation:
 * in bytes 'AB' < 'B' < 'Zed' < '_x' < 'a'; case-insensitively 'a' < 'AB' < 'B' < 'Zed' < '_x'. A
 * cursor compared under the wrong collation skips or repeats rows.
 */
const NAMES = ['a', 'aa', 'AB', 'B', 'b2', 'C', 'Zed', '_x', 'x_', 'm', 'M1', 'n'];
/** For PostgreSQL, which can hold 'a' and 'A' both under a deterministic collation. */
const CASED = [...NAMES, 'A', 'b', 'c', 'é', 'e', 'E', 'f'];

const tuples = (names: readonly string[]) => names.map((n) => `('${n}')`);
const pairs = (names: readonly string[]) => names.flatMap((n) => [`(1, '${n}')`, `(2, '${n}')`]);

/**
 * Values that trip a careless carrier: the empty string, quotes, a backslash, LIKE wildcards, the
 * word NULL, text that looks like JSON (or like lowtide's own encoding of a composite key), emoji.
 * As SQL literals: quotes doubled; no backslash escapes (standard strings on PostgreSQL,
 * NO_BACKSLASH_ESCAPES is not assumed on MariaDB, so the backslash is written doubled there).
 */
const awkward = (engine: TestEngine) => [
  "''",
  "'O''Brien'",
  '\'"quoted"\'',
  engine === 'postgres' ? "'back\\slash'" : "'back\\\\slash'",
  "'100%_done'",
  "'NULL'",
  '\'["s1"]\'',
  '\'["n1","sx"]\'',
  '\'{"a": 1}\'',
  "'😀'",
  "'日本語'",
];
const awkwardPairs = (engine: TestEngine) => awkward(engine).flatMap((v) => [`(1, ${v})`, `(2, ${v})`]);

function cases(engine: TestEngine): TypedKeyCase[] {
  if (engine === 'postgres') {
    const asText = (column: string) =>
      column === 'tenant_id' ? `OLD.${column}` : `encode(convert_to(OLD.${column}, 'UTF8'), 'hex')`;
    return [
      {
        name: 'text under the "C" collation (byte order)',
        table: 'keytests_coll_c',
        columns: { name: 'text COLLATE "C"' },
        rows: tuples(CASED),
        asText,
      },
      {
        name: 'text under a deterministic ICU collation',
        table: 'keytests_coll_icu',
        columns: { name: 'text COLLATE "und-x-icu"' },
        rows: tuples(CASED),
        asText,
      },
      {
        name: '(integer, varchar under a deterministic ICU collation) tuples',
        table: 'keytests_coll_icu_pairs',
        columns: { tenant_id: 'integer', name: 'varchar(20) COLLATE "en-x-icu"' },
        rows: pairs(CASED),
        asText,
      },
      {
        name: '(integer, text) tuples of awkward values',
        table: 'keytests_coll_awkward',
        columns: { tenant_id: 'integer', name: 'text' },
        rows: awkwardPairs(engine),
        asText,
      },
      {
        name: 'text of awkward values, one column',
        table: 'keytests_coll_awkward_one',
        columns: { name: 'text' },
        rows: awkward(engine).map((v) => `(${v})`),
        asText,
      },
    ];
  }
  const asText = (column: string) => (column === 'tenant_id' ? `OLD.${column}` : `HEX(OLD.${column})`);
  return [
    {
      name: 'VARCHAR under a case-insensitive collation, uniquely indexed',
      table: 'keytests_coll_ci',
      columns: { name: 'varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci' },
      rows: tuples(NAMES),
      asText,
    },
    {
      name: '(INT, VARCHAR under a case-insensitive unicode collation) tuples',
      table: 'keytests_coll_ci_pairs',
      columns: { tenant_id: 'int', name: 'varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci' },
      rows: pairs(NAMES),
      asText,
    },
    {
      name: 'VARCHAR under a binary collation (byte order)',
      table: 'keytests_coll_bin',
      columns: { name: 'varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' },
      rows: tuples(NAMES),
      asText,
    },
    {
      name: '(INT, VARCHAR) tuples of awkward values',
      table: 'keytests_coll_awkward',
      columns: { tenant_id: 'int', name: 'varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' },
      rows: awkwardPairs(engine),
      asText,
    },
    {
      name: 'VARCHAR of awkward values, one column',
      table: 'keytests_coll_awkward_one',
      columns: { name: 'varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' },
      rows: awkward(engine).map((v) => `(${v})`),
      asText,
    },
  ];
}

describe.each(ENGINES)('text keys under their collations on %s', (engine) => {
  const all = cases(engine);
  const jobs = all.map((c) => touchAll(engine, c));
  const writes: Record<string, TupleWrites> = {};
  const e2e = useE2e(engine, jobs, {
    prepare: async (db) => {
      for (const c of all) writes[c.table] = await createTypedKeyTable(db.raw, engine, c);
    },
  });

  it.each(all.map((c, i) => [c.name, c, jobs[i]!] as const))(
    "%s: every row once, in the collation's order",
    async (_, c, job) => {
      const { report, text } = await planOf(job, e2e.db.testDb.url);
      expect(report.ok, text).toBe(true);
      await expectEveryRowOnce(e2e, job, c, writes[c.table]!);
    },
  );

  it('the case-insensitive and byte orders really differ here (the test above proves something)', async () => {
    if (engine === 'postgres') {
      const c = await e2e.db.raw.query<{ name: string }>('SELECT name FROM keytests_coll_c ORDER BY ord');
      const icu = await e2e.db.raw.query<{ name: string }>('SELECT name FROM keytests_coll_icu ORDER BY ord');
      expect(c.map((r) => r.name)).not.toEqual(icu.map((r) => r.name));
    } else {
      const ci = await e2e.db.raw.query<{ name: string }>('SELECT name FROM keytests_coll_ci ORDER BY ord');
      const bin = await e2e.db.raw.query<{ name: string }>('SELECT name FROM keytests_coll_bin ORDER BY ord');
      expect(ci.map((r) => r.name)).not.toEqual(bin.map((r) => r.name));
    }
  });
});
