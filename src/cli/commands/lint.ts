import { text } from 'node:stream/consumers';
import type { Database } from '../../db/types';
import type { GuardContext } from '../../ddl/database-catalog';
import type { CliContext } from '../context';
import { BadInputError, type ExitCode } from '../errors';
import { runLintCommand } from '../lint/lint-command';
import { type CommandResult, result } from '../output';

export interface LintFlags {
  readonly engine?: string;
  readonly failOn?: string;
  readonly server?: string;
  readonly databaseUrl?: string;
  readonly assumeLockTimeout?: boolean;
  readonly assumeInTransaction?: boolean;
  readonly pgVersion?: string;
  readonly mysqlVersion?: string;
  readonly mariadbVersion?: string;
  readonly format?: string;
  readonly config?: string;
}

/**
 * `lowtide lint <file.sql>...`: the DDL guard on migration files. With `--database-url` the
 * guard reads table sizes, column and constraint facts and the server's release from that
 * database (and the engine from its URL);
 * without, it assumes the worst. Exit 0 clean, 1 findings at or above `--fail-on`, 2 bad input.
 */
export async function lintCommand(
  ctx: CliContext,
  files: readonly string[],
  flags: LintFlags,
  stdin: () => Promise<string> = () => text(process.stdin),
): Promise<CommandResult> {
  let db: Database | undefined;
  try {
    let engine = flags.engine;
    if (flags.databaseUrl) {
      const { engineOfUrl, redactUrl } = await import('../database-url');
      const fromUrl = engineOfUrl(flags.databaseUrl, '--database-url');
      engine ??= fromUrl;
      // The drivers load only when a database is asked for: plain lint starts without them.
      const { openDatabase } = await import('../../db/open-database');
      db = openDatabase(flags.databaseUrl);
      try {
        await db.serverVersion();
      } catch (error) {
        throw new BadInputError(
          `cannot reach the database at ${redactUrl(flags.databaseUrl)}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
    if (!engine)
      throw new BadInputError(
        'name the SQL dialect: pass --engine postgres, mysql or mariadb (or --database-url)',
      );
    if (ctx.json && flags.format && flags.format !== 'json') {
      throw new BadInputError(`--json and --format ${flags.format} ask for two outputs: pass one of them`);
    }
    const context: Partial<GuardContext> = db
      ? await (await import('../../ddl/database-catalog')).guardContextFromDatabase(db)
      : {};
    const linted = await runLintCommand({
      files: files.map(String),
      engine,
      format: flags.format ?? (ctx.json ? 'json' : 'text'),
      config: flags.config,
      cwd: ctx.cwd,
      failOn: flags.failOn,
      server: flags.server ?? context.server,
      tableSizes: context.tableSizes,
      catalog: context.catalog,
      assumeLockTimeout: flags.assumeLockTimeout,
      assumeInTransaction: flags.assumeInTransaction,
      versions: context.versions,
      pgVersion: flags.pgVersion,
      mysqlVersion: flags.mysqlVersion,
      mariadbVersion: flags.mariadbVersion,
      stdin: files.includes('-') ? await stdin() : undefined,
    });
    const code = linted.exitCode as ExitCode;
    if (code === 2 && !ctx.json && (flags.format ?? 'text') !== 'json')
      throw new BadInputError(linted.output.replace(/^lowtide lint: /, '').trim());
    return result(ctx.json ? JSON.parse(linted.output) : linted.output, linted.output.trimEnd(), code);
  } finally {
    await db?.close();
  }
}
