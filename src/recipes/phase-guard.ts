import type { Database } from '../db/types';
import { analyzeOnDatabase } from '../ddl/analyze-on-database';
import type { ConsentLookup } from '../ddl/consent';
import { type GuardContext, guardContextFromDatabase } from '../ddl/database-catalog';
import type { RuleSettings } from '../ddl/rule-settings';
import type { Finding } from '../ddl/types';
import { type DurationLimits, phaseDurationProblem, phaseTimeoutProblem } from './phase-timeout';
import type { DdlPhase } from './types';

/** Rules a MySQL recipe never overrides: the server would copy the table (or refuse the clause). */
const MYSQL_COPY_RULES = new Set(['mysql-alter-copy', 'mysql-online-clause-unsupported']);

const OSC_TOOLS =
  'run this change with an online schema change tool that copies in the background and swaps at the end (gh-ost, pt-online-schema-change or Spirit on MySQL 8)';

/** Where the phase would run: the recipe's id (for messages), the statement ceiling, the assumed scan throughput. */
export interface PhaseGuardLimits extends DurationLimits {
  readonly recipeId: string;
  /** The repository's rule settings (the deployment config's `ddlGuard`), as lint applies them. */
  readonly rules?: RuleSettings;
}

/**
 * What keeps a DDL phase from running here whatever an operator consents to: a statement timeout
 * above the ceiling where it runs, an earlier run's statement still at work on the server, or a
 * table too big to read in the time the phase has. Empty: nothing does.
 */
export async function phaseRefusals(
  db: Database,
  phase: DdlPhase,
  limits?: PhaseGuardLimits,
  context?: GuardContext,
): Promise<string[]> {
  const tooLong = limits && phaseTimeoutProblem(limits.recipeId, phase, limits.ceiling);
  if (tooLong) return [`${phase.name}: ${tooLong}`];
  const blocked = await phase.blocker?.(db);
  if (blocked) return [`${phase.name}: ${blocked}`];
  const tooBig = await phaseDurationProblem(
    db,
    phase,
    context ?? (await guardContextFromDatabase(db)),
    limits ?? {},
  );
  return tooBig ? [tooBig] : [];
}

/**
 * A DDL phase's own preflight: its refusals (above), then the guard against the live catalog with
 * the runner's lock timeout assumed, whose blocking findings wait for an operator's consent unless
 * the recipe vouches for them. Returns the reasons the phase may not run (empty: it may).
 */
export async function guardPhase(
  db: Database,
  phase: DdlPhase,
  consents: ConsentLookup,
  limits?: PhaseGuardLimits,
): Promise<string[]> {
  const context = await guardContextFromDatabase(db);
  const refusals = await phaseRefusals(db, phase, limits, context);
  if (refusals.length > 0) return refusals;
  const analysis = await analyzeOnDatabase(
    db,
    phase.statements,
    // A transaction-mode phase runs its statements inside one BEGIN ... COMMIT.
    {
      assumeLockTimeout: true,
      assumeInTransaction: phase.mode === 'transaction',
      ...(limits?.rules ? { rules: limits.rules } : {}),
    },
    context,
  );
  const reasons: string[] = [];
  for (const finding of analysis.findings) {
    if (finding.severity !== 'block') continue;
    if (MYSQL_COPY_RULES.has(finding.rule)) {
      reasons.push(
        `${phase.name}: refused, the server would not run "${finding.statement}" online (${finding.rule}, ALGORITHM=${finding.algorithm ?? 'COPY'}): ${OSC_TOOLS}`,
      );
      continue;
    }
    if (phase.selfConsented || (await consents(finding.fingerprint))) continue;
    reasons.push(gateReason(phase, finding));
  }
  return reasons;
}

function gateReason(phase: DdlPhase, finding: Finding): string {
  return `${phase.name}: ${phase.purpose} "${finding.statement}" [${finding.rule}, ${finding.lock}] waits for an operator's consent to fingerprint ${finding.fingerprint} (lowtide consent <recipe> ${finding.fingerprint})`;
}
