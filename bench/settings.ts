import { LATENCY_PROFILE_NAMES, type LatencyProfileName } from '../src/runtime/local/latency-profile';
import { BenchConfigError } from './errors';

export type BenchEngine = 'postgres' | 'mysql';
export type WorkKind = 'backfill' | 'purge';

export const ALL_ENGINES: readonly BenchEngine[] = ['postgres', 'mysql'];
export const ALL_WORK: readonly WorkKind[] = ['backfill', 'purge'];
export const ALL_CONTENDERS = ['monolithic', 'hand-loop', 'pt-archiver', 'lowtide'] as const;
/**
 * `none`: everything at local speed. `aws`: every contender's database round trips pay the AWS
 * profile's network delay, and lowtide its Lambda, state transition and DynamoDB latencies too
 * (src/runtime/local/latency-profile.ts).
 */
export const ALL_PROFILES: readonly LatencyProfileName[] = LATENCY_PROFILE_NAMES;
export type BenchProfile = LatencyProfileName;
export type ContenderName = (typeof ALL_CONTENDERS)[number];

/** The issue's size: a million rows per work item and engine. */
export const SPEC_ROWS = 1_000_000;

export interface BenchSettings {
  /** Rows each work item changes (the purge table holds as many rows again that must survive). */
  readonly rows: number;
  readonly engines: readonly BenchEngine[];
  readonly work: readonly WorkKind[];
  /** Which contenders run (all by default); the targets need lowtide, the loop and the statement. */
  readonly contenders: readonly ContenderName[];
  /** Latency profiles each work item runs under, one after the other (see ALL_PROFILES). */
  readonly profiles: readonly BenchProfile[];
  /** Admin URLs; each bench run creates (and drops) its own database on these servers. */
  readonly adminUrls: Readonly<Record<BenchEngine, string>>;
  /** Foreground operations per second (all connections together), started on a fixed schedule. */
  readonly foregroundRate: number;
  readonly foregroundConnections: number;
  /** How long the baseline (no job running) measures the foreground load. */
  readonly baselineSeconds: number;
  /** The foreground runs this long before a measurement window opens (connections settle). */
  readonly warmUpMs: number;
  /** Longest wait for the machine to quieten after seeding, before each baseline. */
  readonly settleSeconds: number;
  /** Each contender runs this many times per work item, round after round; the table shows medians. */
  readonly rounds: number;
  /** Upper bound on any one contender's run; the bench stops waiting and records a failure after it. */
  readonly contenderTimeoutSeconds: number;
  /** Local milliseconds per state-machine second for lowtide's Wait states: 1000 is real time. */
  readonly msPerSecond: number;
  /** Where result files go. */
  readonly resultsDir: string;
  /** Rewrite the table in docs/benchmarks.md; by default only for a run at the issue's size. */
  readonly updateDocs: boolean;
  /** Use pgbench for the PostgreSQL foreground load when it is installed (else the Node load). */
  readonly usePgbench: boolean;
  /**
   * Job fields that replace lowtide's defaults (`batch`, `health`), for exploring the trade-off
   * between throughput and the foreground; the defaults are what the bench is about, so a run with
   * these never updates the docs unless told to.
   */
  readonly lowtideJob?: LowtideJobOverrides;
  /** The pt-archiver program (Percona Toolkit). */
  readonly ptArchiver: string;
  readonly pgbench: string;
}

export const DEFAULT_ADMIN_URLS: Readonly<Record<BenchEngine, string>> = {
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
  mysql: 'mysql://root@127.0.0.1:3306/test',
};

type Env = Readonly<Record<string, string | undefined>>;

export interface LowtideJobOverrides {
  readonly batch?: Readonly<Record<string, number>>;
  readonly health?: Readonly<Record<string, number>>;
}

function lowtideJob(env: Env): LowtideJobOverrides | undefined {
  const raw = env.LOWTIDE_BENCH_LOWTIDE_JOB;
  if (raw === undefined || raw.trim() === '') return undefined;
  const problem = `LOWTIDE_BENCH_LOWTIDE_JOB must be JSON with only "batch" and "health" objects of numbers, e.g. {"batch":{"max":2000}}; got '${raw}'`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BenchConfigError(problem);
  }
  const isNumbers = (v: unknown) =>
    typeof v === 'object' && v !== null && Object.values(v).every((n) => typeof n === 'number');
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Object.keys(parsed).some((k) => k !== 'batch' && k !== 'health') ||
    Object.values(parsed).some((v) => !isNumbers(v))
  ) {
    throw new BenchConfigError(problem);
  }
  return parsed as LowtideJobOverrides;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchConfigError(`${name} must be a whole number from ${min} to ${max}; got '${raw}'`);
  }
  return value;
}

function list<T extends string>(env: Env, name: string, allowed: readonly T[]): readonly T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return allowed;
  const picked = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = picked.filter((p) => !allowed.includes(p as T));
  if (unknown.length > 0 || picked.length === 0) {
    throw new BenchConfigError(
      `${name} must be a comma-separated list of ${allowed.join(', ')}; got '${raw}'`,
    );
  }
  return allowed.filter((a) => picked.includes(a));
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new BenchConfigError(`${name} must be 1 or 0 (true or false); got '${raw}'`);
}

function adminUrl(env: Env, name: string, fallback: string, schemes: readonly string[]): string {
  const raw = env[name] ?? fallback;
  let scheme: string;
  try {
    scheme = new URL(raw).protocol.replace(/:$/, '');
  } catch {
    throw new BenchConfigError(`${name} is not a URL: use e.g. ${fallback}`);
  }
  if (!schemes.includes(scheme)) {
    throw new BenchConfigError(`${name} must start with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  }
  return raw;
}

/** Reads the bench's settings from the environment (see docs/benchmarks.md for each variable). */
export function benchSettings(env: Env, defaults: { resultsDir: string }): BenchSettings {
  const rows = integer(env, 'LOWTIDE_BENCH_ROWS', SPEC_ROWS, 100, 50_000_000);
  const overrides = lowtideJob(env);
  const contenders = list(env, 'LOWTIDE_BENCH_CONTENDERS', ALL_CONTENDERS);
  const profiles = list(env, 'LOWTIDE_BENCH_PROFILES', ALL_PROFILES);
  const complete = contenders.length === ALL_CONTENDERS.length && profiles.length === ALL_PROFILES.length;
  return {
    rows,
    engines: list(env, 'LOWTIDE_BENCH_ENGINES', ALL_ENGINES),
    work: list(env, 'LOWTIDE_BENCH_WORK', ALL_WORK),
    contenders,
    profiles,
    adminUrls: {
      postgres: adminUrl(env, 'LOWTIDE_BENCH_PG_URL', DEFAULT_ADMIN_URLS.postgres, [
        'postgres',
        'postgresql',
      ]),
      mysql: adminUrl(env, 'LOWTIDE_BENCH_MYSQL_URL', DEFAULT_ADMIN_URLS.mysql, ['mysql', 'mariadb']),
    },
    foregroundRate: integer(env, 'LOWTIDE_BENCH_FG_RATE', 200, 1, 20_000),
    foregroundConnections: integer(env, 'LOWTIDE_BENCH_FG_CONNECTIONS', 4, 1, 64),
    baselineSeconds: integer(env, 'LOWTIDE_BENCH_BASELINE_SECONDS', 15, 1, 3600),
    warmUpMs: integer(env, 'LOWTIDE_BENCH_WARMUP_MS', 1000, 0, 60_000),
    settleSeconds: integer(env, 'LOWTIDE_BENCH_SETTLE_SECONDS', 60, 0, 600),
    rounds: integer(env, 'LOWTIDE_BENCH_ROUNDS', 1, 1, 9),
    contenderTimeoutSeconds: integer(env, 'LOWTIDE_BENCH_TIMEOUT_SECONDS', 1800, 5, 86_400),
    msPerSecond: integer(env, 'LOWTIDE_BENCH_MS_PER_SECOND', 1000, 0, 1000),
    resultsDir: env.LOWTIDE_BENCH_RESULTS_DIR || defaults.resultsDir,
    updateDocs: flag(env, 'LOWTIDE_BENCH_UPDATE_DOCS', rows === SPEC_ROWS && !overrides && complete),
    ...(overrides ? { lowtideJob: overrides } : {}),
    usePgbench: flag(env, 'LOWTIDE_BENCH_PGBENCH', true),
    ptArchiver: env.LOWTIDE_BENCH_PT_ARCHIVER || 'pt-archiver',
    pgbench: env.LOWTIDE_BENCH_PGBENCH_PATH || 'pgbench',
  };
}
