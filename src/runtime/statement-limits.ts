import { applyBatchCeiling, DDL_CLEANUP_TIMEOUT_MS } from '../config/function-timeouts';
import type { StatementCeiling } from '../job/statement-ceiling';
import type { PhaseGuardLimits } from '../recipes/phase-guard';
import type { RuntimeSettings } from './deps';

/** The ceiling on one statement of a job's batch where this runtime runs it; none locally. */
export function jobCeiling(settings: RuntimeSettings): StatementCeiling | undefined {
  const seconds = settings.applyBatchTimeoutSeconds;
  return seconds === undefined ? undefined : applyBatchCeiling('job', seconds);
}

/** What a recipe's DDL phase is checked against and runs under here. */
export function recipeLimits(
  settings: RuntimeSettings,
  recipeId: string,
): PhaseGuardLimits & { readonly cleanupTimeoutMs?: number } {
  const seconds = settings.applyBatchTimeoutSeconds;
  return {
    recipeId,
    scanMbPerSecond: settings.ddlScanMbPerSecond,
    ...(seconds === undefined
      ? {}
      : { ceiling: applyBatchCeiling('recipe', seconds), cleanupTimeoutMs: DDL_CLEANUP_TIMEOUT_MS }),
  };
}
