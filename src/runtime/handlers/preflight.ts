import { z } from 'zod';
import type { JobSpec } from '../../job/types';
import { jobPreflight } from '../../run/preflight-checks';
import { executionInputSchema, type RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { type PlanSummary, planSummary } from '../plan-summary';
import { recipePreflight } from '../recipe-steps';
import { counterpartJobId, RollbackUnavailableError, resolveRunJob } from '../run-job';
import { startState } from '../run-start';
import { jobCeiling } from '../statement-limits';
import { parsePayload } from './common';
import { controlBlockers } from './preflight-blockers';

const payloadSchema = z.object({
  input: z.unknown(),
  execution: z.object({ id: z.string().min(1), name: z.string().min(1), startTime: z.string() }),
});

export type PreflightResult = RunState & {
  /** Absent for a continued execution: its run passed preflight when it started. */
  readonly plan?: PlanSummary;
  readonly blocked?: { readonly reasons: readonly string[] };
};

/**
 * Preflight: approval, abort and the engine's checks, then the plan. Read-only everywhere (no
 * ledger, no control item), so a blocked start and a dry run leave no trace but their output.
 * A continued execution (generation > 0) skips the checks: its run passed them, it already holds
 * the lease its parent handed over, and the health gate guards every batch from here on. Blocking
 * it would strand that lease and leave the job marked running.
 */
export async function preflight(payload: unknown, deps: HandlerDeps): Promise<PreflightResult> {
  const { input: raw, execution } = parsePayload(payloadSchema, payload, 'Preflight payload');
  const input = parsePayload(executionInputSchema, raw, 'execution input');
  const started = new Date(execution.startTime);
  const state = startState(input, execution, Number.isNaN(started.getTime()) ? deps.now() : started);
  let spec: JobSpec;
  try {
    spec = resolveRunJob(deps, state);
  } catch (error) {
    if (!(error instanceof RollbackUnavailableError)) throw error;
    const blocked = { reasons: [`rollback: ${error.message}`] };
    return { ...state, decision: state.dryRun ? 'dry-run' : 'blocked', blocked };
  }
  if (state.generation > 0 && !state.dryRun) {
    deps.logger.info('preflight skipped for a continuation', {
      jobId: spec.id,
      generation: state.generation,
    });
    return { ...state, decision: 'ready' };
  }
  if (state.recipe) return recipeOutcome(state, spec, input, deps);

  const job = await deps.store.getJob(spec.id);
  const counterpartId = counterpartJobId(spec);
  const counterpart = counterpartId ? await deps.store.getJob(counterpartId) : undefined;
  const db = await deps.connections.open(spec.database);
  const consents = job?.ddlConsents ?? {};
  // Consents come from the control item read above; the engine itself never sees the store.
  const report = await jobPreflight({
    spec,
    db,
    replicas: await deps.connections.replicas(spec.database),
    statementCeiling: jobCeiling(deps.settings),
    consent: async (fingerprint) => consents[fingerprint],
  });
  const plan = planSummary(spec, report);
  const reasons = [
    ...controlBlockers(spec, job, input, counterpart, deps.now()),
    ...report.checks.filter((c) => !c.ok && c.severity !== 'warning').map((c) => `${c.name}: ${c.reason}`),
  ];
  deps.logger.info('preflight', { jobId: spec.id, ok: reasons.length === 0, dryRun: state.dryRun, reasons });

  if (state.dryRun)
    return { ...state, decision: 'dry-run', plan, ...(reasons.length ? { blocked: { reasons } } : {}) };
  if (reasons.length > 0) return { ...state, decision: 'blocked', plan, blocked: { reasons } };
  return { ...state, decision: 'ready', plan };
}

/** A recipe's preflight: the control state's blockers, then its current phase's own guard. */
async function recipeOutcome(
  state: RunState,
  spec: JobSpec,
  input: z.infer<typeof executionInputSchema>,
  deps: HandlerDeps,
): Promise<PreflightResult> {
  const job = await deps.store.getJob(spec.id);
  const checked = await recipePreflight(state, spec, deps);
  const reasons = [...controlBlockers(spec, job, input, undefined, deps.now()), ...checked.reasons];
  deps.logger.info('recipe preflight', { jobId: spec.id, phase: checked.phase, reasons });
  const plan = checked.plan ? { plan: checked.plan } : {};
  if (state.dryRun)
    return { ...state, decision: 'dry-run', ...plan, ...(reasons.length ? { blocked: { reasons } } : {}) };
  if (reasons.length > 0) return { ...state, decision: 'blocked', ...plan, blocked: { reasons } };
  return { ...state, decision: 'ready', ...plan };
}
