import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { RehearsalEngine, RehearsalStage } from '../template/stage';

export interface ProvisionedDatabase {
  readonly engine: RehearsalEngine;
  /** The database's URL straight to the server (no front door), for the rehearsal's own checks. */
  readonly url: string;
  /** The Secrets Manager value as RDS stores it for a database's master or app user. */
  readonly secretString: string;
  drop(): Promise<void>;
}

function withDatabase(adminUrl: string, database: string): URL {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u;
}

/**
 * Creates the stage's database for one engine and a login with a password for it, and returns
 * the secret an RDS database would have in Secrets Manager: { username, password, engine, host,
 * port, dbname } ("AWS Secrets Manager secret JSON structure" for Amazon RDS credentials), with the
 * host and port of the front door the functions connect to.
 */
export async function provisionDatabase(
  engine: RehearsalEngine,
  adminUrl: string,
  stage: RehearsalStage,
): Promise<ProvisionedDatabase> {
  const target = stage.databases[engine];
  const name = target.database;
  const user = `${name}_app`;
  const password = randomBytes(12).toString('base64url');
  // Names are ours (lowtide_rh_<hex>_<engine>): checked, then quoted as identifiers.
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const direct = withDatabase(adminUrl, name);
  direct.username = user;
  direct.password = password;
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE "${user}" LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE "${name}" OWNER "${user}"`);
      // Lock waits of other sessions (the health gate reads them) need pg_read_all_stats.
      await admin.query(`GRANT pg_read_all_stats TO "${user}"`);
    } finally {
      await admin.end();
    }
  } else {
    const admin = await mysql.createConnection({ uri: adminUrl });
    try {
      await admin.query(`CREATE DATABASE \`${name}\``);
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${user}'@'%'`);
      // The health gate reads other sessions' lock waits and replication state.
      await admin.query(`GRANT PROCESS, REPLICATION CLIENT ON *.* TO '${user}'@'%'`);
    } finally {
      await admin.end();
    }
  }
  const secretString = JSON.stringify({
    username: user,
    password,
    engine: engine === 'postgres' ? 'postgres' : 'mysql',
    host: target.host,
    port: target.port,
    dbname: name,
  });
  return {
    engine,
    url: direct.toString(),
    secretString,
    async drop() {
      if (engine === 'postgres') {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await admin.query(`DROP ROLE IF EXISTS "${user}"`);
        } finally {
          await admin.end();
        }
      } else {
        const admin = await mysql.createConnection({ uri: adminUrl });
        try {
          await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
        } finally {
          await admin.end();
        }
      }
    },
  };
}
