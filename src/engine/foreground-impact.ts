import { type LockWaitFlavour, lockWaitFlavour, readSessionsBlockedBy } from '../db/lock-waits';
import type { Database } from '../db/types';

/** What the application suffered from one transaction, as the samples saw it. */
export interface ForegroundImpact {
  /** The most sessions seen waiting on the transaction's locks at one sample. */
  readonly blockedSessions: number;
  /** The longest wait on them any sample saw, in milliseconds. */
  readonly longestWaitMs: number;
  /** Samples taken while the transaction ran. */
  readonly samples: number;
  /** Why the signal could not be read (a missing grant), once; the batch goes on regardless. */
  readonly unreadable?: string;
}

/**
 * How often a running transaction is sampled. Each sample is one short catalog query on a
 * second pooled connection, awaited before the next is scheduled, so at most one is in flight.
 *
 * PostgreSQL, 20 ms: a 50 ms transaction is seen two or three times, and a wait shorter than that
 * hurts no application; on a transaction that ends sooner nothing is spent at all.
 *
 * MariaDB and MySQL, 200 ms: InnoDB serves INNODB_TRX and INNODB_LOCK_WAITS from a cache it
 * refreshes only when the previous read is over 100 ms old (the "trx_i_s cache"; MySQL Reference
 * Manual, "Persistence and Consistency of InnoDB Transaction and Locking Information"), so reading
 * more often keeps returning the first snapshot — for every client of the server. Seen here: at
 * 20 ms a session waiting on the batch for 700 ms never appeared. At 200 ms a transaction shorter
 * than the interval may go unsampled; across an invocation the samples still land on its
 * transactions in turn, so sustained blocking is seen.
 */
export const IMPACT_SAMPLE_INTERVAL_MS: Record<LockWaitFlavour, number> = {
  postgres: 20,
  mariadb: 200,
  mysql: 200,
};

/** A transaction holds no row lock before its change runs: no sample before this. */
const MIN_FIRST_SAMPLE_MS = 10;

export interface ImpactWatch {
  /** Stops sampling once the transaction ended and resolves with what was seen. */
  stop(): Promise<ForegroundImpact>;
}

export interface ImpactWatcher {
  /** Starts sampling the transaction on connection `connectionId` (its own session is never used). */
  watch(connectionId: number): ImpactWatch;
}

/**
 * Watches transactions of `db` from its pool's other connection: while one runs, every
 * `intervalMs` it asks the server which sessions wait on locks the transaction's session holds.
 * Never a busy loop, never on the batch's session, never inside a transaction.
 */
export async function impactWatcher(db: Database, intervalMs?: number): Promise<ImpactWatcher> {
  const flavour: LockWaitFlavour = lockWaitFlavour(await db.serverVersion());
  const every = intervalMs ?? IMPACT_SAMPLE_INTERVAL_MS[flavour];
  const clock = { lastSampleAt: Number.NEGATIVE_INFINITY };
  return { watch: (connectionId) => startWatch(db, flavour, connectionId, every, clock) };
}

function startWatch(
  db: Database,
  flavour: LockWaitFlavour,
  connectionId: number,
  intervalMs: number,
  clock: { lastSampleAt: number },
): ImpactWatch {
  let blockedSessions = 0;
  let longestWaitMs = 0;
  let samples = 0;
  let unreadable: string | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const sample = async (): Promise<void> => {
    clock.lastSampleAt = performance.now();
    try {
      const reading = await readSessionsBlockedBy(db, flavour, connectionId);
      samples += 1;
      blockedSessions = Math.max(blockedSessions, reading.blockedSessions);
      longestWaitMs = Math.max(longestWaitMs, reading.longestWaitMs);
    } catch (error) {
      // A missing PROCESS grant or a busy pool must not fail a batch: the signal is advisory.
      unreadable = (error as Error).message;
    }
  };
  const schedule = (): void => {
    if (stopped || unreadable) return;
    // Spaced from the previous sample of any transaction of this watcher, not only this one's.
    const delay = Math.max(MIN_FIRST_SAMPLE_MS, clock.lastSampleAt + intervalMs - performance.now());
    timer = setTimeout(() => {
      inFlight = sample().then(schedule);
    }, delay);
    timer.unref?.();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      return { blockedSessions, longestWaitMs, samples, ...(unreadable ? { unreadable } : {}) };
    },
  };
}
