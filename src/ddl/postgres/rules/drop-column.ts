import type { Rule } from '../../types';
import { alterCommands, commandsOf, type PgStatement } from '../statement';

export const dropColumn: Rule<PgStatement> = {
  id: 'pg-drop-column',
  engine: 'postgres',
  title: 'ALTER TABLE ... DROP COLUMN',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'The drop is instant (the column is only hidden), but running code that still reads or writes the column fails, and INSERTs that list every column break.',
  safeAlternative:
    'Stop using the column in every deployed version first (ignore it in the ORM), then drop it in a later deploy.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    return commandsOf(stmt, 'AT_DropColumn').map((c) => ({
      table: alter.table,
      why: `dropping ${alter.table}.${c.name} breaks every running query and application instance that still uses it.`,
    }));
  },
};
