import type { SqlClient } from '../sql-client';
import type { WorkItem } from './work-items';

/** Rows per seeding statement: large enough to be quick, small enough to keep undo and WAL modest. */
const CHUNK = 100_000;
const DIGITS = 'bench_digits';

function createTable(client: SqlClient, table: string): string {
  const t = client.dialect.quoteIdent(table);
  if (client.engine === 'postgres') {
    return `CREATE TABLE ${t} (
      id bigint NOT NULL, account_id integer NOT NULL, amount integer NOT NULL,
      touched integer NOT NULL DEFAULT 0, score bigint NULL,
      expires_at timestamp NOT NULL, note char(32) NOT NULL)`;
  }
  return `CREATE TABLE ${t} (
      id bigint NOT NULL PRIMARY KEY, account_id int NOT NULL, amount int NOT NULL,
      touched int NOT NULL DEFAULT 0, score bigint NULL,
      expires_at datetime NOT NULL, note char(32) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

/** Column values as functions of the id `n`, identical on both engines (the checks recompute them). */
function rowValues(client: SqlClient, n: string): string {
  const expired = `TIMESTAMP '2019-06-01 00:00:00' + ${
    client.engine === 'postgres' ? `(${n} % 1000) * INTERVAL '1 minute'` : `INTERVAL (${n} % 1000) MINUTE`
  }`;
  const hash = client.engine === 'postgres' ? `md5(${n}::text)` : `MD5(${n})`;
  return `${n}, ${n} % 50000 + 1, (${n} * 37) % 10000, 0, NULL,
    CASE WHEN ${n} % 2 = 1 THEN ${expired} ELSE TIMESTAMP '2030-01-01 00:00:00' END, ${hash}`;
}

async function insertChunk(client: SqlClient, table: string, from: number, to: number): Promise<void> {
  const t = client.dialect.quoteIdent(table);
  const columns = '(id, account_id, amount, touched, score, expires_at, note)';
  if (client.engine === 'postgres') {
    await client.query(
      `INSERT INTO ${t} ${columns} SELECT ${rowValues(client, 'g')} FROM generate_series($1::bigint, $2::bigint) AS g`,
      [from, to],
    );
    return;
  }
  // MySQL has no generate_series; five joins of a ten-row table make 100,000 numbers.
  const d = client.dialect.quoteIdent(DIGITS);
  await client.query(
    `INSERT INTO ${t} ${columns}
     SELECT ${rowValues(client, 's.n')} FROM (
       SELECT ? + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n
       FROM ${d} a, ${d} b, ${d} c, ${d} e, ${d} f) AS s
     WHERE s.n <= ? ORDER BY s.n`,
    [from, to],
  );
}

/**
 * Creates the work item's table from scratch and fills it, then leaves it as a long-lived table
 * would be: statistics gathered, and on PostgreSQL vacuumed and checkpointed, so no contender pays
 * for the seeding's hint bits or dirty pages.
 */
export async function seedTable(client: SqlClient, item: WorkItem): Promise<void> {
  const t = client.dialect.quoteIdent(item.table);
  await client.query(`DROP TABLE IF EXISTS ${t}`);
  await client.query(createTable(client, item.table));
  if (client.engine === 'mysql') {
    const d = client.dialect.quoteIdent(DIGITS);
    await client.query(`CREATE TABLE IF NOT EXISTS ${d} (d int NOT NULL PRIMARY KEY)`);
    await client.query(`INSERT IGNORE INTO ${d} (d) VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`);
  }
  for (let from = 1; from <= item.tableRows; from += CHUNK) {
    await insertChunk(client, item.table, from, Math.min(item.tableRows, from + CHUNK - 1));
  }
  if (client.engine === 'postgres') {
    await client.query(
      `ALTER TABLE ${t} ADD CONSTRAINT ${client.dialect.quoteIdent(`${item.table}_pkey`)} PRIMARY KEY (id)`,
    );
    await client.query(`VACUUM (ANALYZE) ${t}`);
    // Needs superuser or pg_checkpoint; without it the contenders simply share the server's own schedule.
    await client.query('CHECKPOINT').catch(() => {});
  } else {
    await client.query(`ANALYZE TABLE ${t}`);
  }
}

export async function dropTable(client: SqlClient, item: WorkItem): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${client.dialect.quoteIdent(item.table)}`);
}
