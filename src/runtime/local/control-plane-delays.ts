import { setTimeout as sleepMs } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LatencyCause, LatencyProfile } from './latency-profile';

/** How a control-plane delay is waited: a real timer, or a test's recorder. */
export type LatencySleep = (ms: number, cause: LatencyCause) => Promise<void>;

export const realSleep: LatencySleep = (ms) => sleepMs(ms);

/** The profile in force and how to wait it, as the Task overrides use them. */
export interface ControlPlaneDelays {
  readonly profile: LatencyProfile;
  readonly sleep: LatencySleep;
}

/** Waits `count` delays of `ms` each (nothing when either is 0), as one sleep per delay. */
export async function pay(delays: ControlPlaneDelays, cause: LatencyCause, count = 1): Promise<void> {
  const ms =
    cause === 'lambda-invoke'
      ? delays.profile.lambdaInvokeMs
      : cause === 'state-transition'
        ? delays.profile.stateTransitionMs
        : delays.profile.dynamoRequestMs;
  if (ms <= 0) return;
  for (let i = 0; i < count; i++) await delays.sleep(ms, cause);
}

/** Every request the control store sends waits the DynamoDB delay first (once per request, not per retry). */
export function delayDynamoRequests(client: DynamoDBDocumentClient, delays: ControlPlaneDelays): void {
  if (delays.profile.dynamoRequestMs <= 0) return;
  client.middlewareStack.add(
    (next) => async (args) => {
      await pay(delays, 'dynamo-request');
      return next(args);
    },
    { step: 'initialize', name: 'lowtideLatencyProfile' },
  );
}

type WalkedState = {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: readonly { Variable?: string; StringEquals?: string; Next?: string }[];
};

/**
 * The states a Task's output passes through before the next Task: its Choice on `$.decision`, a
 * Wait, a Pass, a terminal state. Each is one transition on AWS; locally they take no time, so the
 * Task that reached them pays their latency on their behalf, which adds up to the same wall time.
 */
export function statesAfterTask(
  states: Readonly<Record<string, WalkedState>>,
  task: string,
  output: unknown,
): number {
  const decision = (output as { decision?: unknown } | null)?.decision;
  let count = 0;
  let current = states[task]?.Next;
  while (current !== undefined && count < 100) {
    const state: WalkedState | undefined = states[current];
    if (!state || state.Type === 'Task') break;
    count++;
    if (state.Type === 'Choice') {
      const rule = state.Choices?.find(
        (c) => c.Variable === '$.decision' && c.StringEquals !== undefined && c.StringEquals === decision,
      );
      current = rule?.Next ?? state.Default;
    } else if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End) {
      current = undefined;
    } else {
      current = state.Next;
    }
  }
  return count;
}

/** The profile's delays around Task states, as the local Task overrides pay them. */
export interface TaskDelays {
  /** Before a Lambda-backed Task's handler runs: entering its state, then invoking the function. */
  beforeInvoke(): Promise<void>;
  /** Before a Task that calls an AWS API directly (StartExecution): entering its state. */
  beforeIntegration(): Promise<void>;
  /** After a Task returned: entering each state its output passes through up to the next Task. */
  afterReturn(task: string, output: unknown): Promise<void>;
}

export function taskDelays(
  states: Readonly<Record<string, WalkedState>>,
  delays: ControlPlaneDelays,
): TaskDelays {
  return {
    async beforeInvoke() {
      await pay(delays, 'state-transition');
      await pay(delays, 'lambda-invoke');
    },
    beforeIntegration: () => pay(delays, 'state-transition'),
    afterReturn: (task, output) => pay(delays, 'state-transition', statesAfterTask(states, task, output)),
  };
}
