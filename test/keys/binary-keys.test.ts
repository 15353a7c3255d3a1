import { describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import type { TestEngine } from '../support/databases';
import { ENGINES } from '../support/databases';
import type { TupleWrites } from '../support/tuple-writes';
import { planOf } from './support/keyed-jobs';
import { expectEveryRowOnce, touchAll } from './support/touch-all';
import { createTypedKeyTable, type TypedKeyCase } from './support/typed-tables';

/** 40 UUID-like 16-byte values in no particular order, and the extremes: all zero bytes, all 0xff, a high first byte. */
function uuidBytes(engine: TestEngine): string[] {
  const hashed = Array.from({ length: 40 }, (_, i) =>
    engine === 'postgres' ? `(decode(md5('row-${i}'), 'hex'))` : `(UNHEX(MD5('row-${i}')))`,
  );
  const literal = (hex: string) => (engine === 'postgres' ? `('\\x${hex}'::bytea)` : `(X'${hex}')`);
  return [...hashed, literal('0'.repeat(32)), literal('f'.repeat(32)), literal(`80${'0'.repeat(30)}`)];
}

function cases(engine: TestEngine): TypedKeyCase[] {
  const hex = (column: string) =>
    engine === 'postgres' ? `encode(OLD.${column}, 'hex')` : `HEX(OLD.${column})`;
  const shared = { asText: (column: string) => (column === 'tenant_id' ? `OLD.${column}` : hex(column)) };
  if (engine === 'postgres')
    return [
      {
        name: 'bytea UUIDs',
        table: 'keytests_bin_uuid',
        columns: { id: 'bytea' },
        rows: uuidBytes(engine),
        ...shared,
      },
      {
        name: '(integer, bytea) tokens of different lengths, prefixes of each other among them',
        table: 'keytests_bin_tokens',
        columns: { tenant_id: 'integer', token: 'bytea' },
        rows: [
          "(1, '\\x00')",
          "(1, '\\x0000')",
          "(1, '\\x00ff')",
          "(1, '\\x01')",
          "(2, '\\x')",
          "(2, '\\xff')",
        ],
        ...shared,
      },
    ];
  return [
    {
      name: 'BINARY(16) UUIDs',
      table: 'keytests_bin_uuid',
      columns: { id: 'binary(16)' },
      rows: uuidBytes(engine),
      ...shared,
    },
    {
      name: '(INT, VARBINARY(32)) tokens of different lengths, prefixes of each other among them',
      table: 'keytests_bin_tokens',
      columns: { tenant_id: 'int', token: 'varbinary(32)' },
      rows: ["(1, X'00')", "(1, X'0000')", "(1, X'00ff')", "(1, X'01')", "(2, X'')", "(2, X'ff')"],
      ...shared,
    },
    {
      name: "MariaDB's UUID type",
      table: 'keytests_bin_mariadb_uuid',
      columns: { id: 'uuid' },
      // Time-based values from UUID() (MariaDB orders them by their time fields, not their text),
      // and version-4 values made from hashes.
      rows: [
        ...Array.from({ length: 15 }, () => '(UUID())'),
        ...Array.from({ length: 15 }, (_, i) => {
          const m = `MD5('u-${i}')`;
          return `(CAST(CONCAT(SUBSTR(${m}, 1, 8), '-', SUBSTR(${m}, 9, 4), '-4', SUBSTR(${m}, 14, 3), '-8', SUBSTR(${m}, 18, 3), '-', SUBSTR(${m}, 21, 12)) AS UUID))`;
        }),
      ],
      asText: (column) => `CAST(OLD.${column} AS CHAR)`,
    },
  ];
}

describe.each(ENGINES)('binary keys on %s', (engine) => {
  const all = cases(engine);
  const jobs = all.map((c) => touchAll(engine, c));
  const writes: Record<string, TupleWrites> = {};
  const e2e = useE2e(engine, jobs, {
    prepare: async (db) => {
      for (const c of all) writes[c.table] = await createTypedKeyTable(db.raw, engine, c);
    },
  });

  it.each(all.map((c, i) => [c.name, c, jobs[i]!] as const))(
    '%s: pass preflight and are walked to the end, every row once in byte order (never failing at batch 1)',
    async (_, c, job) => {
      const { report, text } = await planOf(job, e2e.db.testDb.url);
      expect(report.ok, text).toBe(true);
      expect(report.sample?.status, text).toBe('measured');
      const state = await expectEveryRowOnce(e2e, job, c, writes[c.table]!);
      expect(state?.status).not.toBe('failed');
    },
  );
});
