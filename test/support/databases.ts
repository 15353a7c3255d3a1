import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { inject } from 'vitest';

export type TestEngine = 'postgres' | 'mysql';

export interface TestDatabase {
  readonly engine: TestEngine;
  /** Name of the database created for this test file. */
  readonly name: string;
  /** URL of that database, for lowtide's adapters. */
  readonly url: string;
  /** Drops the database (and, on PostgreSQL, ends its sessions). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates a fresh, empty database for one test file on the suite's server, so files can run in
 * parallel without seeing each other's tables, ledgers or locks.
 */
export async function createTestDatabase(engine: TestEngine): Promise<TestDatabase> {
  const adminUrl = inject('databases')[engine];
  const name = `lowtide_test_${randomBytes(5).toString('hex')}`;
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return {
      engine,
      name,
      url: withDatabase(adminUrl, name),
      drop: async () => {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
    };
  }
  const admin = await mysql.createConnection({ uri: adminUrl });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    engine,
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const c = await mysql.createConnection({ uri: adminUrl });
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Both engines, for `describe.each(ENGINES)`: every behaviour is proven on PostgreSQL and on MariaDB. */
export const ENGINES: readonly TestEngine[] = ['postgres', 'mysql'];
