import '../../src/runtime/local/polyfills';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Retrier } from '../../src/runtime/local/definition';
import { RetryTracker } from '../../src/runtime/local/retry-tracker';
import { ExecutionAlreadyExistsError, reuseOfName } from '../../src/runtime/local/start-execution';
import { stateTimings } from '../../src/runtime/local/state-timings';
import type { StepFunctionsRunner } from '../aws/services';
import type { DeployedStateMachine } from '../template/deployment';

type JSONValue = Parameters<StateMachine['run']>[0];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The last state the execution entered. */
  lastState?: string;
  /** Every state it entered, in order. */
  readonly states: string[];
}

/** A Lambda invocation's outcome, as the rehearsal's function hosts report it. */
export type InvokeResult =
  | { ok: true; result: unknown }
  | { ok: false; errorType: string; errorMessage: string; trace?: readonly string[] };

export interface StateMachinesOptions {
  readonly machines: readonly DeployedStateMachine[];
  /** Invokes a function by its ARN (the Task's Resource). */
  readonly invoke: (functionArn: string, payload: unknown) => Promise<InvokeResult>;
  /** Decides a call the state machine's role makes: lambda:InvokeFunction, states:StartExecution. */
  readonly authorize: (
    roleLogicalId: string,
    action: string,
    resource: string,
  ) => Promise<{ allowed: boolean; reason: string }>;
  /** The principal a role's denials name. */
  readonly principalFor: (roleLogicalId: string) => string;
  /** Milliseconds a Wait state or a retry back-off lasts per ASL second. */
  readonly msPerSecond: number;
  /** Called once per execution when it ends, with its final record. */
  readonly onEnd: (record: ExecutionRecord) => void;
}

interface Running {
  readonly record: ExecutionRecord;
  readonly done: Promise<ExecutionRecord>;
  abort(): void;
  running: boolean;
}

type AnyState = {
  Type: string;
  Resource?: string;
  Retry?: Retrier[];
  Seconds?: number;
  SecondsPath?: string;
};

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$/;
const START_EXECUTION = /^arn:aws[a-z-]*:states:::states:startExecution$/;

/**
 * The synthesized state machines, run by aws-local-stepfunctions as Step Functions would run them:
 * each Lambda Task's Resource ARN invokes the function deployed under that ARN (after the
 * machine's role is checked for lambda:InvokeFunction on it), function errors reach Retry and
 * Catch under the function's errorType with Lambda's JSON Cause, and the optimized
 * states:startExecution integration starts an execution here. Wait states and retry back-offs
 * are scaled by msPerSecond; nothing else is changed.
 */
export class RehearsalStateMachines implements StepFunctionsRunner {
  private readonly executions = new Map<string, Running>();
  private readonly byArn = new Map<
    string,
    { deployed: DeployedStateMachine; machine: StateMachine; states: Record<string, AnyState> }
  >();
  private readonly listeners = new Set<(record: ExecutionRecord) => void>();
  /** Deployed machines with a Task the rehearsal does not run, and why. */
  private readonly unrunnable = new Map<string, string>();
  private closed = false;

  constructor(private readonly options: StateMachinesOptions) {
    for (const deployed of options.machines) {
      const definition = JSON.parse(deployed.definition) as StateMachineDefinition;
      const states = definition.States as unknown as Record<string, AnyState>;
      const unsupported = unsupportedTask(states);
      if (unsupported) {
        // A deployment may hold a machine the rehearsal cannot run (the fleet machine's DynamoDB
        // and nested .sync Tasks): it is deployed, and starting it says why it does not run.
        this.unrunnable.set(
          deployed.arn,
          `${deployed.name}: Task ${unsupported.name} calls ${unsupported.resource}, which the rehearsal does not run (Lambda function ARNs and states:startExecution only)`,
        );
        continue;
      }
      this.byArn.set(deployed.arn, { deployed, machine: new StateMachine(definition), states });
    }
  }

  /** Every execution, started by anyone, in start order. */
  list(): ExecutionRecord[] {
    return [...this.executions.values()].map((e) => e.record);
  }

  record(executionArn: string): ExecutionRecord {
    const found = this.executions.get(executionArn);
    if (!found) throw named('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return found.record;
  }

  /** Resolves when the execution has ended (its status-change event has been handed on). */
  finished(executionArn: string): Promise<ExecutionRecord> {
    const found = this.executions.get(executionArn);
    if (!found) return Promise.reject(named('ExecutionDoesNotExist', `no execution ${executionArn}`));
    return found.done;
  }

  /** Calls back for every execution that starts; returns the unsubscribe. */
  onStart(listener: (record: ExecutionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async startExecution(input: { stateMachineArn: string; name?: string; input?: string }) {
    if (this.closed) throw new Error('the rehearsal is closed');
    const why = this.unrunnable.get(input.stateMachineArn);
    if (why) throw new Error(why);
    const target = this.byArn.get(input.stateMachineArn);
    if (!target)
      throw named('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    const name = input.name ?? crypto.randomUUID();
    const executionArn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const text = input.input ?? '{}';
    const existing = this.executions.get(executionArn);
    if (existing) {
      // "StartExecution" (AWS Step Functions API Reference): idempotent for a running execution
      // with the same name and input; otherwise ExecutionAlreadyExists.
      return reuseOfName(
        {
          arn: executionArn,
          input: existing.record.input,
          running: existing.running,
          started: { executionArn, startDate: existing.record.startDate },
        },
        text,
      );
    }
    let parsed: JSONValue;
    try {
      parsed = JSON.parse(text) as JSONValue;
    } catch {
      throw named('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: input.stateMachineArn,
      name,
      input: text,
      startDate: new Date(),
      status: 'RUNNING',
      states: [],
    };
    const running = this.run(target, record, parsed);
    this.executions.set(executionArn, running);
    for (const listener of this.listeners) listener(record);
    return { executionArn, startDate: record.startDate };
  }

  async stopExecution(input: { executionArn: string; error?: string; cause?: string }) {
    const found = this.executions.get(input.executionArn);
    if (!found) throw named('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
    if (found.running) {
      found.record.error = input.error;
      found.record.cause = input.cause;
      found.abort();
    }
    const ended = await found.done;
    return { stopDate: ended.stopDate ?? new Date() };
  }

  async describeExecution(input: { executionArn: string }) {
    const r = this.record(input.executionArn);
    return {
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: r.startDate,
      ...(r.stopDate ? { stopDate: r.stopDate } : {}),
      input: r.input,
      ...(r.output !== undefined ? { output: r.output } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
    };
  }

  /** Stops every running execution and waits for all to end. */
  async stopAll(): Promise<void> {
    for (const e of this.executions.values()) if (e.running) e.abort();
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopAll();
  }

  private run(
    target: { deployed: DeployedStateMachine; machine: StateMachine; states: Record<string, AnyState> },
    record: ExecutionRecord,
    input: JSONValue,
  ): Running {
    const { deployed, states } = target;
    const { msPerSecond } = this.options;
    const retries = new RetryTracker(
      (state) => states[state]?.Retry ?? [],
      (seconds) => seconds * msPerSecond,
    );
    let lastWaitSeconds = 0;
    const handlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      const resource = state.Resource!;
      const call = START_EXECUTION.test(resource)
        ? (payload: unknown) => this.startExecutionTask(deployed, payload)
        : (payload: unknown) => this.invokeTask(deployed, resource, payload);
      handlers[name] = async (payload) => {
        try {
          const out = (await call(payload)) as JSONValue;
          retries.succeeded();
          const waitSeconds = (out as { waitSeconds?: unknown } | null)?.waitSeconds;
          if (typeof waitSeconds === 'number') lastWaitSeconds = waitSeconds;
          return out;
        } catch (error) {
          retries.failed(name, (error as Error).name);
          throw error;
        }
      };
    }
    const { waits, backoffs } = stateTimings(states, {
      msPerSecond,
      lastWaitSeconds: () => lastWaitSeconds,
      retryDelayMs: () => retries.delayMs,
    });

    const execution = target.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        waitTimeOverrides: waits,
        retryIntervalOverrides: backoffs,
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          Input: input,
          StartTime: record.startDate.toISOString(),
          RoleArn: `arn:aws:iam::${deployed.arn.split(':')[4]}:role/${deployed.roleLogicalId}`,
        },
        StateMachine: { Id: deployed.arn, Name: deployed.name },
        State: {
          get RetryCount() {
            return retries.retryCount;
          },
        },
      },
    });
    const states$ = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') {
          record.lastState = event.state.name;
          record.states.push(event.state.name);
        }
      }
    })();
    let aborted = false;
    const entry: Running = {
      record,
      running: true,
      abort: () => {
        aborted = true;
        execution.abort();
      },
      done: execution.result
        .then(
          (output) => {
            if (aborted && output === null) {
              record.status = 'ABORTED';
              return;
            }
            record.status = 'SUCCEEDED';
            record.output = JSON.stringify(output);
          },
          (error: Error) => {
            if (error.name === 'ExecutionTimeoutError') {
              record.status = 'TIMED_OUT';
              record.error = 'States.Timeout';
              return;
            }
            record.status = 'FAILED';
            const failure = (error as { cause?: unknown }).cause;
            const source = failure instanceof Error ? failure : error;
            record.error = source.name;
            record.cause = source.message;
          },
        )
        .then(async () => {
          await states$.catch(() => undefined);
          record.stopDate = new Date();
          entry.running = false;
          this.options.onEnd(record);
          return record;
        }),
    };
    return entry;
  }

  private async invokeTask(
    deployed: DeployedStateMachine,
    functionArn: string,
    payload: unknown,
  ): Promise<unknown> {
    const decision = await this.options.authorize(
      deployed.roleLogicalId,
      'lambda:InvokeFunction',
      functionArn,
    );
    if (!decision.allowed) {
      // Step Functions reports a Lambda invoke its role may not make as Lambda.AWSLambdaException
      // with Lambda's AccessDeniedException message as the Cause.
      throw named(
        'Lambda.AWSLambdaException',
        `User: ${this.options.principalFor(deployed.roleLogicalId)} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn} because ${decision.reason} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`,
      );
    }
    const outcome = await this.options.invoke(functionArn, payload);
    if (outcome.ok) return JSON.parse(JSON.stringify(outcome.result ?? null));
    // "Handling errors in Step Functions workflows": a function's error reaches Retry and Catch
    // under its errorType, with the function's error object (as JSON) as the Cause.
    throw named(
      outcome.errorType,
      JSON.stringify({
        errorType: outcome.errorType,
        errorMessage: outcome.errorMessage,
        ...(outcome.trace ? { trace: outcome.trace } : {}),
      }),
    );
  }

  private async startExecutionTask(deployed: DeployedStateMachine, parameters: unknown): Promise<unknown> {
    const { StateMachineArn, Name, Input } = parameters as {
      StateMachineArn: string;
      Name?: string;
      Input?: unknown;
    };
    const decision = await this.options.authorize(
      deployed.roleLogicalId,
      'states:StartExecution',
      StateMachineArn,
    );
    if (!decision.allowed) {
      throw named(
        'StepFunctions.AWSStepFunctionsException',
        `User: ${this.options.principalFor(deployed.roleLogicalId)} is not authorized to perform: states:StartExecution on resource: ${StateMachineArn} because ${decision.reason}`,
      );
    }
    try {
      const started = await this.startExecution({
        stateMachineArn: StateMachineArn,
        name: Name,
        // The integration serializes an object Input itself.
        input: typeof Input === 'string' ? Input : JSON.stringify(Input ?? {}),
      });
      return { ExecutionArn: started.executionArn, StartDate: started.startDate.toISOString() };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        throw named('StepFunctions.ExecutionAlreadyExistsException', error.message);
      throw error;
    }
  }
}

/** The first Task, at the top or inside a Map's iterations, whose Resource the rehearsal does not call. */
function unsupportedTask(
  states: Record<string, AnyState & { ItemProcessor?: { States?: Record<string, AnyState> } }>,
): { name: string; resource: string } | undefined {
  for (const [name, state] of Object.entries(states)) {
    const inner = state.ItemProcessor?.States;
    const nested = inner ? unsupportedTask(inner) : undefined;
    if (nested) return nested;
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    if (!LAMBDA_ARN.test(resource) && !START_EXECUTION.test(resource)) return { name, resource };
  }
  return undefined;
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
