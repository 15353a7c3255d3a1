import type { Dialect } from '../../src/db/types';

/**
 * The application's side of the table: a read of one row and a write of one row, by random id,
 * each its own autocommit statement. The write touches a column no contender changes, so it never
 * undoes their work, but it needs the same row locks they take.
 */
export function foregroundStatements(dialect: Dialect, table: string) {
  const t = dialect.quoteIdent(table);
  const p = dialect.placeholder(1);
  return {
    read: `SELECT id, amount, touched, score FROM ${t} WHERE id = ${p}`,
    write: `UPDATE ${t} SET touched = touched + 1 WHERE id = ${p}`,
  };
}
