import type { TestEngine } from '../../support/databases';
import type { RawConnection } from '../../support/raw-sql';

/** A checksum of every row of `accounts`: equal before and after means nothing changed. */
export async function accountsChecksum(conn: RawConnection, engine: TestEngine): Promise<string> {
  if (engine === 'postgres') {
    const [row] = await conn.query<{ sum: string }>(
      "SELECT count(*) || ':' || md5(string_agg(a::text, ',' ORDER BY id)) AS sum FROM accounts a",
    );
    return row!.sum;
  }
  const [row] = await conn.query<{ sum: string }>(
    `SELECT CONCAT(COUNT(*), ':', SUM(CRC32(CONCAT_WS('|', id, IFNULL(tier, '<null>'), IFNULL(lifetime_value, '<null>'),
       IFNULL(note, '<null>'), applied_count, created_at)))) AS sum FROM accounts`,
  );
  return String(row!.sum);
}

export interface AccountsCounts {
  /** Rows the backfill changed exactly once. */
  readonly once: number;
  /** Rows changed more than once (must stay 0). */
  readonly twice: number;
  /** Rows that still need the backfill. */
  readonly pending: number;
  /** Rows that had a tier before and must not be touched. */
  readonly legacyTouched: number;
}

export async function accountsCounts(conn: RawConnection): Promise<AccountsCounts> {
  const [row] = await conn.query<Record<string, unknown>>(
    `SELECT SUM(CASE WHEN applied_count = 1 THEN 1 ELSE 0 END) AS once,
            SUM(CASE WHEN applied_count > 1 THEN 1 ELSE 0 END) AS twice,
            SUM(CASE WHEN tier IS NULL THEN 1 ELSE 0 END) AS pending,
            SUM(CASE WHEN tier = 'legacy' AND applied_count <> 0 THEN 1 ELSE 0 END) AS legacy_touched
       FROM accounts`,
  );
  const n = (v: unknown) => Number(v ?? 0);
  return {
    once: n(row!.once),
    twice: n(row!.twice),
    pending: n(row!.pending),
    legacyTouched: n(row!.legacy_touched),
  };
}

/** Whether a table exists in the test database (plan must not create the ledger). */
export async function tableExists(conn: RawConnection, engine: TestEngine, table: string): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await conn.query(
          'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1',
          [table],
        )
      : await conn.query(
          'SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
          [table],
        );
  return rows.length > 0;
}
