import demoJob from '../../../examples/demo/backfill-demo-tier';
import { openDatabase } from '../../db/open-database';
import type { Database } from '../../db/types';
import { resetLedger } from '../../engine';
import type { JobSpec } from '../../job/types';
import type { Writable } from '../context';
import { type LocalControl, openLocalControl } from '../control/local-control';
import { engineOfUrl, redactUrl } from '../database-url';
import { count, duration } from '../format/units';
import { formatPlan } from '../plan/format-plan';
import { planJob } from '../plan/plan-job';
import { createProgressRenderer } from '../progress/renderer';
import { type LocalRunReport, runJobLocally } from '../run/local-run';
import { formatSummary } from '../summary/format-summary';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { type DemoVerification, seedDemoTable, verifyDemoTable } from './seed';

export interface DemoOptions {
  readonly rows: number;
  /** A server to run against; without it an embedded PostgreSQL is started. */
  readonly databaseUrl?: string;
  /** Where the local control state lives (so `lowtide pause demo-backfill-tier` works from another terminal). */
  readonly stateDir: string;
  /** Human output (the plan, the verification, the summary). */
  readonly out: Writable;
  /** Progress: a bar on a terminal, plain lines otherwise. */
  readonly progress: Writable;
  /** Set for `--json`: nothing but progress is written. */
  readonly quiet?: boolean;
  readonly msPerSecond?: number;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly database: string;
  readonly embedded: boolean;
  readonly rows: number;
  readonly seedMs: number;
  readonly run: LocalRunReport;
  readonly verification: DemoVerification;
}

/**
 * The demo job as written is a PostgreSQL job; its SQL is portable, so against a MySQL or MariaDB
 * DATABASE_URL the demo runs the same job with the engine switched.
 */
function demoSpecFor(url: string): JobSpec {
  const engine = engineOfUrl(url, 'DATABASE_URL');
  return engine === demoJob.engine ? demoJob : ({ ...demoJob, engine } as JobSpec);
}

/**
 * The seeded table is new, so whatever an earlier demo left in the control state (a pause from
 * another terminal, an abort) no longer applies to it: the demo clears it, as an operator would.
 */
async function rearm(control: LocalControl, jobId: string): Promise<string[]> {
  const job = await control.store.getJob(jobId);
  const cleared: string[] = [];
  if (!job) return cleared;
  if (job.abortRequest || job.status === 'aborted') {
    await control.store.clearAbort(jobId, 'lowtide demo');
    cleared.push('abort request');
  }
  if (job.pauseRequests.length > 0) {
    await control.store.clearPause(jobId, 'operator', { force: true });
    cleared.push('pause requests');
  }
  return cleared;
}

/**
 * `npm start`: seeds a demo table, shows the dry run, runs the demo backfill through the real
 * state machine with progress, checks the table by counting, and summarises the run.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = (text: string) => {
    if (!options.quiet) options.out.write(`${text}\n`);
  };
  let embedded: EmbeddedPostgres | undefined;
  let db: Database | undefined;
  let control: LocalControl | undefined;
  try {
    if (!options.databaseUrl) {
      say('starting an embedded PostgreSQL (PGlite) ...');
      embedded = await startEmbeddedPostgres();
    }
    const url = options.databaseUrl ?? embedded!.url;
    const spec = demoSpecFor(url);
    const where = embedded ? 'embedded PostgreSQL (PGlite, in this process)' : redactUrl(url);
    db = openDatabase(url);
    say(`database: ${where} (${await db.serverVersion()})`);

    const seedStarted = performance.now();
    await seedDemoTable(db, options.rows);
    await resetLedger(db, spec);
    const seedMs = performance.now() - seedStarted;
    say(`seeded ${count(options.rows)} rows into ${spec.table.name} in ${duration(seedMs)}\n`);

    say(formatPlan(await planJob(spec, db)));
    say('');

    control = await openLocalControl(options.stateDir, { longLived: true });
    const cleared = await rearm(control, spec.id);
    if (cleared.length > 0) say(`cleared the ${cleared.join(' and ')} an earlier demo left on ${spec.id}`);
    say(
      `running ${spec.id} through the state machine; pause it from another terminal with: node bin/lowtide.js pause ${spec.id}`,
    );
    const renderer = createProgressRenderer(options.progress, { jobId: spec.id });
    const run = await runJobLocally({
      spec,
      databaseUrl: url,
      control,
      msPerSecond: options.msPerSecond,
      onProgress: (event) => renderer.handle(event),
    });
    renderer.close();

    const verification = await verifyDemoTable(db, options.rows);
    say('');
    say(`outcome: ${run.outcome.outcome}${run.outcome.reason ? ` — ${run.outcome.reason}` : ''}`);
    say(
      `verified by counting: ${count(verification.changed)} of ${count(verification.expectedChanged)} rows backfilled, ` +
        `${verification.missing} still NULL, ${verification.wrong} wrong, ${verification.presetTouched} preset rows touched, ` +
        `${verification.changedTwice} changed twice — ${verification.ok ? 'OK' : 'MISMATCH'}`,
    );
    say(formatSummary(run.summary, 'summary'));
    return {
      ok: run.outcome.outcome === 'completed' && verification.ok,
      database: where,
      embedded: Boolean(embedded),
      rows: options.rows,
      seedMs: Math.round(seedMs),
      run,
      verification,
    };
  } finally {
    await control?.close();
    await db?.close();
    await embedded?.stop();
  }
}
