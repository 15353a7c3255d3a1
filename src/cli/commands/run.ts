import { connectJobDatabase } from '../connect-database';
import { type CliContext, stateDirOf } from '../context';
import { openLocalControl } from '../control/local-control';
import { BadInputError } from '../errors';
import { count } from '../format/units';
import { loadJobFile } from '../load-job';
import { operatorName } from '../operator';
import { type CommandResult, result } from '../output';
import { createProgressRenderer } from '../progress/renderer';
import { runJobLocally } from '../run/local-run';
import { formatSummary } from '../summary/format-summary';

export interface RunCommandOptions {
  readonly local?: boolean;
  readonly databaseUrl?: string;
  readonly msPerSecond?: string;
}

function parseMsPerSecond(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1000) {
    throw new BadInputError(`--ms-per-second must be a number from 0 to 1000; got '${value}'`);
  }
  return n;
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
  const { spec } = await loadJobFile(file, ctx.cwd);
  const sources = { flag: options.databaseUrl, env: ctx.env, cwd: ctx.cwd };
  // One round trip first, so an unreachable database is bad input rather than a failed run.
  const checked = await connectJobDatabase(spec, sources);
  await checked.db.close();
  const { url } = checked;

  const control = await openLocalControl(stateDirOf(ctx), { longLived: true });
  const showProgress = !ctx.json || Boolean(ctx.stderr.isTTY);
  const renderer = createProgressRenderer(ctx.stderr, { jobId: spec.id });
  let interrupts = 0;
  let stopNow: (() => Promise<void>) | undefined;
  const onSignal = () => {
    interrupts++;
    renderer.close();
    if (interrupts === 1) {
      ctx.stderr.write('pausing after the current batch (Ctrl-C again to stop at once)\n');
      control.store
        .requestPause(spec.id, { reason: 'operator', by: operatorName(ctx.env), message: 'Ctrl-C' })
        .catch(() => {});
    } else {
      ctx.stderr.write('stopping now; the batch in flight commits or rolls back on its own\n');
      void stopNow?.();
    }
  };
  process.on('SIGINT', onSignal);
  try {
    const report = await runJobLocally({
      spec,
      databaseUrl: url,
      control,
      msPerSecond,
      onProgress: showProgress ? (event) => renderer.handle(event) : undefined,
      onStarted: (runtime) => {
        stopNow = () => runtime.close();
      },
    });
    renderer.close();
    const { outcome, summary } = report;
    const next = NEXT_STEP[outcome.outcome]?.(spec.id);
    const text = [
      `job ${spec.id}: ${outcome.outcome}${outcome.reason ? ` — ${outcome.reason}` : ''}`,
      formatSummary(summary, 'this run'),
      ...(report.rowsDone === undefined ? [] : [`rows done by all runs: ${count(report.rowsDone)}`]),
      ...(next ? [next] : []),
    ].join('\n');
    const json = {
      ok: outcome.code === 0,
      jobId: spec.id,
      outcome: outcome.outcome,
      reason: outcome.reason,
      exitCode: outcome.code,
      rowsDone: report.rowsDone,
      estimatedRows: report.estimatedRows,
      executions: report.executions,
      summary,
    };
    return result(json, text, outcome.code);
  } finally {
    process.off('SIGINT', onSignal);
    renderer.close();
    await control.close((clients) =>
      ctx.stderr.write(
        `waiting for ${clients} other lowtide process(es) using the local control state to finish\n`,
      ),
    );
  }
}
