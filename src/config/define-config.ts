import { z } from 'zod';
import { type FeatureFlagRef, featureFlagSchema } from '../job/feature-flag';
import type { JobSpec } from '../job/types';
import { type RecipeRegistration, recipeControlSpec } from '../recipes/registration';
import { type Connection, type ConnectionInput, connectionName, connectionSchema } from './connection';
import {
  connectionGroupIssues,
  connectionGroupSchema,
  fleetJobIssues,
  fleetMembersOf,
} from './connection-groups';
import { type ConnectionTemplateGroup, expandConnectionTemplates } from './connection-templates';
import { type DdlGuardConfig, type DdlGuardInput, ddlGuardSchema } from './ddl-guard';
import { type NetworkInput, networkSchema } from './network';
import { type ScheduleInput, scheduleSchema } from './schedule';

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `jobs.0.schedule.cron`. */
  readonly path: string;
  readonly message: string;
}

/** A deployment config that does not validate. The message lists every field to change, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid lowtide config:\n${issues.map((i) => `  - ${i.path || '(config)'}: ${i.message}`).join('\n')}`,
    );
  }
}

function looksLikeJobSpec(value: unknown): value is JobSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && typeof v.kind === 'string' && typeof v.database === 'string';
}

function looksLikeRecipeRegistration(value: unknown): value is RecipeRegistration {
  if (typeof value !== 'object' || value === null) return false;
  const recipe = (value as { recipe?: unknown }).recipe;
  if (typeof recipe !== 'object' || recipe === null) return false;
  const r = recipe as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.engine === 'string' && Array.isArray(r.phases);
}

/** A recipe's entry: the registration, and the rule settings its phases' guard applies (checked below). */
export type RecipeEntry = RecipeRegistration & { readonly ddlGuard?: DdlGuardConfig };

/** A recipe the deployed state machine may run (`{ jobId: <recipe id>, recipe: true }`). */
const recipeEntrySchema = z
  .custom<RecipeEntry>(looksLikeRecipeRegistration, {
    message:
      'must be { recipe, control?, ddlGuard? } with a recipe from addNotNullColumn(...), createIndexConcurrently(...) or another recipe function',
  })
  .superRefine((entry, ctx) => {
    // The registration is the recipe's own object; only its ddlGuard is the config's to check.
    if (entry.ddlGuard === undefined) return;
    for (const issue of ddlGuardSchema.safeParse(entry.ddlGuard).error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['ddlGuard', ...issue.path], message: issue.message });
    }
  });

const jobEntrySchema = z
  .object({
    /** A job from `defineJob(...)`: import the job file's default export. */
    job: z.custom<JobSpec>(looksLikeJobSpec, {
      message: "must be a job returned by defineJob(...): import the job file's default export",
    }),
    /** Start runs on a cron schedule in a time zone. Without it the job runs only when started by hand. */
    schedule: scheduleSchema.optional(),
    /** This job's DDL rule settings, over the deployment's `ddlGuard`. */
    ddlGuard: ddlGuardSchema.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /**
     * Prefix of every named resource (state machine, alarms, schedules, dashboards) and the
     * default stack name. Default 'lowtide'.
     */
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,23}$/,
        'must be lowercase letters, digits and -, starting with a letter, at most 24 characters',
      )
      .default('lowtide'),
    /** The VPC of the databases. Without it the stack creates a VPC with the endpoints the functions need. */
    network: networkSchema.optional(),
    /** The databases jobs run against, by the name a job's `database` field uses. */
    connections: z.record(connectionName, connectionSchema).refine((c) => Object.keys(c).length > 0, {
      message: 'must name at least one connection',
    }),
    /**
     * Named lists of connections: a job whose `database` names a group runs on every member, each
     * a run of its own (`<job>_<connection>`). A group may also be a template, `{ template,
     * members: [{ name, host?, port?, database? }] }`, whose members become connections (parseConfig
     * expands it before this schema sees it). Default none.
     */
    connectionGroups: z.record(connectionName, connectionGroupSchema).default({}),
    jobs: z.array(jobEntrySchema).min(1, 'must list at least one job'),
    /** Schema-change recipes the deployed state machine may run, besides the jobs. */
    recipes: z.array(recipeEntrySchema).default([]),
    /**
     * One AWS AppConfig feature flag that gates every job of the deployment, besides each job's own
     * `health.featureFlag`: turning it off stops all maintenance after the batches in flight.
     */
    featureFlag: featureFlagSchema.optional(),
    /**
     * The DDL guard's rule settings for every job and recipe (a job's or recipe's entry may add its
     * own): what the preflight gate and the recipes' phase guard apply, as `.lowtide-lint.json`'s
     * `rules` do for `lowtide lint`. The functions get them with the config they bundle.
     */
    ddlGuard: ddlGuardSchema.optional(),
    /** Who hears about paused, failed, aborted and completed runs. */
    notifications: z
      .object({
        /** Email addresses subscribed to the notification topic (each confirms by email once). */
        emails: z.array(z.email()).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.jobs.forEach((entry, i) => {
      const { job } = entry;
      const first = seen.get(job.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'job', 'id'],
          message: `'${job.id}' is also jobs.${first}: job ids must be unique`,
        });
      }
      seen.set(job.id, i);
      const group = config.connectionGroups[job.database];
      if (group) {
        for (const message of fleetJobIssues(job, group))
          ctx.addIssue({ code: 'custom', path: ['jobs', i, 'job', 'id'], message });
        return;
      }
      const connection = config.connections[job.database];
      if (!connection) {
        const known = Object.keys(config.connections).join(', ');
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'job', 'database'],
          message: `names connection '${job.database}', which is not in connections (known: ${known})`,
        });
      } else if (connection.engine !== job.engine) {
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'job', 'engine'],
          message: `is '${job.engine}' but connection '${job.database}' is '${connection.engine}'`,
        });
      }
    });
    config.recipes.forEach((entry, i) => {
      const path = ['recipes', i, 'recipe', 'id'];
      const clash = seen.get(entry.recipe.id);
      if (clash !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `'${entry.recipe.id}' is also jobs.${clash}: a recipe runs under its own id, so ids must be unique`,
        });
      }
      let spec: JobSpec;
      try {
        spec = recipeControlSpec(entry);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['recipes', i], message: (error as Error).message });
        return;
      }
      const connection = config.connections[spec.database];
      if (!connection) {
        ctx.addIssue({
          code: 'custom',
          path: ['recipes', i],
          message: `runs on connection '${spec.database}', which is not in connections`,
        });
      } else if (connection.engine !== entry.recipe.engine) {
        ctx.addIssue({
          code: 'custom',
          path: ['recipes', i],
          message: `is a ${entry.recipe.engine} recipe but connection '${spec.database}' is '${connection.engine}'`,
        });
      }
    });
    for (const issue of connectionGroupIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    if (!config.network) {
      for (const [name, connection] of Object.entries(config.connections)) {
        if (connection.securityGroupId) {
          ctx.addIssue({
            code: 'custom',
            path: ['connections', name, 'securityGroupId'],
            message:
              "needs network: without it the stack creates its own VPC, which cannot reach this security group's VPC. Add network { vpcId, availabilityZones, subnetIds }",
          });
        }
      }
    }
  });

export type ConfigInput = Omit<
  z.input<typeof configSchema>,
  'connections' | 'connectionGroups' | 'jobs' | 'network' | 'recipes'
> & {
  readonly connectionGroups?: Readonly<Record<string, readonly string[] | ConnectionTemplateGroup>>;
  readonly recipes?: ReadonlyArray<RecipeRegistration & { readonly ddlGuard?: DdlGuardInput }>;
  readonly network?: NetworkInput;
  readonly connections: Readonly<Record<string, ConnectionInput>>;
  readonly jobs: ReadonlyArray<{
    readonly job: JobSpec;
    readonly schedule?: ScheduleInput;
    readonly ddlGuard?: DdlGuardInput;
  }>;
};
export type LowtideConfig = z.output<typeof configSchema>;
export type JobEntry = LowtideConfig['jobs'][number];

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}: remove or rename them`
        : issue.message,
  }));
}

/** Validates a deployment config and fills in defaults, or throws ConfigError naming every field to fix. */
export function parseConfig(input: unknown): LowtideConfig {
  // A template group's members become connections first; its own mistakes are reported alone.
  const expanded = expandConnectionTemplates(input);
  if (expanded.issues.length > 0) {
    throw new ConfigError(expanded.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const result = configSchema.safeParse(expanded.config);
  if (result.success) return result.data;
  throw new ConfigError(toIssues(result.error));
}

/**
 * Declares a deployment: `export default defineConfig({...})` in `lowtide.config.ts`. Plain data
 * and imported job specs only, so the same file loads in the CDK app and inside the Lambdas.
 */
export function defineConfig(input: ConfigInput): LowtideConfig {
  return parseConfig(input);
}

/** Thrown when an execution names a job the deployed config does not have. */
export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
  constructor(
    readonly jobId: string,
    readonly known: readonly string[],
  ) {
    super(
      `no job '${jobId}' in this deployment's lowtide.config.ts (known: ${known.join(', ') || 'none'}); add it to jobs and redeploy, or fix the jobId in the execution input`,
    );
  }
}

export function findJob(config: LowtideConfig, jobId: string): JobEntry {
  const entry = config.jobs.find((e) => e.job.id === jobId) ?? findMemberJob(config, jobId);
  if (!entry)
    throw new UnknownJobError(
      jobId,
      config.jobs.map((e) => e.job.id),
    );
  return entry;
}

/** A fleet member's run (`<job>_<connection>`) as its own job entry, with the fleet job's schedule and rules. */
function findMemberJob(config: LowtideConfig, runId: string): JobEntry | undefined {
  for (const entry of config.jobs) {
    const member = fleetMembersOf(config, entry.job).find((m) => m.id === runId);
    if (member) return { ...entry, job: member };
  }
  return undefined;
}

/** Every job the deployment runs: each job on one connection, and each member run of a fleet job. */
export function deployedJobs(config: LowtideConfig): JobSpec[] {
  return config.jobs.flatMap((e) =>
    config.connectionGroups[e.job.database] ? fleetMembersOf(config, e.job) : [e.job],
  );
}

/** The feature flags that gate a job: its own, then the deployment's (the same flag once). */
export function featureFlagsOf(config: Pick<LowtideConfig, 'featureFlag'>, job: JobSpec): FeatureFlagRef[] {
  const flags = [job.health.featureFlag, config.featureFlag].filter((f): f is FeatureFlagRef => !!f);
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = JSON.stringify([f.application, f.environment, f.profile, f.flag]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function connectionOf(config: LowtideConfig, job: JobSpec): Connection {
  const connection = config.connections[job.database];
  // parseConfig already refused configs where this is missing.
  if (!connection)
    throw new Error(`job '${job.id}' names connection '${job.database}', which is not in the config`);
  return connection;
}
