/**
 * The longest a single statement may run where it runs. On Lambda it is the function's timeout
 * less a margin (src/config/function-timeouts.ts); locally there is none. A statement allowed to
 * run longer than its function is not ended by the database but cut off by Lambda, mid-step.
 */
export interface StatementCeiling {
  /** The longest a single statement may run, in milliseconds. */
  readonly ms: number;
  /** What sets it, with the figures, e.g. "the ApplyBatch function's 300 s Lambda timeout less a 60 s margin". */
  readonly source: string;
  /** What to do when work cannot fit it, e.g. run it from a machine without the limit. */
  readonly instead: string;
}

/**
 * The refusal for a timeout that does not fit the ceiling (undefined when it fits): names the
 * subject (the job or the recipe phase), the field, its value, the ceiling and what to do.
 */
export function ceilingProblem(
  subject: string,
  field: string,
  valueMs: number,
  ceiling: StatementCeiling,
): string | undefined {
  if (valueMs <= ceiling.ms) return undefined;
  return `${subject} sets ${field} to ${valueMs} ms, more than the ${ceiling.ms} ms one statement may run (${ceiling.source}): set it to at most ${ceiling.ms}, or ${ceiling.instead}`;
}
