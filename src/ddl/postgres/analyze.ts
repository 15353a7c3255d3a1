import type { Node } from 'libpg-query';
import { findingMaker } from '../findings';
import type { Analysis, AnalyzeOptions, ColumnFacts, DdlCatalog, Finding, StatementLocation } from '../types';
import { atLeast, DEFAULT_VERSIONS } from '../versions';
import { names, nodeAs, relationName } from './nodes';
import { parsePostgresScript } from './parse-script';
import { POSTGRES_RULES, pgUnparsed } from './rules';
import { statementTimeoutHit, statementTimeoutRule } from './rules/missing-statement-timeout';
import { PgScriptState } from './script-state';
import type { PgStatement } from './statement';
import { statementLock, strongest } from './statement-lock';

export const DEFAULT_MAX_LOCK_TIMEOUT_MS = 10_000;

/** A source holding this comment runs outside a transaction even under assumeInTransaction. */
export const NO_TRANSACTION_COMMENT = /^[ \t]*--[ \t]*lowtide:[ \t]*no-transaction\b/im;

/**
 * Before a VALIDATE CONSTRAINT of a constraint the script did not add, learns from the catalog
 * whether it is a `CHECK (col IS NOT NULL)`: after the VALIDATE, SET NOT NULL on col needs no scan.
 */
async function learnValidatedConstraints(
  node: Node,
  state: PgScriptState,
  catalog: DdlCatalog | undefined,
): Promise<void> {
  const alter = nodeAs(node, 'AlterTableStmt');
  const table = relationName(alter?.relation);
  if (!alter || !table || !catalog?.constraint) return;
  for (const item of alter.cmds ?? []) {
    const cmd = nodeAs(item, 'AlterTableCmd');
    if (cmd?.subtype !== 'AT_ValidateConstraint' || !cmd.name || state.knowsConstraint(table, cmd.name))
      continue;
    const facts = await catalog.constraint(table, cmd.name).catch(() => undefined);
    if (facts) state.learnConstraint(table, cmd.name, facts);
  }
}

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
  const version = options.versions?.postgres ?? DEFAULT_VERSIONS.postgres;
  // From PostgreSQL 12, SET NOT NULL skips its scan when a validated CHECK (col IS NOT NULL) exists.
  const checkProvesNotNull = atLeast(version, 12);
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
    const wrapped = (options.assumeInTransaction ?? false) && !NO_TRANSACTION_COMMENT.test(source);
    state.beginSource(wrapped);
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
        await learnValidatedConstraints(parsed.node, state, options.catalog);
        const stmt: PgStatement = {
          ...located,
          node: parsed.node,
          table,
          lock: statementLock(parsed.node),
          inTransaction: state.inTransaction,
          lockTimeoutMs: state.lockTimeoutMs,
          statementTimeoutMs: state.statementTimeoutMs,
          version,
          assumeLockTimeout: options.assumeLockTimeout ?? false,
          maxLockTimeoutMs: options.maxLockTimeoutMs ?? DEFAULT_MAX_LOCK_TIMEOUT_MS,
          column,
          notNullProven: async (t, c) => {
            if (checkProvesNotNull && state.provenNotNull(t, c)) return true;
            const facts = await column(t, c);
            return (
              facts !== undefined &&
              (!facts.nullable || (checkProvesNotNull && facts.validatedNotNullCheck === true))
            );
          },
          addedNotValidInThisTransaction: (t, c) => state.addedNotValidInThisTransaction(t, c),
        };
        const own: Finding[] = [];
        for (const rule of POSTGRES_RULES) {
          // Most rules answer synchronously; awaiting only a promise saves a microtask per rule and statement.
          const checked = rule.check(stmt);
          for (const hit of Array.isArray(checked) ? checked : await checked) {
            // The lock a finding reports is the one the whole statement takes, when that is stronger.
            const lock = hit.lock ?? strongest([rule.lock, stmt.lock]);
            own.push(await makeFinding(rule, { ...hit, lock }, stmt));
          }
        }
        const timeout = statementTimeoutHit(stmt, own);
        if (timeout) own.push(await makeFinding(statementTimeoutRule, timeout, stmt));
        findings.push(...own);
      }
      state.apply(parsed.node);
    }
    state.endSource(wrapped);
  }
  return { statements: index, findings, locations };
}
