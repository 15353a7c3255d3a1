import type { Rule } from '../../types';
import { nodeAs, optionOn, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const vacuumFull: Rule<PgStatement> = {
  id: 'pg-vacuum-full',
  engine: 'postgres',
  title: 'VACUUM FULL',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'VACUUM FULL writes a new copy of the table and its indexes while holding ACCESS EXCLUSIVE: no reads or writes until it finishes, and it needs disk for a second copy.',
  safeAlternative:
    'Plain VACUUM (no lock on reads or writes) to make space reusable; to give space back to the OS online, use pg_repack or pg_squeeze.',
  check(stmt) {
    const vacuum = nodeAs(stmt.node, 'VacuumStmt');
    if (!vacuum || !optionOn(vacuum.options, 'full')) return [];
    const tables = (vacuum.rels ?? [])
      .map((r) => relationName(nodeAs(r, 'VacuumRelation')?.relation))
      .filter((t) => t !== undefined);
    if (tables.length === 0) {
      return [
        {
          why: 'VACUUM FULL without a table rewrites every table of the database, each under ACCESS EXCLUSIVE.',
        },
      ];
    }
    return tables.map((table) => ({
      table,
      why: `VACUUM FULL rewrites ${table} and its indexes while holding ACCESS EXCLUSIVE: no reads or writes until it finishes.`,
    }));
  },
};
