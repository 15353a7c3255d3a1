import type { Finding, RuleHit, RuleInfo } from '../../types';
import type { PgStatement } from '../statement';
import { blocksTraffic } from '../statement-lock';

/**
 * Not a check of its own: it reads the findings of the other rules on the same statement. A
 * statement that holds a lock blocking traffic for as long as it scans or rewrites the table
 * should run under a statement_timeout, so a table bigger than expected (or a consented
 * statement) stalls traffic for a bounded time and is rolled back rather than for hours.
 */
export const statementTimeoutRule: RuleInfo = {
  id: 'pg-missing-statement-timeout',
  engine: 'postgres',
  title:
    'A statement that scans or rewrites a table under a lock blocking writes, with no SET statement_timeout before it',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'warn',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: false,
  why: 'The statement holds its lock for as long as it reads or rewrites the table, and without statement_timeout nothing bounds that time: a table bigger than expected stalls every query on it until the statement ends.',
  safeAlternative:
    "SET statement_timeout = '...' before it, a little above how long the statement should take on this table: past it, PostgreSQL cancels the statement and releases the lock.",
};

export function statementTimeoutHit(stmt: PgStatement, findings: readonly Finding[]): RuleHit | undefined {
  if (stmt.assumeLockTimeout || stmt.statementTimeoutMs !== undefined) return undefined;
  const heavy = findings.find(
    (f) => f.severity !== 'note' && (f.scansTable || f.rewritesTable) && blocksTraffic(f.lock),
  );
  if (!heavy) return undefined;
  return {
    table: heavy.table,
    lock: heavy.lock,
    why: `no statement_timeout is set: ${heavy.rule} holds ${heavy.lock}${heavy.table ? ` on ${heavy.table}` : ''} for as long as the statement ${heavy.rewritesTable ? 'rewrites' : 'scans'} the table, and nothing bounds that time.`,
  };
}
