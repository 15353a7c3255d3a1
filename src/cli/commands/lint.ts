import { text } from 'node:stream/consumers';
import { openDatabase } from '../../db/open-database';
import type { Database } from '../../db/types';
import { guardContextFromDatabase } from '../../ddl';
import type { CliContext } from '../context';
import { engineOfUrl, redactUrl } from '../database-url';
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
      const fromUrl = engineOfUrl(flags.databaseUrl, '--database-url');
      engine ??= fromUrl;
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
    const context = db ? await guardContextFromDatabase(db) : {};
    const linted = await runLintCommand({
      files: files.map(String),
      engine,
      format: ctx.json ? 'json' : 'text',
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
    if (code === 2 && !ctx.json) throw new BadInputError(linted.output.replace(/^lowtide lint: /, '').trim());
    return result(ctx.json ? JSON.parse(linted.output) : linted.output, linted.output.trimEnd(), code);
  } finally {
    await db?.close();
  }
}
