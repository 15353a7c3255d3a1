import { IGNORE_INVALID_RULE } from '../../../ddl/apply-ignores';
import type { LintFinding, LintReport } from '../../../ddl/lint';
import type { Severity } from '../../../ddl/types';

// GitHub Actions reads `::error file=F,line=L,col=C,title=T::message` lines on a step's output as
// annotations on the pull request ("Workflow commands for GitHub Actions": setting an error, a
// warning or a notice message). Data and properties are escaped as that page's toolkit does.
const COMMAND: Record<Severity, string> = { block: 'error', warn: 'warning', note: 'notice' };

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(source: string, f: LintFinding): string {
  const properties = [
    `file=${escapeProperty(source)}`,
    `line=${f.line}`,
    `col=${f.column}`,
    `title=${escapeProperty(`lowtide ${f.rule}`)}`,
  ].join(',');
  const consent =
    f.severity === 'block' && f.rule !== IGNORE_INVALID_RULE ? `\nConsent fingerprint: ${f.fingerprint}` : '';
  return `::${COMMAND[f.severity]} ${properties}::${escapeData(`${f.why}\nInstead: ${f.safeAlternative}${consent}`)}`;
}

/** One annotation per finding; ignored findings are not annotated. A last plain line sums up. */
export function renderGithub(reports: readonly LintReport[]): string {
  const lines: string[] = [];
  let block = 0;
  let ignored = 0;
  for (const report of reports) {
    for (const f of report.findings) lines.push(annotation(report.source ?? 'input', f));
    block += report.counts.block;
    ignored += report.ignored.length;
  }
  lines.push(`lowtide lint: ${reports.length} file(s), ${block} blocking, ${ignored} ignored by comment`);
  return `${lines.join('\n')}\n`;
}
