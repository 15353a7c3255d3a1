import type { TypeName } from 'libpg-query';
import type { Rule, RuleHit } from '../../types';
import { nodeAs, typeModifiers, typeName } from '../nodes';
import { alterCommands, commandsOf, type PgStatement } from '../statement';

/** `character varying(20)` -> { name: 'character varying', mods: [20] }. */
function parseFormattedType(formatted: string): { name: string; mods: number[] } {
  const m = /^(.*?)(?:\(([\d,\s]+)\))?$/.exec(formatted.trim().toLowerCase())!;
  return { name: m[1]!.trim(), mods: m[2] ? m[2].split(',').map((n) => Number(n.trim())) : [] };
}

/**
 * Type changes PostgreSQL makes without rewriting or rescanning (binary coercible, or a wider
 * limit): varchar(n) to varchar(m >= n), varchar or text to text, numeric(p, s) to numeric(q >= p, s).
 */
export function changesWithoutRewrite(current: string, target: TypeName): boolean {
  const from = parseFormattedType(current);
  const to = typeName(target);
  const mods = typeModifiers(target);
  if (!mods) return false;
  if (to === 'text') return from.name === 'text' || from.name === 'character varying';
  if (to === 'varchar') {
    if (from.name !== 'character varying') return false;
    if (mods.length === 0) return true;
    return from.mods.length === 1 && mods[0]! >= from.mods[0]!;
  }
  if (to === 'numeric') {
    if (from.name !== 'numeric') return false;
    if (mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    const [p, s = 0] = mods;
    const [p0, s0 = 0] = from.mods;
    return s === s0 && p! >= p0!;
  }
  return false;
}

export const alterColumnType: Rule<PgStatement> = {
  id: 'pg-alter-column-type',
  engine: 'postgres',
  title: 'ALTER COLUMN ... SET DATA TYPE (TYPE) that is not binary coercible',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'PostgreSQL rewrites every row and rebuilds every index on the table while holding ACCESS EXCLUSIVE: no reads or writes until it finishes. Only binary-coercible changes (varchar(n) to a wider varchar or to text, numeric to a wider precision) skip the rewrite.',
  safeAlternative:
    "Add a new column of the new type, keep it in sync (trigger or application), backfill it in batches with a lowtide job, switch the application to it, then swap the names and drop the old column: lowtide's change-column-type recipe.",
  async check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const cmd of commandsOf(stmt, 'AT_AlterColumnType')) {
      const def = nodeAs(cmd.def, 'ColumnDef');
      const column = cmd.name ?? '?';
      const usingExpression = def?.raw_default !== undefined;
      const current = usingExpression ? undefined : await stmt.column(alter.table, column);
      if (current && def?.typeName && changesWithoutRewrite(current.type, def.typeName)) continue;
      const known = current ? ` (from ${current.type})` : ' (lowtide could not read the current type)';
      hits.push({
        table: alter.table,
        why: `changing the type of ${column}${usingExpression ? ' with USING' : known} rewrites every row of ${alter.table} and rebuilds its indexes while holding ACCESS EXCLUSIVE: no reads or writes until it finishes.`,
      });
    }
    return hits;
  },
};
