import { describe, expect, it } from 'vitest';
import { startExecution, startExecutionRequest } from '../../src/cli/commands/start';
import { resolveAwsTargets } from '../../src/cli/control/aws-targets';

/** A client that answers from a table of canned responses and records every request. */
function recordingClient(answer: (name: string, input: Record<string, unknown>) => unknown) {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  return {
    sent,
    client: {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        const call = { name: command.constructor.name, input: command.input as Record<string, unknown> };
        sent.push(call);
        return answer(call.name, call.input);
      },
    } as never,
  };
}

const STACK = 'lowtide-prod';
const TABLE = 'lowtide-prod-LowtideControlTableA1B2C3-XYZ';
const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`;
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:lowtide-maintenance-job';

function dynamoFor(tags: Record<string, Array<{ Key: string; Value: string }>>) {
  return recordingClient((name, input) => {
    if (name === 'ListTablesCommand') {
      return input.ExclusiveStartTableName
        ? { TableNames: [TABLE, 'lowtide-prod-SomethingElse-1'] }
        : { TableNames: ['orders', 'other-stack-table'], LastEvaluatedTableName: 'other-stack-table' };
    }
    if (name === 'DescribeTableCommand') {
      return {
        Table: { TableArn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${String(input.TableName)}` },
      };
    }
    if (name === 'ListTagsOfResourceCommand') return { Tags: tags[String(input.ResourceArn)] ?? [] };
    throw new Error(`unexpected ${name}`);
  });
}

const sfnFor = () =>
  recordingClient((name, input) => {
    if (name === 'ListStateMachinesCommand') {
      return {
        stateMachines: [
          {
            name: 'unrelated',
            stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:unrelated',
          },
          { name: 'lowtide-maintenance-job', stateMachineArn: MACHINE },
        ],
      };
    }
    if (name === 'ListTagsForResourceCommand') {
      return {
        tags: input.resourceArn === MACHINE ? [{ key: 'aws:cloudformation:stack-name', value: STACK }] : [],
      };
    }
    if (name === 'StartExecutionCommand') {
      return {
        executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${String(input.name)}`,
        startDate: new Date(0),
      };
    }
    throw new Error(`unexpected ${name}`);
  });

describe('--stack, --table and --state-machine', () => {
  it('takes --table as given without calling AWS', async () => {
    const dynamo = dynamoFor({});
    const sfn = sfnFor();
    expect(
      await resolveAwsTargets({ table: 'my-table' }, { dynamo: dynamo.client, sfn: sfn.client }),
    ).toEqual({
      tableName: 'my-table',
    });
    expect(dynamo.sent).toEqual([]);
  });

  it('finds the stack control table by its CloudFormation tags, across pages', async () => {
    const dynamo = dynamoFor({
      [TABLE_ARN]: [
        { Key: 'aws:cloudformation:stack-name', Value: STACK },
        { Key: 'aws:cloudformation:logical-id', Value: 'LowtideControlTableA1B2C3' },
      ],
    });
    const sfn = sfnFor();
    const targets = await resolveAwsTargets(
      { stack: STACK },
      { dynamo: dynamo.client, sfn: sfn.client },
      { stateMachine: true },
    );
    expect(targets).toEqual({ tableName: TABLE, stateMachineArn: MACHINE });
    expect(
      dynamo.sent.filter((c) => c.name === 'ListTablesCommand').map((c) => c.input.ExclusiveStartTableName),
    ).toEqual([undefined, 'other-stack-table']);
    // only tables named after the stack are described
    expect(
      dynamo.sent.filter((c) => c.name === 'DescribeTableCommand').map((c) => c.input.TableName),
    ).toEqual([TABLE, 'lowtide-prod-SomethingElse-1']);
    // only lowtide's state machine is asked for its tags
    expect(
      sfn.sent.filter((c) => c.name === 'ListTagsForResourceCommand').map((c) => c.input.resourceArn),
    ).toEqual([MACHINE]);
  });

  it('is bad input, naming the flag to pass, when the stack has no control table', async () => {
    const dynamo = dynamoFor({});
    await expect(
      resolveAwsTargets({ stack: STACK }, { dynamo: dynamo.client, sfn: sfnFor().client }),
    ).rejects.toThrow(
      "no lowtide control table found in stack 'lowtide-prod' in this region: check the stack name and AWS_REGION, or pass --table",
    );
    await expect(resolveAwsTargets({}, { dynamo: dynamo.client, sfn: sfnFor().client })).rejects.toThrow(
      'pass --stack NAME or --table NAME',
    );
  });
});

describe('lowtide start', () => {
  it('starts generation 0 of a new run, named like the scheduler names runs', async () => {
    const request = startExecutionRequest(
      MACHINE,
      'backfill-account-tier',
      new Date('2026-01-02T03:04:05Z'),
      { dryRun: true },
    );
    expect(request.stateMachineArn).toBe(MACHINE);
    expect(request.name).toMatch(/^backfill-account-tier-[a-z0-9]{1,16}-g0$/);
    const input = JSON.parse(request.input!);
    expect(input).toEqual({
      jobId: 'backfill-account-tier',
      runId: expect.any(String),
      generation: 0,
      dryRun: true,
    });
    expect(request.name).toBe(`backfill-account-tier-${input.runId}-g0`);

    const sfn = sfnFor();
    const started = await startExecution(sfn.client, request);
    expect(sfn.sent).toEqual([{ name: 'StartExecutionCommand', input: request }]);
    expect(started.executionArn).toMatch(/:execution:lowtide-maintenance-job:backfill-account-tier-/);
  });

  it('leaves dryRun out of a real run', () => {
    const input = JSON.parse(startExecutionRequest(MACHINE, 'job', new Date()).input!);
    expect(input).not.toHaveProperty('dryRun');
  });
});
