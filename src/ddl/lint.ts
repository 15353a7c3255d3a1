import { analyzeScript } from './analyze-sql';
import type { AnalyzeOptions, Finding, IgnoredFinding, Severity } from './types';

/**
 * Exit codes of `lowtide lint`, for CI:
 * 0: no finding at or above the fail-on severity (clean, notes only, or warnings by default);
 * 1: at least one such finding (by default: a blocking one);
 * 2: bad input (unreadable file, unknown engine or format): nothing was analysed.
 */
export const LINT_EXIT = { clean: 0, findings: 1, badInput: 2 } as const;
export type LintExitCode = (typeof LINT_EXIT)[keyof typeof LINT_EXIT];

/** The lowest severity that fails lint: `block` (default) or `warn`. */
export type FailOn = 'block' | 'warn';

export interface LintOptions extends AnalyzeOptions {
  /** Shown in the report: the file name, or `-` for standard input. */
  readonly source?: string;
  readonly failOn?: FailOn;
}

export interface LintReport {
  readonly source?: string;
  readonly engine: AnalyzeOptions['engine'];
  readonly server?: AnalyzeOptions['server'];
  readonly statements: number;
  readonly counts: Readonly<Record<Severity, number>>;
  readonly findings: readonly LintFinding[];
  /** Findings an ignore comment set aside, each with the comment's reason; they never fail lint. */
  readonly ignored: readonly (IgnoredFinding & { readonly column: number })[];
  readonly exitCode: 0 | 1;
}

/** A finding located for editors and CI annotations: `column` is 1-based, where the statement starts on its line. */
export type LintFinding = Finding & { readonly column: number };

function columnFinder(text: string): (f: Finding) => number {
  let lines: string[] | undefined;
  return (f) => {
    lines ??= text.split('\n');
    const at = lines[f.line - 1]?.indexOf(f.statement.split('\n', 1)[0]!) ?? -1;
    return at >= 0 ? at + 1 : 1;
  };
}

export function lintExitCode(findings: readonly Finding[], failOn: FailOn = 'block'): 0 | 1 {
  const failing = findings.some(
    (f) => f.severity === 'block' || (failOn === 'warn' && f.severity === 'warn'),
  );
  return failing ? LINT_EXIT.findings : LINT_EXIT.clean;
}

export async function lintSql(text: string, options: LintOptions): Promise<LintReport> {
  const analysis = await analyzeScript(text, options);
  const columnOf = columnFinder(text);
  const findings = analysis.findings.map((f) => ({ ...f, column: columnOf(f) }));
  const ignored = (analysis.ignored ?? []).map((f) => ({ ...f, column: columnOf(f) }));
  const counts: Record<Severity, number> = { block: 0, warn: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    ...(options.source !== undefined ? { source: options.source } : {}),
    engine: options.engine,
    ...(options.engine === 'mysql' ? { server: options.server ?? 'any' } : {}),
    statements: analysis.statements,
    counts,
    findings,
    ignored,
    exitCode: lintExitCode(findings, options.failOn),
  };
}
