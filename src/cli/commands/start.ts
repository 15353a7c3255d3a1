import { StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { generationName, newRunId } from '../../run/naming';
import type { CliContext } from '../context';
import { type AwsClients, findStateMachine } from '../control/aws-targets';
import { awsClients } from '../control/control-target';
import { BadInputError } from '../errors';
import { resolveJobId } from '../load-job';
import { type CommandResult, result } from '../output';
import type { ControlFlags } from './control-options';

export interface StartFlags extends ControlFlags {
  readonly dryRun?: boolean;
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
  const clients = awsClients(flags.region);
  try {
    const stateMachineArn = flags.stateMachine ?? (await findStateMachine(flags.stack!, clients.sfn));
    const request = startExecutionRequest(stateMachineArn, jobId, new Date(), { dryRun: flags.dryRun });
    const started = await startExecution(clients.sfn, request);
    const text = [
      `started ${flags.dryRun ? 'a dry run of ' : ''}job ${jobId}: ${started.executionArn}`,
      `follow it with: lowtide status ${jobId}${flags.stack ? ` --stack ${flags.stack}` : ' --table <control table>'}`,
    ].join('\n');
    return result({ ok: true, jobId, stateMachineArn, ...started, name: request.name }, text);
  } finally {
    clients.destroy();
  }
}
