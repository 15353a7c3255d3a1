/** What a job author may call a job: it ends up in lock names, ledger rows, DynamoDB keys and execution names. */
export const JOB_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;

/**
 * The ids lowtide keeps control state under: a job's own id, or its rollback's (`<id>-rollback`,
 * made by the engine, never declared), which may run past 48 characters.
 */
export const CONTROL_JOB_ID = /^[a-z0-9][a-z0-9-]{0,47}(-rollback)?$/;
