import type { Database } from '../db/types';
import { analyzeScript } from '../ddl/analyze-sql';
import type { ConsentLookup } from '../ddl/consent';
import { guardContextFromDatabase } from '../ddl/database-catalog';
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
}

/**
 * A DDL phase's own preflight: a statement timeout that fits where the phase runs, the guard
 * against the live catalog with the runner's lock timeout assumed, and for a phase that reads the
 * whole table, a duration estimate from its size that fits that timeout. Returns the reasons the
 * phase may not run (empty: it may).
 */
export async function guardPhase(
  db: Database,
  phase: DdlPhase,
  consents: ConsentLookup,
  limits?: PhaseGuardLimits,
): Promise<string[]> {
  const tooLong = limits && phaseTimeoutProblem(limits.recipeId, phase, limits.ceiling);
  if (tooLong) return [`${phase.name}: ${tooLong}`];
  const blocked = await phase.blocker?.(db);
  if (blocked) return [`${phase.name}: ${blocked}`];
  const context = await guardContextFromDatabase(db);
  const analysis = await analyzeScript(phase.statements, {
    engine: db.engine,
    ...context,
    assumeLockTimeout: true,
  });
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
  const tooBig = await phaseDurationProblem(db, phase, context, limits ?? {});
  if (tooBig) reasons.push(tooBig);
  return reasons;
}

function gateReason(phase: DdlPhase, finding: Finding): string {
  return `${phase.name}: ${phase.purpose} "${finding.statement}" [${finding.rule}, ${finding.lock}] waits for an operator's consent to fingerprint ${finding.fingerprint} (lowtide consent <recipe> ${finding.fingerprint})`;
}
