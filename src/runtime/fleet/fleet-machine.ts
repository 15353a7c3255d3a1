import '../local/polyfills';
import { readFileSync } from 'node:fs';
import type { PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionInput } from '../../run/state';
import { packageFile, substitute } from '../local/definition';

type JSONValue = Parameters<StateMachine['run']>[0];

const FLEET_DEFINITION_FILE = 'statemachines/fleet-job.asl.json';

/** The fleet state machine's definition, as the CDK app deploys it. */
export const FLEET_DEFINITION_URL = packageFile(FLEET_DEFINITION_FILE);

/** Its placeholders: the per-run state machine it starts members on, and that machine's execution ARN prefix. */
export const FLEET_SUBSTITUTIONS = [
  'ControlTableName',
  'MaintenanceExecutionArnPrefix',
  'MaintenanceStateMachineArn',
] as const;

/** One member as the fleet's roster keeps it (src/control/fleet-roster.ts), as the execution input carries it. */
export interface FleetInputRosterMember {
  readonly name: string;
  readonly runId: string;
  readonly engine: 'postgres' | 'mysql';
  readonly where: string;
}

/** The fleet execution's input: what a schedule or `lowtide start` hands the fleet state machine. */
export interface FleetExecutionInput {
  readonly jobId: string;
  /** The connection group, and its members as the roster step records them. */
  readonly group: string;
  readonly roster: readonly FleetInputRosterMember[];
  readonly members: readonly { readonly member: string; readonly runId: string }[];
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  /** The fleet's window, the same for every member (an empty object: none). */
  readonly window: NonNullable<ExecutionInput['window']> | Record<string, never>;
}

/** How one member's nested execution ended, as `states:startExecution.sync:2` reports it. */
export interface NestedExecutionResult {
  readonly Status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  readonly ExecutionArn: string;
  readonly Output?: Record<string, unknown>;
}

export interface RunFleetDefinitionOptions {
  readonly input: FleetExecutionInput;
  /** The control table the roster step writes to (the `ControlTableName` substitution). */
  readonly controlTableName: string;
  /**
   * The roster step's request, a DynamoDB PutItem exactly as the deployed machine sends it, sent
   * here (locally: to the local control table). A failed condition must reject with an error
   * named `ConditionalCheckFailedException`, as the SDK's does.
   */
  readonly putItem: (request: PutItemCommandInput) => Promise<void>;
  /** The member run's execution (all its generations), in place of the nested StartExecution. */
  readonly runMember: (input: ExecutionInput) => Promise<NestedExecutionResult>;
  readonly executionName?: string;
  /**
   * DescribeExecution of a member's continue-as-new successor, which the definition polls until
   * it ends. Locally `runMember` already follows a run's generations, so this is for tests of the
   * definition's own path; without it, a successor found is an error.
   */
  readonly describeExecution?: (executionArn: string) => Promise<{ Status: string; Output?: string }>;
}

const LOCAL_MAINTENANCE_MACHINE = 'arn:aws:states:local:000000000000:stateMachine:lowtide-maintenance-job';

/**
 * The fleet definition with its placeholders filled for the local interpreter, and one change: the
 * interpreter gives a Task state without TimeoutSeconds 60 seconds (Step Functions gives 99999999),
 * so the nested run's Task gets the longest timer Node keeps (2^31 - 1 ms, about 24.8 days).
 */
export function loadFleetDefinition(controlTableName: string): StateMachineDefinition {
  const text = substitute(readFileSync(FLEET_DEFINITION_URL, 'utf8'), {
    ControlTableName: controlTableName,
    MaintenanceStateMachineArn: LOCAL_MAINTENANCE_MACHINE,
    MaintenanceExecutionArnPrefix: LOCAL_MAINTENANCE_MACHINE.replace(':stateMachine:', ':execution:'),
  });
  const definition = JSON.parse(text) as {
    States: Record<string, { ItemProcessor?: { States: Record<string, Record<string, unknown>> } }>;
  };
  const member = definition.States.RunMembers?.ItemProcessor?.States.RunMember;
  if (member) member.TimeoutSeconds = Math.floor((2 ** 31 - 1) / 1000);
  return definition as unknown as StateMachineDefinition;
}

export interface FleetMachineResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** Each member iteration's output, in the members' order: `{ member, runId, status }`. */
  readonly results: readonly { readonly member: string; readonly runId: string; readonly status: string }[];
  readonly error?: string;
}

/**
 * Runs the deployed fleet definition in this process: its Map over the members with the
 * execution's MaxConcurrency, each iteration's nested execution (`RunMember`) answered by
 * `runMember`. The interpreter runs a Map inline whatever its ProcessorConfig and has no
 * ToleratedFailurePercentage: an iteration that failed would stop every other. So a member's
 * failed run is returned as its iteration's status instead of failing the iteration, and the
 * caller judges the fleet by the same rule the Map applies on AWS.
 */
export async function runFleetDefinition(options: RunFleetDefinitionOptions): Promise<FleetMachineResult> {
  const machine = new StateMachine(loadFleetDefinition(options.controlTableName), {
    validationOptions: { noValidate: true },
  });
  const name = options.executionName ?? `${options.input.jobId}-fleet`;
  const run = machine.run(options.input as unknown as JSONValue, {
    overrides: {
      taskResourceLocalHandlers: {
        RecordRoster: async (input) => {
          try {
            await options.putItem(input as unknown as PutItemCommandInput);
          } catch (error) {
            // Step Functions names a service integration's errors `DynamoDB.<exception>`, which
            // the definition's Catch matches.
            if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
            const named = new Error((error as Error).message);
            named.name = 'DynamoDB.ConditionalCheckFailedException';
            throw named;
          }
          return {};
        },
        RunMember: async (input) => {
          const { Input } = input as { Input: ExecutionInput };
          return (await options.runMember(Input)) as unknown as JSONValue;
        },
        DescribeSuccessor: async (input) => {
          const { ExecutionArn } = input as { ExecutionArn: string };
          if (!options.describeExecution)
            throw new Error(`a member continued as ${ExecutionArn}, which this runtime does not follow`);
          return (await options.describeExecution(ExecutionArn)) as unknown as JSONValue;
        },
      },
      waitTimeOverrides: { WaitForSuccessor: 0 },
    },
    context: {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:lowtide-fleet-job:${name}`,
        Name: name,
        StartTime: new Date().toISOString(),
      },
    },
  });
  try {
    const output = (await run.result) as { results?: FleetMachineResult['results'] };
    return { status: 'SUCCEEDED', results: output.results ?? [] };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return { status: 'FAILED', results: [], error: String((cause as Error | undefined)?.message ?? error) };
  }
}
