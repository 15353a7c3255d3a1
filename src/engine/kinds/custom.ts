import type { CustomJobSpec } from '../../job/types';
import type { CompiledJob } from './types';
import { byKeyList, OK } from './types';

/** A custom job brings its own hooks; the runner still owns locks, ledger, retries and checkpoints. */
export function compileCustom(spec: CustomJobSpec): CompiledJob {
  return {
    ...byKeyList({
      selectBatch: (tx, after, limit) => spec.selectBatch(tx, after, limit),
      applyBatch: (tx, keys) => spec.applyBatch(tx, keys),
      verifyBatch: async (tx, keys, affected) =>
        spec.verifyBatch
          ? spec.verifyBatch(tx, keys, affected)
          : affected === keys.length
            ? OK
            : { ok: false, reason: `applied to ${affected} rows but selected ${keys.length}` },
    }),
    verifyCommitted: async () => OK,
    validate: async (db) => (spec.validate ? spec.validate(db) : OK),
    estimateRows: async (db) => (spec.plan ? (await spec.plan(db)).estimatedRows : 0),
  };
}
