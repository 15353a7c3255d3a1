/**
 * How many history events one execution of the maintenance-job state machine can write, computed
 * from its ASL, and the continue-as-new rule that keeps it under the quota.
 *
 * "Step Functions service quotas" (AWS Step Functions Developer Guide): a Standard workflow's
 * execution history holds at most 25,000 events; an execution that reaches it fails. The events
 * counted per state follow the HistoryEvent types of the Step Functions API Reference: every state
 * writes `<Type>StateEntered` and `<Type>StateExited`; every attempt of a Lambda task writes
 * `LambdaFunctionScheduled`, `LambdaFunctionStarted` and one of Succeeded/Failed/TimedOut; every
 * attempt of a service-integration task `TaskScheduled`, `TaskStarted`, `TaskSubmitted` and one of
 * Succeeded/Failed; the execution adds `ExecutionStarted` and its end event. A retrier adds attempts
 * (its MaxAttempts, 3 when absent, per retrier, so a task with two retriers can make 1 + both).
 *
 * Time adds no events: a Wait state writes two whatever it waits, so `limits.maxRuntimeSeconds` does
 * not bound an execution's history (a run also spans its continued executions) and cannot stand in
 * for the bound. The bound is the loop count: every loop passes the health gate, which continues as
 * a new execution before the next loop could push the history past the quota. Retries a task
 * reports (its Parameters pass `$$.State.RetryCount`, as ApplyBatch's do) are charged as they
 * happen, so an execution with many retries continues earlier; retries no handler can see are
 * charged at their worst on every loop.
 */

/** "Step Functions service quotas": maximum execution history size of a Standard workflow. */
export const HISTORY_EVENT_QUOTA = 25_000;

const STATE_EVENTS = 2;
const LAMBDA_ATTEMPT_EVENTS = 3;
const SERVICE_ATTEMPT_EVENTS = 4;
const EXECUTION_EVENTS = 1; // ExecutionStarted, or the execution's end event
const DEFAULT_MAX_ATTEMPTS = 3;

export interface HistoryCosts {
  /** ExecutionStarted and the states before the first visit of the loop head. */
  readonly entry: number;
  /** The worst loop, loop head back to loop head, every retrier exhausted. */
  readonly iteration: number;
  /** A loop as the gate charges it: reported retries left out (they are added as they happen). */
  readonly charged: number;
  /** Events one reported retry adds. */
  readonly perRetry: number;
  /** The worst way from a loop head to the end of the execution, its end event included. */
  readonly exit: number;
}

/**
 * The figures for statemachines/maintenance-job.asl.json, which the functions use (the bundles do
 * not carry the ASL). A test recomputes them from the file, and synth refuses a definition that
 * costs more, so they cannot drift.
 */
export const DEPLOYED_HISTORY_COSTS: HistoryCosts = {
  entry: 51,
  iteration: 144,
  charged: 21,
  perRetry: 3,
  exit: 191,
};

/** The loop head: every loop of the maintenance job passes the health gate. */
export const LOOP_HEAD = 'HealthGate';

interface Retrier {
  readonly MaxAttempts?: number;
}
interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: unknown;
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: ReadonlyArray<{ readonly Next: string }>;
  readonly Catch?: ReadonlyArray<{ readonly Next: string }>;
  readonly Retry?: readonly Retrier[];
}
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

function isLambda(resource: string | undefined): boolean {
  return (
    resource !== undefined &&
    (/^\$\{[A-Za-z0-9_]+FunctionArn\}$/.test(resource) ||
      resource.startsWith('arn:aws:lambda:') ||
      resource.startsWith('arn:aws:states:::lambda:invoke'))
  );
}

function reportsRetries(state: AslState): boolean {
  const parameters = state.Parameters;
  return (
    typeof parameters === 'object' &&
    parameters !== null &&
    Object.values(parameters).includes('$$.State.RetryCount')
  );
}

type Attempts = 'worst' | 'charged';

function stateEvents(state: AslState, attempts: Attempts): number {
  if (state.Type !== 'Task') return STATE_EVENTS;
  const perAttempt = isLambda(state.Resource) ? LAMBDA_ATTEMPT_EVENTS : SERVICE_ATTEMPT_EVENTS;
  const retries =
    attempts === 'charged' && reportsRetries(state)
      ? 0
      : (state.Retry ?? []).reduce((sum, r) => sum + (r.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS), 0);
  return STATE_EVENTS + perAttempt * (1 + retries);
}

function successors(state: AslState, without: string | undefined): string[] {
  return [
    state.Next,
    state.Default,
    ...(state.Choices ?? []).map((c) => c.Next),
    ...(state.Catch ?? []).map((c) => c.Next),
  ].filter((s): s is string => s !== undefined && s !== without);
}

function isTerminal(state: AslState & { End?: boolean }): boolean {
  return state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true;
}

/** The definition cannot be bounded (a loop that avoids the loop head, or no loop head at all). */
export class HistoryBudgetError extends Error {
  override readonly name = 'HistoryBudgetError';
}

/**
 * The most events on a way from `from` (counted) through Next, Choices, Default and Catch: to the
 * first visit of `to` (not counted), or with `to` absent, to an end of the execution (its end event
 * counted) without passing `avoid`. -Infinity when there is no such way.
 */
function longestPath(
  definition: AslDefinition,
  from: string,
  opts: { attempts: Attempts; to?: string; avoid?: string },
): number {
  const memo = new Map<string, number>();
  const onPath = new Set<string>();
  const visit = (name: string, first: boolean): number => {
    if (!first && name === opts.to) return 0;
    if (!first && memo.has(name)) return memo.get(name)!;
    if (onPath.has(name)) {
      throw new HistoryBudgetError(
        `the state machine loops through '${name}' without passing '${LOOP_HEAD}': its history cannot be bounded`,
      );
    }
    const state = definition.States[name];
    if (!state) throw new HistoryBudgetError(`the state machine names a state '${name}' it does not define`);
    onPath.add(name);
    const own = stateEvents(state, opts.attempts);
    const next = successors(state, opts.avoid);
    let best = Number.NEGATIVE_INFINITY;
    if (isTerminal(state)) best = opts.to === undefined ? own + EXECUTION_EVENTS : best;
    for (const n of next) best = Math.max(best, own + visit(n, false));
    onPath.delete(name);
    if (!first) memo.set(name, best);
    return best;
  };
  return visit(from, true);
}

/** The worst-case history figures of a definition, read from its states, retriers and catchers. */
export function historyCosts(definition: AslDefinition, loopHead: string = LOOP_HEAD): HistoryCosts {
  if (!definition.States[loopHead])
    throw new HistoryBudgetError(`the state machine has no '${loopHead}' state to count loops at`);
  const entry =
    EXECUTION_EVENTS + longestPath(definition, definition.StartAt, { attempts: 'worst', to: loopHead });
  const iteration = longestPath(definition, loopHead, { attempts: 'worst', to: loopHead });
  const charged = longestPath(definition, loopHead, { attempts: 'charged', to: loopHead });
  // Any way out of the loop head, failures included, that does not come back to it.
  const exit = longestPath(definition, loopHead, { attempts: 'worst', avoid: loopHead });
  if (![entry, iteration, exit].every(Number.isFinite))
    throw new HistoryBudgetError(`the state machine does not start, loop and end through '${loopHead}'`);
  return { entry, iteration, charged, perRetry: LAMBDA_ATTEMPT_EVENTS, exit };
}

/** Events an execution may have written when it reaches the loop head after `loops` loops. */
export function eventsBeforeLoop(costs: HistoryCosts, loops: number, reportedRetries: number): number {
  return costs.entry + loops * costs.charged + reportedRetries * costs.perRetry;
}

/** Whether one more loop, at its worst, still leaves room for the worst way out. */
export function roomForAnotherLoop(costs: HistoryCosts, loops: number, reportedRetries: number): boolean {
  return (
    eventsBeforeLoop(costs, loops, reportedRetries) + costs.iteration + costs.exit <= HISTORY_EVENT_QUOTA
  );
}

/** The largest continue-as-new threshold an execution without reported retries can reach. */
export function maxContinueAsNewAfter(costs: HistoryCosts): number {
  return Math.floor((HISTORY_EVENT_QUOTA - costs.entry - costs.iteration - costs.exit) / costs.charged) + 1;
}

/** Refuses a continue-as-new threshold the history quota cannot hold, with the figures. */
export function checkContinueAsNewAfter(loops: number, costs: HistoryCosts, source: string): void {
  if (!Number.isInteger(loops) || loops < 1)
    throw new HistoryBudgetError(`${source} must be a whole number of loops, at least 1, not ${loops}`);
  const max = maxContinueAsNewAfter(costs);
  if (loops <= max) return;
  const total = eventsBeforeLoop(costs, loops - 1, 0) + costs.iteration + costs.exit;
  throw new HistoryBudgetError(
    `${source} = ${loops} does not fit one execution's ${HISTORY_EVENT_QUOTA.toLocaleString('en-US')} history events: ` +
      `${costs.entry} (start) + ${loops - 1} × ${costs.charged} (loops) + ${costs.iteration} (worst loop) + ${costs.exit} (worst end) = ` +
      `${total.toLocaleString('en-US')}; set it to at most ${max}`,
  );
}

/** Refuses a definition that costs more history than the functions assume (DEPLOYED_HISTORY_COSTS). */
export function checkDefinitionCosts(
  file: string,
  costs: HistoryCosts,
  assumed = DEPLOYED_HISTORY_COSTS,
): void {
  const over = (Object.keys(assumed) as (keyof HistoryCosts)[]).filter((k) => costs[k] > assumed[k]);
  if (over.length === 0) return;
  const figures = over.map((k) => `${k} ${costs[k]} > ${assumed[k]}`).join(', ');
  throw new HistoryBudgetError(
    `${file} writes more history events than the functions' continue-as-new budget assumes (${figures}): ` +
      'update DEPLOYED_HISTORY_COSTS in src/run/history-budget.ts to the figures of historyCosts()',
  );
}
