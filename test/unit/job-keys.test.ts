import { describe, expect, it } from 'vitest';
import { postgresDialect } from '../../src/db/postgres/dialect';
import { sql } from '../../src/db/sql';
import { KeyCodec } from '../../src/engine/key-codec';
import { displayKey } from '../../src/engine/key-display';
import { mysqlTimestampProblem } from '../../src/engine/key-types';
import { describeKey, resolveKey } from '../../src/engine/keys';
import { defineJob, JobSpecError } from '../../src/job/define-job';
import { refusedIssues } from '../support/refusals';

const base = {
  id: 'purge-lines',
  owner: 'platform-data',
  engine: 'postgres',
  database: 'primary',
  table: 'order_lines',
  kind: 'delete',
  where: 'true',
} as const;

const issuesOf = (input: unknown) => refusedIssues(() => defineJob(input as never), JobSpecError);

describe('the job key', () => {
  it('is a column, an ordered list of columns, or left out for the primary key', () => {
    expect(defineJob({ ...base, key: 'id' }).key).toBe('id');
    expect(defineJob({ ...base, key: ['tenant_id', 'order_id', 'line'] }).key).toEqual([
      'tenant_id',
      'order_id',
      'line',
    ]);
    expect(defineJob(base).key).toBeUndefined();
  });

  it('refuses an empty list, a repeated column and a bad identifier, saying what to change', () => {
    expect(Object.values(issuesOf({ ...base, key: [] })).join('\n')).toContain(
      'must name at least one column, or leave key out to use the primary key',
    );
    expect(Object.values(issuesOf({ ...base, key: ['a', 'a'] })).join('\n')).toContain(
      'must not name a column twice',
    );
    const bad = issuesOf({ ...base, key: ['a', 'b; drop table x'] });
    expect(Object.keys(bad).join(' ')).toMatch(/^key/);
    expect(Object.values(bad).join('\n')).toContain('must be a plain SQL identifier');
  });

  it('resolves to the primary key when left out, and says so', () => {
    const spec = defineJob(base);
    const pk = { name: 'order_lines_pkey', unique: true, primary: true, columns: ['tenant_id', 'id'] };
    const other = { name: 'u', unique: true, columns: ['code'] };
    const resolved = resolveKey(spec, [other, pk]);
    expect(resolved).toEqual({ columns: ['tenant_id', 'id'], primary: true });
    expect(describeKey(resolved)).toBe('key: primary key (tenant_id, id)');
    expect(resolveKey(spec, [other]).problem).toContain('has no primary key, and the job names no key');
    expect(describeKey(resolveKey(defineJob({ ...base, key: 'code' }), []))).toBe('key code');
  });
});

describe('KeyCodec', () => {
  const composite = new KeyCodec('postgres', [
    { name: 'tenant_id', kind: 'integer' },
    { name: 'code', kind: 'text' },
    { name: 'tag', kind: 'binary' },
  ]);

  it('keeps one-column integer and text keys as their plain text, as existing ledgers hold them', () => {
    const single = new KeyCodec('mysql', [{ name: 'id', kind: 'integer' }]);
    expect(single.encode(['18446744073709551615'])).toBe('18446744073709551615');
    expect(single.params('18446744073709551615')).toEqual([18446744073709551615n]);
    expect(new KeyCodec('postgres', [{ name: 'k', kind: 'text' }]).encode(['["sx"]'])).toBe('["sx"]');
  });

  it('writes composite keys as tagged JSON and reads them back exactly', () => {
    const key = composite.encode(['9007199254740993', "it's", '0a0b']);
    expect(key).toBe('["n9007199254740993","sit\'s","x0a0b"]');
    expect(composite.decode(key)).toEqual(['9007199254740993', "it's", '0a0b']);
    expect(composite.params(key)).toEqual([9007199254740993n, "it's", Buffer.from([10, 11])]);
    expect(displayKey(key)).toBe("(9007199254740993, 'it''s', 0x0a0b)");
    expect(() => composite.decode('7')).toThrow('is not a key of (tenant_id, code, tag)');
  });

  it('shows a binary key in hex and leaves other keys as they are', () => {
    const binary = new KeyCodec('mysql', [{ name: 'k', kind: 'binary' }]);
    expect(displayKey(binary.encode(['00ff']))).toBe('0x00ff');
    expect(displayKey('42')).toBe('42');
    expect(displayKey('[not json')).toBe('[not json');
  });

  it('compares tuples by row comparison on PostgreSQL and by the expanded form on MySQL', () => {
    const key = composite.encode(['1', 'a', '00']);
    const pg = sql(postgresDialect, (b) => composite.after(b, key));
    expect(pg.text).toBe('ROW("tenant_id", "code", "tag") > ROW($1, $2, $3)');
    const mysql = new KeyCodec('mysql', [
      { name: 'a', kind: 'integer' },
      { name: 'd', kind: 'decimal', decimal: { precision: 30, scale: 20 } },
    ]);
    const my = sql({ ...postgresDialect, engine: 'mysql', placeholder: () => '?' }, (b) =>
      mysql.after(b, mysql.encode(['1', '1.5'])),
    );
    expect(my.text).toBe('("a" > ? OR ("a" = ? AND "d" > CAST(? AS DECIMAL(30, 20))))');
    expect(my.values).toEqual([1n, 1n, '1.5']);
  });

  it('orders integer tuples itself, for the postflight walk check', () => {
    const ints = new KeyCodec('postgres', [
      { name: 'a', kind: 'integer' },
      { name: 'b', kind: 'integer' },
    ]);
    const k = (a: string, b: string) => ints.encode([a, b]);
    expect(ints.compareKeys(k('1', '9'), k('2', '0'))).toBe(-1);
    expect(ints.compareKeys(k('2', '18446744073709551615'), k('2', '18446744073709551614'))).toBe(1);
    expect(ints.compareKeys(k('3', '3'), k('3', '3'))).toBe(0);
    expect(composite.comparable).toBe(false);
  });
});

describe('a MySQL TIMESTAMP key', () => {
  const column = { name: 'at', dataType: 'timestamp', nullable: false };
  // The session's answer to `SELECT @@session.time_zone, @@system_time_zone`, as the server gives it.
  const session = (tz: string, sys = 'UTC') => ({
    dialect: { engine: 'mysql' as const, quoteIdent: String, quoteTable: String, placeholder: () => '?' },
    query: async <R>() => ({ rows: [{ tz, sys }] as R[], rowCount: 1 }),
  });

  it('is carried in a session zone without daylight saving', async () => {
    expect(await mysqlTimestampProblem(session('SYSTEM', 'UTC'), column)).toBeUndefined();
    expect(await mysqlTimestampProblem(session('+00:00'), column)).toBeUndefined();
    expect(await mysqlTimestampProblem(session('-05:30'), column)).toBeUndefined();
  });

  it('is refused in a zone with daylight saving, saying what to do', async () => {
    expect(await mysqlTimestampProblem(session('Europe/Berlin'), column)).toContain(
      "run the job's database connections in UTC (time_zone = '+00:00'), or key on a DATETIME column",
    );
    expect(await mysqlTimestampProblem(session('SYSTEM', 'CET'), column)).toContain(
      'session time zone (CET)',
    );
  });
});
