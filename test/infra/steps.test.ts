import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/function-catalog';
import { FUNCTIONS_DIR, REPO_ROOT, STATE_MACHINE_DEFINITION } from '../../infra/paths';
import {
  functionFile,
  STEP_NAMES,
  STEPS,
  type StepName,
  stateName,
  stepOfState,
  substitutionName,
  TASK_STEPS,
} from '../../src/run/steps';

interface ChoiceRule {
  readonly Variable?: string;
  readonly StringEquals?: string;
  readonly Next?: string;
}
interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly Retry?: ReadonlyArray<{ ErrorEquals: string[] }>;
  readonly Choices?: readonly ChoiceRule[];
}

const asl = JSON.parse(readFileSync(path.join(REPO_ROOT, STATE_MACHINE_DEFINITION), 'utf8')) as {
  States: Record<string, State>;
};
const states = Object.entries(asl.States);
const START_EXECUTION = 'arn:aws:states:::states:startExecution';
/** Where the handlers put the decision the Choice states branch on. */
const DECISION = '$.decision';

const decisionsOf = (step: StepName): readonly string[] => STEPS[step].decisions;
const decisionRules = (state: State) => (state.Choices ?? []).filter((rule) => rule.Variable === DECISION);
/** The states that go on to `target`. */
const feeders = (target: string) => states.filter(([, s]) => s.Next === target);

describe('the table of steps', () => {
  it('derives every name of a step from its one name', () => {
    expect(stateName('applyBatch')).toBe('ApplyBatch');
    expect(substitutionName('applyBatch')).toBe('ApplyBatchFunctionArn');
    expect(functionFile('applyBatch')).toBe('apply-batch');
    expect(functionFile('onExecutionEnd')).toBe('on-execution-end');
    expect(stepOfState('ApplyBatch')).toBe('applyBatch');
    expect(stepOfState('BatchOutcome')).toBeUndefined();
    expect(FUNCTION_SPECS.applyBatch).toMatchObject({
      file: 'apply-batch',
      substitution: 'ApplyBatchFunctionArn',
    });
  });

  it('the event handlers are steps without a state', () => {
    const eventSteps = STEP_NAMES.filter((step) => STEPS[step].trigger === 'event');
    expect(eventSteps).toEqual(['onAlarm', 'onExecutionEnd']);
    for (const step of eventSteps) {
      expect(states.filter(([name]) => name.toLowerCase() === step.toLowerCase()).length, step).toBe(0);
      expect(FUNCTION_SPECS[step].substitution, step).toBeUndefined();
    }
  });
});

describe('functions/: one entry file per step, wiring that step', () => {
  const dir = path.join(REPO_ROOT, FUNCTIONS_DIR);

  it('has a file for every step and none for anything else', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.sort()).toEqual(STEP_NAMES.map((step) => `${functionFile(step)}.ts`).sort());
  });

  it.each(STEP_NAMES)('functions/%s wires its own handler core and the deps its needs call for', (step) => {
    const file = path.join(dir, `${functionFile(step)}.ts`);
    expect(existsSync(file), file).toBe(true);
    const text = readFileSync(file, 'utf8');
    const handlerImports = [...text.matchAll(/from '\.\.\/src\/runtime\/handlers\/([^']+)'/g)].map(
      (m) => m[1],
    );
    // Only its own core: importing the handlers index would bundle every handler into each function.
    expect(handlerImports, `${file} imports handler modules`).toEqual([functionFile(step)]);
    expect(text, `${file} imports the core named after the step`).toMatch(
      new RegExp(`import \\{ ${step} \\} from '\\.\\./src/runtime/handlers/${functionFile(step)}'`),
    );
    expect(text, `${file} wraps the core`).toMatch(
      new RegExp(`lambdaHandler\\('${functionFile(step)}', ${step},`),
    );
    const deps = FUNCTION_SPECS[step].touchesDatabase ? 'createLambdaDeps' : 'createControlDeps';
    expect(text, `${file} builds ${deps} (touchesDatabase: ${FUNCTION_SPECS[step].touchesDatabase})`).toMatch(
      new RegExp(`\\b${deps}\\b`),
    );
  });
});

describe('the state machine against the table of steps', () => {
  it('runs every Task state as a step of the table, through its substitution', () => {
    for (const [name, state] of states) {
      if (state.Type !== 'Task' || state.Resource === START_EXECUTION) continue;
      const step = stepOfState(name);
      expect(step, `Task state ${name} is no step of src/run/steps.ts`).toBeDefined();
      expect(state.Resource, `Task state ${name}'s Resource`).toBe(`\${${substitutionName(step!)}}`);
    }
    for (const step of TASK_STEPS) {
      expect(asl.States[stateName(step)]?.Type, `step ${step} has no Task state ${stateName(step)}`).toBe(
        'Task',
      );
    }
  });

  it("retries each step on the errors the table declares, besides Lambda's own", () => {
    for (const step of TASK_STEPS) {
      const name = stateName(step);
      const retried = (asl.States[name]?.Retry ?? [])
        .flatMap((r) => r.ErrorEquals)
        .filter((error) => !error.startsWith('Lambda.'));
      expect(retried.sort(), `${name} retries`).toEqual([...STEPS[step].retriedErrors].sort());
    }
  });

  it('compares every Choice on the decision against a decision the step feeding it declares', () => {
    for (const [name, choice] of states) {
      if (choice.Type !== 'Choice' || decisionRules(choice).length === 0) continue;
      const from = feeders(name);
      expect(from.length, `no state goes on to the Choice ${name}`).toBeGreaterThan(0);
      for (const [feeder] of from) {
        const step = stepOfState(feeder);
        expect(step, `Choice ${name} reads ${DECISION} after ${feeder}, which is no step`).toBeDefined();
        for (const rule of decisionRules(choice)) {
          expect(rule.StringEquals, `Choice ${name} compares ${DECISION} by StringEquals`).toBeTypeOf(
            'string',
          );
          expect(
            decisionsOf(step!),
            `Choice ${name} compares ${DECISION} with '${rule.StringEquals}', which ${step} (state ${feeder}) does not declare`,
          ).toContain(rule.StringEquals);
        }
      }
    }
  });

  it('routes every decision a routed step declares, and branches on none of an unrouted one', () => {
    for (const step of TASK_STEPS) {
      const name = stateName(step);
      const next = asl.States[name]?.Next;
      const nextState = next ? asl.States[next] : undefined;
      const compared =
        nextState?.Type === 'Choice' ? decisionRules(nextState).map((r) => r.StringEquals) : [];
      if (!STEPS[step].routed) {
        expect(compared, `${name} is not routed, yet ${next} branches on its decision`).toEqual([]);
        continue;
      }
      expect(nextState?.Type, `${name} is routed, so a Choice must follow it (it goes on to ${next})`).toBe(
        'Choice',
      );
      for (const decision of decisionsOf(step)) {
        expect(compared, `${step} declares '${decision}', which the Choice ${next} never compares`).toContain(
          decision,
        );
      }
    }
  });
});
