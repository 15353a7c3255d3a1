import type { Rule } from '../../types';
import { nodeAs, optionOn, relationName } from '../nodes';
import { commandsOf, type PgStatement } from '../statement';

/** What the statement is, when PostgreSQL refuses to run it inside a transaction block. */
function outsideTransactionOnly(stmt: PgStatement): { what: string; table?: string } | undefined {
  const index = nodeAs(stmt.node, 'IndexStmt');
  if (index?.concurrent) return { what: 'CREATE INDEX CONCURRENTLY', table: relationName(index.relation) };
  const drop = nodeAs(stmt.node, 'DropStmt');
  if (drop?.concurrent) return { what: 'DROP INDEX CONCURRENTLY' };
  const reindex = nodeAs(stmt.node, 'ReindexStmt');
  if (reindex && optionOn(reindex.params, 'concurrently')) {
    return { what: 'REINDEX CONCURRENTLY', table: relationName(reindex.relation) };
  }
  const detach = commandsOf(stmt, 'AT_DetachPartition').some(
    (c) => nodeAs(c.def, 'PartitionCmd')?.concurrent,
  );
  if (detach)
    return {
      what: 'DETACH PARTITION CONCURRENTLY',
      table: relationName(nodeAs(stmt.node, 'AlterTableStmt')?.relation),
    };
  const vacuum = nodeAs(stmt.node, 'VacuumStmt');
  if (vacuum?.is_vacuumcmd) return { what: 'VACUUM' };
  return undefined;
}

export const concurrentlyInTransaction: Rule<PgStatement> = {
  id: 'pg-concurrently-in-transaction',
  engine: 'postgres',
  title: 'CONCURRENTLY (or VACUUM) inside BEGIN ... COMMIT',
  lock: 'SHARE UPDATE EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY and VACUUM inside a transaction block: the migration fails at that statement and everything before it in the transaction is rolled back.',
  safeAlternative:
    'Run the statement on its own, outside BEGIN ... COMMIT (and not in a multi-statement string, which PostgreSQL also runs as one transaction).',
  check(stmt) {
    if (!stmt.inTransaction) return [];
    const found = outsideTransactionOnly(stmt);
    if (!found) return [];
    return [
      {
        table: found.table,
        why: `${found.what} runs inside BEGIN ... COMMIT, where PostgreSQL refuses it: the migration fails here and the transaction's earlier statements are rolled back.`,
      },
    ];
  },
};
