import type { Rule } from '../../types';
import type { MyStatement } from '../statement';

const NEEDS_METADATA_LOCK = new Set(['alter', 'rename-tables', 'drop-tables', 'truncate', 'optimize']);

export const missingLockWaitTimeout: Rule<MyStatement> = {
  id: 'mysql-missing-lock-wait-timeout',
  engine: 'mysql',
  title: 'DDL with no short SET lock_wait_timeout before it',
  lock: 'EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'Every ALTER, even an INSTANT one, needs an exclusive metadata lock. It waits behind any open transaction that touched the table (lock_wait_timeout defaults to a year), and every query that arrives meanwhile waits behind it: the table stalls.',
  safeAlternative:
    'SET SESSION lock_wait_timeout = 5 (seconds, or less) before the DDL and retry on timeout (ER_LOCK_WAIT_TIMEOUT); on MariaDB, ALTER TABLE t WAIT 5 ... does the same for one statement.',
  check(stmt) {
    if (stmt.assumeLockTimeout || !NEEDS_METADATA_LOCK.has(stmt.model.kind)) return [];
    const ms = stmt.lockWaitSeconds === undefined ? undefined : stmt.lockWaitSeconds * 1000;
    if (ms !== undefined && ms <= stmt.maxLockTimeoutMs) return [];
    const setting =
      ms === undefined
        ? 'no lock_wait_timeout is set (the server default is a year)'
        : `lock_wait_timeout is ${stmt.lockWaitSeconds} s, longer than the ${stmt.maxLockTimeoutMs / 1000} s lowtide accepts`;
    return [
      {
        table: stmt.table,
        why: `${setting}: the exclusive metadata lock this statement needs${stmt.table ? ` on ${stmt.table}` : ''} waits behind any open transaction on the table, and every query that arrives meanwhile waits behind it.`,
      },
    ];
  },
};
