// `lowtide rehearse` in a project that installed lowtide: its own config and jobs, synthesized with
// lowtide's construct, each connection on a local database behind a TLS front door, deployed
// into this process (functions from copies of their assets, the local AWS endpoint under IAM,
// the synthesized state machine and rules) and every job started as an operator would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildApp } from '../../infra/build-app';
import type { LowtideConfig } from '../../src/config';
import { loopbackCertificate } from '../databases/certificate';
import { type FrontDoor, startFrontDoor } from '../databases/front-door';
import { assemblyFunctionAssets, type BundleFigures, bundleReport } from '../lambda/bundle-report';
import { Rehearsal } from '../rehearsal';
import { REHEARSAL_ACCOUNT, REHEARSAL_REGION } from '../template/stage';
import {
  type RehearsalEndpoint,
  rehearsalConnections,
  rehearsalSecretArn,
  writeRehearsalConfig,
} from './rehearsal-config';

export interface ProjectRehearsalOptions {
  /** The project's folder: its lock file and node_modules (with lowtide installed). */
  readonly projectRoot: string;
  /** The project's config file, and its default export. */
  readonly configFile: string;
  readonly config: LowtideConfig;
  /** Every connection of the config: the URL of the local database it runs on. */
  readonly databaseUrls: Readonly<Record<string, string>>;
  /** The jobs to start, in order. */
  readonly jobIds: readonly string[];
  /** Progress lines (synth, deploy, each start). */
  readonly log?: (line: string) => void;
}

export interface JobRehearsal {
  readonly jobId: string;
  readonly ok: boolean;
  /** The last execution's status and the state it ended in (Completed when the job finished). */
  readonly status: string;
  readonly lastState?: string;
  readonly executions: number;
  readonly rowsChanged?: number;
  readonly error?: string;
  readonly cause?: string;
  /** Why a run stopped short (preflight's refusals, say), as the last execution's output lists them. */
  readonly reasons?: readonly string[];
  readonly durationMs: number;
}

export interface ProjectRehearsal {
  readonly ok: boolean;
  readonly synthMs: number;
  readonly deployed: { readonly functions: number; readonly rules: number; readonly schedules: number };
  readonly jobs: readonly JobRehearsal[];
  /** AWS calls the functions' roles were denied (a deployed function would be denied them too). */
  readonly denied: readonly { role: string; action: string; resource: string; reason: string }[];
  readonly bundles: readonly (BundleFigures & { coldStartMs?: number })[];
  /** The functions' last log lines, when something failed. */
  readonly logTail: readonly string[];
}

/** The secret an RDS database keeps in Secrets Manager, for a local database URL. */
function secretFor(url: URL, endpoint: RehearsalEndpoint, engine: string): string {
  return JSON.stringify({
    username: decodeURIComponent(url.username),
    // The RDS secret shape requires a password; a server that trusts local logins ignores it.
    password: decodeURIComponent(url.password) || 'lowtide-rehearsal',
    engine,
    host: endpoint.host,
    port: endpoint.port,
    dbname: endpoint.database,
  });
}

function outcomeOf(
  jobId: string,
  chain: Awaited<ReturnType<Rehearsal['runEnded']>>,
  ms: number,
): JobRehearsal {
  const last = chain.at(-1);
  const output = last?.output
    ? (JSON.parse(last.output) as { rowsDone?: number; blocked?: { reasons?: unknown } })
    : {};
  // Preflight's refusals: `{ decision: 'blocked', blocked: { reasons } }` (runtime/runnable/preflight-outcome.ts).
  const reasons = Array.isArray(output.blocked?.reasons) ? output.blocked.reasons.map(String) : [];
  return {
    jobId,
    ok: last?.status === 'SUCCEEDED' && last.lastState === 'Completed',
    status: last?.status ?? 'NOT STARTED',
    ...(last?.lastState ? { lastState: last.lastState } : {}),
    executions: chain.length,
    ...(typeof output.rowsDone === 'number' ? { rowsChanged: output.rowsDone } : {}),
    ...(last?.error ? { error: last.error } : {}),
    ...(last?.cause ? { cause: last.cause } : {}),
    ...(reasons.length > 0 ? { reasons } : {}),
    durationMs: Math.round(ms),
  };
}

export async function rehearseProject(options: ProjectRehearsalOptions): Promise<ProjectRehearsal> {
  const { config } = options;
  const log = options.log ?? (() => undefined);
  const scratch = mkdtempSync(join(tmpdir(), 'lowtide-rehearse-'));
  const cleanups: Array<() => Promise<void> | void> = [
    () => rmSync(scratch, { recursive: true, force: true }),
  ];
  try {
    const certificate = loopbackCertificate();
    const endpoints: Record<string, RehearsalEndpoint> = {};
    const secrets: Record<string, string> = {};
    for (const [name, connection] of Object.entries(config.connections)) {
      const raw = options.databaseUrls[name];
      if (!raw) throw new Error(`no database URL for connection '${name}'`);
      const url = new URL(raw);
      const backend = {
        host: url.hostname,
        port: Number(url.port) || (connection.engine === 'postgres' ? 5432 : 3306),
      };
      const door: FrontDoor = await startFrontDoor(connection.engine, backend, certificate);
      cleanups.unshift(() => door.close());
      const endpoint = {
        host: door.host,
        port: door.port,
        database: decodeURIComponent(url.pathname.replace(/^\//, '')),
        secretArn: rehearsalSecretArn(name),
      };
      endpoints[name] = endpoint;
      secrets[endpoint.secretArn] = secretFor(url, endpoint, connection.engine);
    }

    const connections = rehearsalConnections(config, endpoints);
    const configFile = join(scratch, 'lowtide.rehearsal.config.mts');
    writeRehearsalConfig(configFile, options.configFile, connections);
    const cdkOut = join(scratch, 'cdk.out');
    log(`synthesizing ${config.name} (your config, each connection on its local database) into ${cdkOut}`);
    const synthStarted = performance.now();
    const { app } = buildApp(
      { ...config, connections },
      { app: { outdir: cdkOut }, configFile, projectRoot: options.projectRoot },
    );
    app.synth();
    const synthMs = Math.round(performance.now() - synthStarted);

    const logs: string[] = [];
    const rehearsal = await Rehearsal.deploy({
      cdkOut,
      region: REHEARSAL_REGION,
      accountId: REHEARSAL_ACCOUNT,
      secrets,
      alarms: [...new Set(config.jobs.flatMap(({ job }) => job.health.alarms))],
      trustedCertificatePem: certificate.certPem,
      log: (line) => logs.push(line),
    });
    cleanups.unshift(() => rehearsal.close());
    const deployed = {
      functions: rehearsal.deployment.functions.length,
      rules: rehearsal.deployment.rules.length,
      schedules: rehearsal.deployment.schedules.length,
    };
    log(`deployed ${deployed.functions} functions, ${deployed.rules} rules, ${deployed.schedules} schedules`);

    const jobs: JobRehearsal[] = [];
    for (const jobId of options.jobIds) {
      log(`starting ${jobId}`);
      const started = performance.now();
      const first = await rehearsal.start({ jobId });
      // Waits on the executions' endings (and their successors'), not on time.
      const chain = await rehearsal.runEnded(first.executionArn);
      jobs.push(outcomeOf(jobId, chain, performance.now() - started));
    }

    // Init Duration of each function's first (cold) invocation, beside a fresh process's import.
    const coldStart = new Map<string, number>();
    for (const { functionLogicalId, outcome } of rehearsal.invocations) {
      if (outcome.initMs !== undefined && !coldStart.has(functionLogicalId))
        coldStart.set(functionLogicalId, outcome.initMs);
    }
    const assets = assemblyFunctionAssets(cdkOut, `${config.name}.template.json`);
    const figures = await bundleReport(assets);
    const bundles = figures.map((figure, i) => {
      const logicalId = rehearsal.deployment.functions.find(
        (fn) => basename(fn.assetPath) === basename(assets[i]!.dir),
      )?.logicalId;
      const cold = logicalId ? coldStart.get(logicalId) : undefined;
      return { ...figure, ...(cold !== undefined ? { coldStartMs: cold } : {}) };
    });
    const denied = [...rehearsal.aws.denied];
    const ok = jobs.every((job) => job.ok) && denied.length === 0;
    return { ok, synthMs, deployed, jobs, denied, bundles, logTail: ok ? [] : logs.slice(-40) };
  } finally {
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}
