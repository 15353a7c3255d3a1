/** What a job author may call a job: it ends up in lock names, ledger rows, DynamoDB keys and execution names. */
export const JOB_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;

/**
 * The ids lowtide keeps control state under: a job's own id, a fleet member's run
 * (`<id>_<member>`, see memberRunId) or a rollback of either (`<id>-rollback`, made by the engine,
 * never declared), which may run past 48 characters.
 */
export const CONTROL_JOB_ID = /^[a-z0-9][a-z0-9-]{0,47}(_[a-z0-9][a-z0-9-]{0,46})?(-rollback)?$/;

/** A fleet member's name: it becomes part of the member run's id, so it is spelt like one. */
export const MEMBER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The longest member run id: as long as a job id, so execution names built from it still fit. */
export const MAX_MEMBER_RUN_ID = 48;

/**
 * The id one member of a fleet runs under: `<job id>_<member>`. `_` never appears in a job id, so
 * no declared job can share a member's control item, ledger rows or advisory lock.
 */
export function memberRunId(jobId: string, member: string): string {
  return `${jobId}_${member}`;
}
