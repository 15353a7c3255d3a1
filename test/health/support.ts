import type { JobState } from '../../src/control/types';
import type { Database } from '../../src/db/types';
import { createAlarmBoard, createFlagBoard } from '../../src/health';
import type { HealthContext } from '../../src/health/types';
import { defineJob } from '../../src/job/define-job';
import type { DefineJobInput } from '../../src/job/types';

type Health = Extract<DefineJobInput, { kind: 'update' }>['health'];

export function gatedJob(health: Health = {}, limits: { maxRuntimeSeconds?: number } = {}) {
  return defineJob({
    id: 'gated',
    owner: 'health-tests',
    engine: 'postgres',
    database: 'main',
    table: 'accounts',
    key: 'id',
    kind: 'update',
    set: { tier: "'x'" },
    health,
    limits,
  });
}

export function jobState(patch: Partial<JobState> = {}): JobState {
  return {
    jobId: 'gated',
    status: 'running',
    lastToken: 1,
    pauseRequests: [],
    updatedAt: new Date().toISOString(),
    ...patch,
  };
}

/** A context whose database must not be touched unless a test gives one. */
export function context(patch: Partial<HealthContext> = {}): HealthContext {
  const now = new Date();
  return {
    spec: gatedJob(),
    state: jobState(),
    database: async (): Promise<Database> => {
      throw new Error('this check must not open the database');
    },
    replicas: [],
    alarms: createAlarmBoard(),
    alarmNames: [],
    flags: createFlagBoard(),
    featureFlags: [],
    now,
    runStartedAt: now,
    nextBatchMs: 500,
    ...patch,
  };
}
