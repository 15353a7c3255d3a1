import type { Constraint } from 'libpg-query';
import type { Rule, RuleHit } from '../../types';
import { relationName } from '../nodes';
import {
  addedColumns,
  addedConstraints,
  alterCommands,
  columnConstraints,
  type PgStatement,
} from '../statement';

function describe(table: string, c: Constraint): string {
  const referenced = relationName(c.pktable) ?? 'the referenced table';
  return `foreign key ${c.conname ?? '(unnamed)'} is validated at once: PostgreSQL holds SHARE ROW EXCLUSIVE on ${table} and on ${referenced} (no writes to either) while it checks every row of ${table}.`;
}

export const addForeignKeyWithoutNotValid: Rule<PgStatement> = {
  id: 'pg-add-foreign-key-without-not-valid',
  engine: 'postgres',
  title: 'ADD FOREIGN KEY (or REFERENCES) without NOT VALID',
  lock: 'SHARE ROW EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'PostgreSQL checks every existing row against the referenced table while holding SHARE ROW EXCLUSIVE on both tables: writes to either wait until the check ends.',
  safeAlternative:
    'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID (a brief lock; new rows are checked from then on), then VALIDATE CONSTRAINT in a separate transaction: it takes SHARE UPDATE EXCLUSIVE on the table and ROW SHARE on the referenced one, so writes go on.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const c of addedConstraints(stmt)) {
      if (c.contype === 'CONSTR_FOREIGN' && !c.skip_validation)
        hits.push({ table: alter.table, why: describe(alter.table, c) });
    }
    for (const column of addedColumns(stmt)) {
      for (const c of columnConstraints(column)) {
        if (c.contype === 'CONSTR_FOREIGN') hits.push({ table: alter.table, why: describe(alter.table, c) });
      }
    }
    return hits;
  },
};
