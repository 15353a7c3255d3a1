import { findingMaker } from '../findings';
import type {
  Analysis,
  AnalyzeOptions,
  ColumnFacts,
  Finding,
  MysqlServer,
  StatementLocation,
} from '../types';
import { DEFAULT_VERSIONS } from '../versions';
import type { MysqlOp } from './operations';
import { parseMysqlScript } from './parse-statement';
import { type AlterPlan, planAlter } from './plan-alter';
import { MYSQL_RULES, mysqlUnparsed } from './rules';
import { MysqlScriptState } from './script-state';
import type { MyStatement } from './statement';
import type { MysqlModel } from './statement-model';

export const DEFAULT_MAX_LOCK_WAIT_MS = 10_000;

function targetTable(model: MysqlModel): string | undefined {
  if (model.kind === 'alter' || model.kind === 'dml') return model.table;
  if (model.kind === 'rename-tables') return model.pairs[0]?.[0];
  if (model.kind === 'truncate' || model.kind === 'optimize') return model.tables[0];
  if (model.kind === 'drop-tables') return model.tables.find((t) => !t.includes(' '));
  return undefined;
}

function modifiedColumns(ops: readonly MysqlOp[]): string[] {
  return ops.flatMap((op) => (op.kind === 'modify-column' ? [op.column] : []));
}

/** Runs every MySQL rule over every statement of the sources, in order, as one session would. */
export async function analyzeMysql(sources: readonly string[], options: AnalyzeOptions): Promise<Analysis> {
  const server: MysqlServer = options.server ?? 'any';
  const makeFinding = findingMaker(options);
  const versions = {
    mysql: options.versions?.mysql ?? DEFAULT_VERSIONS.mysql,
    mariadb: options.versions?.mariadb ?? DEFAULT_VERSIONS.mariadb,
  };
  const state = new MysqlScriptState();
  const findings: Finding[] = [];
  let index = 0;
  const locations: StatementLocation[] = [];
  for (const [sourceIndex, source] of sources.entries()) {
    for (const parsed of parseMysqlScript(source, server)) {
      const located = {
        index: index++,
        line: parsed.line,
        text: parsed.text,
        fingerprint: parsed.fingerprint,
      };
      locations.push({ source: sourceIndex, line: parsed.line, text: parsed.text });
      if (!parsed.model) {
        findings.push(
          await makeFinding(mysqlUnparsed, { why: `${mysqlUnparsed.why} Parser: ${parsed.error}.` }, located),
        );
        continue;
      }
      const model = parsed.model;
      // MariaDB-only syntax (ALTER ONLINE, WAIT n, ALGORITHM=NOCOPY) can only be meant for MariaDB.
      const statementServer: MysqlServer = server === 'any' && parsed.extras.mariadbOnly ? 'mariadb' : server;
      const table = targetTable(model);
      // A table this script created is new and empty: nobody else uses it yet, whatever it locks.
      if (!table || !state.createdInScript(table)) {
        let plan: AlterPlan | undefined;
        if (model.kind === 'alter') {
          const facts = new Map<string, ColumnFacts | undefined>();
          for (const column of modifiedColumns(model.ops)) {
            facts.set(column, await options.catalog?.column?.(model.table, column).catch(() => undefined));
          }
          plan = planAlter(model.ops, model.clauses, statementServer, {
            foreignKeyChecks: state.foreignKeyChecks,
            addsPrimaryKey: model.ops.some((op) => op.kind === 'add-primary-key'),
            versions,
            columnFacts: (column) => facts.get(column),
          });
        }
        const stmt: MyStatement = {
          ...located,
          model,
          table,
          plan,
          lockWaitSeconds: parsed.extras.waitSeconds ?? state.lockWaitSeconds,
          assumeLockTimeout: options.assumeLockTimeout ?? false,
          maxLockTimeoutMs: options.maxLockTimeoutMs ?? DEFAULT_MAX_LOCK_WAIT_MS,
        };
        for (const rule of MYSQL_RULES) {
          // Most rules answer synchronously; awaiting only a promise saves a microtask per rule and statement.
          const checked = rule.check(stmt);
          for (const hit of Array.isArray(checked) ? checked : await checked) {
            findings.push(await makeFinding(rule, hit, stmt));
          }
        }
      }
      state.apply(model);
    }
  }
  return { statements: index, findings, locations };
}
