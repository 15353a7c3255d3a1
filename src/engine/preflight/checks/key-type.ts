import type { ColumnInfo, Database } from '../../../db/types';
import { type KeyColumn, keyColumnOf, mysqlEnumLabels } from '../../key-types';
import { describeKey, resolveKey } from '../../keys';
import { isDeclarative, kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

export const keyType: PreflightCheck = {
  name: 'key-type',
  description:
    "The key (named, or else the primary key) is of types lowtide carries between batches exactly and in the server's order: integers, decimals, text, uuid, binary, dates and times, enums; not floats, json or nondeterministic collations.",
  async run(ctx) {
    const resolved = resolveKey(ctx.spec, await ctx.indexes());
    if (resolved.problem !== undefined) return refuse(this.name, resolved.problem);
    const shown = describeKey(resolved);
    // A custom job chooses and carries its own keys; it only needs to know how many columns they have.
    // A rollback walks the audit table's copy of its job's key, checked when the job ran.
    if (kindOf(ctx.spec).keys === 'author')
      return pass(this.name, `${shown}, carried as the hooks return it`);
    if (!isDeclarative(ctx.spec)) return pass(this.name, `${shown}, as the job it undoes was checked`);
    const catalog = await ctx.columns();
    const types: string[] = [];
    for (const name of resolved.columns) {
      const info = catalog.find((c) => c.name === name);
      // The columns check reports a missing key column.
      if (!info) return pass(this.name, `key column ${name} is checked by the columns check`);
      const column = keyColumnOf(ctx.db.engine, info);
      if ('problem' in column) return refuse(this.name, column.problem);
      const enumProblem = await mysqlEnumOrderProblem(ctx.db, info, column);
      if (enumProblem) return refuse(this.name, enumProblem);
      types.push(`${name} ${info.dataType}`);
    }
    return pass(this.name, `${shown}; types ${types.join(', ')}`);
  },
};

const COLLATION_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * A MySQL ENUM orders by its declaration in ORDER BY and its index, but compares as text with a
 * string (`e > 'm'`), and compared with its index number (`e > 2`) no index range is used
 * (MariaDB's EXPLAIN: a full index scan). A keyset walk over it is consistent only when both
 * orders agree: the labels, declared in order, also sort in that order under the column's
 * collation. The server says whether they do.
 */
async function mysqlEnumOrderProblem(
  db: Database,
  info: ColumnInfo,
  column: KeyColumn | { problem: string },
): Promise<string | undefined> {
  if (db.engine !== 'mysql' || info.dataType.toLowerCase() !== 'enum' || 'problem' in column)
    return undefined;
  const labels = mysqlEnumLabels(info.columnType ?? '');
  if (labels.length < 2) return undefined;
  const { charset, collation } = info;
  if (!charset || !collation || !COLLATION_NAME.test(charset) || !COLLATION_NAME.test(collation))
    return `key column ${info.name} is an enum whose collation cannot be read: key on another column`;
  const as = `CONVERT(? USING ${charset}) COLLATE ${collation}`;
  const pairs = labels.slice(1).map(() => `${as} < ${as}`);
  const values = labels.slice(1).flatMap((label, i) => [labels[i], label]);
  const { rows } = await db.query<{ sorted: unknown }>(`SELECT (${pairs.join(' AND ')}) AS sorted`, values);
  if (Number(rows[0]?.sorted) === 1) return undefined;
  return (
    `key column ${info.name} is ${info.columnType}, declared in an order that is not its labels' order under ${collation}: ` +
    'MySQL orders an enum by declaration but compares it with a string as text, so a keyset walk would skip rows; declare the labels in sorted order (ALTER TABLE ... MODIFY), or key on another column'
  );
}
