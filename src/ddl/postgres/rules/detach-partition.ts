import type { Rule, RuleHit } from '../../types';
import { atLeast } from '../../versions';
import { nodeAs, relationName } from '../nodes';
import { alterCommands, commandsOf, type PgStatement } from '../statement';

export const detachPartition: Rule<PgStatement> = {
  id: 'pg-detach-partition-without-concurrently',
  engine: 'postgres',
  title: 'ALTER TABLE ... DETACH PARTITION without CONCURRENTLY',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'A plain DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned table and the partition: it waits behind every running query on any partition, and every query on the table waits behind it.',
  safeAlternative:
    'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside any transaction: it takes SHARE UPDATE EXCLUSIVE on the parent, so queries go on.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of commandsOf(stmt, 'AT_DetachPartition')) {
      const partition = nodeAs(cmd.def, 'PartitionCmd');
      if (partition?.concurrent) continue;
      hits.push({
        table: alter.table,
        why: `DETACH PARTITION ${relationName(partition?.name) ?? ''} takes ACCESS EXCLUSIVE on ${alter.table}: every query on the partitioned table waits behind it.`,
        ...(atLeast(stmt.version, 14)
          ? {}
          : {
              safeAlternative:
                'PostgreSQL before 14 has no DETACH PARTITION CONCURRENTLY: run it with a short lock_timeout and retry, at a quiet time.',
            }),
      });
    }
    return hits;
  },
};
