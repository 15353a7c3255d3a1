import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { Lowtide } from '../../infra/lowtide';
import config from '../../lowtide.config';
import {
  type AslDefinition,
  checkContinueAsNewAfter,
  checkDefinitionCosts,
  DEPLOYED_HISTORY_COSTS,
  HISTORY_EVENT_QUOTA,
  HistoryBudgetError,
  historyCosts,
  maxContinueAsNewAfter,
  roomForAnotherLoop,
} from '../../src/run/history-budget';
import { settingsFromEnv } from '../../src/runtime/lambda/deps';
import { DEFINITION_URL } from '../../src/runtime/local/definition';

const deployed = JSON.parse(readFileSync(DEFINITION_URL, 'utf8')) as AslDefinition;

/** Start -> Gate (Lambda, 1 retrier of 2) -> Work (Lambda, reports retries, 2 retriers of 3 and 1) -> Pause (Wait) -> Gate; Gate's Catch -> Done. */
const small: AslDefinition = {
  StartAt: 'Start',
  States: {
    Start: { Type: 'Pass', Next: 'Gate' },
    Gate: {
      Type: 'Task',
      Resource: '${GateFunctionArn}',
      Retry: [{ MaxAttempts: 2 }],
      Catch: [{ Next: 'Done' }],
      Next: 'Work',
    },
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:work',
      Parameters: { 'run.$': '$', 'retryCount.$': '$$.State.RetryCount' },
      Retry: [{ MaxAttempts: 3 }, { MaxAttempts: 1 }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 5, Next: 'Gate' },
    Done: { Type: 'Succeed' },
  } as AslDefinition['States'],
};

describe('the history budget (Step Functions service quotas: 25,000 events per execution)', () => {
  it('counts entered/exited per state, three events per Lambda attempt and every retrier at its worst', () => {
    expect(historyCosts(small, 'Gate')).toEqual({
      entry: 1 + 2, // ExecutionStarted, Start
      // Gate 2 + 3 x (1 + 2), Work 2 + 3 x (1 + 3 + 1), Pause 2
      iteration: 11 + 17 + 2,
      // Work reports its retries: charged at one attempt, its retries added as they happen
      charged: 11 + 5 + 2,
      perRetry: 3,
      exit: 11 + 2 + 1, // Gate at its worst, caught into Done, ExecutionSucceeded
    });
  });

  it('reads the figures the functions assume from statemachines/maintenance-job.asl.json', () => {
    const costs = historyCosts(deployed);
    expect(costs).toEqual(DEPLOYED_HISTORY_COSTS);
    // HealthGate 23, its Choice 2, ApplyBatch 2 + 3 x (1 + 20 + 6), its Choice 2, VerifyBatch 2 + 3 x (1 + 6 + 3), Wait 2.
    expect(costs.iteration).toBe(23 + 2 + 83 + 2 + 32 + 2);
    // The three loop tasks pass $$.State.RetryCount: a quiet loop costs five events a task.
    expect(costs.charged).toBe(5 + 2 + 5 + 2 + 5 + 2);
    expect(maxContinueAsNewAfter(costs)).toBe(1173);
  });

  it('keeps the default threshold inside the quota even when every loop retries at its worst until the gate hands over', () => {
    const costs = DEPLOYED_HISTORY_COSTS;
    let loops = 0;
    let retries = 0;
    const worstRetriesPerLoop = (costs.iteration - costs.charged) / costs.perRetry;
    while (loops < 400 && roomForAnotherLoop(costs, loops, retries)) {
      loops += 1;
      retries += worstRetriesPerLoop;
    }
    const written = costs.entry + loops * costs.charged + retries * costs.perRetry + costs.exit;
    expect(loops).toBeLessThan(400); // retries brought the handover forward
    expect(written).toBeLessThanOrEqual(HISTORY_EVENT_QUOTA);
  });

  it('refuses a threshold the quota cannot hold, with the figures and the largest that fits', () => {
    expect(() => checkContinueAsNewAfter(1173, DEPLOYED_HISTORY_COSTS, 'continueAsNewAfter')).not.toThrow();
    expect(() => checkContinueAsNewAfter(5000, DEPLOYED_HISTORY_COSTS, 'continueAsNewAfter')).toThrow(
      "continueAsNewAfter = 5000 does not fit one execution's 25,000 history events: 51 (start) + 4999 × 21 (loops) + 144 (worst loop) + 191 (worst end) = 105,365; set it to at most 1173",
    );
    expect(() => checkContinueAsNewAfter(0, DEPLOYED_HISTORY_COSTS, 'x')).toThrow(HistoryBudgetError);
  });

  it('refuses at synth a continueAsNewAfter the quota cannot hold, before building anything', () => {
    const stack = new Stack(new App(), 'Budget');
    expect(() => new Lowtide(stack, 'Lowtide', { config, continueAsNewAfter: 5000 })).toThrow(
      /continueAsNewAfter = 5000 does not fit .* set it to at most 1173/,
    );
    expect(stack.node.children).toHaveLength(0);
  });

  it('refuses LOWTIDE_CONTINUE_AS_NEW_AFTER above the bound in a Lambda', () => {
    expect(settingsFromEnv({ LOWTIDE_CONTINUE_AS_NEW_AFTER: '600' }).continueAsNewAfter).toBe(600);
    expect(() => settingsFromEnv({ LOWTIDE_CONTINUE_AS_NEW_AFTER: '2000' })).toThrow(
      /LOWTIDE_CONTINUE_AS_NEW_AFTER = 2000 does not fit .* at most 1173/,
    );
  });

  it('refuses a definition that costs more than the functions assume, and one whose loop avoids the gate', () => {
    const costlier = structuredClone(deployed) as {
      States: Record<string, { Retry?: { MaxAttempts?: number }[] }>;
    };
    costlier.States.ApplyBatch!.Retry![0]!.MaxAttempts = 99;
    expect(() => checkDefinitionCosts('x.asl.json', historyCosts(costlier as AslDefinition))).toThrow(
      /x\.asl\.json writes more history events .*iteration 381 > 144.*DEPLOYED_HISTORY_COSTS/,
    );
    const sideLoop = structuredClone(small) as { States: Record<string, { Next?: string }> };
    sideLoop.States.Pause!.Next = 'Work';
    expect(() => historyCosts(sideLoop as AslDefinition, 'Gate')).toThrow(/loops through .* without passing/);
  });
});
