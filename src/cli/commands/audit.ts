import { AuditRetentionError, dropAudit, kindOf, listRollbackConflicts } from '../../engine';
import { auditTableRef } from '../../engine/audit/audit-table';
import type { JobSpec } from '../../job/types';
import { formatTableRef } from '../../sql/identifiers';
import type { CliContext } from '../context';
import { connectJobDatabase } from '../database-url';
import { BadInputError, CliError, EXIT } from '../errors';
import { loadJobFile } from '../load-job';
import { type CommandResult, result } from '../output';
import { formatConflicts } from './rollback';

/** Exit 2: the audit data may still be needed for a rollback; the message says how to override. */
export class AuditRetainedError extends CliError {
  override readonly name = 'AuditRetainedError';
  readonly exitCode = EXIT.badInput;
  readonly kind = 'audit-retained';
}

export interface AuditFlags {
  readonly databaseUrl?: string;
  readonly force?: boolean;
  readonly limit?: string;
}

async function withJobDatabase<T>(
  ctx: CliContext,
  file: string,
  flags: AuditFlags,
  use: (spec: JobSpec, db: Awaited<ReturnType<typeof connectJobDatabase>>['db']) => Promise<T>,
): Promise<T> {
  const { spec } = await loadJobFile(file, ctx.cwd);
  if (!kindOf(spec).audited(spec)) {
    throw new BadInputError(
      `job '${spec.id}' keeps no audit data: only update, delete and archive jobs with rollback: { audit: true } do`,
    );
  }
  const { db } = await connectJobDatabase(spec, { flag: flags.databaseUrl, env: ctx.env, cwd: ctx.cwd });
  try {
    return await use(spec, db);
  } finally {
    await db.close();
  }
}

/** `lowtide audit drop <job-file>`: drops the job's audit table once no rollback can still want it. */
export async function auditDropCommand(
  ctx: CliContext,
  file: string,
  flags: AuditFlags,
): Promise<CommandResult> {
  return withJobDatabase(ctx, file, flags, async (spec, db) => {
    const table = formatTableRef(auditTableRef(spec));
    let dropped: boolean;
    try {
      dropped = await dropAudit(db, spec, { force: Boolean(flags.force) });
    } catch (error) {
      if (error instanceof AuditRetentionError)
        throw new AuditRetainedError(`${error.message} (lowtide audit drop ${file} --force)`, {
          cause: error,
        });
      throw error;
    }
    const text = dropped
      ? `dropped ${table}: job ${spec.id} can no longer be rolled back`
      : `nothing to drop: ${table} does not exist`;
    return result(
      { ok: true, jobId: spec.id, auditTable: table, dropped, forced: Boolean(flags.force) },
      text,
    );
  });
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 100;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new BadInputError(`--limit must be a whole number from 1 to 100000; got '${value}'`);
  }
  return n;
}

/** `lowtide audit conflicts <job-file>`: rows a rollback left because the application changed them. */
export async function auditConflictsCommand(
  ctx: CliContext,
  file: string,
  flags: AuditFlags,
): Promise<CommandResult> {
  const limit = parseLimit(flags.limit);
  return withJobDatabase(ctx, file, flags, async (spec, db) => {
    const found = await listRollbackConflicts(db, spec, limit + 1);
    const conflicts = found.slice(0, limit);
    const more = found.length > limit;
    return result(
      { ok: true, jobId: spec.id, conflicts, moreConflicts: more },
      formatConflicts(
        conflicts,
        more,
        `no conflicts recorded for job ${spec.id} (a rollback records them as it runs)`,
      ),
    );
  });
}
