import { describe, expect, it } from 'vitest';
import {
  alarmStateChangeEvent,
  executionStatusChangeEvent,
  parseExecutionArn,
} from '../../rehearsal/events/shapes';

const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:lowtide-sm:run-42';
const time = new Date('2026-03-02T10:15:30.123Z');

describe('CloudWatch Alarm State Change', () => {
  it('has the documented envelope and detail', () => {
    const event = alarmStateChangeEvent({
      alarmName: 'orders-db-cpu-high',
      region: 'eu-west-1',
      account: '123456789012',
      state: 'ALARM',
      reason: 'Threshold Crossed',
      time,
      id: 'e-1',
    });
    expect(event).toMatchObject({
      version: '0',
      id: 'e-1',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2026-03-02T10:15:30Z',
      region: 'eu-west-1',
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-db-cpu-high'],
      detail: {
        alarmName: 'orders-db-cpu-high',
        state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-03-02T10:15:30.123+0000' },
        previousState: { value: 'OK' },
      },
    });
    expect(JSON.parse(event.detail.state.reasonData!)).toMatchObject({ version: '1.0' });
    expect(event.detail.configuration.metrics).toHaveLength(1);
  });

  it('goes back to OK from ALARM by default', () => {
    const event = alarmStateChangeEvent({
      alarmName: 'a',
      region: 'eu-west-1',
      account: '123456789012',
      state: 'OK',
    });
    expect(event.detail.previousState.value).toBe('ALARM');
    expect(event.detail.state.value).toBe('OK');
  });
});

describe('Step Functions Execution Status Change', () => {
  it('SUCCEEDED carries input and output as JSON strings, epoch-millisecond dates', () => {
    const event = executionStatusChangeEvent({
      executionArn,
      status: 'SUCCEEDED',
      input: { jobId: 'backfill' },
      output: { decision: 'completed' },
      startDate: new Date('2026-03-02T10:00:00Z'),
      time,
    });
    expect(event).toMatchObject({
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '123456789012',
      region: 'eu-west-1',
      resources: [executionArn],
      detail: {
        executionArn,
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lowtide-sm',
        name: 'run-42',
        status: 'SUCCEEDED',
        startDate: Date.parse('2026-03-02T10:00:00Z'),
        stopDate: time.getTime(),
        input: '{"jobId":"backfill"}',
        output: '{"decision":"completed"}',
        inputDetails: { included: true },
        outputDetails: { included: true },
        error: null,
        cause: null,
      },
    });
  });

  it.each(['ABORTED', 'FAILED', 'TIMED_OUT'] as const)('%s has no output', (status) => {
    const event = executionStatusChangeEvent({
      executionArn,
      status,
      input: '{"jobId":"backfill"}',
      error: status === 'FAILED' ? 'States.TaskFailed' : undefined,
      cause: status === 'FAILED' ? 'boom' : undefined,
    });
    expect(event.detail).toMatchObject({
      status,
      input: '{"jobId":"backfill"}',
      output: null,
      outputDetails: null,
    });
    expect(event.detail.error).toBe(status === 'FAILED' ? 'States.TaskFailed' : null);
  });

  it('RUNNING has no stop date', () => {
    const event = executionStatusChangeEvent({ executionArn, status: 'RUNNING', input: {} });
    expect(event.detail.stopDate).toBeNull();
  });

  it('excludes an input that does not fit 248 KB with the output, and says so', () => {
    const big = JSON.stringify({ blob: 'x'.repeat(200 * 1024) });
    const event = executionStatusChangeEvent({ executionArn, status: 'SUCCEEDED', input: big, output: big });
    expect(event.detail.input).toBeNull();
    expect(event.detail.inputDetails).toEqual({ included: false });
    expect(event.detail.output).toBe(big);
    expect(event.detail.outputDetails).toEqual({ included: true });
  });

  it('refuses what is not an execution ARN, saying what one looks like', () => {
    expect(() => parseExecutionArn('arn:aws:states:eu-west-1:123456789012:stateMachine:sm')).toThrow(
      /execution:<stateMachine>:<name>/,
    );
  });
});
