import { SMALL_TABLE_ROWS } from '../engine/preflight/types';
import type { AnalyzeOptions, Finding, RuleHit, RuleInfo, ScriptStatement } from './types';

export type MakeFinding = (rule: RuleInfo, hit: RuleHit, statement: ScriptStatement) => Promise<Finding>;

function formatRows(rows: number): string {
  return Math.round(rows).toLocaleString('en-US');
}

/**
 * Turns a rule's hit into a finding: the rule's defaults filled in, and the small-table
 * downgrade applied. Table sizes are read once per table; a size that cannot be read counts as
 * unknown, and unknown never downgrades (fail closed).
 */
export function findingMaker(options: AnalyzeOptions): MakeFinding {
  const threshold = options.smallTableRows ?? SMALL_TABLE_ROWS;
  const sizes = new Map<string, Promise<number | undefined>>();
  const sizeOf = (table: string): Promise<number | undefined> => {
    let size = sizes.get(table);
    if (!size) {
      size = options.tableSizes
        ? options.tableSizes(table).then(
            (n) => (typeof n === 'number' && Number.isFinite(n) ? n : undefined),
            () => undefined,
          )
        : Promise.resolve(undefined);
      sizes.set(table, size);
    }
    return size;
  };

  return async (rule, hit, statement) => {
    const table = hit.table;
    let severity = hit.severity ?? rule.severity;
    let why = hit.why ?? rule.why;
    let tableRows: number | undefined;
    if (rule.sizeDependent && table !== undefined && severity !== 'note') {
      tableRows = await sizeOf(table);
      if (tableRows !== undefined && tableRows < threshold) {
        severity = 'note';
        why = `${why} ${table} holds about ${formatRows(tableRows)} rows, under the small-table line of ${formatRows(threshold)}, so the lock lasts milliseconds: noted, not blocked.`;
      }
    }
    return {
      statementIndex: statement.index,
      line: statement.line,
      statement: statement.text,
      fingerprint: statement.fingerprint,
      rule: rule.id,
      ...(table !== undefined ? { table } : {}),
      lock: hit.lock ?? rule.lock,
      ...((hit.algorithm ?? rule.algorithm) ? { algorithm: hit.algorithm ?? rule.algorithm } : {}),
      rewritesTable: hit.rewritesTable ?? rule.rewritesTable,
      scansTable: hit.scansTable ?? rule.scansTable,
      breaking: rule.breaking,
      severity,
      why,
      safeAlternative: hit.safeAlternative ?? rule.safeAlternative,
      ...(tableRows !== undefined ? { tableRows } : {}),
    };
  };
}
