import { z } from 'zod';
import type { JobSpec } from '../job/types';
import { DdlSpecError } from './errors';

/**
 * The `ddl` field of a job: the SQL it runs outside its batch template, in order, as one session
 * would run it. Each entry is one statement or a short script.
 */
export const ddlSpecSchema = z
  .object({
    statements: z
      .array(z.string().trim().min(1, 'must not be empty'))
      .min(1, 'must list at least one statement'),
  })
  .strict();

export type DdlSpec = z.output<typeof ddlSpecSchema>;

/** The job's DDL statements, or undefined when it has none. A malformed `ddl` field throws. */
export function jobDdlStatements(spec: JobSpec): readonly string[] | undefined {
  const ddl = (spec as { readonly ddl?: unknown }).ddl;
  if (ddl === undefined) return undefined;
  const parsed = ddlSpecSchema.safeParse(ddl);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DdlSpecError(
      `job ${spec.id}: ddl.${issue?.path.join('.') || ''} ${issue?.message ?? 'is malformed'}: expected { statements: string[] }`,
    );
  }
  return parsed.data.statements;
}
