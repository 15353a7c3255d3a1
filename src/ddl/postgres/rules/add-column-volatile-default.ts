import type { ColumnDef, Node } from 'libpg-query';
import type { Rule, RuleHit } from '../../types';
import { atLeast, type ServerVersion } from '../../versions';
import { nodeAs, typeName } from '../nodes';
import { addedColumns, alterCommands, columnConstraints, type PgStatement } from '../statement';
import { volatility } from '../volatility';

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** `DEFAULT NULL` is no default at all: nothing is written to existing rows. */
function isNullDefault(expr: Node): boolean {
  return nodeAs(expr, 'A_Const')?.isnull === true;
}

/** Why adding this column must fill every existing row, or undefined when it need not. */
function rewriteReason(column: ColumnDef, version: ServerVersion): string | undefined {
  const name = column.colname ?? '?';
  // Before PostgreSQL 11 every default, constant or not, is written into every existing row.
  if (!atLeast(version, 11)) {
    const fixed = columnConstraints(column).find(
      (c) => c.contype === 'CONSTR_DEFAULT' && c.raw_expr && !isNullDefault(c.raw_expr),
    );
    if (fixed)
      return `column ${name} has a DEFAULT, and before PostgreSQL 11 any default is written into every row`;
  }
  if (SERIAL_TYPES.has(typeName(column.typeName))) {
    return `column ${name} is ${typeName(column.typeName)}: its nextval() default is volatile`;
  }
  for (const c of columnConstraints(column)) {
    if (c.contype === 'CONSTR_IDENTITY')
      return `identity column ${name} draws a sequence value for every existing row`;
    if (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') {
      return `stored generated column ${name} is computed and written for every existing row`;
    }
    if (c.contype === 'CONSTR_DEFAULT' && c.raw_expr) {
      const v = volatility(c.raw_expr);
      if (v.kind === 'volatile') return `the default of ${name} calls ${v.fn}(), which is volatile`;
      if (v.kind === 'unknown') {
        return `the default of ${name} uses ${v.what}, which lowtide cannot prove non-volatile`;
      }
    }
  }
  return undefined;
}

export const addColumnVolatileDefault: Rule<PgStatement> = {
  id: 'pg-add-column-volatile-default',
  engine: 'postgres',
  title:
    'ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid(), serial, identity, stored generated); with any default before PostgreSQL 11',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'PostgreSQL computes the value for every existing row and rewrites the whole table while holding ACCESS EXCLUSIVE: no reads or writes until it finishes. (A constant or stable default such as now() is stored once, without a rewrite.)',
  safeAlternative:
    'Add the column without a default (or with a constant one), then ALTER COLUMN ... SET DEFAULT for new rows, and fill existing rows with a lowtide backfill job in batches.',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const column of addedColumns(stmt)) {
      const reason = rewriteReason(column, stmt.version);
      if (reason) {
        hits.push({
          table: alter.table,
          why: `${reason}, so PostgreSQL rewrites ${alter.table} row by row while holding ACCESS EXCLUSIVE: no reads or writes until it finishes.`,
        });
      }
    }
    return hits;
  },
};
