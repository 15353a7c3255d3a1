import type { Rule, RuleHit } from '../../types';
import { atLeast } from '../../versions';
import { names } from '../nodes';
import { addedConstraints, alterCommands, commandsOf, type PgStatement } from '../statement';
import { NOT_NULL_RECIPE } from './texts';

export const setNotNull: Rule<PgStatement> = {
  id: 'pg-set-not-null',
  engine: 'postgres',
  title: 'ALTER COLUMN ... SET NOT NULL without a validated CHECK (col IS NOT NULL)',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'PostgreSQL scans the whole table to prove no NULL is left, holding ACCESS EXCLUSIVE the whole time: no reads or writes until the scan ends.',
  safeAlternative: NOT_NULL_RECIPE,
  async check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const columns = commandsOf(stmt, 'AT_SetNotNull').map((c) => c.name ?? '');
    // PostgreSQL 18 spells the same thing as a named NOT NULL constraint; NOT VALID skips the scan.
    for (const c of addedConstraints(stmt)) {
      if (c.contype === 'CONSTR_NOTNULL' && !c.skip_validation) columns.push(...names(c.keys));
    }
    const hits: RuleHit[] = [];
    for (const column of columns) {
      if (await stmt.notNullProven(alter.table, column)) continue;
      if (!atLeast(stmt.version, 12)) {
        hits.push({
          table: alter.table,
          why: `before PostgreSQL 12, SET NOT NULL scans every row of ${alter.table} to prove ${column} holds no NULL, holding ACCESS EXCLUSIVE the whole time, even when a validated CHECK (${column} IS NOT NULL) exists.`,
          safeAlternative:
            'On PostgreSQL 11 and older, keep the validated CHECK (col IS NOT NULL) NOT VALID + VALIDATE instead of SET NOT NULL, or run SET NOT NULL in a maintenance window; from PostgreSQL 12 the validated check lets SET NOT NULL skip the scan.',
        });
        continue;
      }
      hits.push({
        table: alter.table,
        why: `no validated CHECK (${column} IS NOT NULL) is known on ${alter.table}, so PostgreSQL scans every row to prove ${column} holds no NULL, holding ACCESS EXCLUSIVE the whole time: no reads or writes until the scan ends.`,
      });
    }
    return hits;
  },
};
