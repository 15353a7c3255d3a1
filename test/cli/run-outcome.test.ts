import { describe, expect, it } from 'vitest';
import {
  BadInputError,
  EXIT,
  exitCodeFor,
  explainError,
  oneLine,
  RunStoppedError,
} from '../../src/cli/errors';
import { runOutcome } from '../../src/cli/run/run-outcome';

describe('how a local run ends, and its exit code', () => {
  it('maps each terminal state to the documented code', () => {
    const ok = (exit: string, output: Record<string, unknown> = {}) =>
      runOutcome({ status: 'SUCCEEDED', exit, output });
    expect(ok('Completed')).toEqual({ outcome: 'completed', reason: undefined, code: 0 });
    expect(
      ok('Blocked', { blocked: { reasons: ['key-index: no unique index', 'approval: awaiting approval'] } }),
    ).toEqual({
      outcome: 'blocked',
      reason: 'key-index: no unique index; approval: awaiting approval',
      code: 3,
    });
    expect(ok('Paused', { stop: { outcome: 'paused', reason: 'paused by ops' } })).toEqual({
      outcome: 'paused',
      reason: 'paused by ops',
      code: 4,
    });
    expect(ok('Aborted').code).toBe(4);
    expect(ok('WindowClosed').code).toBe(4);
    expect(ok('LeaseHeld', { heldBy: 'exec-1' })).toMatchObject({ outcome: 'lease-held', code: 4 });
    expect(ok('SomethingNew')).toMatchObject({ outcome: 'failed', code: 1 });
    expect(runOutcome({ status: 'ABORTED' })).toMatchObject({ outcome: 'stopped', code: 4 });
    expect(
      runOutcome({ status: 'FAILED', exit: 'Failed', error: 'VerificationFailed', cause: 'keys 3, 6' }),
    ).toEqual({
      outcome: 'failed',
      reason: 'VerificationFailed: keys 3, 6',
      code: 1,
    });
  });

  it('documents the codes in one place', () => {
    expect(EXIT).toEqual({ ok: 0, failure: 1, badInput: 2, blocked: 3, stopped: 4 });
    expect(exitCodeFor(new RunStoppedError('paused'))).toBe(4);
    expect(exitCodeFor(new Error('a bug'))).toBe(1);
  });

  it('puts a multi-line reason on one line', () => {
    expect(oneLine("invalid job 'x':\n  - table: bad\n  - key: bad")).toBe(
      "invalid job 'x': table: bad; key: bad",
    );
  });

  it('restates AWS setup problems as bad input saying what to set', () => {
    const region = explainError(new Error('Region is missing'));
    expect(region).toBeInstanceOf(BadInputError);
    expect((region as Error).message).toContain('set AWS_REGION');
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(exitCodeFor(explainError(noCredentials))).toBe(2);
    const other = new Error('something else');
    expect(explainError(other)).toBe(other);
  });
});
