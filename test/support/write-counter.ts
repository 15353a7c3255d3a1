import type { TestEngine } from './databases';
import type { RawConnection } from './raw-sql';

/**
 * Counts the server's writes to each row of a table with a trigger, whoever made them: proof that
 * a job changed (or deleted) every row exactly once, independent of what the job itself reports.
 */
export interface WriteCounter {
  /** Writes per key, for keys written at least once. */
  perKey(): Promise<Map<string, number>>;
  /** `[writes, keys]` pairs in ascending order of writes, e.g. `[[1, 4000]]`. */
  histogram(): Promise<Array<[number, number]>>;
}

/**
 * Installs the counter on `table` (`schema.name`, or a name in the raw connection's default
 * schema/database). The counting table sits beside it and every name in the trigger is
 * qualified, so the count does not depend on the writer's search_path or default database.
 */
export async function countWrites(
  raw: RawConnection,
  engine: TestEngine,
  table: string,
  key = 'id',
): Promise<WriteCounter> {
  const [given, name] = table.includes('.') ? table.split('.') : [undefined, table];
  const schema = given ?? (await defaultSchema(raw, engine));
  const q = (n: string) => (engine === 'postgres' ? `"${n}"` : `\`${n}\``);
  const target = `${q(schema)}.${q(name!)}`;
  const counts = `${q(schema)}.${q(`${name}_writes`)}`;
  if (engine === 'postgres') {
    const fn = `${q(schema)}.${q(`${name}_count_write`)}`;
    await raw.query(`CREATE TABLE ${counts} (k text PRIMARY KEY, n integer NOT NULL)`);
    await raw.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${counts} AS w (k, n) VALUES (OLD.${q(key)}::text, 1)
          ON CONFLICT (k) DO UPDATE SET n = w.n + 1;
        RETURN NULL;
      END $$`);
    await raw.query(
      `CREATE TRIGGER ${q(`${name}_count_write`)} AFTER UPDATE OR DELETE ON ${target} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
  } else {
    await raw.query(`CREATE TABLE ${counts} (k varchar(100) PRIMARY KEY, n int NOT NULL)`);
    for (const event of ['UPDATE', 'DELETE']) {
      await raw.query(
        `CREATE TRIGGER ${q(schema)}.${q(`${name}_count_${event.toLowerCase()}`)} AFTER ${event} ON ${target}
         FOR EACH ROW INSERT INTO ${counts} (k, n) VALUES (OLD.${q(key)}, 1) ON DUPLICATE KEY UPDATE n = n + 1`,
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
  };
}

async function defaultSchema(raw: RawConnection, engine: TestEngine): Promise<string> {
  const rows = await raw.query<{ s: unknown }>(
    engine === 'postgres' ? 'SELECT current_schema() AS s' : 'SELECT DATABASE() AS s',
  );
  return String(rows[0]!.s);
}
