import { ceilingProblem, type StatementCeiling } from '../../../job/statement-ceiling';
import { type PreflightCheck, pass, refuse } from '../types';

export const STATEMENT_CEILING_CHECK = 'statement-ceiling';

/**
 * The job's statement timeout fits where its batches run (on Lambda: the ApplyBatch function's
 * timeout less a margin). A statement allowed to outlast its function is not ended by the
 * database, which would roll the batch back and let it retry smaller, but cut off by Lambda.
 * Registered by the runtime that has a ceiling (the Lambda one); locally there is none.
 */
export function statementCeilingCheck(ceiling: StatementCeiling): PreflightCheck {
  return {
    name: STATEMENT_CEILING_CHECK,
    description: "limits.statementTimeoutMs fits the timeout of the function that runs the job's batches.",
    async run({ spec }) {
      const value = spec.limits.statementTimeoutMs;
      const problem = ceilingProblem(`job '${spec.id}'`, 'limits.statementTimeoutMs', value, ceiling);
      if (problem) return refuse(STATEMENT_CEILING_CHECK, problem);
      return pass(STATEMENT_CEILING_CHECK, `statements bounded at ${value} ms, within ${ceiling.ms} ms`);
    },
  };
}
