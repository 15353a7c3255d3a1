import type { Node } from 'libpg-query';
import { findingMaker, type MakeFinding } from '../findings';
import type { Analysis, AnalyzeOptions, ColumnFacts, DdlCatalog, Finding, StatementLocation } from '../types';
import { atLeast, DEFAULT_VERSIONS } from '../versions';
import { names, nodeAs, relationName } from './nodes';
import { type PgParsed, PiecesDisagree, parsePostgresScript, postgresStatements } from './parse-script';
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

type StatementsOf = (source: string) => AsyncIterable<PgParsed>;

/** The whole parse of each source, held at once: for a second pass after PiecesDisagree. */
async function* wholeScript(source: string): AsyncGenerator<PgParsed> {
  yield* await parsePostgresScript(source);
}

/**
 * Runs every PostgreSQL rule over every statement of the sources, in order, as one session would.
 * Each statement is analysed as soon as its piece of the script is parsed, and its parse tree is
 * dropped before the next piece is parsed. In the rare script whose pieces do not each parse on
 * their own (see postgresStatements), the analysis starts again from the first source on the
 * whole script's parse, with a fresh file state: what the first pass found is discarded, so the
 * findings are those of one pass over the whole parse.
 */
export async function analyzePostgres(
  sources: readonly string[],
  options: AnalyzeOptions,
): Promise<Analysis> {
  // Both caches only remember the catalog's answers, so the second pass may keep them.
  const makeFinding = findingMaker(options);
  const column = cachedColumnFacts(options.catalog);
  try {
    return await analyzeSources(sources, options, makeFinding, column, postgresStatements);
  } catch (error) {
    if (!(error instanceof PiecesDisagree)) throw error;
    return analyzeSources(sources, options, makeFinding, column, wholeScript);
  }
}

function cachedColumnFacts(
  catalog: DdlCatalog | undefined,
): (table: string, name: string) => Promise<ColumnFacts | undefined> {
  const columns = new Map<string, Promise<ColumnFacts | undefined>>();
  return (table, name) => {
    const key = `${table}\u0000${name}`;
    let facts = columns.get(key);
    if (!facts) {
      facts = catalog?.column
        ? catalog.column(table, name).catch(() => undefined)
        : Promise.resolve(undefined);
      columns.set(key, facts);
    }
    return facts;
  };
}

async function analyzeSources(
  sources: readonly string[],
  options: AnalyzeOptions,
  makeFinding: MakeFinding,
  column: (table: string, name: string) => Promise<ColumnFacts | undefined>,
  statementsOf: StatementsOf,
): Promise<Analysis> {
  const version = options.versions?.postgres ?? DEFAULT_VERSIONS.postgres;
  // From PostgreSQL 12, SET NOT NULL skips its scan when a validated CHECK (col IS NOT NULL) exists.
  const checkProvesNotNull = atLeast(version, 12);
  const state = new PgScriptState();
  const findings: Finding[] = [];
  let index = 0;
  const locations: StatementLocation[] = [];
  for (const [sourceIndex, source] of sources.entries()) {
    const wrapped = (options.assumeInTransaction ?? false) && !NO_TRANSACTION_COMMENT.test(source);
    state.beginSource(wrapped);
    for await (const parsed of statementsOf(source)) {
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
