import type { Rule, RuleHit } from '../../types';
import { typeName } from '../nodes';
import { addedColumns, alterCommands, columnConstraints, type PgStatement } from '../statement';
import { NOT_NULL_RECIPE } from './texts';

const FILLED_BY_SERVER = new Set(['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED']);
const SERIAL = /^(small|big)?serial[248]?$/;

export const addColumnNotNull: Rule<PgStatement> = {
  id: 'pg-add-column-not-null-without-default',
  engine: 'postgres',
  title: 'ADD COLUMN ... NOT NULL without a DEFAULT',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'Every existing row would hold NULL in the new column, so PostgreSQL checks the table under ACCESS EXCLUSIVE and fails the statement as soon as the table has a row.',
  safeAlternative: NOT_NULL_RECIPE,
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const column of addedColumns(stmt)) {
      const constraints = columnConstraints(column);
      const notNull = constraints.some(
        (c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY',
      );
      const filled =
        SERIAL.test(typeName(column.typeName)) ||
        constraints.some((c) => FILLED_BY_SERVER.has(c.contype ?? ''));
      if (notNull && !filled) {
        hits.push({
          table: alter.table,
          why: `column ${column.colname} is NOT NULL with no DEFAULT: every existing row of ${alter.table} would hold NULL, so the statement fails on a table with rows (after waiting for ACCESS EXCLUSIVE and checking the table).`,
        });
      }
    }
    return hits;
  },
};
