import { IGNORE_INVALID_RULE } from '../../ddl/apply-ignores';
import type { LintReport } from '../../ddl/lint';
import type { Finding } from '../../ddl/types';

export const LINT_FORMATS = ['text', 'json', 'github', 'sarif', 'gitlab'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Files a config's `exclude` left out, by the config that excluded them. */
export interface ExcludedFile {
  readonly source: string;
  readonly config: string;
}

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

function renderText(reports: readonly LintReport[], excluded: readonly ExcludedFile[]): string {
  const lines: string[] = [];
  for (const { source, config } of excluded) lines.push(`${source}: excluded by ${config}`);
  for (const report of reports) {
    const where = report.source ?? 'input';
    for (const f of report.findings) {
      lines.push(`${where}:${f.line}  ${f.severity.toUpperCase()}  ${f.rule}  (${effects(f)})`);
      lines.push(`  ${oneLine(f.statement)}`);
      lines.push(`  why: ${f.why}`);
      lines.push(`  instead: ${f.safeAlternative}`);
      if (f.severity === 'block' && f.rule !== IGNORE_INVALID_RULE)
        lines.push(`  consent fingerprint: ${f.fingerprint}`);
      lines.push('');
    }
    for (const f of report.ignored) {
      lines.push(
        `${where}:${f.line}  IGNORED  ${f.rule}  (comment on line ${f.ignored.line}: ${f.ignored.reason})`,
      );
    }
    const { block, warn, note } = report.counts;
    const ignored = report.ignored.length > 0 ? `, ${report.ignored.length} ignored by comment` : '';
    lines.push(
      `${where}: ${plural(report.statements, 'statement')}, ${block} blocking, ${plural(warn, 'warning')}, ${plural(note, 'note')}${ignored}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The exit code over several reports: the worst of them. */
export function combinedExitCode(reports: readonly LintReport[]): 0 | 1 {
  return reports.some((r) => r.exitCode === 1) ? 1 : 0;
}

/** Renders the reports; CI formats load their reporter only when asked for. */
export async function renderLintReports(
  reports: readonly LintReport[],
  format: LintFormat,
  excluded: readonly ExcludedFile[] = [],
): Promise<string> {
  if (format === 'text') return renderText(reports, excluded);
  if (format === 'github') return (await import('./reporters/github')).renderGithub(reports);
  if (format === 'gitlab') return (await import('./reporters/gitlab')).renderGitlab(reports);
  if (format === 'sarif') {
    const [{ renderSarif }, { DDL_RULES }, { readToolVersion }] = await Promise.all([
      import('./reporters/sarif'),
      import('../../ddl/rules'),
      import('./tool-version'),
    ]);
    const engines = new Set(reports.map((r) => r.engine));
    return renderSarif(
      reports,
      DDL_RULES.filter((r) => engines.has(r.engine)),
      await readToolVersion(),
    );
  }
  const document = {
    version: LINT_JSON_VERSION,
    exitCode: combinedExitCode(reports),
    files: reports,
    ...(excluded.length > 0 ? { excluded } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
