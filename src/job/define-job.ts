import type { z } from 'zod';
import { sqlFragmentProblem } from '../sql/sql-fragment';
import { authorSqlOf } from './author-sql';
import { jobSpecSchema } from './spec';
import type { CompositeKey, CustomJobInput, DefineJobInput, JobSpec } from './types';

export interface SpecIssue {
  /** Dotted path of the offending field, e.g. `batch.size` or `set.tier`. */
  readonly path: string;
  readonly message: string;
}

/** A job file that does not validate. The message lists every field to change, one per line. */
export class JobSpecError extends Error {
  override readonly name = 'JobSpecError';
  constructor(
    readonly jobId: string | undefined,
    readonly issues: readonly SpecIssue[],
  ) {
    super(
      `invalid job${jobId ? ` '${jobId}'` : ''}:\n${issues.map((i) => `  - ${i.path || '(job)'}: ${i.message}`).join('\n')}`,
    );
  }
}

function toIssues(error: z.ZodError): SpecIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: describe(issue),
  }));
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.join(', ')}: remove or rename them`;
  if (issue.code === 'invalid_key') return `column name ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    return "must be one of 'update', 'delete', 'archive', 'custom'";
  }
  return issue.message;
}

/** Validates a job's input and returns the spec with defaults filled in, or throws JobSpecError. */
export function parseJobSpec(input: unknown): JobSpec {
  const result = jobSpecSchema.safeParse(input);
  const id =
    typeof input === 'object' && input && 'id' in input ? String((input as { id: unknown }).id) : undefined;
  if (!result.success) throw new JobSpecError(id, toIssues(result.error));
  const spec = result.data;
  const issues = authorSqlOf(spec).flatMap(({ path, role, sql }): SpecIssue[] => {
    const problem = sqlFragmentProblem(sql, spec.engine, role);
    return problem ? [{ path, message: problem }] : [];
  });
  if (issues.length > 0) throw new JobSpecError(id, issues);
  return spec as JobSpec;
}

/**
 * Declares a maintenance job. A job file does `export default defineJob({...})`; an invalid spec
 * throws when the file is loaded, naming every field to fix.
 */
export function defineJob(input: DefineJobInput): JobSpec;
/** A custom job over a composite key: its hooks take and return one array of column values per key. */
export function defineJob(input: CustomJobInput<CompositeKey>): JobSpec;
export function defineJob(input: DefineJobInput | CustomJobInput<CompositeKey>): JobSpec {
  return parseJobSpec(input);
}
