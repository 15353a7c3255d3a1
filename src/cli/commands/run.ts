import type { CliContext } from '../context';
import { connectJobDatabase } from '../database-url';
import { localDdlRules } from '../ddl-rules';
import { BadInputError } from '../errors';
import { count } from '../format/units';
import { loadJobFile } from '../load-job';
import { type CommandResult, result } from '../output';
import { parseLatencyProfile, parseMsPerSecond, runInteractively } from '../run/interactive-run';
import { localRunJson } from '../run/local-run';
import { formatSummary } from '../summary/format-summary';

export interface RunCommandOptions {
  readonly local?: boolean;
  readonly databaseUrl?: string;
  readonly msPerSecond?: string;
  /** The deployment config whose `ddlGuard` rule settings the preflight applies. */
  readonly config?: string;
  /** `none` or `aws`: the local runtime's latency profile. Default none. */
  readonly latencyProfile?: string;
}

const NEXT_STEP: Readonly<Record<string, (jobId: string) => string>> = {
  paused: (id) => `resume with: lowtide resume ${id}, then run it again`,
  aborted: (id) =>
    `the job was aborted; it does not run again until the abort is cleared (lowtide resume ${id} --clear-abort)`,
  'window-closed': () => 'checkpointed: run it again to continue where it stopped',
  'lease-held': () => 'another run owns the job: wait for it, or check lowtide status',
  blocked: () => 'nothing was changed: fix what the checks above name, then run it again',
};

/**
 * `lowtide run <job-file> --local`: runs the job to its end through the local runtime (the real
 * state machine and handlers, in this process), drawing progress on stderr. Ctrl-C asks for a
 * pause after the current batch; a second Ctrl-C stops at once.
 */
export async function runCommand(
  ctx: CliContext,
  file: string,
  options: RunCommandOptions,
): Promise<CommandResult> {
  if (!options.local) {
    throw new BadInputError(
      'runs start here only with --local; to run on AWS use lowtide start <job> --stack NAME',
    );
  }
  const msPerSecond = parseMsPerSecond(options.msPerSecond);
  const latency = parseLatencyProfile(options.latencyProfile);
  const { spec } = await loadJobFile(file, ctx.cwd);
  const sources = { flag: options.databaseUrl, env: ctx.env, cwd: ctx.cwd };
  // One round trip first, so an unreachable database is bad input rather than a failed run.
  const checked = await connectJobDatabase(spec, sources);
  await checked.db.close();
  const { url } = checked;
  const { rules } = await localDdlRules(spec, file, { cwd: ctx.cwd, config: options.config });

  const report = await runInteractively(ctx, {
    spec,
    databaseUrl: url,
    msPerSecond,
    ...(latency ? { latency } : {}),
    ...(rules ? { ddlRules: rules } : {}),
  });
  const { outcome, summary } = report;
  const next = NEXT_STEP[outcome.outcome]?.(spec.id);
  const text = [
    `job ${spec.id}: ${outcome.outcome}${outcome.reason ? ` — ${outcome.reason}` : ''}`,
    formatSummary(summary, 'this run'),
    ...(report.rowsDone === undefined ? [] : [`rows done by all runs: ${count(report.rowsDone)}`]),
    ...(next ? [next] : []),
  ].join('\n');
  return result(localRunJson(spec.id, report), text, outcome.code);
}
