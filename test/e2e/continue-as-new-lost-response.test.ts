import { describe, expect, it } from 'vitest';
import {
  ExecutionAlreadyExistsError,
  type LocalExecution,
  type RuntimeEvent,
  START_EXECUTION_TASK_ERRORS,
} from '../../src/runtime/local';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 400;

/**
 * A ContinueAsNew whose StartExecution started the successor but lost the response: the retry
 * calls StartExecution again under the same deterministic name. Step Functions answers that with
 * the original response while the successor runs (same input), and with ExecutionAlreadyExists
 * once it has closed; both must count as started.
 */
describe.each(ENGINES)('continue-as-new with a lost StartExecution response on %s', (engine) => {
  // One transaction per apply step, so a run takes enough loops to continue as new.
  const batch = { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 };
  const job = backfillJob(engine, { batch });
  const other = backfillJob(engine, { id: 'backfill-tier-other', table: 'accounts_other', batch });
  /** How the next lost response behaves: answer the retry while the successor runs, or after it closed. */
  let fault: 'none' | 'while-running' | 'after-close' = 'none';
  const e2e = useE2e(engine, [job, other], {
    continueAsNewAfter: 3,
    prepare: async (db) => {
      await createAccounts(db.raw, engine, ROWS);
      await createAccounts(db.raw, engine, ROWS, 'accounts_other');
    },
    loseStartExecutionResponse: async (successor: LocalExecution) => {
      const mode = fault;
      fault = 'none';
      if (mode === 'after-close') await successor.result;
      return mode !== 'none';
    },
  });

  const continueAsNewErrors = (events: RuntimeEvent[], executionName: string) =>
    events.flatMap((e) =>
      e.type === 'task-failed' && e.state === 'ContinueAsNew' && e.executionName === executionName
        ? [e.error]
        : [],
    );

  it('answers a reused execution name as Step Functions does', async () => {
    const { runtime } = e2e.rt;
    const input = { jobId: job.id, dryRun: true };
    const first = runtime.start(input, { name: 'reused-name' });
    // Running, same input: idempotent, the same execution.
    expect(runtime.start({ ...input }, { name: 'reused-name' }).executionArn).toBe(first.executionArn);
    // Running, another input: refused.
    expect(() => runtime.start({ jobId: job.id }, { name: 'reused-name' })).toThrow(
      ExecutionAlreadyExistsError,
    );
    expect(await first.result).toMatchObject({ status: 'SUCCEEDED', exit: 'DryRunDone' });
    // Closed: refused, even with the same input.
    expect(() => runtime.start(input, { name: 'reused-name' })).toThrow(
      /Execution Already Exists: '.*reused-name'/,
    );
  });

  it('counts ExecutionAlreadyExists on the retry as started and ends Continued, every row once', async () => {
    const events: RuntimeEvent[] = [];
    const off = e2e.rt.runtime.onEvent((e) => events.push(e));
    fault = 'after-close';
    const result = await e2e.rt.runtime.run({ jobId: job.id });
    off();
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const [parent, successor] = result.executions;
    expect(parent).toMatchObject({
      status: 'SUCCEEDED',
      exit: 'Continued',
      continuedAs: successor!.executionName,
    });
    expect(continueAsNewErrors(events, parent!.executionName)).toEqual([
      START_EXECUTION_TASK_ERRORS.sdkClient,
      START_EXECUTION_TASK_ERRORS.alreadyExists,
    ]);
    expect(parent!.output?.successor).toMatchObject({
      alreadyStarted: { Error: START_EXECUTION_TASK_ERRORS.alreadyExists },
    });
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });

  it('takes the original response on a retry while the successor still runs', async () => {
    const events: RuntimeEvent[] = [];
    const off = e2e.rt.runtime.onEvent((e) => events.push(e));
    fault = 'while-running';
    const result = await e2e.rt.runtime.run({ jobId: other.id });
    off();
    const [parent, successor] = result.executions;
    expect(parent).toMatchObject({ status: 'SUCCEEDED', exit: 'Continued' });
    expect(continueAsNewErrors(events, parent!.executionName)).toEqual([
      START_EXECUTION_TASK_ERRORS.sdkClient,
    ]);
    expect(parent!.output?.successor).toMatchObject({ started: { executionArn: successor!.executionArn } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw, 'accounts_other')).byCount).toEqual({
      0: ROWS - targets,
      1: targets,
    });
  });
});
