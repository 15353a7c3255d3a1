import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LowtideConfig } from '../../config';
import { openDatabase } from '../../db/open-database';
import type { CliContext } from '../context';
import { engineOfUrl } from '../database-url';
import { DEMO_TABLE, demoRowsFrom, seedDemoTable, verifyDemoTable } from '../demo/seed';
import { BadInputError, EXIT, oneLine } from '../errors';
import { type CommandResult, result } from '../output';
import { formatRehearsal } from '../rehearse/format-rehearsal';

export interface RehearseFlags {
  readonly config?: string;
  /** `[connection=]url`, repeatable: one without a name is every connection's. */
  readonly databaseUrl?: readonly string[];
  readonly job?: readonly string[];
  readonly seedExample?: boolean;
}

/** Rows `--seed-example` writes unless LOWTIDE_DEMO_ROWS says otherwise: a few batches, quickly. */
const SEED_ROWS = 10_000;

async function loadConfig(file: string, shown: string): Promise<LowtideConfig> {
  if (!(await stat(file).catch(() => undefined))?.isFile())
    throw new BadInputError(`config file '${shown}' not found (looked for ${file}): pass --config <file>`);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new BadInputError(
      `config file '${shown}' could not be loaded: ${oneLine((error as Error).message)}`,
      {
        cause: error,
      },
    );
  }
  const config = loaded.default as LowtideConfig | undefined;
  if (!config || typeof config !== 'object' || !Array.isArray(config.jobs) || !config.connections)
    throw new BadInputError(
      `${shown} has no lowtide config as its default export: end it with export default defineConfig({...})`,
    );
  return config;
}

/** The database a URL names ('' for none, or for no URL at all). */
function databaseOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/^\//, '');
  } catch {
    return '';
  }
}

/** `--database-url` values by connection; an unnamed one serves every connection not named. */
function databaseUrls(config: LowtideConfig, values: readonly string[]): Record<string, string> {
  const named: Record<string, string> = {};
  let fallback: string | undefined;
  for (const value of values) {
    const match = /^([A-Za-z0-9_-]{1,64})=(.+)$/.exec(value);
    if (match) {
      if (!config.connections[match[1]!])
        throw new BadInputError(
          `--database-url ${match[1]}=...: the config has no connection '${match[1]}' (known: ${Object.keys(config.connections).join(', ')})`,
        );
      named[match[1]!] = match[2]!;
    } else if (fallback !== undefined) {
      throw new BadInputError(
        '--database-url without a connection name was given twice: name them, e.g. primary=postgres://...',
      );
    } else fallback = value;
  }
  const urls: Record<string, string> = {};
  for (const [name, connection] of Object.entries(config.connections)) {
    const url = named[name] ?? fallback;
    if (!url)
      throw new BadInputError(
        `no local database for connection '${name}': pass --database-url ${name}=<${connection.engine} URL> (or one --database-url for every connection)`,
      );
    const source = named[name] ? `--database-url ${name}=...` : '--database-url';
    const engine = engineOfUrl(url, source);
    if (engine !== connection.engine)
      throw new BadInputError(
        `connection '${name}' is ${connection.engine} but ${source} is a ${engine} URL`,
      );
    if (databaseOf(url) === '')
      throw new BadInputError(
        `${source} names no database: end it with /<database>, where the job's tables are`,
      );
    urls[name] = url;
  }
  return urls;
}

function selectJobs(config: LowtideConfig, wanted: readonly string[]): string[] {
  const known = config.jobs.map(({ job }) => job.id);
  for (const id of wanted)
    if (!known.includes(id))
      throw new BadInputError(`--job ${id}: the config has no such job (known: ${known.join(', ')})`);
  return wanted.length > 0 ? [...wanted] : known;
}

/** The example's table, (re)created on the database of every selected job that works on it. */
function exampleDatabases(
  config: LowtideConfig,
  jobIds: readonly string[],
  urls: Record<string, string>,
): string[] {
  const on = config.jobs
    .filter(({ job }) => jobIds.includes(job.id) && job.table.name === DEMO_TABLE && !job.table.schema)
    .map(({ job }) => urls[job.database]!);
  if (on.length === 0)
    throw new BadInputError(
      `--seed-example seeds ${DEMO_TABLE}, the example job's table, but no job rehearsed works on it`,
    );
  return [...new Set(on)];
}

/**
 * The rehearsal, loaded only now (aws-cdk-lib, the fake AWS and the state machine interpreter are
 * heavy). Its IAM evaluator is an optional peer dependency the project installs itself, because
 * its licence (AGPL-3.0) is not lowtide's; without it, say so.
 */
async function loadRehearsal(): Promise<typeof import('../../../rehearsal/project/rehearse-project')> {
  try {
    return await import('../../../rehearsal/project/rehearse-project');
  } catch (error) {
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec((error as Error).message ?? '')?.[1];
    if (!missing || missing.startsWith('.') || missing.startsWith('/')) throw error;
    const name = missing.startsWith('@') ? missing.split('/').slice(0, 2).join('/') : missing.split('/')[0]!;
    throw new BadInputError(
      `lowtide rehearse needs the package ${name}, which is not installed: run npm install --save-dev ${name}`,
      { cause: error },
    );
  }
}

/**
 * `lowtide rehearse`: the project's config and jobs synthesized, deployed into this process on a
 * local AWS, each job run on a local database (rehearsal/project/rehearse-project.ts).
 */
export async function rehearseCommand(ctx: CliContext, flags: RehearseFlags): Promise<CommandResult> {
  const shown = flags.config ?? 'lowtide.config.ts';
  const configFile = resolve(ctx.cwd, shown);
  const config = await loadConfig(configFile, shown);
  const urls = databaseUrls(config, flags.databaseUrl ?? []);
  const jobIds = selectJobs(config, flags.job ?? []);
  let rows = SEED_ROWS;
  try {
    if (ctx.env.LOWTIDE_DEMO_ROWS) rows = demoRowsFrom(ctx.env.LOWTIDE_DEMO_ROWS);
  } catch (error) {
    throw new BadInputError((error as Error).message);
  }
  const { rehearseProject } = await loadRehearsal();
  const seeded = flags.seedExample ? exampleDatabases(config, jobIds, urls) : [];
  for (const url of seeded) {
    const db = openDatabase(url);
    try {
      await seedDemoTable(db, rows);
    } finally {
      await db.close();
    }
  }

  const rehearsal = await rehearseProject({
    projectRoot: ctx.cwd,
    configFile,
    config,
    databaseUrls: urls,
    jobIds,
    log: ctx.json ? undefined : (line) => ctx.stderr.write(`${line}\n`),
  });
  const checks = [];
  for (const url of seeded) {
    const db = openDatabase(url);
    try {
      checks.push(await verifyDemoTable(db, rows));
    } finally {
      await db.close();
    }
  }
  const ok = rehearsal.ok && checks.every((check) => check.ok);
  return result(
    { ...rehearsal, ok, exampleTable: checks },
    formatRehearsal(rehearsal, checks),
    ok ? EXIT.ok : EXIT.failure,
  );
}
