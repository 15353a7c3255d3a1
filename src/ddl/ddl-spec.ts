import { ddlSpecSchema } from '../job/ddl-field';
import type { JobSpec } from '../job/types';
import { DdlSpecError } from './errors';

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
