import { readFile } from 'node:fs/promises';
import type { Engine } from '../../db/types';
import { DdlGuardInputError } from '../../ddl/errors';
import { type FailOn, LINT_EXIT, type LintExitCode, type LintReport, lintSql } from '../../ddl/lint';
import type { AnalyzeOptions, MysqlServer } from '../../ddl/types';
import { type ServerVersions, versionFlag } from '../../ddl/versions';
import { combinedExitCode, LINT_JSON_VERSION, type LintFormat, renderLintReports } from './render-lint';

/** What `lowtide lint` passes in after parsing its argv. */
export interface LintCommandOptions
  extends Pick<
    AnalyzeOptions,
    | 'tableSizes'
    | 'catalog'
    | 'smallTableRows'
    | 'assumeLockTimeout'
    | 'maxLockTimeoutMs'
    | 'assumeInTransaction'
    | 'versions'
  > {
  /** SQL files to lint; `-` reads `stdin`. */
  readonly files: readonly string[];
  /** `postgres` (or `postgresql`, `pg`), `mysql` (MySQL 8 rules), `mariadb` (MariaDB 10.11 rules). */
  readonly engine: string;
  /** `text` (default) or `json`. */
  readonly format?: string;
  /** `block` (default) or `warn`: the lowest severity that makes the exit code 1. */
  readonly failOn?: string;
  /** Overrides the MySQL flavour the engine implies (`mysql`, `mariadb` or `any`). */
  readonly server?: string;
  /** `--pg-version`, `--mysql-version`, `--mariadb-version`: override `versions` (e.g. read from the server). */
  readonly pgVersion?: string;
  readonly mysqlVersion?: string;
  readonly mariadbVersion?: string;
  /** The text of standard input, for the file `-`. */
  readonly stdin?: string;
}

export interface LintCommandResult {
  readonly exitCode: LintExitCode;
  /** Everything to print on standard output. */
  readonly output: string;
}

const ENGINES: Record<string, { engine: Engine; server?: MysqlServer }> = {
  postgres: { engine: 'postgres' },
  postgresql: { engine: 'postgres' },
  pg: { engine: 'postgres' },
  mysql: { engine: 'mysql', server: 'mysql' },
  mariadb: { engine: 'mysql', server: 'mariadb' },
};

function pick<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  what: string,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new DdlGuardInputError(`unknown ${what} ${JSON.stringify(value)}: use ${allowed.join(' or ')}`);
}

async function readSource(file: string, stdin: string | undefined): Promise<string> {
  if (file === '-') {
    if (stdin === undefined) throw new DdlGuardInputError('- means standard input, but none was given');
    return stdin;
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new DdlGuardInputError(`cannot read ${file}: ${reason}`);
  }
}

/** The versions the rules apply for: each flag given wins over what was read from the server. */
function versionsOf(options: LintCommandOptions): ServerVersions {
  const postgres = versionFlag('--pg-version', options.pgVersion) ?? options.versions?.postgres;
  const mysql = versionFlag('--mysql-version', options.mysqlVersion) ?? options.versions?.mysql;
  const mariadb = versionFlag('--mariadb-version', options.mariadbVersion) ?? options.versions?.mariadb;
  return {
    ...(postgres ? { postgres } : {}),
    ...(mysql ? { mysql } : {}),
    ...(mariadb ? { mariadb } : {}),
  };
}

function badInput(message: string, format: string | undefined): LintCommandResult {
  const output =
    format === 'json'
      ? `${JSON.stringify({ version: LINT_JSON_VERSION, exitCode: LINT_EXIT.badInput, error: message }, null, 2)}\n`
      : `lowtide lint: ${message}\n`;
  return { exitCode: LINT_EXIT.badInput, output };
}

/**
 * `lowtide lint <file.sql>...`: lints each file and renders the reports. Never throws for bad
 * input; it answers exit code 2 with the reason instead, so the CLI only prints and exits.
 */
export async function runLintCommand(options: LintCommandOptions): Promise<LintCommandResult> {
  try {
    const format = pick<LintFormat>(options.format, ['text', 'json'], 'text', 'format');
    const failOn = pick<FailOn>(options.failOn, ['block', 'warn'], 'block', 'fail-on level');
    const resolved = ENGINES[options.engine.toLowerCase()];
    if (!resolved) {
      throw new DdlGuardInputError(
        `unknown engine ${JSON.stringify(options.engine)}: use postgres, mysql or mariadb`,
      );
    }
    const server = pick<MysqlServer>(
      options.server,
      ['mysql', 'mariadb', 'any'],
      resolved.server ?? 'any',
      'server',
    );
    const versions = versionsOf(options);
    if (options.files.length === 0)
      throw new DdlGuardInputError('no input: pass one or more .sql files, or - for standard input');
    const sources = await Promise.all(
      options.files.map(async (file) => ({ file, text: await readSource(file, options.stdin) })),
    );
    const reports: LintReport[] = [];
    for (const { file, text } of sources) {
      reports.push(
        await lintSql(text, {
          engine: resolved.engine,
          ...(resolved.engine === 'mysql' ? { server } : {}),
          source: file,
          failOn,
          tableSizes: options.tableSizes,
          catalog: options.catalog,
          smallTableRows: options.smallTableRows,
          assumeLockTimeout: options.assumeLockTimeout,
          maxLockTimeoutMs: options.maxLockTimeoutMs,
          assumeInTransaction: options.assumeInTransaction,
          versions,
        }),
      );
    }
    return { exitCode: combinedExitCode(reports), output: renderLintReports(reports, format) };
  } catch (error) {
    if (error instanceof DdlGuardInputError) return badInput(error.message, options.format);
    throw error;
  }
}
