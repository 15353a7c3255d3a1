import type { ColumnInfo, IndexInfo } from '../../../db/types';
import { resolveKey } from '../../keys';
import { type PreflightCheck, pass, refuse } from '../types';

const listed = (cols: readonly string[]) => (cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`);

/** Keys the job could be given instead: the primary key and unique indexes over NOT NULL columns. */
function candidates(indexes: readonly IndexInfo[], columns: readonly ColumnInfo[]): string {
  const notNull = new Set(columns.filter((c) => !c.nullable).map((c) => c.name));
  const usable = indexes.filter((i) => i.unique && i.columns.every((c) => notNull.has(c)));
  if (usable.length === 0)
    return 'the table has no primary key or unique index over NOT NULL columns: add one';
  return `choose ${usable.map((i) => `${listed(i.columns)}${i.primary ? ' (the primary key)' : ` (${i.name})`}`).join(' or ')}`;
}

export const keyIndex: PreflightCheck = {
  name: 'key-index',
  description:
    'The key is the primary key or a unique index over exactly its columns in its order (on a partitioned table, a partitioned index), so keyset batches neither skip nor repeat rows.',
  appliesTo: (spec) => spec.preflight.requireIndex,
  async run(ctx) {
    const indexes = await ctx.indexes();
    const resolved = resolveKey(ctx.spec, indexes);
    if (resolved.problem !== undefined) return pass(this.name, 'the key is checked by the key-type check');
    const key = resolved.columns;
    const same = (i: IndexInfo) => i.columns.length === key.length && i.columns.every((c, n) => c === key[n]);
    const exact = indexes.filter(same);
    const unique = exact.find((i) => i.unique);
    if (unique) return pass(this.name, `unique index ${unique.name} serves key ${listed(key)}`);
    const instead = candidates(indexes, await ctx.columns());
    if (exact.length > 0) {
      return refuse(
        this.name,
        `index ${exact[0]!.name} on ${listed(key)} is not unique: keyset batches need a unique key; make it UNIQUE, or ${instead}`,
      );
    }
    const sameSet = indexes.find(
      (i) => i.unique && i.columns.length === key.length && key.every((c) => i.columns.includes(c)),
    );
    if (sameSet) {
      return refuse(
        this.name,
        `no index has key ${listed(key)} in that order; unique index ${sameSet.name} has ${listed(sameSet.columns)}: batches walk the key in its order, so name the columns as the index does (key: [${sameSet.columns.map((c) => `'${c}'`).join(', ')}])`,
      );
    }
    return refuse(this.name, `no unique index is over exactly key ${listed(key)}: ${instead}`);
  },
};
