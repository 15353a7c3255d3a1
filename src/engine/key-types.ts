import type { ColumnInfo, Engine } from '../db/types';

/**
 * How lowtide carries one key column's values: each kind has one canonical text that both drivers
 * return (or that lowtide selects) exactly, and that the server reads back as the same value.
 * - integer: decimal text, bound back as BigInt (MySQL compares a string with an integer column
 *   as a double, which confuses neighbours above 2^53); up to 2^64-1 unsigned.
 * - decimal: the server's exact text (both drivers return NUMERIC/DECIMAL as strings).
 * - text: the string itself, compared under the column's collation (text, varchar, char, uuid,
 *   and enums whose order is their text's, see enumProblem).
 * - enum: PostgreSQL enums: the label, compared as the enum (by its sort order, as ORDER BY is).
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
  // An enum orders by its index in ORDER BY and the index, but `e > 'x'` compares text: a keyset
  // walk is consistent only where both orders agree. Preflight's key-type check proves that on the
  // server (enumOrderQuery); here it is carried as text.
  if (type === 'enum') return { name, kind: 'text' as const };
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
