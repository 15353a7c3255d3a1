import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AslSubstitutionError, aslPlaceholders, checkSubstitutions } from '../../infra/asl';
import { FUNCTION_NAMES, FUNCTION_SPECS } from '../../infra/function-catalog';
import { REPO_ROOT, STATE_MACHINE_DEFINITION } from '../../infra/paths';

const definitionFile = path.join(REPO_ROOT, STATE_MACHINE_DEFINITION);
const definition = readFileSync(definitionFile, 'utf8');
const substitutions = FUNCTION_NAMES.flatMap((name) => FUNCTION_SPECS[name].substitution ?? []);

describe('definition substitutions', () => {
  it('finds each placeholder once, sorted', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ASL definition substitutions are literal ${...} text
    expect(aslPlaceholders('{"a":"${B}","b":"${A}","c":"${B}","d":"$.x","e":"$$.Execution.Id"}')).toEqual([
      'A',
      'B',
    ]);
  });

  it('refuses a definition that uses a substitution the app does not provide, or misses one it does', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ASL definition substitutions are literal ${...} text
    const check = () => checkSubstitutions('x.asl.json', '{"Resource":"${Gone}"}', ['Here']);
    expect(check).toThrow(AslSubstitutionError);
    expect(check).toThrow(/uses \$\{Gone\}.*does not use Here/);
  });

  it('the state machine file uses exactly the eight Task function substitutions of the contract', () => {
    expect(substitutions.sort()).toEqual(
      [
        'AcquireLeaseFunctionArn',
        'ApplyBatchFunctionArn',
        'FinalizeFunctionArn',
        'HealthGateFunctionArn',
        'PreflightFunctionArn',
        'RecordFailureFunctionArn',
        'StopRunFunctionArn',
        'VerifyBatchFunctionArn',
      ].sort(),
    );
    expect(() => checkSubstitutions(definitionFile, definition, substitutions)).not.toThrow();
  });

  it('the state machine is JSONPath and starts only itself, so its role can be scoped to its own ARN', () => {
    const asl = JSON.parse(definition) as {
      QueryLanguage?: string;
      States: Record<string, Record<string, unknown>>;
    };
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    const startsExecution = Object.values(asl.States).filter(
      (s) =>
        typeof s.Resource === 'string' && s.Resource.startsWith('arn:aws:states:::states:startExecution'),
    );
    expect(startsExecution.length).toBeGreaterThan(0);
    for (const state of startsExecution) {
      expect((state.Parameters as Record<string, unknown>)['StateMachineArn.$']).toBe('$$.StateMachine.Id');
    }
    // Every other Task resource is a substitution, i.e. one of our own functions.
    const otherTasks = Object.values(asl.States).filter(
      (s) => s.Type === 'Task' && !startsExecution.includes(s),
    );
    for (const task of otherTasks) expect(task.Resource).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
  });
});
