import type { LintReport } from '../../ddl/lint';
import type { Finding } from '../../ddl/types';

export type LintFormat = 'text' | 'json';

/** Version of the JSON layout; bumped on any incompatible change so CI scripts can check it. */
export const LINT_JSON_VERSION = 1;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function effects(f: Finding): string {
  const parts: string[] = [f.lock === 'UNKNOWN' ? 'lock unknown' : `lock ${f.lock}`];
  if (f.algorithm) parts.push(`ALGORITHM=${f.algorithm}`);
  if (f.rewritesTable) parts.push('rewrites the table');
  else if (f.scansTable) parts.push('scans the table');
  if (f.breaking) parts.push('breaks running code');
  if (f.tableRows !== undefined) parts.push(`~${Math.round(f.tableRows).toLocaleString('en-US')} rows`);
  return parts.join(', ');
}

function oneLine(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

function renderText(reports: readonly LintReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    const where = report.source ?? 'input';
    for (const f of report.findings) {
      lines.push(`${where}:${f.line}  ${f.severity.toUpperCase()}  ${f.rule}  (${effects(f)})`);
      lines.push(`  ${oneLine(f.statement)}`);
      lines.push(`  why: ${f.why}`);
      lines.push(`  instead: ${f.safeAlternative}`);
      if (f.severity === 'block') lines.push(`  consent fingerprint: ${f.fingerprint}`);
      lines.push('');
    }
    const { block, warn, note } = report.counts;
    lines.push(
      `${where}: ${plural(report.statements, 'statement')}, ${block} blocking, ${plural(warn, 'warning')}, ${plural(note, 'note')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The exit code over several reports: the worst of them. */
export function combinedExitCode(reports: readonly LintReport[]): 0 | 1 {
  return reports.some((r) => r.exitCode === 1) ? 1 : 0;
}

export function renderLintReports(reports: readonly LintReport[], format: LintFormat): string {
  if (format === 'text') return renderText(reports);
  return `${JSON.stringify({ version: LINT_JSON_VERSION, exitCode: combinedExitCode(reports), files: reports }, null, 2)}\n`;
}
