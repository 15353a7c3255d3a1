import { createHash } from 'node:crypto';

/** MySQL refuses user lock names longer than 64 characters (ER_USER_LOCK_WRONG_NAME); MariaDB has no cap. */
const MAX_LOCK_NAME = 64;

/**
 * The `GET_LOCK` name for an advisory lock. User locks are server-wide on MySQL, while PostgreSQL
 * advisory locks belong to one database, so a name that does not say its database gets the
 * connection's (`database`): two databases on one server (a test run, a staging copy) running the
 * same recipe do not block each other. A name that already says its database (a job's lock names
 * its table as database.table) is passed with `database` undefined and kept as it is, whatever
 * database the connection URL names. Names that would be too long keep a readable head and end
 * in a hash of the whole name.
 */
export function mysqlLockName(database: string | null | undefined, lockName: string): string {
  const full = database === undefined ? `lowtide/${lockName}` : `lowtide/${database ?? ''}/${lockName}`;
  const printable = /^[\x20-\x7e]*$/.test(full);
  if (printable && full.length <= MAX_LOCK_NAME) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, 40);
  const head = `lowtide~${lockName.replace(/[^\x20-\x7e]/g, '_')}`.slice(
    0,
    MAX_LOCK_NAME - digest.length - 1,
  );
  return `${head}~${digest}`;
}
