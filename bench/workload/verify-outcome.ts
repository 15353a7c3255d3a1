import type { SqlClient } from '../sql-client';
import { PURGE_CUTOFF, SCORE_EXPRESSION, type WorkItem } from './work-items';

export interface OutcomeCheck {
  readonly ok: boolean;
  /** What was counted, in words. */
  readonly detail: string;
}

async function count(client: SqlClient, table: string, where: string): Promise<number> {
  const t = client.dialect.quoteIdent(table);
  const { rows } = await client.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${t} WHERE ${where}`);
  return Number(rows[0]?.n ?? Number.NaN);
}

/**
 * Counts what a contender left behind, independently of how it worked: a backfill must have set
 * every row to the expected value; a purge must have removed every expired row and no other.
 */
export async function verifyOutcome(client: SqlClient, item: WorkItem): Promise<OutcomeCheck> {
  if (item.kind === 'backfill') {
    const total = await count(client, item.table, '1 = 1');
    const wrong = await count(client, item.table, `score IS NULL OR score <> ${SCORE_EXPRESSION}`);
    const ok = total === item.tableRows && wrong === 0;
    return {
      ok,
      detail: `${total} rows, ${wrong} not backfilled to ${SCORE_EXPRESSION} (expected ${item.tableRows} and 0)`,
    };
  }
  const expired = await count(client, item.table, `expires_at < '${PURGE_CUTOFF}'`);
  const kept = await count(client, item.table, 'MOD(id, 2) = 0');
  const total = await count(client, item.table, '1 = 1');
  const survivors = item.tableRows - item.targetRows;
  const ok = expired === 0 && kept === survivors && total === survivors;
  return {
    ok,
    detail: `${expired} expired rows left, ${kept} of ${survivors} valid rows kept, ${total} rows in all`,
  };
}
