import { mysqlDialect } from '../db/mysql/dialect';
import { formatTableRef } from '../sql/identifiers';
import { RecipeInputError } from './errors';
import { mysqlColumnExists, mysqlIndexExists, mysqlStatementRunning } from './mysql-catalog';
import { optionalTimeout, quoted, requireColumnType, requireIdentifier, requireTable } from './recipe-input';
import type { Recipe } from './types';

export interface MysqlAddColumnInput {
  readonly id: string;
  readonly table: string;
  readonly column: string;
  readonly type: string;
}

/**
 * A nullable column added with ALGORITHM=INSTANT: a metadata change only. The server refuses the
 * clause rather than copy the table, and the guard refuses it before the server would.
 */
export function mysqlAddColumn(input: MysqlAddColumnInput): Recipe {
  const ref = requireTable(input.table);
  const column = requireIdentifier('column', input.column);
  const q = quoted(mysqlDialect, ref);
  return {
    id: input.id,
    engine: 'mysql',
    table: formatTableRef(ref),
    phases: [
      {
        kind: 'ddl',
        name: 'add-column',
        purpose: 'adds the column in place, as metadata only',
        statements: [
          `ALTER TABLE ${q.table} ADD COLUMN ${q.ident(column)} ${requireColumnType(input.type)} NULL, ALGORITHM=INSTANT`,
        ],
        mode: 'transaction',
        selfConsented: true,
        done: (db) => mysqlColumnExists(db, ref, column),
      },
    ],
  };
}

export interface MysqlAddIndexInput {
  readonly id: string;
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  /**
   * Bound on the build (MariaDB's max_statement_time; MySQL has no server-side bound on DDL, so
   * there only the duration estimate keeps a build from outliving its step). Default: 6 hours
   * locally, and on Lambda the ApplyBatch function's timeout less a margin, the most it may be set to there.
   */
  readonly statementTimeoutMs?: number;
}

/** A secondary index built in place while writes go on (ALGORITHM=INPLACE, LOCK=NONE). */
export function mysqlAddIndex(input: MysqlAddIndexInput): Recipe {
  const ref = requireTable(input.table);
  const name = requireIdentifier('index name', input.name);
  if (input.columns.length === 0) throw new RecipeInputError('recipe index needs at least one column');
  const q = quoted(mysqlDialect, ref);
  const columns = input.columns.map((c) => q.ident(requireIdentifier('index column', c))).join(', ');
  const alter = `ALTER TABLE ${q.table} ADD INDEX ${q.ident(name)} (${columns}), ALGORITHM=INPLACE, LOCK=NONE`;
  return {
    id: input.id,
    engine: 'mysql',
    table: formatTableRef(ref),
    phases: [
      {
        kind: 'ddl',
        name: 'add-index',
        purpose: 'builds the index in place while writes go on',
        statements: [alter],
        blocker: async (db) => {
          const id = await mysqlStatementRunning(db, alter);
          if (id === undefined) return undefined;
          return `an earlier build of index ${name} is still running in connection ${id} (its client went away: a run cut off at its timeout, or killed): wait for it to end, or stop it with KILL QUERY ${id}, then run the recipe again`;
        },
        mode: 'transaction',
        selfConsented: true,
        ...optionalTimeout(input.statementTimeoutMs),
        // Two passes: reading the clustered index into the sort, then merging it into the tree.
        tableScan: { table: formatTableRef(ref), passes: 2 },
        done: (db) => mysqlIndexExists(db, ref, name),
      },
    ],
  };
}

export interface MysqlChangeColumnTypeInput {
  readonly id: string;
  readonly table: string;
  readonly column: string;
  readonly newType: string;
}

/**
 * A type change asked for online (ALGORITHM=INPLACE, LOCK=NONE). Most type changes need a table
 * copy, which the guard refuses here, pointing to the online schema change tools built for it;
 * the few the server can do in place (a wider VARCHAR) go through.
 */
export function mysqlChangeColumnType(input: MysqlChangeColumnTypeInput): Recipe {
  const ref = requireTable(input.table);
  const column = requireIdentifier('column', input.column);
  const q = quoted(mysqlDialect, ref);
  const type = requireColumnType(input.newType);
  return {
    id: input.id,
    engine: 'mysql',
    table: formatTableRef(ref),
    phases: [
      {
        kind: 'ddl',
        name: 'modify-column',
        purpose: 'changes the type in place',
        statements: [
          `ALTER TABLE ${q.table} MODIFY COLUMN ${q.ident(column)} ${type}, ALGORITHM=INPLACE, LOCK=NONE`,
        ],
        mode: 'transaction',
        selfConsented: true,
        done: async () => false,
      },
    ],
  };
}
