import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  DatabaseConnectionLostError,
  DeadlockError,
  LockTimeoutError,
  LockTimeoutsExhaustedError,
  StatementTimeoutError,
  StatementTimeoutsExhaustedError,
} from '../../src/runtime/errors';
import { DEFINITION_URL, FUNCTION_SUBSTITUTIONS, substitute } from '../../src/runtime/local/definition';

type State = {
  Type: string;
  Resource?: string;
  Next?: string;
  Parameters?: Record<string, unknown>;
  Retry?: Array<{
    ErrorEquals: string[];
    MaxAttempts?: number;
    IntervalSeconds?: number;
    BackoffRate?: number;
  }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Choices?: Array<{ Next: string }>;
  Default?: string;
};

const text = readFileSync(DEFINITION_URL, 'utf8');
/** What the CDK app passes as definitionSubstitutions: the contract's placeholders, nothing else. */
const deployed = Object.fromEntries(
  Object.keys(FUNCTION_SUBSTITUTIONS).map((p) => [
    p,
    `arn:aws:lambda:eu-west-1:123456789012:function:lowtide-${p}`,
  ]),
);
const definition = JSON.parse(substitute(text, deployed)) as {
  StartAt: string;
  States: Record<string, State>;
};
const states = definition.States;

describe('statemachines/maintenance-job.asl.json', () => {
  it('is valid Amazon States Language once the contract substitutions are filled in', () => {
    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the contract placeholders, one per Lambda task state', () => {
    const used = [...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
    expect(new Set(used)).toEqual(
      new Set([
        'PreflightFunctionArn',
        'AcquireLeaseFunctionArn',
        'HealthGateFunctionArn',
        'ApplyBatchFunctionArn',
        'VerifyBatchFunctionArn',
        'FinalizeFunctionArn',
        'StopRunFunctionArn',
        'RecordFailureFunctionArn',
      ]),
    );
    for (const [placeholder, state] of Object.entries(FUNCTION_SUBSTITUTIONS)) {
      expect(states[state]?.Resource).toBe(deployed[placeholder]);
    }
  });

  it('is JSONPath only: the local interpreter silently ignores JSONata', () => {
    expect(text).not.toMatch(/"QueryLanguage"/);
    expect(text).not.toMatch(/\{%/);
    expect(text).not.toMatch(/"(Arguments|Output|Assign)"\s*:/);
  });

  it('has every clean exit as a Succeed state and failures through RecordFailure to a Fail state', () => {
    for (const exit of [
      'Blocked',
      'DryRunDone',
      'LeaseHeld',
      'Paused',
      'Aborted',
      'WindowClosed',
      'Completed',
      'Continued',
    ]) {
      expect(states[exit]?.Type, exit).toBe('Succeed');
    }
    expect(states.RecordFailure?.Next).toBe('Failed');
    expect(states.Failed?.Type).toBe('Fail');
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task' || name === 'RecordFailure') continue;
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next, `${name} must send any uncaught error to RecordFailure`).toBe('RecordFailure');
    }
  });

  it('reaches every state from the start, and every Choice has a safe default', () => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const s = states[name]!;
      for (const next of [
        s.Next,
        s.Default,
        ...(s.Choices ?? []).map((c) => c.Next),
        ...(s.Catch ?? []).map((c) => c.Next),
      ]) {
        if (next) visit(next);
      }
    };
    visit(definition.StartAt);
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Choice') expect(s.Default, name).toBe('UnexpectedDecision');
    }
  });

  // "Handle Lambda service exceptions" (AWS Step Functions Developer Guide, best practices): retry
  // Lambda's transient 500s, ClientExecutionTimeoutException included, with IntervalSeconds 2,
  // MaxAttempts 6 and BackoffRate 2; throttling (TooManyRequestsException) rides on the same retrier.
  it('retries every Lambda task on the Lambda service exceptions as AWS recommends', () => {
    const lambdaTasks = Object.entries(states).filter(
      ([, s]) => s.Type === 'Task' && s.Resource?.startsWith('arn:aws:lambda:'),
    );
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(Object.values(FUNCTION_SUBSTITUTIONS).sort());
    for (const [name, task] of lambdaTasks) {
      const service = task.Retry?.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect(service, name).toMatchObject({ IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 });
      expect([...service!.ErrorEquals].sort(), name).toEqual(
        [
          'Lambda.ClientExecutionTimeoutException',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ].sort(),
      );
      // A catch-all retrier, where there is one, comes last (ASL requires it) and after AWS's.
      const all = task.Retry!.findIndex((r) => r.ErrorEquals.includes('States.ALL'));
      if (all >= 0) expect(all, name).toBe(task.Retry!.length - 1);
    }
  });

  it("keeps the job's own retries apart from Lambda's: contention on ApplyBatch, lost connections on the readers", () => {
    expect(states.ApplyBatch!.Retry![0]).toMatchObject({
      ErrorEquals: ['LockTimeout', 'StatementTimeout', 'Deadlock', 'DatabaseConnectionLost'],
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 20,
    });
    for (const name of ['VerifyBatch', 'Finalize']) {
      expect(
        states[name]!.Retry!.find((r) => r.ErrorEquals.includes('DatabaseConnectionLost')),
        name,
      ).toEqual(
        expect.objectContaining({
          ErrorEquals: ['DatabaseConnectionLost'],
          IntervalSeconds: 1,
          MaxAttempts: 3,
        }),
      );
    }
  });

  it('retries ApplyBatch on the handler error names for contention, and pauses when they are exhausted', () => {
    const apply = states.ApplyBatch!;
    const contention = apply.Retry![0]!;
    expect(contention.ErrorEquals).toEqual(
      [LockTimeoutError, StatementTimeoutError, DeadlockError, DatabaseConnectionLostError].map(
        (E) => new E('x').name,
      ),
    );
    expect(contention.BackoffRate).toBeGreaterThan(1);
    expect(contention.MaxAttempts).toBeGreaterThanOrEqual(20);
    expect(apply.Parameters).toMatchObject({ 'retryCount.$': '$$.State.RetryCount' });
    const pause = apply.Catch!.find((c) => c.ErrorEquals.includes(new LockTimeoutsExhaustedError('x').name));
    expect(pause?.Next).toBe('PauseForLockTimeouts');
    expect(states.PauseForLockTimeouts?.Parameters).toMatchObject({
      outcome: 'paused',
      pauseReason: 'lock-timeouts',
    });
    // Running out of statement time is its own outcome: the batch is slow, nobody holds a lock.
    const slow = apply.Catch!.find((c) =>
      c.ErrorEquals.includes(new StatementTimeoutsExhaustedError('x').name),
    );
    expect(slow?.ErrorEquals).toContain(new StatementTimeoutError('x').name);
    expect(slow?.Next).toBe('PauseForStatementTimeouts');
    expect(pause?.ErrorEquals).not.toContain(new StatementTimeoutError('x').name);
    expect(states.PauseForStatementTimeouts?.Parameters).toMatchObject({
      outcome: 'paused',
      pauseReason: 'statement-timeouts',
    });
  });

  it('continues as new through the native StartExecution integration on its own ARN', () => {
    expect(states.ContinueAsNew).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: {
        'StateMachineArn.$': '$$.StateMachine.Id',
        'Name.$': '$.successor.name',
        'Input.$': '$.successor.input',
      },
      Next: 'Continued',
    });
    // A retry that meets the successor it already started counts as started.
    expect(states.ContinueAsNew?.Catch?.[0]).toMatchObject({
      ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'],
      Next: 'Continued',
    });
  });
});
