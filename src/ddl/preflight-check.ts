import type { PreflightCheck } from '../engine/preflight/types';
import { pass, refuse, warn } from '../engine/preflight/types';
import type { CheckResult, JobSpec } from '../job/types';
import { analyzeOnDatabase } from './analyze-on-database';
import { IGNORE_INVALID_RULE } from './apply-ignores';
import { type ConsentLookup, describeConsent } from './consent';
import { jobDdlStatements } from './ddl-spec';
import type { AnalyzeOptions, Finding, IgnoredFinding } from './types';

export interface DdlGuardCheckOptions
  extends Pick<AnalyzeOptions, 'smallTableRows' | 'maxLockTimeoutMs' | 'rules'> {
  /** Where recorded consents are looked up (the control store, in production). */
  readonly consent: ConsentLookup;
  /** The job's DDL statements; default: `spec.ddl.statements`. */
  readonly statements?: (spec: JobSpec) => readonly string[] | undefined;
  /**
   * The runner sets a short lock timeout before each DDL statement itself, so a missing
   * `SET lock_timeout` in the job's SQL is not a finding. Default false: fail closed.
   */
  readonly runnerSetsLockTimeout?: boolean;
}

export const DDL_GUARD_CHECK = 'ddl-guard';

function oneLine(sql: string, max = 120): string {
  const flat = sql.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

function ignoredResult(f: IgnoredFinding): CheckResult {
  return pass(
    `ddl:${f.fingerprint}:ignored:${f.rule}`,
    `statement ${f.statementIndex + 1} "${oneLine(f.statement)}": [${f.rule}] ignored by the comment on line ${f.ignored.line}: ${f.ignored.reason}`,
  );
}

function describeFinding(f: Finding): string {
  const lock = f.algorithm ? `${f.lock}, ALGORITHM=${f.algorithm}` : f.lock;
  return `[${f.rule}] ${lock}: ${f.why} Instead: ${f.safeAlternative}`;
}

function resultFor(findings: readonly Finding[], consent: string | undefined): CheckResult {
  const first = findings[0]!;
  const name = `ddl:${first.fingerprint}`;
  const head = `statement ${first.statementIndex + 1} "${oneLine(first.statement)}"`;
  const body = findings.map(describeFinding).join(' ');
  // A bad ignore comment is a mistake in the SQL, not a lock to accept: no consent covers it.
  if (first.rule === IGNORE_INVALID_RULE) {
    return refuse(
      `ddl-ignore:line-${first.line}`,
      `the ignore comment ${JSON.stringify(first.statement)}: ${first.why} ${first.safeAlternative}`,
    );
  }
  if (findings.some((f) => f.severity === 'block')) {
    if (consent) return pass(name, `${head} ${consent}. ${body}`);
    return refuse(
      name,
      `${head} is refused. ${body} To run it as written anyway, record an operator's consent (who and when) for fingerprint ${first.fingerprint}.`,
    );
  }
  if (findings.some((f) => f.severity === 'warn')) return warn(name, `${head}: ${body}`);
  return pass(name, `${head}: ${body}`);
}

/**
 * The DDL guard as a preflight check: every statement of the job's `ddl` is analysed against the
 * live database (table sizes, column definitions); a blocking finding refuses preflight until an
 * operator's consent is recorded for that statement's fingerprint.
 */
export function ddlGuardCheck(options: DdlGuardCheckOptions): PreflightCheck {
  const statementsOf = options.statements ?? jobDdlStatements;
  return {
    name: DDL_GUARD_CHECK,
    description:
      "Each DDL statement of the job is parsed with the engine's real parser; one that takes a lock dangerous for the table's size needs a recorded operator consent.",
    appliesTo: (spec) => {
      try {
        return (statementsOf(spec)?.length ?? 0) > 0;
      } catch {
        // A malformed ddl field applies: run() reports it, and preflight fails closed.
        return true;
      }
    },
    async run({ spec, db }) {
      const statements = statementsOf(spec) ?? [];
      const analysis = await analyzeOnDatabase(db, statements, {
        assumeLockTimeout: options.runnerSetsLockTimeout ?? false,
        smallTableRows: options.smallTableRows,
        maxLockTimeoutMs: options.maxLockTimeoutMs,
        rules: options.rules,
      });
      const ignored = (analysis.ignored ?? []).map(ignoredResult);
      if (analysis.findings.length === 0) {
        const clean = pass(
          DDL_GUARD_CHECK,
          `${analysis.statements} DDL statement(s) checked: none takes a lock dangerous for its table`,
        );
        return ignored.length > 0 ? [clean, ...ignored] : clean;
      }
      // Grouped by statement; a bad ignore comment is a group of its own (it never shares a consent).
      const byStatement = new Map<string, Finding[]>();
      for (const f of analysis.findings) {
        const key =
          f.rule === IGNORE_INVALID_RULE ? `ignore:${f.line}:${f.statementIndex}` : `${f.statementIndex}`;
        byStatement.set(key, [...(byStatement.get(key) ?? []), f]);
      }
      const results: CheckResult[] = [...ignored];
      for (const findings of byStatement.values()) {
        const blocking =
          findings.some((f) => f.severity === 'block') && findings[0]!.rule !== IGNORE_INVALID_RULE;
        const consent = blocking ? await options.consent(findings[0]!.fingerprint) : undefined;
        results.push(resultFor(findings, consent ? describeConsent(consent) : undefined));
      }
      return results;
    },
  };
}
