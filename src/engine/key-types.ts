import type { ColumnInfo, Engine, Queryable } from '../db/types';

/**
 * How lowtide carries one key column's values: each kind has one canonical text that both drivers
 * return (or that lowtide selects) exactly, and that the server reads back as the same value.
 * - integer: decimal text, bound back as BigInt (MySQL compares a string with an integer column
 *   as a double, which confuses neighbours above 2^53); up to 2^64-1 unsigned.
 * - decimal: the server's exact text (both drivers return NUMERIC/DECIMAL as strings).
 * - text: the string itself, compared under the column's collation (text, varchar, char, uuid).
 * - enum: the label. PostgreSQL compares it as the enum (by its sort order, as ORDER BY is);
 *   MySQL compares it by its index number (see KeyCodec), so `labels` lists them in index order.
 * - binary: lowercase hex, bound back as bytes.
 * - temporal: the server's text at full precision (PostgreSQL selects it through to_json, which
 *   is ISO 8601 whatever DateStyle says and keeps the offset of a timestamptz; MySQL's connection
 *   returns dates as the server's text, see connection-options.ts).
 * - boolean: `true` / `false`.
 */
export type KeyColumnKind = 'integer' | 'decimal' | 'text' | 'enum' | 'binary' | 'temporal' | 'boolean';

export interface KeyColumn {
  readonly name: string;
  readonly kind: KeyColumnKind;
  /** MySQL DECIMAL: its precision and scale, so bound values are cast to it (a string would compare as a double). */
  readonly decimal?: { readonly precision: number; readonly scale: number };
  /** MySQL ENUM: its labels in declaration order, the label at position i having index i + 1. */
  readonly labels?: readonly string[];
}

const PG_INTEGER = /^(smallint|integer|bigint)$/;
const PG_TEXT = /^(text|character varying|character|bpchar|uuid|citext)$/;
const PG_TEMPORAL =
  /^(date|time without time zone|time with time zone|timestamp without time zone|timestamp with time zone)$/;
const MYSQL_INTEGER = /^(tinyint|smallint|mediumint|int|integer|bigint|year)$/;
const MYSQL_TEXT = /^(char|varchar|tinytext|text|mediumtext|longtext|uuid)$/;
const MYSQL_TEMPORAL = /^(date|datetime|timestamp|time)$/;
const FLOAT = /^(real|double precision|float|double|float4|float8)$/;
const JSON_TYPE = /^(json|jsonb)$/;

const CHOOSE =
  'choose another key (the primary key, or a unique index over NOT NULL integer, text, uuid, binary, decimal, date/time or enum columns)';

/** The kind of a key column, or why lowtide cannot order and carry it safely and what to do instead. */
export function keyColumnOf(engine: Engine, column: ColumnInfo): KeyColumn | { readonly problem: string } {
  const type = column.dataType.toLowerCase();
  const refuse = (why: string) => ({
    problem: `key column ${column.name} is of type ${column.dataType}: ${why}; ${CHOOSE}`,
  });
  if (FLOAT.test(type))
    return refuse(
      'floating-point values are approximate (neighbours round together, and a value read back may not equal the one stored)',
    );
  if (JSON_TYPE.test(type)) return refuse('json values have no order a keyset walk can rely on');
  if (engine === 'postgres') return postgresKeyColumn(column, type, refuse);
  return mysqlKeyColumn(column, type, refuse);
}

type Refuse = (why: string) => { readonly problem: string };

function postgresKeyColumn(column: ColumnInfo, type: string, refuse: Refuse) {
  const { name } = column;
  if (column.typeKind === 'enum') return { name, kind: 'enum' as const };
  if (column.typeKind === 'domain')
    return refuse('a domain type, which lowtide cannot see through: key on a column of its base type');
  if (column.collationDeterministic === false)
    return refuse(
      `its collation ${column.collation ?? ''} is nondeterministic (values that differ compare equal, so a keyset walk can skip or repeat rows); key on a column with a deterministic collation such as "C" or the database default`,
    );
  if (PG_INTEGER.test(type)) return { name, kind: 'integer' as const };
  if (type === 'numeric') return { name, kind: 'decimal' as const };
  if (PG_TEXT.test(type)) return { name, kind: 'text' as const };
  if (type === 'bytea') return { name, kind: 'binary' as const };
  if (PG_TEMPORAL.test(type)) return { name, kind: 'temporal' as const };
  if (type === 'boolean') return { name, kind: 'boolean' as const };
  return refuse('lowtide cannot carry values of this type between batches exactly and in the server order');
}

function mysqlKeyColumn(column: ColumnInfo, type: string, refuse: Refuse) {
  const { name } = column;
  if (MYSQL_INTEGER.test(type)) return { name, kind: 'integer' as const };
  if (type === 'decimal' || type === 'numeric') {
    const m = /\((\d+)\s*,\s*(\d+)\)/.exec(column.columnType ?? '');
    if (!m) return refuse('its precision and scale cannot be read from the catalog');
    return { name, kind: 'decimal' as const, decimal: { precision: Number(m[1]), scale: Number(m[2]) } };
  }
  if (MYSQL_TEXT.test(type)) return { name, kind: 'text' as const };
  if (type === 'binary' || type === 'varbinary') return { name, kind: 'binary' as const };
  if (MYSQL_TEMPORAL.test(type)) return { name, kind: 'temporal' as const };
  if (type === 'enum') {
    const labels = mysqlEnumLabels(column.columnType ?? '');
    if (labels.length === 0) return refuse('its labels cannot be read from the catalog');
    return { name, kind: 'enum' as const, labels };
  }
  return refuse('lowtide cannot carry values of this type between batches exactly and in the server order');
}

/** MySQL ENUM('a','b',...) labels in declaration (index) order. */
export function mysqlEnumLabels(columnType: string): string[] {
  const body = /^enum\((.*)\)$/is.exec(columnType.trim())?.[1] ?? '';
  const labels: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(body); m; m = re.exec(body)) labels.push(m[1]!.replace(/''/g, "'"));
  return labels;
}

/** A fixed offset, or UTC by one of its names: zones without daylight saving. */
const FIXED_ZONE = /^([+-]\d{1,2}:\d{2}|UTC|GMT|Etc\/UTC|Etc\/GMT|Z|UCT)$/i;

/**
 * A MySQL TIMESTAMP is stored in UTC but read and compared in the session time zone ("The DATE,
 * DATETIME, and TIMESTAMP Types" in the MySQL manual): in a zone with daylight saving, the hour the
 * clocks go back reads the same for two different instants, so a key carried as text could not tell
 * them apart. Such a key is refused unless the session's zone has a fixed offset.
 */
export async function mysqlTimestampProblem(db: Queryable, info: ColumnInfo): Promise<string | undefined> {
  if (db.dialect.engine !== 'mysql' || info.dataType.toLowerCase() !== 'timestamp') return undefined;
  const { rows } = await db.query<{ tz: unknown; sys: unknown }>(
    'SELECT @@session.time_zone AS tz, @@system_time_zone AS sys',
  );
  const session = String(rows[0]?.tz ?? '');
  const zone = session === 'SYSTEM' ? String(rows[0]?.sys ?? '') : session;
  if (FIXED_ZONE.test(zone)) return undefined;
  return (
    `key column ${info.name} is a TIMESTAMP, which MySQL reads in the session time zone (${zone}); in a zone with ` +
    'daylight saving two instants read the same in the hour the clocks go back, so keys could be confused: run the ' +
    "job's database connections in UTC (time_zone = '+00:00'), or key on a DATETIME column"
  );
}
