import type { Rule, RuleHit } from '../../types';
import { alterCommands, commandsOf, type PgStatement } from '../statement';

export const validateInSameTransaction: Rule<PgStatement> = {
  id: 'pg-validate-in-same-transaction',
  engine: 'postgres',
  title: 'VALIDATE CONSTRAINT in the same transaction as the ADD CONSTRAINT ... NOT VALID',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'The ADD CONSTRAINT took ACCESS EXCLUSIVE (SHARE ROW EXCLUSIVE for a foreign key), and a transaction keeps every lock it took until it ends: the VALIDATE scan then runs under it, so NOT VALID bought nothing.',
  safeAlternative:
    'COMMIT after ADD CONSTRAINT ... NOT VALID and run VALIDATE CONSTRAINT in its own transaction (its own migration, when the tool wraps each file in one): it scans under SHARE UPDATE EXCLUSIVE alone, which lets reads and writes go on.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of commandsOf(stmt, 'AT_ValidateConstraint')) {
      if (!cmd.name || !stmt.addedNotValidInThisTransaction(alter.table, cmd.name)) continue;
      hits.push({
        table: alter.table,
        why: `${cmd.name} was added NOT VALID earlier in this transaction, whose lock on ${alter.table} is still held: the VALIDATE scans every row of ${alter.table} under it, blocking writes (and, for a CHECK, reads) until the transaction ends.`,
      });
    }
    return hits;
  },
};
