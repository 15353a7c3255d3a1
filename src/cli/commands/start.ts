import { StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { generationName, newRunId } from '../../run/naming';
import type { CliContext } from '../context';
import { type AwsClients, FLEET_MACHINE_SUFFIX, findStateMachine } from '../control/aws-targets';
import { awsClients } from '../control/control-target';
import { BadInputError } from '../errors';
import { resolveJobId } from '../load-job';
import { type CommandResult, result } from '../output';
import type { ControlFlags } from './control-options';
import { deploymentConfigFor, fleetStartRequest, isFleetJobOf } from './start-fleet';

export interface StartFlags extends ControlFlags {
  readonly dryRun?: boolean;
  /** The deployment config a fleet job's members are read from. Default: ./lowtide.config.ts when present. */
  readonly config?: string;
}

/**
 * The StartExecution request for generation 0 of a new run: the execution is named
 * `<job>-<run>-g0` like the scheduler's, so the console lists a run's generations together.
 */
export function startExecutionRequest(
  stateMachineArn: string,
  jobId: string,
  now: Date,
  options: { dryRun?: boolean } = {},
): StartExecutionCommandInput {
  const runId = newRunId(now);
  const input = { jobId, runId, generation: 0, ...(options.dryRun ? { dryRun: true } : {}) };
  return { stateMachineArn, name: generationName(jobId, runId, 0), input: JSON.stringify(input) };
}

/** Sends the request; separate from the command so tests pass a recording client. */
export async function startExecution(
  sfn: AwsClients['sfn'],
  request: StartExecutionCommandInput,
): Promise<{ executionArn: string; startDate?: string }> {
  const response = await sfn.send(new StartExecutionCommand(request));
  if (!response.executionArn) throw new Error('StartExecution returned no execution ARN');
  return { executionArn: response.executionArn, startDate: response.startDate?.toISOString() };
}

/** `lowtide start <job> --stack NAME`: starts a run on AWS and returns at once. */
export async function startCommand(
  ctx: CliContext,
  reference: string,
  flags: StartFlags,
): Promise<CommandResult> {
  if (!flags.stack && !flags.stateMachine) {
    throw new BadInputError(
      'start runs a job on AWS: pass --stack NAME or --state-machine ARN (for a run on this machine use lowtide run <job-file> --local)',
    );
  }
  const jobId = await resolveJobId(reference, ctx.cwd);
  const config = await deploymentConfigFor(ctx.cwd, flags.config);
  const fleet = isFleetJobOf(config, jobId);
  const clients = awsClients(flags.region);
  try {
    // A fleet job starts the fleet state machine, which runs every member (and records the roster).
    const stateMachineArn =
      flags.stateMachine ??
      (await findStateMachine(flags.stack!, clients.sfn, fleet ? FLEET_MACHINE_SUFFIX : undefined));
    const request = fleet
      ? fleetStartRequest(stateMachineArn, config!, jobId, new Date(), { dryRun: flags.dryRun })
      : startExecutionRequest(stateMachineArn, jobId, new Date(), { dryRun: flags.dryRun });
    const started = await startExecution(clients.sfn, request);
    const text = [
      `started ${flags.dryRun ? 'a dry run of ' : ''}${fleet ? 'fleet ' : ''}job ${jobId}: ${started.executionArn}`,
      `follow it with: lowtide status ${jobId}${flags.stack ? ` --stack ${flags.stack}` : ' --table <control table>'}`,
    ].join('\n');
    return result({ ok: true, jobId, fleet, stateMachineArn, ...started, name: request.name }, text);
  } finally {
    clients.destroy();
  }
}
