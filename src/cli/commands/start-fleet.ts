import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { fleetExecutionInputOf, type LowtideConfig } from '../../config';
import { newRunId } from '../../run/naming';
import { loadDeploymentConfig } from '../ddl-rules';
import { BadInputError } from '../errors';

/** Where `start` looks for the deployment config unless `--config` names it. */
export const DEFAULT_DEPLOYMENT_CONFIG = 'lowtide.config.ts';

/**
 * The deployment config `start` reads a fleet job's members from: `--config FILE`, else
 * `lowtide.config.ts` in the current folder when there is one (none: every job is a single run).
 */
export async function deploymentConfigFor(
  cwd: string,
  configFile: string | undefined,
): Promise<LowtideConfig | undefined> {
  if (configFile === undefined) {
    const found = await stat(resolve(cwd, DEFAULT_DEPLOYMENT_CONFIG)).catch(() => undefined);
    if (!found?.isFile()) return undefined;
  }
  return loadDeploymentConfig(configFile ?? DEFAULT_DEPLOYMENT_CONFIG, cwd);
}

/** Whether the job runs on a connection group of the deployment (a fleet job). */
export function isFleetJobOf(config: LowtideConfig | undefined, jobId: string): boolean {
  const entry = config?.jobs.find(({ job }) => job.id === jobId);
  return entry !== undefined && config!.connectionGroups[entry.job.database] !== undefined;
}

/**
 * The StartExecution request of a fleet execution: the input the job's schedule would send (its
 * members, roster and Map settings, from the same deployment config), with no window. Named
 * `<job>-<run>-fleet`, so the console lists it beside its members' `<job>_<member>-...` runs.
 */
export function fleetStartRequest(
  stateMachineArn: string,
  config: LowtideConfig,
  jobId: string,
  now: Date,
  options: { dryRun?: boolean } = {},
): StartExecutionCommandInput {
  if (options.dryRun) {
    throw new BadInputError(
      `job '${jobId}' is a fleet job: --dry-run is for one run; dry-run a member with lowtide start ${jobId}_<member> --dry-run`,
    );
  }
  const entry = config.jobs.find(({ job }) => job.id === jobId);
  if (!entry) throw new BadInputError(`the deployment config has no job '${jobId}'`);
  const input = { ...fleetExecutionInputOf(config, entry.job), window: {} };
  const name = `${jobId}-${newRunId(now)}-fleet`;
  return { stateMachineArn, name, input: JSON.stringify(input) };
}
