import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ExecutionRecord,
  type InvokeResult,
  RehearsalStateMachines,
} from '../../rehearsal/states/state-machines';

const FN = 'arn:aws:lambda:eu-west-1:111122223333:function:worker';
const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:jobs';

const definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: FN,
      Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['Refused'], ResultPath: '$.error', Next: 'Caught' }],
      Next: 'Again',
    },
    Again: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', Name: 'successor', Input: { next: true } },
      Catch: [
        {
          ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'],
          ResultPath: '$.exists',
          Next: 'Done',
        },
      ],
      Next: 'Done',
    },
    Caught: { Type: 'Succeed' },
    Done: { Type: 'Succeed' },
  },
};

function machines(invoke: (payload: unknown) => InvokeResult, allowInvoke = true) {
  const ended: ExecutionRecord[] = [];
  const runner = new RehearsalStateMachines({
    machines: [
      {
        logicalId: 'M',
        name: 'jobs',
        arn: MACHINE,
        definition: JSON.stringify(definition),
        roleLogicalId: 'R',
      },
    ],
    invoke: async (_arn, payload) => invoke(payload),
    authorize: async (_role, action) =>
      action === 'lambda:InvokeFunction' && !allowInvoke
        ? { allowed: false, reason: 'no identity-based policy allows it' }
        : { allowed: true, reason: 'allowed' },
    principalFor: (role) => `arn:aws:sts::111122223333:assumed-role/${role}/rehearsal`,
    msPerSecond: 1,
    onEnd: (record) => ended.push(record),
  });
  return { runner, ended };
}

async function run(runner: RehearsalStateMachines, input: unknown, name?: string) {
  const { executionArn } = await runner.startExecution({
    stateMachineArn: MACHINE,
    input: JSON.stringify(input),
    ...(name ? { name } : {}),
  });
  return runner.finished(executionArn);
}

describe('RehearsalStateMachines', () => {
  it('reports a function error under its errorType with Lambda JSON cause, retried and caught as synthesized', async () => {
    let calls = 0;
    const { runner } = machines(() => {
      calls++;
      return calls < 3
        ? { ok: false, errorType: 'Busy', errorMessage: 'try later' }
        : { ok: false, errorType: 'Refused', errorMessage: 'no' };
    });
    const record = await run(runner, {});
    expect(calls).toBe(3);
    expect(record).toMatchObject({ status: 'SUCCEEDED', lastState: 'Caught' });
    const error = JSON.parse(record.output!).error;
    expect(error.Error).toBe('Refused');
    expect(JSON.parse(error.Cause)).toEqual({ errorType: 'Refused', errorMessage: 'no' });
    await runner.close();
  });

  it('fails the task as Lambda.AWSLambdaException when the role may not invoke the function', async () => {
    let calls = 0;
    const { runner, ended } = machines(() => {
      calls++;
      return { ok: true, result: {} };
    }, false);
    const record = await run(runner, {});
    expect(calls).toBe(0);
    expect(record).toMatchObject({ status: 'FAILED', error: 'Lambda.AWSLambdaException' });
    expect(record.cause).toMatch(/not authorized to perform: lambda:InvokeFunction on resource: .*worker/);
    expect(ended.map((e) => e.status)).toEqual(['FAILED']);
    await runner.close();
  });

  it('starts a successor through states:startExecution; a used name is ExecutionAlreadyExistsException', async () => {
    const { runner } = machines(() => ({ ok: true, result: { done: true } }));
    const first = await run(runner, { first: true });
    expect(first).toMatchObject({ status: 'SUCCEEDED', lastState: 'Done' });
    const successor = runner.record(`${MACHINE.replace(':stateMachine:', ':execution:')}:successor`);
    expect(JSON.parse(successor.input)).toEqual({ next: true });
    await runner.finished(successor.executionArn);
    // The successor's own start met itself running with the same input: the original response.
    expect(JSON.parse(successor.output!).exists).toBeUndefined();
    // Closed now: the name is refused, and the integration names the refusal for Catch.
    await expect(
      runner.startExecution({ stateMachineArn: MACHINE, name: 'successor', input: '{"next":true}' }),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    const second = await run(runner, { second: true });
    expect(JSON.parse(second.output!).exists.Error).toBe('StepFunctions.ExecutionAlreadyExistsException');
    await runner.close();
  });

  it('a stopped execution ends ABORTED and is reported once', async () => {
    let release!: () => void;
    const { runner, ended } = machines(() => ({ ok: true, result: {} }));
    const blocked = new RehearsalStateMachines({
      machines: [
        {
          logicalId: 'M',
          name: 'jobs',
          arn: MACHINE,
          definition: JSON.stringify(definition),
          roleLogicalId: 'R',
        },
      ],
      invoke: () =>
        new Promise<InvokeResult>((resolve) => {
          release = () => resolve({ ok: true, result: {} });
        }),
      authorize: async () => ({ allowed: true, reason: 'allowed' }),
      principalFor: (role) => role,
      msPerSecond: 1,
      onEnd: (record) => ended.push(record),
    });
    const { executionArn } = await blocked.startExecution({ stateMachineArn: MACHINE, input: '{}' });
    await blocked.stopExecution({ executionArn });
    expect(blocked.record(executionArn).status).toBe('ABORTED');
    release?.();
    expect(ended.map((e) => e.status)).toEqual(['ABORTED']);
    await blocked.close();
    await runner.close();
  });

  it('deploys a machine it cannot run (the fleet machine) and says why when it is started', async () => {
    const fleet = readFileSync(new URL('../../statemachines/fleet-job.asl.json', import.meta.url), 'utf8');
    const runner = new RehearsalStateMachines({
      machines: [
        {
          logicalId: 'F',
          name: 'lowtide-fleet-job',
          arn: `${MACHINE}-fleet`,
          definition: fleet,
          roleLogicalId: 'R',
        },
      ],
      invoke: async () => ({ ok: true, result: {} }),
      authorize: async () => ({ allowed: true, reason: 'allowed' }),
      principalFor: (role) => role,
      msPerSecond: 1,
      onEnd: () => {},
    });
    await expect(runner.startExecution({ stateMachineArn: `${MACHINE}-fleet`, input: '{}' })).rejects.toThrow(
      'lowtide-fleet-job: Task RecordRoster calls arn:aws:states:::dynamodb:putItem, which the rehearsal does not run',
    );
    expect(runner.list()).toEqual([]);
    await runner.close();
  });
});
