import { createHash } from 'node:crypto';

/** MySQL refuses user lock names longer than 64 characters (ER_USER_LOCK_WRONG_NAME); MariaDB has no cap. */
const MAX_LOCK_NAME = 64;

/**
 * The `GET_LOCK` name for a job's advisory lock. User locks are server-wide on MySQL, while
 * PostgreSQL advisory locks belong to one database, so the name includes the database: two
 * databases on one server (a test run, a staging copy) running the same job do not block each
 * other. Names that would be too long keep a readable head and end in a hash of the whole name.
 */
export function mysqlLockName(database: string | null, lockName: string): string {
  const full = `lowtide/${database ?? ''}/${lockName}`;
  const printable = /^[\x20-\x7e]*$/.test(full);
  if (printable && full.length <= MAX_LOCK_NAME) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, 40);
  const head = `lowtide~${lockName.replace(/[^\x20-\x7e]/g, '_')}`.slice(
    0,
    MAX_LOCK_NAME - digest.length - 1,
  );
  return `${head}~${digest}`;
}
