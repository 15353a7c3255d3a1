import { openDatabase } from '../../db/open-database';
import type { Database } from '../../db/types';
import type { RuleSettings } from '../../ddl/rule-settings';
import { type LedgerHead, readLedger } from '../../engine';
import type { FlagReader } from '../../health/types';
import type { JobSpec } from '../../job/types';
import type { LatencyProfileName } from '../../runtime/local/latency-profile';
import { createLocalRuntime } from '../../runtime/local/runtime';
import type { LocalRuntime, RuntimeEvent } from '../../runtime/local/types';
import type { LocalControl } from '../control/local-control';
import type { ProgressEvent } from '../progress/events';
import { type BatchTiming, type RunSummary, summarizeRun } from '../summary/run-summary';
import { isLeaseAcquired, toProgressEvents } from './progress-bridge';
import { type RunOutcome, runOutcome } from './run-outcome';

export interface LocalRunOptions {
  readonly spec: JobSpec;
  readonly databaseUrl: string;
  readonly control: LocalControl;
  /**
   * Local milliseconds per state-machine second, for Wait states and retry back-offs. Default
   * 1000: real time, so back-offs from an unhealthy replica or lock contention last as long as
   * they would on AWS. Tests and demos may shrink it.
   */
  readonly msPerSecond?: number;
  /** The local runtime's latency profile (src/runtime/local/latency-profile.ts). Default none. */
  readonly latency?: LatencyProfileName;
  /** Feature flags (the flags file or endpoint); default: none known, so a gated job does not run. */
  readonly flags?: FlagReader;
  /** The repository's DDL rule settings the preflight's guard applies (src/cli/ddl-rules.ts). Default: none. */
  readonly ddlRules?: RuleSettings;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Called once the runtime is up, with a way to stop it at once (a second Ctrl-C). */
  readonly onStarted?: (runtime: Pick<LocalRuntime, 'close'>) => void;
}

export interface LocalRunReport {
  readonly jobId: string;
  readonly outcome: RunOutcome;
  readonly summary: RunSummary;
  /** Execution names, one per generation (continue-as-new). */
  readonly executions: readonly string[];
  /** The job's total as the ledger records it, all runs included. */
  readonly rowsDone?: number;
  readonly estimatedRows?: number;
}

/** The `--json` fields of a local run, shared by `run` and `rollback`; `jobId` is the job named on the command line. */
export function localRunJson(jobId: string, report: LocalRunReport) {
  const { outcome } = report;
  return {
    ok: outcome.code === 0,
    jobId,
    outcome: outcome.outcome,
    reason: outcome.reason,
    exitCode: outcome.code,
    rowsDone: report.rowsDone,
    estimatedRows: report.estimatedRows,
    executions: report.executions,
    summary: report.summary,
  };
}

/**
 * Runs a job to its end through the local runtime: the deployed state machine definition and the
 * real handlers, in this process, with the control state in `control` (so another terminal can
 * pause it). Progress is reported as it happens; the summary is measured from this run only, its
 * rows and batches from the job's ledger (the count a resume and a rollback go by).
 */
export async function runJobLocally(options: LocalRunOptions): Promise<LocalRunReport> {
  const { spec, control } = options;
  const batches: BatchTiming[] = [];
  let pauses = 0;
  let retries = 0;
  let estimatedRows: number | undefined;
  // Progress is delivered in order even though fetching the estimate is asynchronous.
  let delivery: Promise<void> = Promise.resolve();
  const deliver = (produce: () => Promise<ProgressEvent[]> | ProgressEvent[]) => {
    delivery = delivery.then(async () => {
      for (const event of await produce()) options.onProgress?.(event);
    });
  };

  const onEvent = (event: RuntimeEvent) => {
    const at = Date.now();
    if (isLeaseAcquired(event)) {
      deliver(async () => {
        const job = await control.store.getJob(spec.id).catch(() => undefined);
        estimatedRows = job?.estimatedRows;
        return [{ type: 'started', jobId: spec.id, estimatedRows, at }];
      });
      return;
    }
    const progress = toProgressEvents(event, spec.id, at);
    for (const p of progress) {
      if (p.type === 'batch') {
        batches.push({
          rows: p.rows,
          durationMs: p.longestTransactionMs ?? p.durationMs,
          transactions: p.transactions ?? 1,
        });
      }
      if (p.type === 'waiting') pauses++;
      if (p.type === 'retry') retries++;
    }
    if (progress.length > 0) deliver(() => progress);
  };

  const ledgerBefore = await ledgerHead(options);
  const started = performance.now();
  const runtime = await createLocalRuntime({
    jobs: [spec],
    databases: { [spec.database]: options.databaseUrl },
    dynamo: { endpoint: control.endpoint },
    tableName: control.tableName,
    leaseHolders: control.leaseHolders,
    msPerSecond: options.msPerSecond ?? 1000,
    ...(options.latency ? { latency: options.latency } : {}),
    ...(options.flags ? { flags: options.flags } : {}),
    ...(options.ddlRules ? { ddlRulesFor: () => options.ddlRules } : {}),
    onEvent,
  });
  let chain: Awaited<ReturnType<LocalRuntime['run']>>;
  let durationMs: number;
  try {
    options.onStarted?.(runtime);
    chain = await runtime.run({ jobId: spec.id });
    durationMs = performance.now() - started;
  } finally {
    await runtime.close();
  }
  const outcome = runOutcome(chain);
  deliver(() => [{ type: 'finished', outcome: outcome.outcome, reason: outcome.reason, at: Date.now() }]);
  await delivery;
  const rowsDone = typeof chain.output?.rowsDone === 'number' ? chain.output.rowsDone : undefined;
  // Read once the runtime has let go of its connections (the embedded server takes one at a time).
  const ledgerAfter = await ledgerHead(options);
  const ledger =
    ledgerBefore === null || ledgerAfter === null
      ? undefined
      : {
          batches: (ledgerAfter?.batchNo ?? 0) - (ledgerBefore?.batchNo ?? 0),
          rows: (ledgerAfter?.rowsDone ?? 0) - (ledgerBefore?.rowsDone ?? 0),
        };
  return {
    jobId: spec.id,
    outcome,
    summary: summarizeRun({ batches, durationMs, pauses, retries, ledger }),
    executions: chain.executions.map((e) => e.executionName),
    rowsDone,
    estimatedRows,
  };
}

/**
 * The job's ledger head as the database has it (undefined: no batch yet), or null when it cannot be
 * read; the summary then counts the batches the run saw.
 */
async function ledgerHead(options: LocalRunOptions): Promise<LedgerHead | undefined | null> {
  let db: Database | undefined;
  try {
    db = openDatabase(options.databaseUrl, { poolSize: 1 });
    return await readLedger(db, options.spec);
  } catch {
    return null;
  } finally {
    await db?.close().catch(() => {});
  }
}
