import type { Node } from 'libpg-query';
import { findingMaker } from '../findings';
import type { Analysis, AnalyzeOptions, ColumnFacts, Finding, StatementLocation } from '../types';
import { names, nodeAs, relationName } from './nodes';
import { parsePostgresScript } from './parse-script';
import { POSTGRES_RULES, pgUnparsed } from './rules';
import { PgScriptState } from './script-state';
import type { PgStatement } from './statement';
import { statementLock, strongest } from './statement-lock';

export const DEFAULT_MAX_LOCK_TIMEOUT_MS = 10_000;

function droppedTable(node: Node): string | undefined {
  const drop = nodeAs(node, 'DropStmt');
  if (drop?.removeType !== 'OBJECT_TABLE') return undefined;
  const first = names(nodeAs(drop.objects?.[0], 'List')?.items);
  return first.length > 0 ? first.join('.') : undefined;
}

/** The table a statement works on, for reporting and for its size. */
function targetTable(node: Node): string | undefined {
  return (
    droppedTable(node) ??
    relationName(nodeAs(nodeAs(node, 'TruncateStmt')?.relations?.[0], 'RangeVar')) ??
    relationName(nodeAs(nodeAs(node, 'VacuumStmt')?.rels?.[0], 'VacuumRelation')?.relation) ??
    relationName(nodeAs(node, 'AlterTableStmt')?.relation) ??
    relationName(nodeAs(node, 'IndexStmt')?.relation) ??
    relationName(nodeAs(node, 'ClusterStmt')?.relation) ??
    relationName(nodeAs(node, 'RenameStmt')?.relation) ??
    relationName(nodeAs(node, 'UpdateStmt')?.relation) ??
    relationName(nodeAs(node, 'DeleteStmt')?.relation) ??
    relationName(nodeAs(node, 'RefreshMatViewStmt')?.relation)
  );
}

/** Runs every PostgreSQL rule over every statement of the sources, in order, as one session would. */
export async function analyzePostgres(
  sources: readonly string[],
  options: AnalyzeOptions,
): Promise<Analysis> {
  const makeFinding = findingMaker(options);
  const state = new PgScriptState();
  const columns = new Map<string, Promise<ColumnFacts | undefined>>();
  const column = (table: string, name: string): Promise<ColumnFacts | undefined> => {
    const key = `${table}\u0000${name}`;
    let facts = columns.get(key);
    if (!facts) {
      facts = options.catalog?.column
        ? options.catalog.column(table, name).catch(() => undefined)
        : Promise.resolve(undefined);
      columns.set(key, facts);
    }
    return facts;
  };

  const findings: Finding[] = [];
  let index = 0;
  const locations: StatementLocation[] = [];
  for (const [sourceIndex, source] of sources.entries()) {
    for (const parsed of await parsePostgresScript(source)) {
      const located = {
        index: index++,
        line: parsed.line,
        text: parsed.text,
        fingerprint: parsed.fingerprint,
      };
      locations.push({ source: sourceIndex, line: parsed.line, text: parsed.text });
      if (!parsed.node) {
        findings.push(
          await makeFinding(pgUnparsed, { why: `${pgUnparsed.why} Parser: ${parsed.error}.` }, located),
        );
        continue;
      }
      const table = targetTable(parsed.node);
      // A table this script created is new and empty: nobody else uses it yet, whatever it locks.
      if (!table || !state.createdInScript(table)) {
        const stmt: PgStatement = {
          ...located,
          node: parsed.node,
          table,
          lock: statementLock(parsed.node),
          inTransaction: state.inTransaction,
          lockTimeoutMs: state.lockTimeoutMs,
          assumeLockTimeout: options.assumeLockTimeout ?? false,
          maxLockTimeoutMs: options.maxLockTimeoutMs ?? DEFAULT_MAX_LOCK_TIMEOUT_MS,
          column,
          notNullProven: async (t, c) => {
            if (state.provenNotNull(t, c)) return true;
            const facts = await column(t, c);
            return facts !== undefined && (!facts.nullable || facts.validatedNotNullCheck === true);
          },
        };
        for (const rule of POSTGRES_RULES) {
          for (const hit of await rule.check(stmt)) {
            // The lock a finding reports is the one the whole statement takes, when that is stronger.
            const lock = hit.lock ?? strongest([rule.lock, stmt.lock]);
            findings.push(await makeFinding(rule, { ...hit, lock }, stmt));
          }
        }
      }
      state.apply(parsed.node);
    }
  }
  return { statements: index, findings, locations };
}
