import { loadDefinition, statesOf } from '../../src/runtime/local/definition';

type ChoiceRule = { Variable?: string; StringEquals?: string; Next?: string };
type StateDef = { Type: string; Next?: string; End?: boolean; Choices?: ChoiceRule[]; Default?: string };

/** Which way each Choice state goes on a path (they all branch on the handler's `$.decision`). */
export type Decisions = Readonly<Record<string, string>>;

/**
 * The states entered walking the definition from `from` until `until` is reached again (or a
 * terminal state), taking each Choice state's branch from `decisions`. Step Functions bills each
 * state entered as one transition.
 */
export function statesAlong(
  states: Readonly<Record<string, StateDef>>,
  from: string,
  decisions: Decisions,
  until?: string,
): string[] {
  const path: string[] = [];
  let current: string | undefined = from;
  while (current !== undefined) {
    if (path.length > 0 && current === until) return path;
    if (path.length > 100)
      throw new Error(`no end walking the state machine from ${from}: ${path.join(' > ')}`);
    const state: StateDef | undefined = states[current];
    if (!state) throw new Error(`the state machine has no state '${current}' (walking from ${from})`);
    path.push(current);
    if (state.Type === 'Choice') {
      const decision: string | undefined = decisions[current];
      const rule: ChoiceRule | undefined = state.Choices?.find(
        (c) => c.Variable === '$.decision' && c.StringEquals === decision,
      );
      if (!rule) throw new Error(`choice state ${current} has no branch for decision '${decision}'`);
      current = rule.Next;
    } else if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End) {
      current = undefined;
    } else {
      current = state.Next;
    }
  }
  return path;
}

/** Transitions of each path a run takes, read from the deployed definition (not hard-coded). */
export interface TransitionModel {
  /** One batch: gate, apply, verify, wait, back to the gate. */
  readonly perBatch: readonly string[];
  /** One unhealthy gate visit that backs off. */
  readonly perBackoff: readonly string[];
  /** From the start of an execution to its first health gate. */
  readonly start: readonly string[];
  /** The last gate: nothing left, finalize, completed. */
  readonly finish: readonly string[];
  /** An execution that hands over to its successor (continue-as-new). */
  readonly handOver: readonly string[];
}

export function transitionModel(): TransitionModel {
  const definition = loadDefinition();
  const states = statesOf(definition) as unknown as Record<string, StateDef>;
  const gate = 'HealthGate';
  return {
    perBatch: statesAlong(states, gate, { HealthOutcome: 'proceed', BatchOutcome: 'applied' }, gate),
    perBackoff: statesAlong(states, gate, { HealthOutcome: 'wait' }, gate),
    start: statesAlong(
      states,
      definition.StartAt,
      { PreflightOutcome: 'ready', LeaseOutcome: 'acquired' },
      gate,
    ),
    finish: statesAlong(states, gate, {
      HealthOutcome: 'proceed',
      BatchOutcome: 'done',
      FinalizeOutcome: 'completed',
    }),
    handOver: statesAlong(states, gate, { HealthOutcome: 'stop', StopOutcome: 'continued' }),
  };
}
