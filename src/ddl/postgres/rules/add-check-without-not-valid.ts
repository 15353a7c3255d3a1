import type { Rule, RuleHit } from '../../types';
import {
  addedColumns,
  addedConstraints,
  alterCommands,
  columnConstraints,
  type PgStatement,
} from '../statement';

export const addCheckWithoutNotValid: Rule<PgStatement> = {
  id: 'pg-add-check-without-not-valid',
  engine: 'postgres',
  title: 'ADD CONSTRAINT ... CHECK without NOT VALID',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'PostgreSQL checks every existing row while holding ACCESS EXCLUSIVE: no reads or writes until the scan ends.',
  safeAlternative:
    'ADD CONSTRAINT ... CHECK (...) NOT VALID (a brief lock, new rows are checked from then on), then ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction: it scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const c of addedConstraints(stmt)) {
      if (c.contype === 'CONSTR_CHECK' && !c.skip_validation) {
        hits.push({
          table: alter.table,
          why: `CHECK constraint ${c.conname ?? '(unnamed)'} is validated at once: PostgreSQL reads every row of ${alter.table} while holding ACCESS EXCLUSIVE, so no reads or writes until the scan ends.`,
        });
      }
    }
    for (const column of addedColumns(stmt)) {
      if (columnConstraints(column).some((c) => c.contype === 'CONSTR_CHECK')) {
        hits.push({
          table: alter.table,
          why: `the inline CHECK on new column ${column.colname} is validated against every row of ${alter.table} while holding ACCESS EXCLUSIVE.`,
          safeAlternative:
            'Add the column without the CHECK, then ADD CONSTRAINT ... CHECK (...) NOT VALID and VALIDATE CONSTRAINT in a separate transaction.',
        });
      }
    }
    return hits;
  },
};
