import mysql from 'mysql2/promise';
import pg from 'pg';
import type { TestDatabase } from './databases';

/**
 * A plain driver connection to a test database, independent of lowtide's adapters: tests set up
 * fixtures and check outcomes through it, and play the application's own sessions.
 */
export interface RawConnection {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Server-side id: PostgreSQL backend pid or MySQL connection id. */
  readonly id: number;
  close(): Promise<void>;
}

export async function connectRaw(db: Pick<TestDatabase, 'engine' | 'url'>): Promise<RawConnection> {
  if (db.engine === 'postgres') {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const id = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    return {
      id,
      query: async (text, values) => (await client.query(text, values)).rows,
      close: () => client.end(),
    };
  }
  const conn = await mysql.createConnection({
    uri: db.url,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  return {
    id: conn.threadId,
    query: async <R>(text: string, values?: unknown[]) => {
      const [rows] = await conn.query(text, values);
      return (Array.isArray(rows) ? rows : [rows]) as R[];
    },
    close: () => conn.end(),
  };
}

/** Runs `fn` while a global MySQL setting is changed, serialised across test files by a named lock. */
export async function withMysqlGlobal<T>(
  db: TestDatabase,
  assignment: string,
  restore: string,
  fn: () => Promise<T>,
): Promise<T> {
  const conn = await connectRaw(db);
  try {
    await conn.query("SELECT GET_LOCK('lowtide_test_global_settings', 60)");
    await conn.query(`SET GLOBAL ${assignment}`);
    try {
      return await fn();
    } finally {
      await conn.query(`SET GLOBAL ${restore}`);
      await conn.query("SELECT RELEASE_LOCK('lowtide_test_global_settings')");
    }
  } finally {
    await conn.close();
  }
}
