import type { Engine } from '../db/types';
import { DdlGuardInputError } from './errors';
import { statementFingerprint } from './fingerprint';
import { type IgnoreDirective, readIgnoreDirectives } from './ignore-comments';
import type { Analysis, Finding, IgnoredFinding, RuleInfo, RuleSetting, StatementLocation } from './types';

/** The finding for an ignore comment that cannot be honoured. It blocks, and no consent covers it: fix the comment. */
export const IGNORE_INVALID_RULE = 'lowtide-ignore-invalid';

/** Applies a config's per-rule settings: `off` drops the rule's findings, a severity replaces the rule's own. */
export function applyRuleSettings(
  findings: readonly Finding[],
  settings: Readonly<Record<string, RuleSetting>> | undefined,
  allRules: readonly RuleInfo[],
): Finding[] {
  if (!settings) return [...findings];
  const known = new Set(allRules.map((r) => r.id));
  const unknown = Object.keys(settings).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new DdlGuardInputError(
      `unknown rule id(s) in the rule settings: ${unknown.join(', ')} (the rules tables in docs/ddl-guard.md list them)`,
    );
  }
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = settings[f.rule];
    if (setting === 'off') continue;
    // A small-table note stays a note: the config says how much the rule matters, not the table's size.
    out.push(setting && f.severity !== 'note' ? { ...f, severity: setting } : f);
  }
  return out;
}

interface Located extends StatementLocation {
  readonly index: number;
  readonly endLine: number;
}

/** The statement a statement-scope comment is for: the one it sits in, else the first that starts after it. */
function targetOf(directive: IgnoreDirective, statements: readonly Located[]): Located | undefined {
  for (const s of statements) {
    if (s.line <= directive.line && s.endLine >= directive.endLine) return s;
    if (s.line > directive.endLine) return s;
  }
  return undefined;
}

function invalidFinding(
  directive: IgnoreDirective,
  problem: string,
  engine: Engine,
  target: Located | undefined,
): Finding {
  return {
    statementIndex: target?.index ?? -1,
    line: directive.line,
    statement: directive.text,
    fingerprint: target
      ? statementFingerprint(target.text, engine)
      : statementFingerprint(directive.text.replace(/^(--|#|\/\*)|\*\/$/g, ''), engine),
    rule: IGNORE_INVALID_RULE,
    lock: 'UNKNOWN',
    rewritesTable: false,
    scansTable: false,
    breaking: false,
    severity: 'block',
    why: `This ignore comment cannot be honoured, so nothing is ignored: ${problem}.`,
    safeAlternative:
      'Fix the comment: "-- lowtide-ignore: <rule-id>[, <rule-id>] -- <reason>" on the line(s) just before the statement, or "-- lowtide-ignore-file: <rule-id> -- <reason>" for the whole file.',
  };
}

interface Suppression {
  readonly rules: ReadonlySet<string>;
  readonly scope: 'statement' | 'file';
  readonly reason: string;
  readonly line: number;
}

/**
 * Honours the ignore comments of the sources: a finding whose rule an ignore comment names for
 * its statement (or its whole source) moves to `ignored`, with the comment's reason. A comment
 * without a reason, naming an unknown rule, or placed where it is for no statement is itself a
 * blocking finding. Lint, the consent gate and the recipes all analyse through here, so what one
 * accepts the others accept.
 */
export function applyIgnoreComments(
  sources: readonly string[],
  analysis: Analysis,
  engine: Engine,
  engineRules: readonly RuleInfo[],
): Analysis {
  const known = new Set(engineRules.map((r) => r.id));
  const perSource = sources.map((source) => readIgnoreDirectives(source, engine, known));
  if (perSource.every((d) => d.length === 0)) return { ...analysis, ignored: analysis.ignored ?? [] };

  const locations = analysis.locations ?? [];
  const statementsOf = sources.map(() => [] as Located[]);
  locations.forEach((l, index) => {
    const endLine = l.line + (l.text.match(/\n/g)?.length ?? 0);
    statementsOf[l.source]?.push({ ...l, index, endLine });
  });

  const byStatement = new Map<number, Suppression[]>();
  const bySource = new Map<number, Suppression[]>();
  const problems: Finding[] = [];
  perSource.forEach((directives, sourceIndex) => {
    const statements = statementsOf[sourceIndex]!;
    for (const d of directives) {
      const target = d.scope === 'statement' ? targetOf(d, statements) : statements[0];
      const problem =
        d.problem ??
        (d.scope === 'statement' && !target
          ? 'no statement follows it: put it on the line(s) just before the statement it is for'
          : undefined);
      if (problem) {
        problems.push(invalidFinding(d, problem, engine, target));
        continue;
      }
      const suppression: Suppression = {
        rules: new Set(d.rules),
        scope: d.scope,
        reason: d.reason,
        line: d.line,
      };
      const into = d.scope === 'file' ? bySource : byStatement;
      const key = d.scope === 'file' ? sourceIndex : target!.index;
      into.set(key, [...(into.get(key) ?? []), suppression]);
    }
  });

  const findings: Finding[] = [];
  const ignored: IgnoredFinding[] = [...(analysis.ignored ?? [])];
  for (const f of analysis.findings) {
    const source = locations[f.statementIndex]?.source;
    const suppression = [
      ...(byStatement.get(f.statementIndex) ?? []),
      ...(source === undefined ? [] : (bySource.get(source) ?? [])),
    ].find((s) => s.rules.has(f.rule));
    if (suppression) {
      ignored.push({
        ...f,
        ignored: { scope: suppression.scope, reason: suppression.reason, line: suppression.line },
      });
    } else {
      findings.push(f);
    }
  }
  // Report order: by statement, a bad comment before the findings of the statement it is for.
  const ordered = [...problems, ...findings].sort(
    (a, b) =>
      (a.statementIndex < 0 ? Infinity : a.statementIndex) -
      (b.statementIndex < 0 ? Infinity : b.statementIndex),
  );
  return { ...analysis, findings: ordered, ignored };
}
