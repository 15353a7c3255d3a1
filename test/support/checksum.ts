import type { TestEngine } from './databases';
import type { RawConnection } from './raw-sql';

/**
 * A checksum of a whole table computed by the server from each value's exact text form, so it
 * sees what a driver would round (microseconds, long decimals, binary bytes).
 */
export async function tableChecksum(
  conn: RawConnection,
  engine: TestEngine,
  table: string,
  key = 'id',
): Promise<string> {
  if (engine === 'postgres') {
    const rows = await conn.query<{ sum: string | null; n: string }>(
      `SELECT md5(string_agg(CAST(t AS text), '|' ORDER BY t.${key})) AS sum, count(*) AS n FROM ${table} t`,
    );
    return `${rows[0]!.n}:${rows[0]!.sum}`;
  }
  const columns = await conn.query<{ c: string }>(
    'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [table],
  );
  const quoted = columns.map((r) => `QUOTE(\`${r.c}\`)`).join(', ');
  await conn.query('SET SESSION group_concat_max_len = 1073741824');
  const rows = await conn.query<{ sum: string | null; n: unknown }>(
    `SELECT MD5(GROUP_CONCAT(CONCAT_WS(',', ${quoted}) ORDER BY \`${key}\` SEPARATOR '|')) AS sum, count(*) AS n FROM \`${table}\``,
  );
  return `${rows[0]!.n}:${rows[0]!.sum}`;
}
