import { createMysqlDatabase } from './mysql';
import { createPostgresDatabase } from './postgres';
import type { Database } from './types';

export interface OpenDatabaseOptions {
  /** Connections kept per process; a Lambda needs one or two. */
  readonly poolSize?: number;
}

/** Opens a database from a URL: `postgres://` / `postgresql://`, or `mysql://` / `mariadb://`. */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Database {
  let scheme: string;
  try {
    scheme = new URL(url).protocol.replace(/:$/, '');
  } catch {
    throw new Error(
      'the database URL is not a URL: use postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db',
    );
  }
  if (scheme === 'postgres' || scheme === 'postgresql')
    return createPostgresDatabase({ url, poolSize: options.poolSize });
  if (scheme === 'mysql' || scheme === 'mariadb') {
    return createMysqlDatabase({ url: url.replace(/^mariadb:/, 'mysql:'), poolSize: options.poolSize });
  }
  throw new Error(`unsupported database URL scheme '${scheme}:': use postgres:// or mysql://`);
}
