import { z } from 'zod';
import { executionInputSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { startState } from '../run-start';
import { checkStart, type PreflightResult, preflightOutcome } from '../runnable/preflight-outcome';
import { workToStart } from '../runnable/resolve-work';
import { parsePayload } from './common';

const payloadSchema = z.object({
  input: z.unknown(),
  execution: z.object({ id: z.string().min(1), name: z.string().min(1), startTime: z.string() }),
});

/**
 * Preflight: approval, abort and the work's checks, then the plan (src/runtime/work). Read-only
 * everywhere, so a blocked start and a dry run leave no trace but their output.
 */
export async function preflight(payload: unknown, deps: HandlerDeps): Promise<PreflightResult> {
  const { input: raw, execution } = parsePayload(payloadSchema, payload, 'Preflight payload');
  const input = parsePayload(executionInputSchema, raw, 'execution input');
  const started = new Date(execution.startTime);
  const run = startState(input, execution, Number.isNaN(started.getTime()) ? deps.now() : started);
  const work = workToStart(deps, run);
  if ('unavailable' in work) return preflightOutcome(run, { reasons: [work.unavailable] });
  return checkStart(work, { deps, run, input });
}
