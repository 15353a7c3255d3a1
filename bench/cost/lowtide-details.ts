import { FUNCTION_SPECS } from '../../infra/function-catalog';
import { stepOfState } from '../../src/run/steps';
import { type Distribution, distribution } from '../measure/stats';
import type { TransitionModel } from './asl-transitions';
import { AWS_PRICES } from './aws-prices';

/** One Lambda-backed Task state's invocations during the run, timed around the handler core. */
export interface StateTiming {
  readonly invocations: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly memoryMb: number;
}

export interface CostOnPaper {
  readonly prices: typeof AWS_PRICES;
  /** States entered per batch, from the definition's path gate > apply > verify > wait > gate. */
  readonly transitionsPerBatch: number;
  readonly transitionsPerBatchPath: readonly string[];
  readonly transitionsPerMillionRows: number;
  readonly lambdaInvocationsPerMillionRows: number;
  readonly lambdaGbSecondsPerMillionRows: number;
  readonly dynamoWritesPerMillionRows: number;
  readonly dynamoReadsPerMillionRows: number;
  readonly usdPerMillionRows: {
    readonly stepFunctions: number;
    readonly lambda: number;
    readonly dynamo: number;
    readonly total: number;
  };
  readonly assumptions: readonly string[];
}

export interface LowtideDetails {
  readonly exit: string;
  readonly executions: number;
  readonly batches: number;
  readonly batchMs: Distribution;
  readonly batchRows: Distribution;
  readonly targetBatchMs: number;
  readonly batchRange: { readonly min: number; readonly max: number; readonly first: number };
  readonly pauseBetweenBatchesMs: number;
  /** The Wait state's seconds between batches, as the handlers set it (Step Functions waits whole seconds). */
  readonly waitBetweenBatchesSeconds: number;
  /** Sum of the batch transactions' durations. */
  readonly inTransactionMs: number;
  /** Wall time outside the batch transactions, per batch: handlers, DynamoDB, the interpreter, waits. */
  readonly overheadPerBatchMs: number;
  readonly overheadShare: number;
  readonly states: Readonly<Record<string, StateTiming>>;
  readonly healthWaits: number;
  readonly retries: number;
  readonly dynamoRequests: Readonly<Record<string, number>>;
  readonly cost: CostOnPaper;
}

export interface LowtideObservations {
  readonly wallMs: number;
  readonly rows: number;
  readonly exit: string;
  readonly executions: number;
  readonly batches: readonly { readonly durationMs: number; readonly selected: number }[];
  readonly taskMs: Readonly<Record<string, readonly number[]>>;
  readonly healthWaits: number;
  readonly retries: number;
  readonly dynamoRequests: Readonly<Record<string, number>>;
  readonly batchConfig: {
    readonly size: number;
    readonly min: number;
    readonly max: number;
    readonly targetMs: number;
  };
  readonly pauseBetweenBatchesMs: number;
  readonly waitBetweenBatchesSeconds: number;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

function memoryOfState(state: string): number {
  const step = stepOfState(state);
  if (!step) throw new Error(`no step in src/run/steps.ts runs as the Task state ${state}`);
  return FUNCTION_SPECS[step].memoryMb;
}

function costOnPaper(obs: LowtideObservations, model: TransitionModel): CostOnPaper {
  const perMillion = obs.rows > 0 ? 1_000_000 / obs.rows : 0;
  const transitions =
    obs.executions * model.start.length +
    obs.batches.length * model.perBatch.length +
    obs.healthWaits * model.perBackoff.length +
    Math.max(0, obs.executions - 1) * model.handOver.length +
    model.finish.length +
    obs.retries;
  let invocations = 0;
  let gbSeconds = 0;
  for (const [state, durations] of Object.entries(obs.taskMs)) {
    const gb = memoryOfState(state) / 1024;
    invocations += durations.length;
    // Lambda bills each invocation's duration rounded up to the millisecond.
    gbSeconds += durations.reduce((sum, ms) => sum + (Math.ceil(ms) / 1000) * gb, 0);
  }
  let reads = 0;
  let writes = 0;
  for (const [op, n] of Object.entries(obs.dynamoRequests)) {
    if (READS.has(op)) reads += n;
    if (WRITES.has(op)) writes += n;
  }
  const p = AWS_PRICES;
  const stepFunctions = transitions * perMillion * p.stepFunctionsPerTransition;
  const lambda =
    gbSeconds * perMillion * p.lambdaArmPerGbSecond + invocations * perMillion * p.lambdaPerRequest;
  const dynamo = writes * perMillion * p.dynamoPerWriteUnit + reads * perMillion * p.dynamoPerReadUnit;
  return {
    prices: p,
    transitionsPerBatch: model.perBatch.length,
    transitionsPerBatchPath: model.perBatch,
    transitionsPerMillionRows: transitions * perMillion,
    lambdaInvocationsPerMillionRows: invocations * perMillion,
    lambdaGbSecondsPerMillionRows: gbSeconds * perMillion,
    dynamoWritesPerMillionRows: writes * perMillion,
    dynamoReadsPerMillionRows: reads * perMillion,
    usdPerMillionRows: { stepFunctions, lambda, dynamo, total: stepFunctions + lambda + dynamo },
    assumptions: [
      'transitions: states entered along the definition for each observed batch, back-off, execution and retry',
      'Lambda: handler durations measured in this process times the memory configured in infra/function-catalog; on AWS add cold starts and the network round trips to RDS and DynamoDB',
      'DynamoDB: one request unit per counted request (items under 1 KB written, 4 KB read)',
      'not counted: CloudWatch Logs ingestion of the EMF metrics and logs, X-Ray traces, NAT or VPC endpoint hours',
    ],
  };
}

/** Folds what the local run reported into batch statistics, overhead per batch and the cost on paper. */
export function lowtideDetails(obs: LowtideObservations, model: TransitionModel): LowtideDetails {
  const inTransactionMs = obs.batches.reduce((sum, b) => sum + b.durationMs, 0);
  const batches = obs.batches.length;
  const states: Record<string, StateTiming> = {};
  for (const [state, durations] of Object.entries(obs.taskMs)) {
    const totalMs = durations.reduce((a, b) => a + b, 0);
    states[state] = {
      invocations: durations.length,
      totalMs,
      meanMs: durations.length > 0 ? totalMs / durations.length : 0,
      memoryMb: memoryOfState(state),
    };
  }
  const outside = Math.max(0, obs.wallMs - inTransactionMs);
  return {
    exit: obs.exit,
    executions: obs.executions,
    batches,
    batchMs: distribution(obs.batches.map((b) => b.durationMs)),
    batchRows: distribution(obs.batches.map((b) => b.selected)),
    targetBatchMs: obs.batchConfig.targetMs,
    batchRange: { min: obs.batchConfig.min, max: obs.batchConfig.max, first: obs.batchConfig.size },
    pauseBetweenBatchesMs: obs.pauseBetweenBatchesMs,
    waitBetweenBatchesSeconds: obs.waitBetweenBatchesSeconds,
    inTransactionMs,
    overheadPerBatchMs: batches > 0 ? outside / batches : 0,
    overheadShare: obs.wallMs > 0 ? outside / obs.wallMs : 0,
    states,
    healthWaits: obs.healthWaits,
    retries: obs.retries,
    dynamoRequests: obs.dynamoRequests,
    cost: costOnPaper(obs, model),
  };
}
