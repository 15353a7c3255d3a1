import './polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { UnknownJobError } from '../../config/define-config';
import { DynamoControlStore } from '../../control/dynamo-store';
import { connectLocalDynamo, startLocalDynamo } from '../../control/local-dynamodb';
import { createControlTable } from '../../control/table';
import { createAlarmBoard } from '../../health/alarm-board';
import { createFlagBoard } from '../../health/flag-state';
import { checkContinueAsNewAfter, historyCosts } from '../../run/history-budget';
import { newRunId } from '../../run/naming';
import type { ExecutionInput } from '../../run/state';
import { stepOfState } from '../../run/steps';
import { urlConnections } from '../connections';
import { DEFAULT_SETTINGS, type HandlerDeps, type RuntimeLogger } from '../deps';
import { onExecutionEnd } from '../handlers';
import { runJobId } from '../runnable/work-ref';
import { delayDynamoRequests, realSleep, taskDelays } from './control-plane-delays';
import { loadDefinition, statesOf } from './definition';
import { delayDatabases } from './delayed-databases';
import { isNoLatency, resolveLatency } from './latency-profile';
import { memoryMetrics } from './memory-metrics';
import { RetryTracker } from './retry-tracker';
import { reuseOfName } from './start-execution';
import { CONTINUE_AS_NEW_STATE, taskOverrides } from './task-overrides';
import type {
  LocalExecution,
  LocalRunChain,
  LocalRunResult,
  LocalRuntime,
  LocalRuntimeOptions,
  RuntimeEvent,
} from './types';

type JSONValue = Parameters<StateMachine['run']>[0];

const silent: RuntimeLogger = { debug() {}, info() {}, warn() {}, error() {} };
const LOCAL_ACCOUNT = 'arn:aws:states:local:000000000000';

async function openDynamo(option: LocalRuntimeOptions['dynamo'], tableName: string) {
  if (option === undefined || option === 'in-process') {
    const local = await startLocalDynamo();
    await createControlTable(local.client, tableName);
    return { endpoint: local.endpoint, documentClient: local.documentClient, close: () => local.stop() };
  }
  const clients = connectLocalDynamo(option.endpoint);
  await createControlTable(clients.client, tableName);
  return {
    endpoint: option.endpoint,
    documentClient: clients.documentClient,
    close: async () => {
      clients.documentClient.destroy();
      clients.client.destroy();
    },
  };
}

function defaultExecutionName(jobId: unknown, now: Date): string {
  const base = String(jobId ?? 'job')
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 60);
  return `${base}-${newRunId(now)}`;
}

function isLocallyHandled(state: string): boolean {
  return state === CONTINUE_AS_NEW_STATE || stepOfState(state) !== undefined;
}

interface Running {
  readonly arn: string;
  /** The input as StartExecution received it: a reused name is idempotent only for the same input. */
  readonly input: string;
  running: boolean;
  readonly result: Promise<LocalRunResult>;
  abort(): void;
}

/**
 * The local runtime: the deployed state machine definition, run in this process by
 * aws-local-stepfunctions with every Task state overridden by the real handler cores, DynamoDB from
 * dynalite, databases from URLs and CloudWatch alarms from an injectable reader. Waits and retry
 * back-offs are scaled down. A continue-as-new starts the next local execution, as Step Functions
 * would. It is the engine of the CLI and the demo, and of the end-to-end tests.
 */
export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const definition = loadDefinition();
  const states = statesOf(definition);
  const unhandled = Object.entries(states).filter(
    ([name, s]) => s.Type === 'Task' && !isLocallyHandled(name),
  );
  if (unhandled.length > 0) {
    throw new Error(
      `the state machine has Task states the local runtime cannot run: ${unhandled.map(([n]) => n).join(', ')}`,
    );
  }
  // Computed from the definition this runtime runs; tests may scale them down to reach the quota fast.
  const costs = options.settings?.historyCosts ?? historyCosts(definition);
  if (options.continueAsNewAfter !== undefined)
    checkContinueAsNewAfter(options.continueAsNewAfter, costs, 'continueAsNewAfter');
  const machine = new StateMachine(definition);
  const smName = options.stateMachineName ?? 'lowtide-maintenance-job';
  const stateMachineArn = `${LOCAL_ACCOUNT}:stateMachine:${smName}`;
  const msPerSecond = options.msPerSecond ?? 10;
  const now = options.now ?? (() => new Date());
  const profile = resolveLatency(options.latency);
  const controlDelays = { profile, sleep: options.latencySleep ?? realSleep };
  const delays = isNoLatency(profile) ? undefined : taskDelays(states, controlDelays);
  const delayed =
    profile.databaseRoundTripMs > 0
      ? await delayDatabases(options.databases, profile.databaseRoundTripMs)
      : undefined;
  const dynamo = await openDynamo(options.dynamo, options.tableName ?? 'lowtide-control').catch(
    async (error) => {
      await delayed?.close();
      throw error;
    },
  );
  // After the table exists: only the control store's own requests pay the delay.
  delayDynamoRequests(dynamo.documentClient, controlDelays);
  const store = new DynamoControlStore({
    client: dynamo.documentClient,
    tableName: options.tableName ?? 'lowtide-control',
    now: () => now().getTime(),
    holders: options.leaseHolders,
  });
  const connections = urlConnections(delayed?.databases ?? options.databases);
  const alarms = options.alarms ?? createAlarmBoard();
  // No flags source given: a job gated by a flag cannot read it, and so does not run.
  const flags = options.flags ?? createFlagBoard();
  const metrics = memoryMetrics();
  const jobsById = new Map(options.jobs.map((j) => [j.id, j]));
  const recipesById = new Map((options.recipes ?? []).map((r) => [r.recipe.id, r]));
  const deps: HandlerDeps = {
    store,
    resolveJob: (id) => {
      const spec = jobsById.get(id);
      if (!spec) throw new UnknownJobError(id, [...jobsById.keys()]);
      return spec;
    },
    resolveRecipe: (id) => recipesById.get(id),
    jobs: () => options.jobs,
    alarmsFor: options.alarmsFor ?? ((spec) => spec.health.alarms),
    flagsFor: options.flagsFor ?? ((spec) => (spec.health.featureFlag ? [spec.health.featureFlag] : [])),
    ...(options.freeStorageFor ? { freeStorageFor: options.freeStorageFor } : {}),
    ...(options.ddlRulesFor ? { ddlRulesFor: options.ddlRulesFor } : {}),
    connections,
    alarms,
    flags,
    now,
    logger: options.logger ?? silent,
    metrics,
    settings: {
      ...DEFAULT_SETTINGS,
      ...options.settings,
      ...(options.leaseTtlMs !== undefined ? { leaseTtlMs: options.leaseTtlMs } : {}),
      ...(options.continueAsNewAfter !== undefined ? { continueAsNewAfter: options.continueAsNewAfter } : {}),
      historyCosts: costs,
    },
  };

  const listeners = new Set<(event: RuntimeEvent) => void>(options.onEvent ? [options.onEvent] : []);
  const emit = (event: RuntimeEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // a progress display must never break a run
      }
    }
  };
  const executions = new Map<string, Running>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  function start(input: ExecutionInput, startOptions: { name?: string } = {}): LocalExecution {
    if (closed) throw new Error('the local runtime is closed');
    const executionName = startOptions.name ?? defaultExecutionName(runJobId(input), now());
    const existing = executions.get(executionName);
    if (existing) {
      const started = { executionName, executionArn: existing.arn, result: existing.result };
      return reuseOfName({ ...existing, started }, JSON.stringify(input));
    }
    const executionArn = `${LOCAL_ACCOUNT}:execution:${smName}:${executionName}`;
    const retries = new RetryTracker(
      (state) => states[state]?.Retry ?? [],
      (seconds) => seconds * msPerSecond,
    );
    const overrides = taskOverrides({
      states,
      deps,
      executionName,
      retries,
      msPerSecond,
      emit,
      inFlight,
      startExecution: start,
      loseStartExecutionResponse: options.loseStartExecutionResponse,
      ...(delays ? { delays } : {}),
    });
    const run = machine.run(input as unknown as JSONValue, {
      overrides,
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: executionName },
        StateMachine: { Id: stateMachineArn, Name: smName },
        State: {
          get RetryCount() {
            return retries.retryCount;
          },
        },
      },
    });
    let aborted = false;
    const lastState = (async () => {
      let last: string | undefined;
      for await (const event of run.eventLogs) if (event.type === 'StateEntered') last = event.state.name;
      return last;
    })();
    const result = settle(run.result, lastState, () => aborted).then(async (r) => {
      entry.running = false;
      const settled = { executionName, executionArn, ...r };
      if (settled.status !== 'SUCCEEDED') await notifyEnd(settled, input);
      emit({ type: 'execution-ended', result: settled });
      return settled;
    });
    const entry: Running = {
      arn: executionArn,
      input: JSON.stringify(input),
      running: true,
      result,
      abort: () => {
        aborted = true;
        run.abort();
      },
    };
    executions.set(executionName, entry);
    emit({ type: 'execution-started', executionName, input });
    return { executionName, executionArn, result };
  }

  /** EventBridge's execution-status rule, locally: the same handler core releases what the execution held. */
  async function notifyEnd(result: LocalRunResult, input: ExecutionInput) {
    const event = {
      'detail-type': 'Step Functions Execution Status Change',
      detail: {
        executionArn: result.executionArn,
        status: result.status,
        input: JSON.stringify(input),
        error: result.error,
        cause: result.cause,
      },
    };
    try {
      await onExecutionEnd(event, deps);
    } catch (error) {
      deps.logger.error('execution-end handler failed', { error: (error as Error).message });
    }
  }

  const resultOf = (name: string) => {
    const found = executions.get(name);
    if (!found) return Promise.reject(new Error(`no local execution named '${name}'`));
    return found.result;
  };

  return {
    store,
    alarms,
    metrics,
    deps,
    dynamoEndpoint: dynamo.endpoint,
    latency: { profile, delayedDatabaseChunks: () => delayed?.delayedChunks() ?? 0 },
    start,
    resultOf,
    async run(input, runOptions): Promise<LocalRunChain> {
      let result = await start(input, runOptions).result;
      const chain = [result];
      while (result.continuedAs) {
        result = await resultOf(result.continuedAs);
        chain.push(result);
      }
      return { ...result, executions: chain };
    },
    async stop(name) {
      const found = executions.get(name);
      if (!found) throw new Error(`no local execution named '${name}'`);
      found.abort();
      return found.result;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const e of executions.values()) e.abort();
      await Promise.allSettled([...executions.values()].map((e) => e.result));
      await Promise.allSettled([...inFlight]);
      await connections.close();
      await delayed?.close();
      await dynamo.close();
    },
  };
}

async function settle(
  result: Promise<JSONValue>,
  lastState: Promise<string | undefined>,
  wasAborted: () => boolean,
): Promise<Omit<LocalRunResult, 'executionName' | 'executionArn'>> {
  try {
    const output = await result;
    const exit = await lastState;
    if (wasAborted() && output === null) return { status: 'ABORTED', exit };
    const out = (output ?? {}) as Record<string, unknown>;
    const successor = (out.successor as { name?: unknown } | undefined)?.name;
    return {
      status: 'SUCCEEDED',
      exit,
      output: out,
      ...(exit === 'Continued' && typeof successor === 'string' ? { continuedAs: successor } : {}),
    };
  } catch (error) {
    const exit = await lastState;
    const failure = (error as { cause?: unknown }).cause;
    const source = failure instanceof Error ? failure : (error as Error);
    return { status: 'FAILED', exit, error: source.name, cause: source.message };
  }
}
