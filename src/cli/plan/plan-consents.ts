import { stat } from 'node:fs/promises';
import type { ConsentLookup } from '../../ddl/consent';
import { jobDdlStatements } from '../../ddl/ddl-spec';
import type { JobSpec } from '../../job/types';
import { NO_CONSENTS } from '../../run/preflight-checks';
import { type CliContext, stateDirOf } from '../context';

/** The operators' DDL consents as `lowtide plan` sees them, and where they were read. */
export interface PlanConsents {
  readonly lookup: ConsentLookup;
  /** Where the consents were read; absent when none could be (the plan then sees none). */
  readonly from?: string;
}

function hasDdl(spec: JobSpec): boolean {
  try {
    return (jobDdlStatements(spec)?.length ?? 0) > 0;
  } catch {
    // A malformed ddl field: the guard refuses it whatever was consented.
    return false;
  }
}

/**
 * The consents a local run of this job would see: those in the local control state (`.lowtide/`,
 * written by `lowtide consent`), read once. Only for a job with DDL, and only when that state
 * exists, so a plan never starts the local store for nothing and never creates it. Consents kept
 * on AWS are not read here: a deployed run sees them, this plan reports the statement refused.
 */
export async function planConsents(
  ctx: Pick<CliContext, 'cwd' | 'env'>,
  spec: JobSpec,
): Promise<PlanConsents> {
  if (!hasDdl(spec)) return { lookup: NO_CONSENTS };
  const dir = stateDirOf(ctx);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) return { lookup: NO_CONSENTS };
  // Loaded only here: a plan of a job without DDL never loads the control store's SDK.
  const { openLocalControl } = await import('../control/local-control');
  const control = await openLocalControl(dir);
  try {
    const consents = (await control.store.getJob(spec.id))?.ddlConsents ?? {};
    return { lookup: async (fingerprint) => consents[fingerprint], from: `local control state (${dir})` };
  } finally {
    await control.close();
  }
}
