import type { Database, Tx } from '../../src/db/types';
import { initialSizer, nextSizer, runBatch } from '../../src/engine';
import type { JobSpec } from '../../src/job/types';

/** Drives runBatch to the end the way the state machine does, adapting the batch size. */
export async function runUntilDone(spec: JobSpec, db: Database, token = 1) {
  let sizer = initialSizer(spec.batch);
  let batches = 0;
  let rows = 0;
  const sizes: number[] = [];
  let heldFor = 0;
  for (;;) {
    const outcome = await runBatch({ spec, db, lease: { token }, batchSize: sizer.size });
    if (outcome.status === 'held') {
      // A session that was just killed can hold the lock a moment longer while the server cleans up.
      if (++heldFor > 40) throw new Error('the job lock stayed held for 2 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    heldFor = 0;
    if (outcome.status === 'done') return { batches, rows, sizes, lastKey: outcome.lastKey };
    batches++;
    rows += outcome.affected;
    sizes.push(outcome.selected);
    sizer = nextSizer(spec.batch, sizer, { rows: outcome.selected, durationMs: outcome.durationMs });
  }
}

/**
 * The same database, but every statement inside a batch transaction first passes through `before`:
 * how a test kills a connection or stalls a batch at an exact point.
 */
export function interceptBatchQueries(
  db: Database,
  before: (tx: Tx, text: string) => Promise<void>,
): Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'withBatchTransaction') {
        const wrapped: Database['withBatchTransaction'] = (options, fn) =>
          target.withBatchTransaction(options, (tx) =>
            fn({
              dialect: tx.dialect,
              connectionId: tx.connectionId,
              query: async (text, values) => {
                await before(tx, text);
                return tx.query(text, values);
              },
            }),
          );
        return wrapped;
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
