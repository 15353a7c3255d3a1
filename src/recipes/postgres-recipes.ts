import { postgresDialect } from '../db/postgres/dialect';
import { formatTableRef } from '../sql/identifiers';
import { backfillJob, type RecipeJobOptions } from './backfill-job';
import { RecipeInputError } from './errors';
import { pgColumn, pgConstraint, pgIndex, pgIndexBuildPid, pgNoRowsLeft } from './postgres-catalog';
import { optionalTimeout, quoted, requireColumnType, requireIdentifier, requireTable } from './recipe-input';
import type { Recipe } from './types';

export interface AddNotNullColumnInput {
  readonly id: string;
  readonly table: string;
  readonly column: string;
  readonly type: string;
  /** SQL expression the backfill writes into existing rows (the application writes new ones). */
  readonly backfill: string;
  readonly job: RecipeJobOptions;
  /** Bound on VALIDATE CONSTRAINT (it reads the whole table); see CreateIndexConcurrentlyInput. */
  readonly statementTimeoutMs?: number;
}

function derivedName(base: string, suffix: string): string {
  return requireIdentifier('derived name', `${base.slice(0, 63 - suffix.length)}${suffix}`);
}

/**
 * A NOT NULL column on a large PostgreSQL table without a long ACCESS EXCLUSIVE lock: add it
 * nullable, backfill in batches, add `CHECK (col IS NOT NULL) NOT VALID`, validate it in its own
 * transaction (SHARE UPDATE EXCLUSIVE: writes go on), SET NOT NULL (no scan: the validated check
 * proves it), then drop the check.
 */
export function addNotNullColumn(input: AddNotNullColumnInput): Recipe {
  const ref = requireTable(input.table);
  const column = requireIdentifier('column', input.column);
  const type = requireColumnType(input.type);
  const check = derivedName(column, '_not_null');
  const q = quoted(postgresDialect, ref);
  const col = q.ident(column);
  const alter = `ALTER TABLE ${q.table}`;
  const state = (db: Parameters<typeof pgColumn>[0]) => pgColumn(db, ref, column);
  return {
    id: input.id,
    engine: 'postgres',
    table: formatTableRef(ref),
    phases: [
      {
        kind: 'ddl',
        name: 'add-column',
        purpose: 'adds the column, nullable, without a rewrite',
        statements: [`${alter} ADD COLUMN ${col} ${type}`],
        mode: 'transaction',
        selfConsented: true,
        done: async (db) => (await state(db)).exists,
      },
      {
        kind: 'backfill',
        name: 'backfill',
        job: backfillJob(
          input.id,
          'postgres',
          formatTableRef(ref),
          column,
          input.backfill,
          `${col} IS NULL`,
          input.job,
        ),
        prepare: [`ANALYZE ${q.table} (${col})`],
        done: async (db) =>
          (await state(db)).notNull ||
          (await pgConstraint(db, ref, check)) !== 'missing' ||
          (await pgNoRowsLeft(db, ref, `${col} IS NULL`)),
      },
      {
        kind: 'ddl',
        name: 'add-check-not-valid',
        purpose: 'adds the NOT NULL check for new rows only',
        statements: [`${alter} ADD CONSTRAINT ${q.ident(check)} CHECK (${col} IS NOT NULL) NOT VALID`],
        mode: 'transaction',
        selfConsented: true,
        done: async (db) => (await state(db)).notNull || (await pgConstraint(db, ref, check)) !== 'missing',
      },
      {
        kind: 'ddl',
        name: 'validate-check',
        purpose: 'scans existing rows under SHARE UPDATE EXCLUSIVE',
        statements: [`${alter} VALIDATE CONSTRAINT ${q.ident(check)}`],
        mode: 'transaction',
        selfConsented: true,
        ...optionalTimeout(input.statementTimeoutMs),
        tableScan: { table: formatTableRef(ref), passes: 1 },
        done: async (db) => (await state(db)).notNull || (await pgConstraint(db, ref, check)) === 'validated',
      },
      {
        kind: 'ddl',
        name: 'set-not-null',
        purpose: 'sets NOT NULL without a scan, proven by the validated check',
        statements: [`${alter} ALTER COLUMN ${col} SET NOT NULL`],
        mode: 'transaction',
        selfConsented: false,
        done: async (db) => (await state(db)).notNull,
      },
      {
        kind: 'ddl',
        name: 'drop-check',
        purpose: 'drops the check, now redundant',
        statements: [`${alter} DROP CONSTRAINT IF EXISTS ${q.ident(check)}`],
        mode: 'transaction',
        selfConsented: true,
        done: async (db) => (await pgConstraint(db, ref, check)) === 'missing',
      },
    ],
  };
}

export interface CreateIndexConcurrentlyInput {
  readonly id: string;
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
  /**
   * Bound on the phase that reads the whole table. Default: 6 hours locally, and on Lambda the
   * ApplyBatch function's timeout less a margin, which is also the most it may be set to there.
   */
  readonly statementTimeoutMs?: number;
}

/**
 * An index built without blocking writes: CREATE INDEX CONCURRENTLY outside any transaction. An
 * INVALID index left by an earlier failed build (or a crash mid-build) is dropped concurrently
 * first, and a build that fails now is cleaned up before the error is reported.
 */
export function createIndexConcurrently(input: CreateIndexConcurrentlyInput): Recipe {
  const ref = requireTable(input.table);
  const name = requireIdentifier('index name', input.name);
  if (input.columns.length === 0) throw new RecipeInputError('recipe index needs at least one column');
  const q = quoted(postgresDialect, ref);
  const columns = input.columns.map((c) => q.ident(requireIdentifier('index column', c))).join(', ');
  const qualified = postgresDialect.quoteTable({ ...(ref.schema ? { schema: ref.schema } : {}), name });
  const drop = `DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`;
  const buildRunning = async (db: Parameters<typeof pgIndex>[0]) => {
    const pid = await pgIndexBuildPid(db, ref, name);
    if (pid === undefined) return undefined;
    return `an earlier build of index ${name} is still running in server process ${pid} (its client went away: a run cut off at its timeout, or killed): wait for it to end, or cancel it with SELECT pg_cancel_backend(${pid}), then run the recipe again (it drops what a cancelled build leaves)`;
  };
  return {
    id: input.id,
    engine: 'postgres',
    table: formatTableRef(ref),
    phases: [
      {
        kind: 'ddl',
        name: 'drop-invalid-index',
        purpose: 'drops the INVALID index a failed build left',
        statements: [drop],
        mode: 'none',
        selfConsented: true,
        blocker: buildRunning,
        notice: `dropped the INVALID index ${name} that an earlier build left behind (cut off at a timeout, killed, or failed); the next phase builds it again`,
        done: async (db) => (await pgIndex(db, ref, name)) !== 'invalid',
      },
      {
        kind: 'ddl',
        name: 'create-index',
        purpose: 'builds the index while writes go on',
        statements: [
          `CREATE ${input.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${q.ident(name)} ON ${q.table} (${columns})`,
        ],
        mode: 'none',
        selfConsented: true,
        blocker: buildRunning,
        cleanup: [drop],
        ...optionalTimeout(input.statementTimeoutMs),
        // Two passes: the build, then the validation scan that catches rows written meanwhile.
        tableScan: { table: formatTableRef(ref), passes: 2 },
        done: async (db) => (await pgIndex(db, ref, name)) === 'valid',
      },
    ],
  };
}

export interface ChangeColumnTypeInput {
  readonly id: string;
  readonly table: string;
  readonly column: string;
  readonly newType: string;
  /** Expression for the new column from the old one; default `column::newType`. */
  readonly convert?: string;
  readonly job: RecipeJobOptions;
}

/**
 * A column's type changed without a table rewrite under ACCESS EXCLUSIVE: add `<col>_new`,
 * backfill it, then (once the operator has switched the application and consented to the swap)
 * swap the names in one short transaction, and drop the old column.
 */
export function changeColumnType(input: ChangeColumnTypeInput): Recipe {
  const ref = requireTable(input.table);
  const column = requireIdentifier('column', input.column);
  const type = requireColumnType(input.newType);
  const fresh = derivedName(column, '_new');
  const old = derivedName(column, '_old');
  const q = quoted(postgresDialect, ref);
  const alter = `ALTER TABLE ${q.table}`;
  const convert = input.convert ?? `${q.ident(column)}::${type}`;
  const toFill = `${q.ident(fresh)} IS NULL AND ${q.ident(column)} IS NOT NULL`;
  const swapped = async (db: Parameters<typeof pgColumn>[0]) => {
    if ((await pgColumn(db, ref, fresh)).exists) return false;
    return (await pgColumn(db, ref, old)).exists || (await pgColumn(db, ref, column, type)).hasType === true;
  };
  return {
    id: input.id,
    engine: 'postgres',
    table: formatTableRef(ref),
    phases: [
      {
        kind: 'ddl',
        name: 'add-new-column',
        purpose: 'adds the column of the new type alongside the old one',
        statements: [`${alter} ADD COLUMN ${q.ident(fresh)} ${type}`],
        mode: 'transaction',
        selfConsented: true,
        done: async (db) => (await pgColumn(db, ref, fresh)).exists || (await swapped(db)),
      },
      {
        kind: 'backfill',
        name: 'backfill',
        job: backfillJob(input.id, 'postgres', formatTableRef(ref), fresh, convert, toFill, input.job),
        prepare: [`ANALYZE ${q.table} (${q.ident(fresh)}, ${q.ident(column)})`],
        done: async (db) => (await swapped(db)) || (await pgNoRowsLeft(db, ref, toFill)),
      },
      {
        kind: 'ddl',
        name: 'swap-names',
        purpose:
          'is the application switch: once every deployed version reads and writes the new column, consent to swap the names',
        statements: [
          `${alter} RENAME COLUMN ${q.ident(column)} TO ${q.ident(old)}`,
          `${alter} RENAME COLUMN ${q.ident(fresh)} TO ${q.ident(column)}`,
        ],
        mode: 'transaction',
        selfConsented: false,
        done: swapped,
      },
      {
        kind: 'ddl',
        name: 'drop-old-column',
        purpose: 'drops the old column (the consent to the switch covers it)',
        statements: [`${alter} DROP COLUMN IF EXISTS ${q.ident(old)}`],
        mode: 'transaction',
        selfConsented: true,
        done: async (db) => (await swapped(db)) && !(await pgColumn(db, ref, old)).exists,
      },
    ],
  };
}
