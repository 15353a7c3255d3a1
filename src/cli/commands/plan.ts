import type { CliContext } from '../context';
import { connectJobDatabase } from '../database-url';
import { localDdlRules } from '../ddl-rules';
import { EXIT } from '../errors';
import { loadJobFile } from '../load-job';
import { localFlags } from '../local-flags';
import { type CommandResult, result } from '../output';
import { embeddedDatabaseWhenNoneGiven } from '../plan/embedded-plan-database';
import { formatPlan } from '../plan/format-plan';
import { planConsents } from '../plan/plan-consents';
import { planJob } from '../plan/plan-job';

export interface PlanCommandOptions {
  readonly databaseUrl?: string;
  /** commander's `--no-sample` sets this to false. */
  readonly sample?: boolean;
  /** The deployment config whose `ddlGuard` rule settings the DDL guard applies. */
  readonly config?: string;
}

/**
 * `lowtide plan <job-file>`: the dry run. Exit 0 when a run would start, 3 when preflight refuses.
 * With no database given, a PostgreSQL job is planned on an embedded PostgreSQL (and says so).
 */
export async function planCommand(
  ctx: CliContext,
  file: string,
  options: PlanCommandOptions,
): Promise<CommandResult> {
  const { spec } = await loadJobFile(file, ctx.cwd);
  const ddlRules = await localDdlRules(spec, file, { cwd: ctx.cwd, config: options.config });
  const sources = { flag: options.databaseUrl, env: ctx.env, cwd: ctx.cwd };
  const embedded = await embeddedDatabaseWhenNoneGiven(spec, sources);
  try {
    const { db, where, serverVersion } = await connectJobDatabase(
      spec,
      embedded ? { ...sources, flag: embedded.url } : sources,
    );
    try {
      const consents = await planConsents(ctx, spec);
      const report = await planJob(spec, db, {
        sample: options.sample !== false,
        consents,
        flags: localFlags(ctx),
        ...(ddlRules.rules ? { ddlRules: ddlRules.rules } : {}),
      });
      const json = {
        ...report,
        database: embedded ? 'embedded' : where,
        ...(ddlRules.from.length > 0 ? { ddlRulesFrom: ddlRules.from } : {}),
        serverVersion,
        ...(embedded ? { embedded: { table: embedded.table, rows: embedded.rows } } : {}),
      };
      const rulesLine =
        ddlRules.from.length > 0 ? `\nDDL rule settings from: ${ddlRules.from.join(', ')}` : '';
      const text = `${formatPlan(report)}${rulesLine}`;
      return result(
        json,
        embedded ? `${embedded.notice}\n\n${text}` : text,
        report.ok ? EXIT.ok : EXIT.blocked,
      );
    } finally {
      await db.close();
    }
  } finally {
    await embedded?.stop();
  }
}
