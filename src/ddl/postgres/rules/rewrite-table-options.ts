import type { Rule, RuleHit } from '../../types';
import { alterCommands, type PgStatement } from '../statement';

const REWRITES: Record<string, string> = {
  AT_SetTableSpace: 'SET TABLESPACE copies the table to the new tablespace',
  AT_SetLogged: 'SET LOGGED rewrites the table into the WAL',
  AT_SetUnLogged: 'SET UNLOGGED rewrites the table',
  AT_SetAccessMethod: 'SET ACCESS METHOD rewrites the table',
};

export const rewriteTableOptions: Rule<PgStatement> = {
  id: 'pg-rewrite-table-options',
  engine: 'postgres',
  title: 'SET TABLESPACE / SET LOGGED / SET UNLOGGED / SET ACCESS METHOD',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'These rewrite the whole table while holding ACCESS EXCLUSIVE: no reads or writes until the copy ends.',
  safeAlternative:
    'Copy into a new table online (a lowtide archive-style job, or pg_repack --tablespace) and swap names in a brief step.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      const what = REWRITES[cmd.subtype ?? ''];
      if (what)
        hits.push({
          table: alter.table,
          why: `${what} ${alter.table} while holding ACCESS EXCLUSIVE: no reads or writes until it ends.`,
        });
    }
    return hits;
  },
};
