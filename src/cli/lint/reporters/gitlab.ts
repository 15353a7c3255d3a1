import { createHash } from 'node:crypto';
import type { LintReport } from '../../../ddl/lint';
import type { Severity } from '../../../ddl/types';

// GitLab's code quality report ("Code Quality" in the GitLab CI/CD docs, the artifacts:reports:
// codequality format): a JSON array of issues, each with description, check_name, fingerprint,
// severity (info, minor, major, critical, blocker) and location.path / location.lines.begin.
const SEVERITY: Record<Severity, string> = { block: 'critical', warn: 'minor', note: 'info' };

/**
 * The fingerprint identifies an issue across pipelines, so it hashes what stays when lines move:
 * the file, the rule, the statement's own fingerprint, and which occurrence of that pair it is.
 */
export function renderGitlab(reports: readonly LintReport[]): string {
  const issues: unknown[] = [];
  for (const report of reports) {
    const path = (report.source ?? 'input').replace(/\\/g, '/');
    const seen = new Map<string, number>();
    for (const f of report.findings) {
      const key = `${path}\u0000${f.rule}\u0000${f.fingerprint}`;
      const occurrence = (seen.get(key) ?? 0) + 1;
      seen.set(key, occurrence);
      issues.push({
        description: `${f.rule}: ${f.why} Instead: ${f.safeAlternative}`,
        check_name: f.rule,
        fingerprint: createHash('sha256').update(`${key}\u0000${occurrence}`).digest('hex').slice(0, 32),
        severity: SEVERITY[f.severity],
        location: { path, lines: { begin: f.line } },
      });
    }
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}
