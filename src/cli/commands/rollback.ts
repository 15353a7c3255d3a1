import { listRollbackConflicts, type RollbackConflict, rollbackJob } from '../../engine';
import { displayKey } from '../../engine/key-display';
import type { JobSpec, RollbackJobSpec } from '../../job/types';
import type { CliContext } from '../context';
import { connectJobDatabase } from '../database-url';
import { BadInputError } from '../errors';
import { fleetMemberTarget } from '../fleet/member-target';
import { count } from '../format/units';
import { loadJobFile } from '../load-job';
import { type CommandResult, result } from '../output';
import { parseMsPerSecond, runInteractively } from '../run/interactive-run';
import { localRunJson } from '../run/local-run';
import { formatSummary } from '../summary/format-summary';

export interface RollbackCommandOptions {
  readonly local?: boolean;
  readonly databaseUrl?: string;
  readonly force?: boolean;
  readonly msPerSecond?: string;
  /** A fleet job: roll back this member's run (`<job>_<member>`) on its own database. */
  readonly member?: string;
}

/** Conflicts printed and returned at most; the audit table keeps them all (lowtide audit conflicts). */
export const CONFLICTS_SHOWN = 100;

/** The rollback of a job file's job, or bad input saying why that job cannot be rolled back. */
export function rollbackOf(spec: JobSpec, force: boolean): RollbackJobSpec {
  try {
    return rollbackJob(spec, { force });
  } catch (error) {
    throw new BadInputError(
      `${(error as Error).message}: only update, delete and archive jobs that ran with rollback: { audit: true } can be rolled back`,
      { cause: error },
    );
  }
}

/** One line per conflict: the key, why it was left, and which columns differ from the before-image. */
export function formatConflicts(
  conflicts: readonly RollbackConflict[],
  more: boolean,
  none = 'no conflicts: every audited row was restored',
): string {
  if (conflicts.length === 0) return none;
  const lines = conflicts.map(
    (c) =>
      `  key ${displayKey(c.key)}: ${c.reason}${c.changedColumns.length ? ` (differs in ${c.changedColumns.join(', ')})` : ''}`,
  );
  const head = `${more ? `the first ${conflicts.length}` : count(conflicts.length)} rows left as the application wrote them:`;
  return [head, ...lines].join('\n');
}

const NEXT_STEP: Readonly<Record<string, (rollbackId: string, file: string) => string>> = {
  paused: (id, file) => `resume with: lowtide resume ${id}, then lowtide rollback ${file} --local again`,
  aborted: (id) =>
    `the rollback was aborted; it does not run again until the abort is cleared (lowtide resume ${id} --clear-abort)`,
  'window-closed': (_id, file) => `checkpointed: run lowtide rollback ${file} --local again to continue`,
  'lease-held': (id) => `another run owns the rollback: wait for it, or check lowtide status ${id}`,
  blocked: () => 'nothing was changed: fix what the checks above name, then run the rollback again',
};

/**
 * `lowtide rollback <job-file> --local`: restores the job's before-images through the local
 * runtime, exactly like `run --local` runs a job (preflight, lease, health gate, bounded batches,
 * checkpoints), under the rollback's own id `<job>-rollback`. Rows the application changed after
 * the job are left and listed, unless --force.
 */
export async function rollbackCommand(
  ctx: CliContext,
  file: string,
  options: RollbackCommandOptions,
): Promise<CommandResult> {
  if (!options.local) {
    throw new BadInputError(
      'rollbacks start here only with --local; on AWS start an execution with the input { "jobId": "<job>", "rollback": true }',
    );
  }
  const msPerSecond = parseMsPerSecond(options.msPerSecond);
  const loaded = (await loadJobFile(file, ctx.cwd)).spec;
  const { spec, databaseUrl } =
    options.member === undefined
      ? { spec: loaded, databaseUrl: options.databaseUrl }
      : await fleetMemberTarget(ctx.cwd, loaded, options.member, options.databaseUrl);
  const undo = rollbackOf(spec, Boolean(options.force));
  const checked = await connectJobDatabase(spec, { flag: databaseUrl, env: ctx.env, cwd: ctx.cwd });

  try {
    const report = await runInteractively(ctx, {
      spec: undo,
      databaseUrl: checked.url,
      msPerSecond,
      noun: 'the rollback',
    });
    // Read after the run, so they include what this run and every earlier one left behind.
    const found = await listRollbackConflicts(checked.db, spec, CONFLICTS_SHOWN + 1);
    const conflicts = found.slice(0, CONFLICTS_SHOWN);
    const more = found.length > CONFLICTS_SHOWN;
    const { outcome, summary } = report;
    const next = NEXT_STEP[outcome.outcome]?.(undo.id, file);
    const text = [
      `rollback ${undo.id} of job ${spec.id}: ${outcome.outcome}${outcome.reason ? ` — ${outcome.reason}` : ''}`,
      formatSummary(summary, 'this run'),
      ...(report.rowsDone === undefined
        ? []
        : [`rows restored or reported by all runs: ${count(report.rowsDone)}`]),
      formatConflicts(conflicts, more),
      ...(next ? [next] : []),
    ].join('\n');
    const json = {
      ...localRunJson(spec.id, report),
      rollbackJobId: undo.id,
      force: undo.force,
      conflicts,
      moreConflicts: more,
    };
    return result(json, text, outcome.code);
  } finally {
    await checked.db.close();
  }
}
