import type { Database } from '../db/types';
import { analyzeScript } from '../ddl/analyze-sql';
import type { ConsentLookup } from '../ddl/consent';
import { guardContextFromDatabase } from '../ddl/database-catalog';
import type { Finding } from '../ddl/types';
import type { DdlPhase } from './types';

/** Rules a MySQL recipe never overrides: the server would copy the table (or refuse the clause). */
const MYSQL_COPY_RULES = new Set(['mysql-alter-copy', 'mysql-online-clause-unsupported']);

const OSC_TOOLS =
  'run this change with an online schema change tool that copies in the background and swaps at the end (gh-ost, pt-online-schema-change or Spirit on MySQL 8)';

/**
 * A DDL phase's own preflight: the guard, against the live catalog, with the runner's lock timeout
 * assumed. Returns the reasons the phase may not run (empty: it may).
 */
export async function guardPhase(db: Database, phase: DdlPhase, consents: ConsentLookup): Promise<string[]> {
  const analysis = await analyzeScript(phase.statements, {
    engine: db.engine,
    ...(await guardContextFromDatabase(db)),
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
  return reasons;
}

function gateReason(phase: DdlPhase, finding: Finding): string {
  return `${phase.name}: ${phase.purpose} "${finding.statement}" [${finding.rule}, ${finding.lock}] waits for an operator's consent to fingerprint ${finding.fingerprint} (lowtide consent <recipe> ${finding.fingerprint})`;
}
