import type { Database, Key } from '../../db/types';
import type { AuthorKey, CustomJobSpec } from '../../job/types';
import { resolveKey } from '../keys';
import { AuthorKeys } from './author-keys';
import type { CompiledJob } from './types';
import { byKeyList, OK } from './types';

/**
 * A custom job brings its own hooks; the runner still owns locks, ledger, retries and checkpoints.
 * Its keys have as many columns as its key (named, or else the table's primary key).
 */
export async function compileCustom(spec: CustomJobSpec, db: Database): Promise<CompiledJob> {
  const resolved = resolveKey(spec, spec.key === undefined ? await db.indexes(spec.table) : []);
  if (resolved.problem !== undefined) throw new Error(resolved.problem);
  const keys = new AuthorKeys(resolved.columns.length);
  // The author's own values, kept per batch so applyBatch gets exactly what selectBatch returned.
  const given = new Map<Key, AuthorKey>();
  const theirs = (list: readonly Key[]) => list.map((k) => given.get(k) ?? keys.fromKey(k));
  return {
    ...byKeyList({
      async selectBatch(tx, after, limit) {
        const selected = await spec.selectBatch(tx, after === null ? null : keys.fromKey(after), limit);
        given.clear();
        return selected.map((k) => {
          const key = keys.toKey(k);
          given.set(key, k);
          return key;
        });
      },
      applyBatch: (tx, list) => spec.applyBatch(tx, theirs(list)),
      verifyBatch: async (tx, list, affected) =>
        spec.verifyBatch
          ? spec.verifyBatch(tx, theirs(list), affected)
          : affected === list.length
            ? OK
            : { ok: false, reason: `applied to ${affected} rows but selected ${list.length}` },
    }),
    verifyCommitted: async () => OK,
    validate: async (database) => (spec.validate ? spec.validate(database) : OK),
    estimateRows: async (database) => (spec.plan ? (await spec.plan(database)).estimatedRows : 0),
  };
}
