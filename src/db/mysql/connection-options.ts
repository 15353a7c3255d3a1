import type { ConnectionOptions } from 'mysql2/promise';
import { DbError } from '../types';

/**
 * Driver settings lowtide depends on, whatever the URL says:
 * - BIGINT and DECIMAL come back as strings, so keys beyond 2^53 stay exact;
 * - dates come back as the server's text, never shifted through a JS Date;
 * - one statement per call: a fragment can never smuggle in a second one;
 * - FOUND_ROWS makes UPDATE report matched rows rather than changed rows, because the engine
 *   compares affected with selected and a row already holding the new value still counts.
 */
const FIXED: ConnectionOptions = {
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  multipleStatements: false,
  flags: ['FOUND_ROWS'],
};

/** Where a URL points, without its password: safe for messages and logs. */
export function describeMysqlUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '3306'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'an unparsable MySQL URL';
  }
}

function parseSsl(value: string): ConnectionOptions['ssl'] | undefined {
  if (value === 'true' || value === 'required') return { rejectUnauthorized: true };
  if (value === 'false' || value === 'disabled') return undefined;
  throw new DbError(
    'other',
    `the MySQL URL has ssl=${JSON.stringify(value)}; use ssl=true (verify the server certificate) or ssl=false`,
    undefined,
  );
}

/**
 * `?auth=iam`: the password is an RDS IAM authentication token. RDS for MySQL and MariaDB then ask
 * the client to switch to mysql_clear_password, which is how the token is sent, so the cleartext
 * plugin must be on, and TLS with it ("Connecting to your DB instance using IAM authentication from
 * the command line: AWS CLI and mysql client", Amazon RDS User Guide, has the mysql client's
 * --enable-cleartext-plugin and --ssl-ca for the same reason).
 */
function parseAuth(value: string): boolean {
  if (value === 'iam') return true;
  throw new DbError(
    'other',
    `the MySQL URL has auth=${JSON.stringify(value)}; the only value is auth=iam (the password is an RDS IAM token)`,
    undefined,
  );
}

/**
 * Turns `mysql://user:password@host:port/database?ssl=true[&auth=iam]` into mysql2 options. Other query
 * parameters are refused rather than passed on, because mysql2 would let them override the
 * settings above (e.g. `?multipleStatements=true`).
 */
export function mysqlConnectionOptions(url: string, extra: ConnectionOptions = {}): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DbError(
      'other',
      'the MySQL URL cannot be parsed; expected mysql://user:password@host:3306/database',
      undefined,
    );
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new DbError('other', `the MySQL URL must start with mysql:// (got ${u.protocol}//)`, undefined);
  }
  let ssl: ConnectionOptions['ssl'] | undefined;
  let iam = false;
  for (const [key, value] of u.searchParams) {
    if (key === 'ssl') ssl = parseSsl(value);
    else if (key === 'auth') iam = parseAuth(value);
    else {
      throw new DbError(
        'other',
        `the MySQL URL for ${describeMysqlUrl(url)} has an unsupported parameter ?${key}: lowtide sets driver options itself; remove it (only ?ssl=true and ?auth=iam are understood)`,
        undefined,
      );
    }
  }
  if (iam && !ssl) {
    throw new DbError(
      'other',
      `the MySQL URL for ${describeMysqlUrl(url)} uses IAM database authentication without TLS: the token would cross the network in clear text (mysql_clear_password); add ?ssl=true`,
      undefined,
    );
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    ...extra,
    host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    database: database === '' ? undefined : database,
    ...(ssl ? { ssl } : {}),
    // Only here, and only over TLS (checked above): mysql2 refuses the switch otherwise.
    ...(iam ? { enableCleartextPlugin: true } : {}),
    ...FIXED,
  };
}
