import type { AlterTableCmd, ColumnDef, Constraint, Node } from 'libpg-query';
import type { ColumnFacts, LockClass, ScriptStatement } from '../types';
import type { ServerVersion } from '../versions';
import { nodeAs, relationName } from './nodes';

/** One parsed PostgreSQL statement, with what the script did before it. */
export interface PgStatement extends ScriptStatement {
  readonly node: Node;
  /** The table the statement works on, when there is one. */
  readonly table?: string;
  /** The strongest table lock the statement takes. */
  readonly lock: LockClass;
  /** Inside an explicit BEGIN ... COMMIT. */
  readonly inTransaction: boolean;
  /** lock_timeout in force for this statement, in ms; undefined when none is set (or it is 0). */
  readonly lockTimeoutMs: number | undefined;
  /** statement_timeout in force for this statement, in ms; undefined when none is set (or it is 0). */
  readonly statementTimeoutMs: number | undefined;
  /** The PostgreSQL release the rules apply for. */
  readonly version: ServerVersion;
  readonly assumeLockTimeout: boolean;
  readonly maxLockTimeoutMs: number;
  /** A validated CHECK (col IS NOT NULL) exists (earlier in the script or in the catalog), or the column is NOT NULL already. */
  notNullProven(table: string, column: string): Promise<boolean>;
  column(table: string, column: string): Promise<ColumnFacts | undefined>;
  /** The constraint was added NOT VALID earlier in the transaction block still open. */
  addedNotValidInThisTransaction(table: string, constraint: string): boolean;
}

export interface AlterCommands {
  readonly table: string;
  readonly cmds: readonly AlterTableCmd[];
}

/** The subcommands of an ALTER TABLE, or undefined for any other statement. */
export function alterCommands(stmt: PgStatement): AlterCommands | undefined {
  const alter = nodeAs(stmt.node, 'AlterTableStmt');
  const table = relationName(alter?.relation);
  if (!alter || !table || (alter.objtype && alter.objtype !== 'OBJECT_TABLE')) return undefined;
  const cmds = (alter.cmds ?? []).map((c) => nodeAs(c, 'AlterTableCmd')).filter((c) => c !== undefined);
  return { table, cmds };
}

export function commandsOf(stmt: PgStatement, subtype: AlterTableCmd['subtype']): AlterTableCmd[] {
  return (alterCommands(stmt)?.cmds ?? []).filter((c) => c.subtype === subtype);
}

/** The column definitions of ADD COLUMN subcommands. */
export function addedColumns(stmt: PgStatement): ColumnDef[] {
  return commandsOf(stmt, 'AT_AddColumn')
    .map((c) => nodeAs(c.def, 'ColumnDef'))
    .filter((d) => d !== undefined);
}

export function columnConstraints(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).map((c) => nodeAs(c, 'Constraint')).filter((c) => c !== undefined);
}

/** Constraints added by ADD CONSTRAINT subcommands. */
export function addedConstraints(stmt: PgStatement): Constraint[] {
  return commandsOf(stmt, 'AT_AddConstraint')
    .map((c) => nodeAs(c.def, 'Constraint'))
    .filter((c) => c !== undefined);
}
