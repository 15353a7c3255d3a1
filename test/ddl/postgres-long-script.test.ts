// A long PostgreSQL script is parsed in pieces cut at top-level semicolons (to keep libpg-query's
// WASM memory small); what comes out must be what one parse of the whole script gives.
import { describe, expect, it } from 'vitest';
import { parsePostgresScript } from '../../src/ddl/postgres/parse-script';

function script(statements: readonly string[]): string {
  return statements.map((s, i) => `-- step ${i}\n${s};`).join('\n');
}

const many = (count: number, from = 0) =>
  Array.from(
    { length: count },
    (_, i) => `INSERT INTO notes_é (id, note) VALUES (${from + i}, 'naïve ${i}')`,
  );

describe('parsing a long PostgreSQL script', () => {
  it('finds every statement, its text and its line, across multi-byte characters', async () => {
    const statements = many(1500);
    const parsed = await parsePostgresScript(script(statements));
    expect(parsed.map((p) => p.text)).toEqual(statements);
    expect(parsed.map((p) => p.line)).toEqual(statements.map((_, i) => 2 * i + 2));
    expect(parsed.every((p) => p.node !== undefined && p.error === undefined)).toBe(true);
  });

  it('keeps a BEGIN ATOMIC body whole when a cut would fall inside it', async () => {
    const body = Array.from({ length: 3000 }, (_, i) => `SELECT ${i}`).join('; ');
    const fn = `CREATE FUNCTION long_body() RETURNS void LANGUAGE sql BEGIN ATOMIC ${body}; END`;
    const statements = [...many(400), fn, ...many(400, 400)];
    const parsed = await parsePostgresScript(script(statements));
    expect(parsed.map((p) => p.text)).toEqual(statements);
    expect(parsed[400]!.node).toHaveProperty('CreateFunctionStmt');
  });

  it('still reports the one statement that does not parse, and reads the others', async () => {
    const statements = [...many(800), 'ALTER TABLE oops ADD COLUMN', ...many(800, 800)];
    const parsed = await parsePostgresScript(script(statements));
    expect(parsed.map((p) => p.text)).toEqual(statements);
    expect(parsed.filter((p) => p.error !== undefined).map((p) => p.text)).toEqual([
      'ALTER TABLE oops ADD COLUMN',
    ]);
  });
});
