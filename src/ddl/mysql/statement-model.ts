import type { MysqlOp, OnlineClauses } from './operations';

export interface SessionAssignment {
  readonly name: string;
  /** The value; undefined for DEFAULT or anything that is not a plain number or ON/OFF. */
  readonly value: number | undefined;
}

/** What a MySQL statement does, however node-sql-parser (or a fallback) read it. */
export type MysqlModel =
  | {
      readonly kind: 'alter';
      readonly table: string;
      readonly ops: readonly MysqlOp[];
      readonly clauses: OnlineClauses;
    }
  | { readonly kind: 'rename-tables'; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly kind: 'drop-tables'; readonly tables: readonly string[] }
  | { readonly kind: 'truncate'; readonly tables: readonly string[] }
  | { readonly kind: 'optimize'; readonly tables: readonly string[] }
  | { readonly kind: 'create-table'; readonly table: string }
  | { readonly kind: 'set'; readonly assignments: readonly SessionAssignment[] }
  | {
      readonly kind: 'dml';
      readonly verb: 'UPDATE' | 'DELETE';
      readonly table: string;
      readonly hasWhere: boolean;
    }
  | { readonly kind: 'other' };

/** MariaDB syntax node-sql-parser lacks, taken out before parsing and remembered here. */
export interface MariadbExtras {
  /** ALTER TABLE ... WAIT n / NOWAIT: this statement's own lock wait, in seconds. */
  readonly waitSeconds?: number;
  /** The statement uses MariaDB-only syntax, so it can only be meant for MariaDB. */
  readonly mariadbOnly?: boolean;
}
