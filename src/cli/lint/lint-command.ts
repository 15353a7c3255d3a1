import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Engine } from '../../db/types';
import { DdlGuardInputError } from '../../ddl/errors';
import { type FailOn, LINT_EXIT, type LintExitCode, type LintReport, lintSql } from '../../ddl/lint';
import type { AnalyzeOptions, MysqlServer } from '../../ddl/types';
import { type ServerVersions, versionFlag } from '../../ddl/versions';
import { findLintConfig } from './find-lint-config';
import type { LintConfig } from './lint-config';
import {
  combinedExitCode,
  type ExcludedFile,
  LINT_FORMATS,
  LINT_JSON_VERSION,
  type LintFormat,
  renderLintReports,
} from './render-lint';

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
  /** `text` (default), `json`, `github` (workflow annotations), `sarif` (2.1.0) or `gitlab` (code quality). */
  readonly format?: string;
  /** A lint config file to use instead of looking for `.lowtide-lint.json` near each file. */
  readonly config?: string;
  /** Where standard input's config is looked for (default: the process's working folder). */
  readonly cwd?: string;
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

/** The versions the rules apply for: a flag wins over the lint config, the config over what was read from the server. */
function versionsOf(options: LintCommandOptions, config: ServerVersions = {}): ServerVersions {
  const postgres =
    versionFlag('--pg-version', options.pgVersion) ?? config.postgres ?? options.versions?.postgres;
  const mysql =
    versionFlag('--mysql-version', options.mysqlVersion) ?? config.mysql ?? options.versions?.mysql;
  const mariadb =
    versionFlag('--mariadb-version', options.mariadbVersion) ?? config.mariadb ?? options.versions?.mariadb;
  return {
    ...(postgres ? { postgres } : {}),
    ...(mysql ? { mysql } : {}),
    ...(mariadb ? { mariadb } : {}),
  };
}

/** The config each file is linted with: `--config`, else the nearest `.lowtide-lint.json` (read once per folder). */
function configLookup(
  explicit: string | undefined,
  cwd: string,
): (file: string) => Promise<LintConfig | undefined> {
  const byFolder = new Map<string, Promise<LintConfig | undefined>>();
  const load = (folder: string, path: () => Promise<string | undefined>) => {
    let config = byFolder.get(folder);
    if (!config) {
      config = path().then(async (found) =>
        found ? (await import('./lint-config')).readLintConfig(found) : undefined,
      );
      byFolder.set(folder, config);
    }
    return config;
  };
  if (explicit) return () => load('', async () => explicit);
  return (file) => {
    const folder = file === '-' ? cwd : dirname(file);
    return load(folder, () => findLintConfig(folder));
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
    const format = pick<LintFormat>(options.format, LINT_FORMATS, 'text', 'format');
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
    if (options.files.length === 0)
      throw new DdlGuardInputError('no input: pass one or more .sql files, or - for standard input');
    const sources = await Promise.all(
      options.files.map(async (file) => ({ file, text: await readSource(file, options.stdin) })),
    );
    const configFor = configLookup(options.config, options.cwd ?? process.cwd());
    const reports: LintReport[] = [];
    const excluded: ExcludedFile[] = [];
    for (const { file, text } of sources) {
      const config = await configFor(file);
      if (config && file !== '-' && config.excludes(file)) {
        excluded.push({ source: file, config: config.file });
        continue;
      }
      reports.push(
        await lintSql(text, {
          ...config?.analysis,
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
          versions: versionsOf(options, config?.versions),
        }),
      );
    }
    return {
      exitCode: combinedExitCode(reports),
      output: await renderLintReports(reports, format, excluded),
    };
  } catch (error) {
    if (error instanceof DdlGuardInputError) return badInput(error.message, options.format);
    throw error;
  }
}
