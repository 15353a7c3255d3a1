import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlDialect } from '../src/db/mysql/dialect';
import { postgresDialect } from '../src/db/postgres/dialect';
import type { Dialect } from '../src/db/types';
import type { BenchEngine } from './settings';

/**
 * One plain driver connection. The contenders that are not lowtide (the monolithic statement, the
 * hand-written loop), the seeding and the outcome checks go through it, never through lowtide.
 */
export interface SqlClient {
  readonly engine: BenchEngine;
  readonly dialect: Dialect;
  /** Rows of a SELECT; for other statements `affected` is the changed row count. */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<SqlResult<R>>;
  close(): Promise<void>;
}

export interface SqlResult<R> {
  readonly rows: R[];
  readonly affected: number;
}

export function dialectOf(engine: BenchEngine): Dialect {
  return engine === 'postgres' ? postgresDialect : mysqlDialect;
}

export async function connectSql(engine: BenchEngine, url: string): Promise<SqlClient> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: url, application_name: 'lowtide-bench' });
    // An idle connection killed by the server must not crash the bench through an unhandled event.
    client.on('error', () => {});
    await client.connect();
    return {
      engine,
      dialect: postgresDialect,
      async query<R>(text: string, values?: readonly unknown[]) {
        const r = await client.query(text, values as unknown[] | undefined);
        return { rows: r.rows as R[], affected: r.rowCount ?? 0 };
      },
      close: () => client.end(),
    };
  }
  const conn = await mysql.createConnection({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    // Matched rather than changed rows, like lowtide's own adapter, so counts compare across contenders.
    flags: ['FOUND_ROWS'],
  });
  conn.on('error', () => {});
  return {
    engine,
    dialect: mysqlDialect,
    async query<R>(text: string, values?: readonly unknown[]) {
      const [result] = await conn.query(text, values as unknown[] | undefined);
      if (Array.isArray(result)) return { rows: result as R[], affected: result.length };
      return { rows: [], affected: (result as { affectedRows?: number }).affectedRows ?? 0 };
    },
    close: () => conn.end(),
  };
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
