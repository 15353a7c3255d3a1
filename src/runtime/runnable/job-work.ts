import type { Database } from '../../db/types';
import type { RuleSettings } from '../../ddl/rule-settings';
import { displayKey, type PreflightReport, verifyCommittedBatch } from '../../engine';
import { ensureLedger } from '../../engine/ledger-once';
import type { JobSpec } from '../../job/types';
import { jobPreflight } from '../../run/preflight-checks';
import type { HandlerDeps } from '../deps';
import { VerificationFailedError } from '../errors';
import { pacingSeconds } from '../handlers/common';
import { planSummary } from '../plan-summary';
import { jobCeiling } from '../statement-limits';
import { controlBlockers } from './control-blockers';
import { runInvocation } from './invocation';
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
 * An update, delete, archive or custom job, or a rollback: the engine's batches (runBatch), several
 * short transactions per step at the persisted adaptive size, each verified once committed, the
 * step's checkpoint mirrored to DynamoDB once.
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
 * One apply step: a sequence of short transactions, each one batch of the engine's with its own
 * ledger row, until the invocation budget or a stop condition (src/runtime/runnable/invocation.ts).
 */
export function batchStep(ctx: StepContext, spec: JobSpec, db: Database): Promise<StepOutcome> {
  return runInvocation(ctx, spec, db);
}

/**
 * Re-reads what the apply step's last transaction committed, now that the step has returned: its
 * ledger row under our token and the job's invariant over its key range (a trigger or a concurrent
 * writer may have undone it), and that the DynamoDB checkpoint mirrors it. Every transaction of the
 * step was already re-read right after its own commit (invocation.ts). Then paces the loop.
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
