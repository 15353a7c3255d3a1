import type { SqlBuilder } from '../db/sql';
import type { Engine, Key, Row } from '../db/types';
import type { TableRef } from '../sql/identifiers';
import { displayKey, TAGS } from './key-display';
import type { KeyColumn, KeyColumnKind } from './key-types';

/** Column aliases of a selected key: `lowtide_k0`, `lowtide_k1`, ... (prefixed: a table may have a `k`). */
export const keyAlias = (i: number) => `lowtide_k${i}`;

type Comparison = '>' | '>=' | '<=';

const TAG_OF: Record<KeyColumnKind, string> = {
  integer: TAGS.number,
  decimal: TAGS.number,
  text: TAGS.string,
  enum: TAGS.string,
  temporal: TAGS.string,
  binary: TAGS.binary,
  boolean: TAGS.boolean,
};

/**
 * A job's key, built from the catalog: its ordered columns and each one's kind (key-types.ts). It
 * alone writes and reads the job's `Key` strings and the SQL that compares, orders and lists keys,
 * so the rest of the engine never looks inside a key.
 *
 * Encoding: a one-column key of any kind but binary is its canonical text, as lowtide has always
 * written integer, text and uuid keys (existing ledgers and checkpoints stay valid). A composite
 * key, or a binary one, is a JSON array with one string per column: a tag (`n` number, `s`
 * string, `x` hex bytes, `b` boolean) and the canonical text, e.g. `["n7","sabc","x0a0b"]`, which
 * no driver reinterprets and `displayKey` shows as `(7, 'abc', 0x0a0b)`.
 *
 * SQL: PostgreSQL compares rows, `(a, b) > ($1, $2)`, which its B-tree scans use as an index
 * condition. MySQL and MariaDB use a row constructor comparison only as a filter: MariaDB's
 * EXPLAIN shows a full index scan (key-sql tests), and the MySQL 8.0 manual ("Row Constructor
 * Expression Optimization") says the optimizer is more likely to use an index when `(c2, c3) >
 * (1, 1)` is rewritten as `c2 > 1 OR (c2 = 1 AND c3 > 1)`. So there `after` and ranges are
 * written out that way, which both turn into an index range scan. Key lists are `IN` of tuples,
 * which both range-optimize (MySQL 8.0 manual, "Range Optimization of Row Constructor
 * Expressions"; MariaDB proven in the key-sql tests); PostgreSQL's are joined from a recordset
 * (see inRecordset).
 *
 * A MySQL ENUM sorts, and is indexed, by its index number, the label's position in the
 * declaration, and "if you compare an ENUM with a number, the index is used" (MySQL 8.0 manual,
 * "The ENUM Type"; MariaDB alike), whereas compared with a string it compares as text: so an enum
 * key's value is bound as its index, and the walk follows the index whatever the labels' order.
 * MariaDB range-optimizes an enum only by equality (`e > 2` and `e BETWEEN 3 AND 9` scan the whole
 * index, EXPLAIN in the key-sql tests), so `e > i` is written `e IN (i + 1, ..., n)`. The labels
 * are the catalog's when the codec was built (once per database handle): a label appended while a
 * job runs is beyond n, so its rows would not be walked until the job's key is read again.
 */
export class KeyCodec {
  constructor(
    readonly engine: Engine,
    readonly keyColumns: readonly KeyColumn[],
    /**
     * The table whose row type gives the key columns' exact types (PostgreSQL key lists, see
     * inList); without it a PostgreSQL key list is an IN of tuples.
     */
    readonly rowType?: TableRef,
  ) {
    if (keyColumns.length === 0) throw new Error('a key needs at least one column');
  }

  get columns(): string[] {
    return this.keyColumns.map((c) => c.name);
  }

  get composite(): boolean {
    return this.keyColumns.length > 1;
  }

  /** One integer column: keys lowtide can order itself (postflight's walk check). */
  get integer(): boolean {
    return !this.composite && this.keyColumns[0]!.kind === 'integer';
  }

  /** Every column an integer: keys compare in JavaScript exactly as on the server. */
  get comparable(): boolean {
    return this.keyColumns.every((c) => c.kind === 'integer');
  }

  private get plain(): boolean {
    return !this.composite && this.keyColumns[0]!.kind !== 'binary';
  }

  /** A key from its columns' canonical texts. */
  encode(texts: readonly string[]): Key {
    if (texts.length !== this.keyColumns.length)
      throw new Error(`a key of ${this.keyColumns.length} columns cannot be made of ${texts.length} values`);
    if (this.plain) return texts[0]!;
    return JSON.stringify(texts.map((t, i) => `${TAG_OF[this.keyColumns[i]!.kind]}${t}`));
  }

  /** The columns' canonical texts of a key this codec wrote. */
  decode(key: Key): string[] {
    if (this.plain) return [key];
    let parts: unknown;
    try {
      parts = JSON.parse(key);
    } catch {
      parts = undefined;
    }
    if (
      !Array.isArray(parts) ||
      parts.length !== this.keyColumns.length ||
      parts.some((p, i) => typeof p !== 'string' || p[0] !== TAG_OF[this.keyColumns[i]!.kind])
    ) {
      throw new Error(
        `key ${key} is not a key of (${this.columns.join(', ')}): the job's key changed since it was recorded; start a new job for the new key`,
      );
    }
    return (parts as string[]).map((p) => p.slice(1));
  }

  /** A driver's value of key column `i` as its canonical text. */
  textOf(value: unknown, i: number): string {
    if (value === null || value === undefined)
      throw new Error(`key column ${this.keyColumns[i]!.name} returned NULL: keys must be NOT NULL`);
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    if (value instanceof Date)
      throw new Error(
        `key column ${this.keyColumns[i]!.name} came back as a date: select it with selectKeys`,
      );
    return String(value);
  }

  /** The key of a row selected with selectKeys (or selectRaw). */
  fromRow(row: Row, alias: (i: number) => string = keyAlias): Key {
    return this.encode(this.keyColumns.map((_, i) => this.textOf(row[alias(i)], i)));
  }

  /** The value bound for column `i`'s canonical text. */
  param(i: number, text: string): unknown {
    switch (this.keyColumns[i]!.kind) {
      case 'integer':
        return BigInt(text);
      case 'binary':
        return Buffer.from(text, 'hex');
      case 'boolean':
        return text === 'true';
      default:
        return text;
    }
  }

  /** The bind values of a key, in column order (for authors and tests). */
  params(key: Key): unknown[] {
    return this.decode(key).map((t, i) => this.param(i, t));
  }

  private bind(b: SqlBuilder, i: number, text: string): string {
    const labels = this.enumLabels(i);
    if (labels) return b.val(enumIndex(this.keyColumns[i]!.name, labels, text));
    const decimal = this.keyColumns[i]!.decimal;
    // MySQL compares a string with a DECIMAL column as two doubles ("Type Conversion in Expression
    // Evaluation"), which would merge neighbours that differ beyond 15 digits.
    if (decimal && this.engine === 'mysql')
      return `CAST(${b.val(text)} AS DECIMAL(${decimal.precision}, ${decimal.scale}))`;
    return b.val(this.param(i, text));
  }

  /** Column i's labels when it is a MySQL ENUM, compared by index (see the class comment). */
  private enumLabels(i: number): readonly string[] | undefined {
    return this.engine === 'mysql' ? this.keyColumns[i]!.labels : undefined;
  }

  /** A one-column key whose MIN and MAX are its first and last keys (not a MySQL ENUM: those compare text). */
  get hasMinMax(): boolean {
    return !this.composite && this.enumLabels(0) === undefined;
  }

  col(b: SqlBuilder, i: number, qualifier?: string): string {
    const name = b.id(this.keyColumns[i]!.name);
    return qualifier ? `${qualifier}.${name}` : name;
  }

  private cols(b: SqlBuilder, qualifier?: string): string[] {
    return this.keyColumns.map((_, i) => this.col(b, i, qualifier));
  }

  /**
   * `expr` (column `i`'s value) as the driver must read it to get its canonical text: PostgreSQL
   * dates and times through to_json (ISO 8601, microseconds, offset; pg would make a JS Date).
   */
  textExpr(i: number, expr: string): string {
    if (this.engine === 'postgres' && this.keyColumns[i]!.kind === 'temporal')
      return `(to_json(${expr}) #>> '{}')`;
    return expr;
  }

  /** The key columns as text, aliased lowtide_k0.. for fromRow. */
  selectKeys(b: SqlBuilder, qualifier?: string): string {
    return this.cols(b, qualifier)
      .map((c, i) => `${this.textExpr(i, c)} AS ${b.id(keyAlias(i))}`)
      .join(', ');
  }

  /** The key columns as they are (to order by in an outer query), aliased lowtide_k0... */
  selectRaw(b: SqlBuilder, qualifier?: string): string {
    return this.cols(b, qualifier)
      .map((c, i) => `${c} AS ${b.id(keyAlias(i))}`)
      .join(', ');
  }

  /** Key order: `a, b, c` (or descending). */
  orderBy(b: SqlBuilder, qualifier?: string, descending = false): string {
    return this.cols(b, qualifier)
      .map((c) => (descending ? `${c} DESC` : c))
      .join(', ');
  }

  /** Key order over the aliases of a selectRaw subquery. */
  orderByAliases(b: SqlBuilder, descending = false): string {
    return this.keyColumns.map((_, i) => `${b.id(keyAlias(i))}${descending ? ' DESC' : ''}`).join(', ');
  }

  /** Rows whose key comes after `key`. */
  after(b: SqlBuilder, key: Key, qualifier?: string): string {
    return this.compare(b, this.cols(b, qualifier), '>', this.decode(key));
  }

  /** Rows whose key lies in [first, last]. */
  range(b: SqlBuilder, first: Key, last: Key, qualifier?: string): string {
    const cols = this.cols(b, qualifier);
    return `${this.compare(b, cols, '>=', this.decode(first))} AND ${this.compare(b, cols, '<=', this.decode(last))}`;
  }

  /**
   * `cols op key` in key order. `cols` may be any expressions of the key columns' types, e.g.
   * subqueries; PostgreSQL gets a row comparison, MySQL the expanded form (see the class comment).
   */
  compareExprs(cols: readonly string[], op: Comparison, values: readonly string[]): string {
    if (cols.length === 1) return `${cols[0]} ${op} ${values[0]}`;
    if (this.engine === 'postgres') return `ROW(${cols.join(', ')}) ${op} ROW(${values.join(', ')})`;
    if (this.keyColumns.some((_, i) => this.enumLabels(i)))
      throw new Error('a MySQL ENUM key is compared by its index: use after or range');
    return expanded(cols, op, (i, cmp) => `${cols[i]} ${cmp} ${values[i]}`);
  }

  private compare(b: SqlBuilder, cols: readonly string[], op: Comparison, texts: readonly string[]): string {
    if (this.engine === 'postgres')
      return this.compareExprs(
        cols,
        op,
        texts.map((t, i) => this.bind(b, i, t)),
      );
    // A value named more than once (MySQL's expanded form) is bound at each mention.
    return expanded(cols, op, (i, cmp) => this.columnCompare(b, i, cols[i]!, cmp, texts[i]!));
  }

  /** `col cmp text` for column i on MySQL; an ENUM by its index, as a list (see the class comment). */
  private columnCompare(
    b: SqlBuilder,
    i: number,
    col: string,
    cmp: Comparison | '<' | '=',
    text: string,
  ): string {
    const labels = this.enumLabels(i);
    if (!labels || cmp === '=') return `${col} ${cmp} ${this.bind(b, i, text)}`;
    const at = enumIndex(this.keyColumns[i]!.name, labels, text);
    // Index 0 is the empty string MySQL stores for an invalid value, sorted first.
    const [from, to] =
      cmp === '>'
        ? [at + 1, labels.length]
        : cmp === '>='
          ? [at, labels.length]
          : [0, cmp === '<' ? at - 1 : at];
    if (from > to) return '1 = 0';
    const indexes = Array.from({ length: to - from + 1 }, (_, k) => b.val(from + k));
    return `${col} IN (${indexes.join(', ')})`;
  }

  /** Rows whose key is one of `keys` (not empty). */
  inList(b: SqlBuilder, keys: readonly Key[], qualifier?: string): string {
    if (keys.length === 0)
      throw new Error('an empty key list cannot be bound: guard against it before building SQL');
    const cols = this.cols(b, qualifier);
    if (!this.composite)
      return `${cols[0]} IN (${keys.map((k) => this.bind(b, 0, this.decode(k)[0]!)).join(', ')})`;
    if (this.engine === 'postgres' && this.rowType) return this.inRecordset(b, keys, cols, this.rowType);
    const tuples = keys.map(
      (k) =>
        `(${this.decode(k)
          .map((t, i) => this.bind(b, i, t))
          .join(', ')})`,
    );
    return `(${cols.join(', ')}) IN (${tuples.join(', ')})`;
  }

  /**
   * PostgreSQL plans an IN of a few thousand tuples as as many bitmap index scans (planning alone
   * took 19 ms for 2000 keys here, and running it 38 ms); the keys as rows of the table's own row
   * type, from one jsonb value, join by the key's index instead (0.3 ms and 3 ms). Each value is
   * read by its column type's input function, so every type arrives exactly.
   */
  private inRecordset(
    b: SqlBuilder,
    keys: readonly Key[],
    cols: readonly string[],
    rowType: TableRef,
  ): string {
    const rows = keys.map((k) =>
      Object.fromEntries(
        this.decode(k).map((t, i) => [
          this.keyColumns[i]!.name,
          this.keyColumns[i]!.kind === 'binary' ? `\\x${t}` : t,
        ]),
      ),
    );
    const picked = this.keyColumns.map((_, i) => this.col(b, i, 'lowtide_keys')).join(', ');
    return `(${cols.join(', ')}) IN (SELECT ${picked} FROM jsonb_populate_recordset(NULL::${b.table(rowType)}, CAST(${b.val(JSON.stringify(rows))} AS jsonb)) AS lowtide_keys)`;
  }

  /** The same key in two row sources: `l.a = r.a AND l.b = r.b`. */
  sameKey(b: SqlBuilder, left: string, right: string): string {
    return this.keyColumns.map((_, i) => `${this.col(b, i, left)} = ${this.col(b, i, right)}`).join(' AND ');
  }

  /** A key as people read it: `7`, `abc`, or `(7, 'abc', 0x0a0b)`. */
  display(key: Key): string {
    return displayKey(key);
  }

  /** Orders two keys (comparable keys only): negative, zero or positive. */
  compareKeys(a: Key, b: Key): number {
    if (!this.comparable) throw new Error('only integer keys can be ordered outside the server');
    const x = this.decode(a);
    const y = this.decode(b);
    for (let i = 0; i < x.length; i++) {
      const d = BigInt(x[i]!) - BigInt(y[i]!);
      if (d !== 0n) return d < 0n ? -1 : 1;
    }
    return 0;
  }
}

/**
 * `cols op values` in key order, written out: `(a > x OR (a = x AND (b > y OR (b = y AND c op z))))`,
 * `compare(i, cmp)` writing column i's comparison at each mention.
 */
function expanded(
  cols: readonly string[],
  op: Comparison,
  compare: (i: number, cmp: Comparison | '<' | '=') => string,
): string {
  const strict = op === '<=' ? '<' : '>';
  const at = (i: number): string =>
    i === cols.length - 1
      ? compare(i, op)
      : `(${compare(i, strict)} OR (${compare(i, '=')} AND ${at(i + 1)}))`;
  return at(0);
}

/** A MySQL ENUM label's index: its position in the declaration from 1; 0 for the invalid value ''. */
function enumIndex(column: string, labels: readonly string[], label: string): number {
  const at = labels.indexOf(label);
  if (at >= 0) return at + 1;
  if (label === '') return 0;
  throw new Error(
    `key value '${label}' is not a label of enum column ${column} (${labels.join(', ')}): the column's labels changed since the job's key was read; restart the job to read them again`,
  );
}
