import type { Lease } from '../control/types';
import type { JobSpec } from '../job/types';
import type { Rerun } from './kinds/kind';
import { kindOf } from './kinds/registry';
import type { LedgerHead } from './ledger';

export type { Rerun } from './kinds/kind';

/**
 * What a new run of a job whose last pass completed does: what the spec chooses, or its kind's
 * default (JobKind.rerun). Purges (delete, archive) default to a new pass from the first key:
 * their predicates move (`expires_at < NOW() - INTERVAL 30 DAY`), and rows behind the cursor that
 * began matching after their batch are only reached by walking the table again. Updates and
 * custom jobs default to resuming after the last key: a backfill is done when its pass is, and
 * new rows arrive after the cursor.
 */
export function rerunOf(spec: JobSpec): Rerun {
  const chosen = (spec as { rerun?: Rerun }).rerun;
  if (chosen) return chosen;
  return kindOf(spec).rerun;
}

/** Where the next batch starts, given the ledger's head and the caller's lease token. */
export interface PassStart {
  readonly pass: number;
  /** Select after this key (null: from the first key). */
  readonly afterKey: string | null;
  /** The pass ended in this very run (its lease token found it complete): nothing more to do. */
  readonly ended: boolean;
  /** This batch starts a new pass. */
  readonly fresh: boolean;
}

/**
 * A pass is complete once a batch found nothing left; the ledger records the lease token of the
 * run that found it. A later run (a newer token) of a `new-pass` job starts the next pass from the
 * first key; the same run (a retried step) is told the pass is done, so one run never walks twice.
 */
export function passStart(
  spec: JobSpec,
  head: LedgerHead | undefined,
  lease: Pick<Lease, 'token'>,
): PassStart {
  if (!head) return { pass: 1, afterKey: null, ended: false, fresh: false };
  const complete = head.passEndedBy !== null;
  if (!complete || rerunOf(spec) === 'resume') {
    return { pass: head.pass, afterKey: head.lastKey, ended: false, fresh: false };
  }
  if (lease.token > head.passEndedBy!)
    return { pass: head.pass + 1, afterKey: null, ended: false, fresh: true };
  return { pass: head.pass, afterKey: head.lastKey, ended: true, fresh: false };
}
