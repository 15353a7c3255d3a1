import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/paths';
import { functionFile, STEP_NAMES } from '../../src/run/steps';

/**
 * A handler core parses its payload, calls the run lifecycle or the work, and returns: the
 * sequence lives in src/run and the work's kinds, not in the handler. 20 code lines leave room
 * for that and nothing else.
 */
const MAX_CODE_LINES = 20;

const handlerFile = (step: string) =>
  path.join(REPO_ROOT, 'src/runtime/handlers', `${functionFile(step as never)}.ts`);

/** Lines that are not blank, not comments and not part of an import statement. */
function codeLines(source: string): number {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const withoutImports = withoutComments.replace(/^import\s[\s\S]*?from\s+'[^']+';$/gm, '');
  return withoutImports.split('\n').filter((line) => line.trim() !== '').length;
}

describe('handler cores', () => {
  it('counts code lines without comments, blank lines and imports', () => {
    const source = [
      'import { a,',
      "  b } from './x';",
      '/** doc',
      ' * more */',
      '// note',
      '',
      'export function f() {',
      '  return a + b;',
      '}',
    ].join('\n');
    expect(codeLines(source)).toBe(3);
  });

  it.each(STEP_NAMES)('%s is at most 20 code lines: parse, call, return', (step) => {
    const lines = codeLines(readFileSync(handlerFile(step), 'utf8'));
    expect(
      lines,
      `${path.relative(REPO_ROOT, handlerFile(step))} has ${lines} code lines`,
    ).toBeLessThanOrEqual(MAX_CODE_LINES);
  });
});
