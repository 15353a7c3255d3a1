import type { CliContext } from '../context';
import { connectJobDatabase } from '../database-url';
import { localDdlRules } from '../ddl-rules';
import { BadInputError } from '../errors';
import { readConnectionGroup } from '../fleet/connection-groups';
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
  /** A fleet job: members running at once (default: the job's `fleet.maxConcurrency`). */
  readonly concurrency?: string;
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
  // A `database` that names a connection group runs on every member (src/cli/commands/run-fleet.ts).
  const group = options.databaseUrl ? undefined : await readConnectionGroup(ctx.cwd, spec.database);
  if (group) {
    if (latency !== undefined && latency !== 'none') {
      throw new BadInputError(
        `--latency-profile is not yet supported for a fleet ('${spec.database}' is a connection group): drop it, or run one member with --database-url`,
      );
    }
    const { rules } = await localDdlRules(spec, file, { cwd: ctx.cwd, config: options.config });
    const { runFleetCommand } = await import('./run-fleet');
    return runFleetCommand(ctx, {
      spec,
      group,
      concurrency: options.concurrency,
      msPerSecond,
      ...(rules ? { ddlRules: rules } : {}),
    });
  }
  if (options.concurrency !== undefined) {
    throw new BadInputError(
      `--concurrency is for a fleet, and job '${spec.id}' runs on one database ('${spec.database}'): drop --concurrency, or make '${spec.database}' a connection group in lowtide.connections.json`,
    );
  }
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
