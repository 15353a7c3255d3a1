import mysql from 'mysql2/promise';
import pg from 'pg';

export interface TestDatabaseUrls {
  /** An admin URL for a PostgreSQL server; test files create their own databases on it. */
  readonly postgres: string;
  /** An admin URL for a MySQL or MariaDB server. */
  readonly mysql: string;
}

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_MYSQL = 'mysql://root@127.0.0.1:3306/test';

const HOW_TO = `Start the local servers, or point the suite at yours:
  LOWTIDE_TEST_PG_URL=postgres://user:pass@host:5432/db
  LOWTIDE_TEST_MYSQL_URL=mysql://user:pass@host:3306/db
or run a Docker engine so the suite can start containers (testcontainers).`;

async function reachable(engine: 'postgres' | 'mysql', url: string): Promise<string | undefined> {
  try {
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    } else {
      const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
      await conn.end();
    }
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function resolveTestDatabases(): Promise<{ urls: TestDatabaseUrls; stop: () => Promise<void> }> {
  const pgUrl = process.env.LOWTIDE_TEST_PG_URL ?? DEFAULT_PG;
  const myUrl = process.env.LOWTIDE_TEST_MYSQL_URL ?? DEFAULT_MYSQL;
  const [pgProblem, myProblem] = await Promise.all([reachable('postgres', pgUrl), reachable('mysql', myUrl)]);
  if (!pgProblem && !myProblem) return { urls: { postgres: pgUrl, mysql: myUrl }, stop: async () => {} };

  if (!(await dockerAvailable())) {
    const problems = [
      pgProblem && `PostgreSQL at ${redact(pgUrl)}: ${pgProblem}`,
      myProblem && `MySQL at ${redact(myUrl)}: ${myProblem}`,
    ].filter(Boolean);
    throw new Error(
      `lowtide's tests need real databases and cannot reach them.\n${problems.join('\n')}\n${HOW_TO}`,
    );
  }

  const stops: Array<() => Promise<unknown>> = [];
  let postgres = pgUrl;
  let mysqlUrl = myUrl;
  if (pgProblem) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const c = await new PostgreSqlContainer('postgres:15').start();
    stops.push(() => c.stop());
    postgres = c.getConnectionUri();
  }
  if (myProblem) {
    const { MariaDbContainer } = await import('@testcontainers/mariadb');
    const c = await new MariaDbContainer('mariadb:10.11').withUserPassword('root').start();
    stops.push(() => c.stop());
    mysqlUrl = `mysql://root:root@${c.getHost()}:${c.getPort()}/${c.getDatabase()}`;
  }
  return {
    urls: { postgres, mysql: mysqlUrl },
    stop: async () => {
      await Promise.all(stops.map((s) => s()));
    },
  };
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
