import { existsSync, readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { type StateName, stateName, substitutionName, TASK_STEPS } from '../../run/steps';

const DEFINITION_FILE = 'statemachines/maintenance-job.asl.json';

/**
 * The package root holding `file`, searched upwards from this module: in the sources this module is
 * src/runtime/local/, in the built package it is bundled into dist/, and the file is the same one.
 */
export function packageFile(file: string): URL {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const candidate = new URL(file, dir);
    if (existsSync(candidate)) return candidate;
    if (new URL('../', dir).href === dir.href)
      throw new Error(
        `lowtide's ${file} is missing beside ${import.meta.url}: reinstall the lowtide package`,
      );
  }
}

/** The definition the CDK app deploys. Locally it runs as is, with its placeholders filled. */
export const DEFINITION_URL = packageFile(DEFINITION_FILE);

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
