import type { MysqlRunner } from './run-query';
import { runQuery } from './run-query';

/** MySQL and MariaDB share the protocol but differ in timeouts, replica status columns and EXPLAIN. */
export type MysqlFlavour = 'mysql' | 'mariadb';

export interface MysqlServerInfo {
  readonly flavour: MysqlFlavour;
  /** The version without build suffixes: `10.11.19`, `8.0.36`, or Aurora's `8.0.mysql_aurora.3.05.2`. */
  readonly version: string;
  /** The database the connection URL names, or null when it names none. */
  readonly database: string | null;
}

/** Reads `VERSION()` the way both servers spell it: MariaDB always says `MariaDB` in it. */
export function parseServerVersion(raw: string): { flavour: MysqlFlavour; version: string } {
  const flavour: MysqlFlavour = /mariadb/i.test(raw) ? 'mariadb' : 'mysql';
  return { flavour, version: raw.split('-')[0] ?? raw };
}

export async function readServerInfo(runner: MysqlRunner): Promise<MysqlServerInfo> {
  const { rows } = await runQuery<{ version: string; db: string | null }>(
    runner,
    'SELECT VERSION() AS version, DATABASE() AS db',
  );
  const row = rows[0]!;
  return { ...parseServerVersion(String(row.version)), database: row.db ?? null };
}
