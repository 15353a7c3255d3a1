import { randomUUID } from 'node:crypto';

/** The envelope every event on a bus has ("Amazon EventBridge events", EventBridge User Guide). */
export interface AwsEvent<Detail = Record<string, unknown>> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second, UTC: "2019-10-02T17:04:40Z". */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Detail;
}

interface Envelope {
  /** Default: now. */
  readonly time?: Date;
  /** Default: a random UUID. */
  readonly id?: string;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  readonly value: AlarmStateValue;
  readonly reason: string;
  /** A JSON string, as CloudWatch sends it. */
  readonly reasonData?: string;
  /** "2019-10-02T17:04:40.985+0000" */
  readonly timestamp: string;
}

export interface AlarmStateChangeDetail {
  readonly alarmName: string;
  readonly state: AlarmState;
  readonly previousState: AlarmState;
  readonly configuration: { readonly description?: string; readonly metrics: readonly unknown[] };
}

export interface AlarmStateChangeOptions extends Envelope {
  readonly alarmName: string;
  readonly region: string;
  readonly account: string;
  readonly state: AlarmStateValue;
  /** Default: the opposite of `state` (ALARM after OK, OK otherwise). */
  readonly previousState?: AlarmStateValue;
  readonly reason?: string;
  readonly description?: string;
  /** The alarm's metric configuration; default one single-metric stat. */
  readonly metrics?: readonly unknown[];
}

/**
 * "CloudWatch Alarm State Change", shaped as the sample for a single-metric alarm in "Alarm events
 * and EventBridge" (Amazon CloudWatch User Guide): source aws.cloudwatch, the alarm ARN as the one
 * resource, detail.alarmName, detail.state and detail.previousState (value, reason, reasonData,
 * timestamp), detail.configuration (description, metrics).
 */
export function alarmStateChangeEvent(options: AlarmStateChangeOptions): AwsEvent<AlarmStateChangeDetail> {
  const time = options.time ?? new Date();
  const previous = options.previousState ?? (options.state === 'OK' ? 'ALARM' : 'OK');
  const state = (value: AlarmStateValue, at: Date, reason: string): AlarmState => ({
    value,
    reason,
    reasonData: JSON.stringify({
      version: '1.0',
      queryDate: alarmTimestamp(at),
      statistic: 'Average',
      period: 60,
    }),
    timestamp: alarmTimestamp(at),
  });
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: options.account,
    time: eventTime(time),
    region: options.region,
    resources: [`arn:aws:cloudwatch:${options.region}:${options.account}:alarm:${options.alarmName}`],
    detail: {
      alarmName: options.alarmName,
      state: state(options.state, time, options.reason ?? `rehearsal: set to ${options.state}`),
      previousState: state(previous, new Date(time.getTime() - 60_000), `rehearsal: was ${previous}`),
      configuration: {
        ...(options.description === undefined ? {} : { description: options.description }),
        metrics: options.metrics ?? [
          {
            id: 'm1',
            metricStat: {
              metric: { namespace: 'AWS/RDS', name: 'ReplicaLag', dimensions: {} },
              period: 60,
              stat: 'Average',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** Epoch milliseconds. */
  readonly startDate: number;
  /** Epoch milliseconds; null while RUNNING. */
  readonly stopDate: number | null;
  /** The execution input as a JSON string; null when excluded for size. */
  readonly input: string | null;
  readonly output: string | null;
  readonly inputDetails: { readonly included: boolean };
  readonly outputDetails: { readonly included: boolean } | null;
  readonly error: string | null;
  readonly cause: string | null;
}

export interface ExecutionStatusChangeOptions extends Envelope {
  /** arn:aws:states:<region>:<account>:execution:<stateMachine>:<name> */
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** The execution input: a JSON string, or a value to serialize. */
  readonly input: unknown;
  /** The execution output (SUCCEEDED only): a JSON string, or a value to serialize. */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Default: one minute before `time`. */
  readonly startDate?: Date;
}

// "If the combined escaped input and escaped output sent to EventBridge exceeds 248 KB, then the
// input will be excluded. Similarly, if the escaped output exceeds 248 KB, then the output will be
// excluded." ("EventBridge (CloudWatch Events) for Step Functions execution status changes")
const PAYLOAD_LIMIT_BYTES = 248 * 1024;

/**
 * "Step Functions Execution Status Change", shaped as the examples in "EventBridge (CloudWatch
 * Events) for Step Functions execution status changes" (AWS Step Functions Developer Guide):
 * source aws.states, the execution ARN as the one resource; in detail the execution and state
 * machine ARNs, name, status, startDate/stopDate in epoch milliseconds, input and output as JSON
 * strings with inputDetails/outputDetails, error and cause (null unless the execution failed,
 * timed out, or was stopped with them).
 */
export function executionStatusChangeEvent(
  options: ExecutionStatusChangeOptions,
): AwsEvent<ExecutionStatusChangeDetail> {
  const arn = parseExecutionArn(options.executionArn);
  const time = options.time ?? new Date();
  const startDate = options.startDate ?? new Date(time.getTime() - 60_000);
  const ended = options.status !== 'RUNNING';
  let input: string | null = asJsonText(options.input);
  let output: string | null = options.status === 'SUCCEEDED' ? asJsonText(options.output ?? {}) : null;
  let outputIncluded = true;
  if (output !== null && escapedBytes(output) > PAYLOAD_LIMIT_BYTES) {
    output = null;
    outputIncluded = false;
  }
  let inputIncluded = true;
  if (
    input !== null &&
    escapedBytes(input) + (output === null ? 0 : escapedBytes(output)) > PAYLOAD_LIMIT_BYTES
  ) {
    input = null;
    inputIncluded = false;
  }
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: arn.account,
    time: eventTime(time),
    region: arn.region,
    resources: [options.executionArn],
    detail: {
      executionArn: options.executionArn,
      stateMachineArn: arn.stateMachineArn,
      name: arn.name,
      status: options.status,
      startDate: startDate.getTime(),
      stopDate: ended ? time.getTime() : null,
      input,
      output,
      inputDetails: { included: inputIncluded },
      outputDetails: options.status === 'SUCCEEDED' ? { included: outputIncluded } : null,
      error: options.error ?? null,
      cause: options.cause ?? null,
    },
  };
}

export function parseExecutionArn(executionArn: string): {
  region: string;
  account: string;
  stateMachineArn: string;
  name: string;
} {
  const match = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/.exec(
    executionArn,
  );
  if (!match) {
    throw new Error(
      `'${executionArn}' is not an execution ARN (arn:aws:states:<region>:<account>:execution:<stateMachine>:<name>)`,
    );
  }
  const [, partition, region, account, machine, name] = match;
  return {
    region: region!,
    account: account!,
    stateMachineArn: `arn:${partition}:states:${region}:${account}:stateMachine:${machine}`,
    name: name!,
  };
}

function asJsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/** The envelope's time: ISO 8601 to the second. */
export function eventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** CloudWatch's state timestamp: "2019-10-02T17:04:40.985+0000". */
function alarmTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}+0000`;
}
