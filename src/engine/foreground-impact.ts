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
 * 20 ms: a 50 ms transaction is seen two or three times, and a wait shorter than that hurts no
 * application; on a transaction that ends sooner nothing is spent at all.
 */
export const IMPACT_SAMPLE_INTERVAL_MS = 20;

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
export async function impactWatcher(
  db: Database,
  intervalMs: number = IMPACT_SAMPLE_INTERVAL_MS,
): Promise<ImpactWatcher> {
  const flavour: LockWaitFlavour = lockWaitFlavour(await db.serverVersion());
  return { watch: (connectionId) => startWatch(db, flavour, connectionId, intervalMs) };
}

function startWatch(
  db: Database,
  flavour: LockWaitFlavour,
  connectionId: number,
  intervalMs: number,
): ImpactWatch {
  let blockedSessions = 0;
  let longestWaitMs = 0;
  let samples = 0;
  let unreadable: string | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const sample = async (): Promise<void> => {
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
    timer = setTimeout(() => {
      inFlight = sample().then(schedule);
    }, intervalMs);
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
