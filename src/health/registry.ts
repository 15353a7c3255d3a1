import { cloudwatchAlarms } from './signals/cloudwatch-alarms';
import { controlRequests } from './signals/control-requests';
import { databaseLoad } from './signals/database-load';
import { featureFlag } from './signals/feature-flag';
import { replicaLag } from './signals/replica-lag';
import { runWindow } from './signals/run-window';
import { runtimeBudget } from './signals/runtime-budget';
import type { HealthSignal } from './types';

/**
 * Every signal the gate asks, in order. The first is read alone (abort and pause requests end the
 * run without touching anything else). Adding a signal: one file in signals/ and one line here.
 */
export const HEALTH_SIGNALS: readonly HealthSignal[] = [
  controlRequests,
  runWindow,
  runtimeBudget,
  featureFlag,
  cloudwatchAlarms,
  replicaLag,
  databaseLoad,
];

/**
 * What an apply step re-checks between its transactions, at bounded cost (src/runtime/runnable/
 * between-transactions.ts): the requests, the window and the runtime (one DynamoDB read, no
 * database) at every request check, and replica lag at its own, longer interval. Alarms, flags
 * and load wait for the health gate, once per invocation.
 */
export const BETWEEN_TRANSACTIONS = {
  requests: [controlRequests, runWindow, runtimeBudget],
  lag: [replicaLag],
} as const satisfies Record<string, readonly HealthSignal[]>;
