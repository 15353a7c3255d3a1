import { randomBytes } from 'node:crypto';
import { BenchSetupError } from './errors';
import type { BenchEngine } from './settings';
import { connectSql, redactUrl, type SqlClient, withDatabase } from './sql-client';

export interface BenchDatabase {
  readonly engine: BenchEngine;
  readonly name: string;
  /** URL of the bench's own database, for every contender. */
  readonly url: string;
  /** Server version as the server reports it, for the results file. */
  readonly serverVersion: string;
  drop(): Promise<void>;
}

async function admin(engine: BenchEngine, adminUrl: string): Promise<SqlClient> {
  try {
    return await connectSql(engine, adminUrl);
  } catch (error) {
    const variable = engine === 'postgres' ? 'LOWTIDE_BENCH_PG_URL' : 'LOWTIDE_BENCH_MYSQL_URL';
    throw new BenchSetupError(
      `cannot reach the ${engine} server at ${redactUrl(adminUrl)} (${(error as Error).message}): ` +
        `start it, or point ${variable} at an admin URL of a server the bench may create databases on`,
    );
  }
}

/**
 * A database of its own for one bench run, so the bench never touches another database's tables;
 * dropped at the end (PostgreSQL: its sessions are ended first).
 */
export async function createBenchDatabase(engine: BenchEngine, adminUrl: string): Promise<BenchDatabase> {
  const name = `lowtide_bench_${randomBytes(4).toString('hex')}`;
  const client = await admin(engine, adminUrl);
  let serverVersion: string;
  try {
    await client.query(`CREATE DATABASE ${client.dialect.quoteIdent(name)}`);
    const { rows } = await client.query<{ v: string }>('SELECT version() AS v');
    serverVersion = String(rows[0]?.v ?? 'unknown');
  } finally {
    await client.close();
  }
  return {
    engine,
    name,
    url: withDatabase(adminUrl, name),
    serverVersion,
    async drop() {
      const c = await admin(engine, adminUrl);
      try {
        const force = engine === 'postgres' ? ' WITH (FORCE)' : '';
        await c.query(`DROP DATABASE IF EXISTS ${c.dialect.quoteIdent(name)}${force}`);
      } finally {
        await c.close();
      }
    },
  };
}
