import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { type StateName, stateName, substitutionName, TASK_STEPS } from '../../run/steps';

/** The definition the CDK app deploys. Locally it runs as is, with its placeholders filled. */
export const DEFINITION_URL = new URL('../../../statemachines/maintenance-job.asl.json', import.meta.url);

/** Placeholder -> the Task state it names. Task states are overridden locally by state name. */
export const FUNCTION_SUBSTITUTIONS: Readonly<Record<string, StateName>> = Object.fromEntries(
  TASK_STEPS.map((step) => [substitutionName(step), stateName(step)]),
);

/**
 * Fills `${...}` placeholders the way CDK's definitionSubstitutions does; an unknown one is an
 * error, so a definition and its deployer cannot drift apart silently.
 */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`the state machine definition uses \${${name}}, which nothing substitutes`);
    return value;
  });
}

/** Local stand-in ARNs: valid Lambda ARNs, never invoked (every Task state is overridden). */
export function localFunctionArns(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(FUNCTION_SUBSTITUTIONS).map(([placeholder, state]) => [
      placeholder,
      `arn:aws:lambda:local:000000000000:function:lowtide-${state}`,
    ]),
  );
}

export function loadDefinition(url: URL = DEFINITION_URL): StateMachineDefinition {
  return JSON.parse(substitute(readFileSync(url, 'utf8'), localFunctionArns())) as StateMachineDefinition;
}

type AnyState = { Type: string; Resource?: string; Retry?: Retrier[] };
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

export function statesOf(definition: StateMachineDefinition): Record<string, AnyState> {
  return definition.States as unknown as Record<string, AnyState>;
}
