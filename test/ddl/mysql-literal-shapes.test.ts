// node-sql-parser reads a statement once per literal shape of a script (plain numbers and strings
// blanked) when the model holds no literal: each statement must still come out as if read alone.
import { describe, expect, it } from 'vitest';
import { parseMysqlScript } from '../../src/ddl/mysql/parse-statement';

const STATEMENTS = [
  "INSERT INTO seed (id, note) VALUES (1, 'first')",
  "INSERT INTO seed (id, note) VALUES (22, 'second one')",
  "INSERT INTO seed (id, note) VALUES (3, 'it''s')",
  "INSERT INTO seed (id, note) VALUES (4, 'a\\'b')",
  'INSERT INTO seed (id, note) VALUES (5 6)',
  'DELETE FROM seed WHERE id = 7',
  'DELETE FROM seed WHERE id = 8',
  'DELETE FROM seed',
  'UPDATE seed SET note = NULL WHERE id > 9',
  'UPDATE other SET note = NULL WHERE id > 10',
  'SET SESSION lock_wait_timeout = 5',
  'SET SESSION lock_wait_timeout = 50',
];

describe('statements of one literal shape', () => {
  it('read as each would be alone, in the same script', () => {
    const together = parseMysqlScript(`${STATEMENTS.join(';\n')};`, 'mysql');
    const alone = STATEMENTS.map((s) => parseMysqlScript(s, 'mysql')[0]!);
    expect(together.map(({ model, error }) => ({ model, error }))).toEqual(
      alone.map(({ model, error }) => ({ model, error })),
    );
    expect(together[4]!.model).toBeUndefined();
    expect(together.find((p) => p.text.endsWith('= 50'))!.model).toEqual({
      kind: 'set',
      assignments: [{ name: 'lock_wait_timeout', value: 50 }],
    });
  });
});
