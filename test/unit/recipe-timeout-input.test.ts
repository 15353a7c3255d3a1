import { describe, expect, it } from 'vitest';
import { createIndexConcurrently, mysqlAddIndex, RecipeInputError } from '../../src/recipes';
import { phaseStatementTimeoutMs } from '../../src/recipes/phase-timeout';
import type { DdlPhase } from '../../src/recipes/types';

const input = { id: 'idx-note', table: 'accounts', name: 'accounts_note_idx', columns: ['note'] };
const ceiling = { ms: 240_000, source: 'ApplyBatch', instead: 'run it locally' };

describe("a recipe phase's statement timeout", () => {
  it('refuses a value that is not a whole, positive number of milliseconds, saying what to pass', () => {
    for (const bad of [0, -5, 1.5, Number.NaN]) {
      expect(() => createIndexConcurrently({ ...input, statementTimeoutMs: bad })).toThrow(RecipeInputError);
      expect(() => mysqlAddIndex({ ...input, statementTimeoutMs: bad })).toThrow(
        /statementTimeoutMs must be a whole, positive number of milliseconds .*or left unset/,
      );
    }
  });

  it("runs under its own value, else the runner's default capped at the ceiling", () => {
    const build = (timeout?: number) =>
      createIndexConcurrently({ ...input, ...(timeout ? { statementTimeoutMs: timeout } : {}) })
        .phases[1] as DdlPhase;
    expect(phaseStatementTimeoutMs(build())).toBe(6 * 3_600_000);
    expect(phaseStatementTimeoutMs(build(), ceiling)).toBe(240_000);
    expect(phaseStatementTimeoutMs(build(60_000), ceiling)).toBe(60_000);
    const drop = createIndexConcurrently(input).phases[0] as DdlPhase;
    expect(phaseStatementTimeoutMs(drop)).toBe(30 * 60_000);
    expect(build().tableScan).toEqual({ table: 'accounts', passes: 2 });
    expect(drop.tableScan).toBeUndefined();
  });
});
