import type { Rule } from '../../types';
import type { PgStatement } from '../statement';
import { blocksTraffic } from '../statement-lock';
import { SET_LOCK_TIMEOUT } from './texts';

export const missingLockTimeout: Rule<PgStatement> = {
  id: 'pg-missing-lock-timeout',
  engine: 'postgres',
  title: 'A statement taking SHARE or a stronger lock with no SET lock_timeout before it',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'Without lock_timeout the statement waits as long as any running transaction holds the table, and every query that arrives meanwhile waits behind it: even an instant ALTER can stall all traffic on a busy table.',
  safeAlternative: SET_LOCK_TIMEOUT,
  check(stmt) {
    if (stmt.assumeLockTimeout || !blocksTraffic(stmt.lock)) return [];
    if (stmt.lockTimeoutMs !== undefined && stmt.lockTimeoutMs <= stmt.maxLockTimeoutMs) return [];
    const setting =
      stmt.lockTimeoutMs === undefined
        ? 'no lock_timeout is set'
        : `lock_timeout is ${stmt.lockTimeoutMs} ms, longer than the ${stmt.maxLockTimeoutMs} ms lowtide accepts`;
    return [
      {
        table: stmt.table,
        lock: stmt.lock,
        why: `${setting}: this statement needs ${stmt.lock}${stmt.table ? ` on ${stmt.table}` : ''}, so it waits behind any running transaction on the table, and every query that arrives meanwhile waits behind it.`,
      },
    ];
  },
};
