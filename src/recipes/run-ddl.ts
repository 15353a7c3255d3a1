import { type Database, DbError } from '../db/types';
import type { StatementCeiling } from '../job/statement-ceiling';
import { phaseStatementTimeoutMs } from './phase-timeout';
import type { DdlPhase } from './types';

export interface DdlRunSettings {
  readonly lockName: string;
  readonly lockTimeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  /** Where one statement may run no longer than this (on Lambda); none locally. */
  readonly ceiling?: StatementCeiling;
  /** Bound on the cleanup after a failed attempt; default the phase's own statement timeout. */
  readonly cleanupTimeoutMs?: number;
}
const MAX_BACKOFF_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A DDL attempt could not start because another run of the same recipe holds its lock. */
export class RecipeBusyError extends Error {
  override readonly name = 'RecipeBusyError';
}

/**
 * One attempt: the statements under a short lock timeout, either in one transaction holding the
 * recipe's advisory lock, or one by one on a dedicated session outside any transaction.
 */
async function attempt(
  db: Database,
  phase: DdlPhase,
  settings: DdlRunSettings,
  statementTimeoutMs = phaseStatementTimeoutMs(phase, settings.ceiling),
): Promise<void> {
  if (phase.mode === 'transaction') {
    const result = await db.withBatchTransaction(
      { lockName: settings.lockName, lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs },
      async (tx) => {
        for (const statement of phase.statements) await tx.query(statement);
      },
    );
    if (result.held) throw new RecipeBusyError(`${phase.name}: another run of this recipe holds its lock`);
    return;
  }
  await db.withSession({ lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs }, async (session) => {
    for (const statement of phase.statements) await session.query(statement);
  });
}

async function runCleanup(db: Database, phase: DdlPhase, settings: DdlRunSettings): Promise<void> {
  if (!phase.cleanup?.length) return;
  await attempt(
    db,
    { ...phase, statements: phase.cleanup, mode: 'none' },
    settings,
    settings.cleanupTimeoutMs ?? phaseStatementTimeoutMs(phase, settings.ceiling),
  );
}

/**
 * Runs a DDL phase, retrying with back-off while it times out waiting for a lock: a busy table
 * makes the statement give up quickly rather than queue every other query behind it. Returns the
 * retries it took. A failed attempt is cleaned up before the next one and before giving up.
 */
export async function runDdlPhase(db: Database, phase: DdlPhase, settings: DdlRunSettings): Promise<number> {
  for (let retry = 0; ; retry++) {
    try {
      await attempt(db, phase, settings);
      return retry;
    } catch (error) {
      await runCleanup(db, phase, settings).catch(() => {
        // the next run's catalog check finds what is left and cleans it up then
      });
      const lockTimeout = error instanceof DbError && error.kind === 'lock-timeout';
      if (!lockTimeout || retry >= settings.retries) throw error;
      await sleep(Math.min(settings.backoffMs * 2 ** retry, MAX_BACKOFF_MS));
    }
  }
}
