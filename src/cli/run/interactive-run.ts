import type { RuleSettings } from '../../ddl/rule-settings';
import type { JobSpec } from '../../job/types';
import {
  isLatencyProfileName,
  LATENCY_PROFILE_NAMES,
  type LatencyProfileName,
} from '../../runtime/local/latency-profile';
import { type CliContext, stateDirOf } from '../context';
import { openLocalControl } from '../control/local-control';
import { BadInputError } from '../errors';
import { localFlags } from '../local-flags';
import { operatorName } from '../operator';
import { createProgressRenderer } from '../progress/renderer';
import { type LocalRunReport, runJobLocally } from './local-run';

export function parseMsPerSecond(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1000) {
    throw new BadInputError(`--ms-per-second must be a number from 0 to 1000; got '${value}'`);
  }
  return n;
}

export function parseLatencyProfile(value: string | undefined): LatencyProfileName | undefined {
  if (value === undefined) return undefined;
  if (!isLatencyProfileName(value)) {
    throw new BadInputError(
      `--latency-profile must be one of ${LATENCY_PROFILE_NAMES.join(', ')}; got '${value}'`,
    );
  }
  return value;
}

export interface InteractiveRunOptions {
  /** The job to run: a declared job, or a rollback made from one. */
  readonly spec: JobSpec;
  readonly databaseUrl: string;
  readonly msPerSecond?: number;
  /** The local runtime's latency profile (`aws`: estimated AWS latencies). Default none. */
  readonly latency?: LatencyProfileName;
  /** How the pause message names what is running, e.g. `the rollback`. */
  readonly noun?: string;
  /** The repository's DDL rule settings (src/cli/ddl-rules.ts). */
  readonly ddlRules?: RuleSettings;
}

/**
 * Runs a job to its end through the local runtime the way a person at a terminal expects: progress
 * on stderr, the first Ctrl-C asks for a pause after the current batch, a second stops at once, and
 * the local control state stays served until other lowtide processes using it are done.
 */
export async function runInteractively(
  ctx: CliContext,
  options: InteractiveRunOptions,
): Promise<LocalRunReport> {
  const { spec } = options;
  const control = await openLocalControl(stateDirOf(ctx), { longLived: true });
  const showProgress = !ctx.json || Boolean(ctx.stderr.isTTY);
  const renderer = createProgressRenderer(ctx.stderr, { jobId: spec.id });
  let interrupts = 0;
  let stopNow: (() => Promise<void>) | undefined;
  const onSignal = () => {
    interrupts++;
    renderer.close();
    if (interrupts === 1) {
      ctx.stderr.write(
        `pausing ${options.noun ?? ''}${options.noun ? ' ' : ''}after the current batch (Ctrl-C again to stop at once)\n`,
      );
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
    return await runJobLocally({
      spec,
      databaseUrl: options.databaseUrl,
      control,
      msPerSecond: options.msPerSecond,
      ...(options.latency ? { latency: options.latency } : {}),
      flags: localFlags(ctx),
      ...(options.ddlRules ? { ddlRules: options.ddlRules } : {}),
      onProgress: showProgress ? (event) => renderer.handle(event) : undefined,
      onStarted: (runtime) => {
        stopNow = () => runtime.close();
      },
    });
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
