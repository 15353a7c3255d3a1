import type { Database } from '../../db/types';
import type { RuleSettings } from '../../ddl/rule-settings';
import {
  type BatchOutcome,
  displayKey,
  type PreflightReport,
  runBatch,
  verifyCommittedBatch,
} from '../../engine';
import { ensureLedger } from '../../engine/ledger-once';
import type { JobSpec } from '../../job/types';
import { jobPreflight } from '../../run/preflight-checks';
import { catchUpCheckpoint, recordAppliedBatch } from '../batch-bookkeeping';
import { translateBatchError } from '../batch-errors';
import type { HandlerDeps } from '../deps';
import { VerificationFailedError } from '../errors';
import { initialCheckpoint, pacingSeconds } from '../handlers/common';
import { planSummary } from '../plan-summary';
import { jobCeiling } from '../statement-limits';
import { controlBlockers } from './control-blockers';
import type {
  Counterpart,
  PreflightContext,
  StepContext,
  StepOutcome,
  Verified,
  Work,
  WorkPreflight,
} from './work';

/**
 * An update, delete, archive or custom job, or a rollback: the engine's batches (runBatch), one
 * per step at the persisted adaptive size, each mirrored to DynamoDB and verified once committed.
 */
export function jobWork(spec: JobSpec, counterpart?: Counterpart): Work {
  return {
    spec,
    preflight: (ctx) => checkJob(ctx, spec, counterpart),
    step: async (ctx) => batchStep(ctx, spec, await openWithLedger(ctx.deps, spec)),
    verify: (ctx) => verifyBatch(ctx, spec),
  };
}

/** The work's database, with the ledger its batches write (installed once per process and job). */
export async function openWithLedger(deps: HandlerDeps, spec: JobSpec): Promise<Database> {
  const db = await deps.connections.open(spec.database);
  await ensureLedger(db, spec);
  return db;
}

/** Approval, abort and the counterpart's lease, then the engine's checks with the DDL guard and replicas. */
async function checkJob(
  { deps, run, input }: PreflightContext,
  spec: JobSpec,
  counterpart: Counterpart | undefined,
): Promise<WorkPreflight> {
  const job = await deps.store.getJob(spec.id);
  const other = counterpart && { ...counterpart, job: await deps.store.getJob(counterpart.jobId) };
  const db = await deps.connections.open(spec.database);
  const consents = job?.ddlConsents ?? {};
  // Consents come from the control item read above; the engine itself never sees the store.
  const report = await jobPreflight({
    spec,
    db,
    replicas: await deps.connections.replicas(spec.database),
    statementCeiling: jobCeiling(deps.settings),
    flags: { reader: deps.flags, refs: deps.flagsFor(spec) },
    writeVolume: { freeStorage: deps.freeStorageFor?.(spec) },
    consent: async (fingerprint) => consents[fingerprint],
    ...ddlRulesOption(deps, spec),
  });
  const plan = planSummary(spec, report);
  const reasons = [...controlBlockers(spec, job, input, other, deps.now()), ...failedChecks(report)];
  deps.logger.info('preflight', { jobId: spec.id, ok: reasons.length === 0, dryRun: run.dryRun, reasons });
  return { reasons, plan };
}

/** The repository's DDL rule settings for this job, as jobPreflight takes them. */
export function ddlRulesOption(deps: HandlerDeps, spec: JobSpec): { ddlRules?: RuleSettings } {
  const rules = deps.ddlRulesFor?.(spec);
  return rules ? { ddlRules: rules } : {};
}

/** The checks that block (a warning does not), as `name: reason`. */
export function failedChecks(report: PreflightReport, prefix = ''): string[] {
  return report.checks
    .filter((c) => !c.ok && c.severity !== 'warning')
    .map((c) => `${prefix}${c.name}: ${c.reason}`);
}

/**
 * Exactly one batch, in one transaction (the engine's runBatch), at the persisted adaptive size.
 * Contention becomes the errors the state machine retries; a committed batch is mirrored to
 * DynamoDB with its history and metrics.
 */
export async function batchStep(ctx: StepContext, spec: JobSpec, db: Database): Promise<StepOutcome> {
  const { deps, run, lease, retryCount } = ctx;
  const job = await deps.store.ensureJob(spec.id);
  const checkpoint = job.checkpoint ?? initialCheckpoint(spec, deps.now());
  const books = {
    deps,
    spec,
    job,
    lease,
    checkpoint,
    executionId: run.execution.id,
    retries: retryCount,
    replicaLagSeconds: run.replicaLagSeconds,
  };

  let outcome: BatchOutcome;
  try {
    outcome = await runBatch({ spec, db, lease, batchSize: checkpoint.sizer.size });
  } catch (error) {
    throw await translateBatchError(error, { deps, spec, lease, checkpoint, retryCount });
  }
  switch (outcome.status) {
    case 'held':
      deps.logger.warn('another session is inside a batch of this job', { jobId: spec.id });
      return { decision: 'held', waitSeconds: deps.settings.backoffSeconds };
    case 'done':
      await catchUpCheckpoint(books, outcome);
      return { decision: 'done', rowsDone: outcome.rowsDone };
    case 'applied': {
      const batch = await recordAppliedBatch(books, outcome);
      return { decision: 'applied', batch, rowsDone: outcome.rowsDone };
    }
  }
}

/**
 * Re-reads what the last batch committed: its ledger row under our token and the job's invariant
 * over its key range (a trigger or a concurrent writer may have undone it), and that the DynamoDB
 * checkpoint mirrors it. Then paces the loop.
 */
async function verifyBatch({ deps, run, lease }: StepContext, spec: JobSpec): Promise<Verified> {
  if (!run.batch) throw new VerificationFailedError('VerifyBatch ran without a batch in its payload');
  const { batchNo, firstKey, lastKey } = run.batch;
  const db = await deps.connections.open(spec.database);
  const verdict = await verifyCommittedBatch({ spec, db, batchNo, lease });
  if (!verdict.ok) {
    throw new VerificationFailedError(
      `batch ${batchNo} (keys ${displayKey(firstKey)}..${displayKey(lastKey)}) failed verification: ${verdict.reason}`,
    );
  }
  const checkpoint = (await deps.store.getJob(spec.id))?.checkpoint;
  if (!checkpoint || checkpoint.batchNo < batchNo) {
    throw new VerificationFailedError(
      `the DynamoDB checkpoint is at batch ${checkpoint?.batchNo ?? 'none'} but batch ${batchNo} committed; ` +
        'the ledger in the database is right: resume the job to mirror it again',
    );
  }
  return { decision: 'verified', waitSeconds: pacingSeconds(spec) };
}
