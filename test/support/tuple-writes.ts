import type { TestEngine } from './databases';
import type { RawConnection } from './raw-sql';

/**
 * Counts the server's writes (updates and deletes) to each row of a table whose key may be a tuple,
 * and logs which statement wrote each row: proof that a job wrote every row exactly once and walked
 * the table in key order, independent of what the job itself reports.
 *
 * The key a write is counted under is `keySql` over the trigger's `OLD` row (e.g.
 * `concat_ws('|', OLD.a, OLD.b)`, `HEX(OLD.k)`): whatever text identifies a row. The table needs an
 * `ord` column holding each row's position in the key's order, as the server sorts it (see
 * `numberInKeyOrder`), so the walk's order can be checked without the test re-implementing the
 * server's collation or byte order.
 */
export interface TupleWrites {
  /** Writes per key, for keys written at least once. */
  perKey(): Promise<Map<string, number>>;
  /** `[writes, keys]` pairs in ascending order of writes, e.g. `[[1, 400]]`. */
  histogram(): Promise<Array<[number, number]>>;
  /**
   * The statements that wrote, in the order they ran, each with the lowest and highest `ord` it wrote.
   * A batched job writes each batch in one statement (one transaction); a keyset walk in key order
   * makes every statement's range end before the next one's begins.
   */
  statements(): Promise<Array<{ readonly minOrd: number; readonly maxOrd: number; readonly rows: number }>>;
}

const quoter = (engine: TestEngine) => (n: string) => (engine === 'postgres' ? `"${n}"` : `\`${n}\``);

export async function countTupleWrites(
  raw: RawConnection,
  engine: TestEngine,
  table: string,
  keySql: string,
): Promise<TupleWrites> {
  const q = quoter(engine);
  const counts = q(`${table}_writes`);
  const log = q(`${table}_write_log`);
  if (engine === 'postgres') {
    await raw.query(`CREATE TABLE ${counts} (k text PRIMARY KEY, n integer NOT NULL)`);
    await raw.query(
      `CREATE TABLE ${log} (seq bigserial PRIMARY KEY, ord bigint NOT NULL, stmt text NOT NULL)`,
    );
    const fn = q(`${table}_count_write`);
    // txid_current(): one batch is one transaction, so its rows share it.
    await raw.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${counts} AS w (k, n) VALUES ((${keySql})::text, 1) ON CONFLICT (k) DO UPDATE SET n = w.n + 1;
        INSERT INTO ${log} (ord, stmt) VALUES (OLD.ord, txid_current()::text);
        RETURN NULL;
      END $$`);
    await raw.query(
      `CREATE TRIGGER ${q(`${table}_count_write`)} AFTER UPDATE OR DELETE ON ${q(table)} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
  } else {
    await raw.query(`CREATE TABLE ${counts} (k varchar(200) PRIMARY KEY, n int NOT NULL)`);
    await raw.query(
      `CREATE TABLE ${log} (seq bigint AUTO_INCREMENT PRIMARY KEY, ord bigint NOT NULL, stmt varchar(80) NOT NULL)`,
    );
    for (const event of ['UPDATE', 'DELETE']) {
      // NOW(6) inside a trigger is the triggering statement's start: with the connection id, it
      // names the statement (MariaDB exposes no transaction id to a trigger).
      await raw.query(
        `CREATE TRIGGER ${q(`${table}_count_${event.toLowerCase()}`)} AFTER ${event} ON ${q(table)}
         FOR EACH ROW BEGIN
           INSERT INTO ${counts} (k, n) VALUES (${keySql}, 1) ON DUPLICATE KEY UPDATE n = n + 1;
           INSERT INTO ${log} (ord, stmt) VALUES (OLD.ord, CONCAT(CONNECTION_ID(), '@', NOW(6)));
         END`,
      );
    }
  }
  return {
    async perKey() {
      const rows = await raw.query<{ k: unknown; n: unknown }>(`SELECT k, n FROM ${counts}`);
      return new Map(rows.map((r) => [String(r.k), Number(r.n)]));
    },
    async histogram() {
      const rows = await raw.query<{ writes: unknown; keys: unknown }>(
        `SELECT n AS writes, count(*) AS ${q('keys')} FROM ${counts} GROUP BY n ORDER BY n`,
      );
      return rows.map((r) => [Number(r.writes), Number(r.keys)]);
    },
    async statements() {
      const rows = await raw.query<{ lo: unknown; hi: unknown; n: unknown }>(
        `SELECT min(ord) AS lo, max(ord) AS hi, count(*) AS n FROM ${log} GROUP BY stmt ORDER BY min(seq)`,
      );
      return rows.map((r) => ({ minOrd: Number(r.lo), maxOrd: Number(r.hi), rows: Number(r.n) }));
    },
  };
}

/**
 * Sets `ord` to each row's position when the server sorts the table by `keyColumns` (under each
 * column's own collation or byte order): the order a keyset walk must follow.
 */
export async function numberInKeyOrder(
  raw: RawConnection,
  engine: TestEngine,
  table: string,
  keyColumns: readonly string[],
): Promise<void> {
  const q = quoter(engine);
  const order = keyColumns.map(q).join(', ');
  const match = keyColumns.map((c) => `t.${q(c)} = r.${q(c)}`).join(' AND ');
  if (engine === 'postgres') {
    await raw.query(
      `UPDATE ${q(table)} t SET ord = r.rn FROM (SELECT ${order}, row_number() OVER (ORDER BY ${order}) AS rn FROM ${q(table)}) r WHERE ${match}`,
    );
  } else {
    await raw.query(
      `UPDATE ${q(table)} t JOIN (SELECT ${order}, row_number() OVER (ORDER BY ${order}) AS rn FROM ${q(table)}) r ON ${match} SET t.ord = r.rn`,
    );
  }
}

/** True when each statement's rows come after the previous statement's, in key order. */
export function walkedInKeyOrder(
  statements: ReadonlyArray<{ readonly minOrd: number; readonly maxOrd: number }>,
): boolean {
  return statements.every((s, i) => i === 0 || s.minOrd > statements[i - 1]!.maxOrd);
}
