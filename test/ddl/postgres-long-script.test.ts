// A long PostgreSQL script is parsed in pieces cut at top-level semicolons (to keep libpg-query's
// WASM memory small); what comes out must be what one parse of the whole script gives.
import { describe, expect, it } from 'vitest';
import { analyzeSql } from '../../src/ddl/analyze-sql';
import { parsePostgresScript } from '../../src/ddl/postgres/parse-script';
import type { Finding } from '../../src/ddl/types';

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

// The analysis reads each piece's statements as soon as the piece is parsed, carrying the file
// state (transactions, constraints, timeouts) across pieces; a piece that does not parse on its
// own makes it start again on the whole script's parse, so each finding is reported once.
describe('analysing a long PostgreSQL script', () => {
  const lint = (statements: readonly string[]) =>
    analyzeSql(script(statements), { engine: 'postgres', assumeLockTimeout: true });
  const hits = (findings: readonly Finding[], rule: string) =>
    findings.filter((f) => f.rule === rule).map((f) => f.statementIndex);

  it('carries what an earlier piece did into a later one', async () => {
    const statements = [
      'BEGIN',
      'ALTER TABLE ledger_a ADD CONSTRAINT ledger_a_x CHECK (x IS NOT NULL) NOT VALID',
      ...many(1500),
      'ALTER TABLE ledger_a VALIDATE CONSTRAINT ledger_a_x',
      'COMMIT',
      'BEGIN',
      'ALTER TABLE ledger_b ADD CONSTRAINT ledger_b_x CHECK (x IS NOT NULL) NOT VALID',
      'COMMIT',
      ...many(1500, 1500),
      'ALTER TABLE ledger_b VALIDATE CONSTRAINT ledger_b_x',
      'ALTER TABLE ledger_b ALTER COLUMN x SET NOT NULL',
    ];
    const findings = await lint(statements);
    // Same transaction as its NOT VALID, 1,500 statements (several pieces) later: flagged.
    expect(hits(findings, 'pg-validate-in-same-transaction')).toEqual([1502]);
    // The hoist's second step, its NOT VALID pieces earlier: SET NOT NULL needs no scan.
    expect(hits(findings, 'pg-set-not-null')).toEqual([]);
  });

  it('reports each finding once when a later piece cuts a BEGIN ATOMIC body', async () => {
    const body = Array.from({ length: 3000 }, (_, i) => `SELECT ${i}`).join('; ');
    const fn = `CREATE FUNCTION long_body() RETURNS void LANGUAGE sql BEGIN ATOMIC ${body}; END`;
    const statements = [
      'CREATE INDEX ledger_c_early ON ledger_c (x)',
      ...many(800),
      fn,
      ...many(400, 800),
      'CREATE INDEX ledger_c_late ON ledger_c (x)',
    ];
    const findings = await lint(statements);
    expect(hits(findings, 'pg-create-index-without-concurrently')).toEqual([0, 1202]);
    expect(hits(findings, 'pg-unparsed')).toEqual([]);
    expect(new Set(findings.map((f) => `${f.rule} ${f.statementIndex}`)).size).toBe(findings.length);
  });

  it('reports each finding once when a later piece holds a statement that does not parse', async () => {
    const statements = [
      'CREATE INDEX ledger_d_early ON ledger_d (x)',
      ...many(1200),
      'ALTER TABLE oops ADD COLUMN',
      ...many(400, 1200),
      'CREATE INDEX ledger_d_late ON ledger_d (x)',
    ];
    const findings = await lint(statements);
    expect(hits(findings, 'pg-create-index-without-concurrently')).toEqual([0, 1602]);
    expect(hits(findings, 'pg-unparsed')).toEqual([1201]);
  });
});
