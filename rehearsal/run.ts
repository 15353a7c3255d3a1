// `npm run rehearse`: synthesizes the app with the rehearsal config, deploys it into this process
// (functions from copies of their assets, the local AWS endpoint, the synthesized state machine,
// rules and schedules), fires each job's schedule on PostgreSQL and on MySQL/MariaDB and checks
// that every row changed exactly once, then prints each function's bundle size and init time.
// The databases: LOWTIDE_TEST_PG_URL and LOWTIDE_TEST_MYSQL_URL (admin URLs), else the local servers.
import { createCountedAccounts, writesHistogram } from '../test/rehearsal/scenarios-support';
import { backfillTargets } from '../test/support/fixtures';
import { provisionDatabase } from './databases/provision';
import { startStage } from './databases/stage';
import { bundleReport, formatBundleReport } from './lambda/bundle-report';
import { Rehearsal } from './rehearsal';
import { JOB_OF, REHEARSAL_ALARM, type RehearsalEngine } from './template/stage';
import { synthesize } from './template/synth';

const ROWS = 200;
const ENGINES: readonly RehearsalEngine[] = ['postgres', 'mysql'];
const adminUrls: Record<RehearsalEngine, string> = {
  postgres: process.env.LOWTIDE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.LOWTIDE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const servers = await startStage(adminUrls);
const { stage } = servers;
const cleanups: Array<() => Promise<void>> = [() => servers.close()];
let failed = false;
try {
  const started = performance.now();
  const synth = await synthesize(stage, { log: say });
  say(
    synth.synthMs === undefined
      ? `synth: reused ${synth.cdkOut}`
      : `synth: ${(synth.synthMs / 1000).toFixed(1)} s into ${synth.cdkOut}`,
  );

  const databases = await Promise.all(
    ENGINES.map((engine) => provisionDatabase(engine, adminUrls[engine], stage)),
  );
  for (const db of databases) cleanups.unshift(() => db.drop());
  const tables = await Promise.all(databases.map((db) => createCountedAccounts(db, ROWS)));
  for (const raw of tables) cleanups.unshift(() => raw.close());

  const logs: string[] = [];
  const rehearsal = await Rehearsal.deploy({
    cdkOut: synth.cdkOut,
    region: stage.region,
    accountId: stage.accountId,
    secrets: Object.fromEntries(
      databases.map((db) => [stage.databases[db.engine].secretArn, db.secretString] as const),
    ),
    alarms: [REHEARSAL_ALARM],
    trustedCertificatePem: servers.certificatePem,
    log: (line) => logs.push(line),
  });
  cleanups.unshift(() => rehearsal.close());
  say(
    `deployed: ${rehearsal.deployment.functions.length} functions, ${rehearsal.deployment.rules.length} rules, ${rehearsal.deployment.schedules.length} schedules`,
  );

  for (const [i, engine] of ENGINES.entries()) {
    const t0 = performance.now();
    const first = await rehearsal.fireSchedule(JOB_OF[engine]);
    const chain = await rehearsal.runEnded(first.executionArn);
    const writes = await writesHistogram(tables[i]!);
    const ok =
      chain.at(-1)?.lastState === 'Completed' &&
      JSON.stringify(writes) === JSON.stringify({ 1: backfillTargets(ROWS) });
    failed ||= !ok;
    say(
      `${engine}: ${ok ? 'ok' : 'FAILED'} in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
        `${chain.length} executions (${chain.map((e) => `${e.status} ${e.lastState}`).join(' -> ')}), ` +
        `rows written per count ${JSON.stringify(writes)}`,
    );
  }
  if (rehearsal.aws.denied.length > 0) {
    failed = true;
    say(`denied by IAM: ${JSON.stringify(rehearsal.aws.denied, null, 2)}`);
  }
  if (failed) say(logs.slice(-60).join('\n'));

  // Init Duration of each function's first (cold) invocation above, beside a fresh process's import.
  const coldInit = new Map<string, number>();
  for (const { functionLogicalId, outcome } of rehearsal.invocations) {
    if (outcome.initMs !== undefined && !coldInit.has(functionLogicalId))
      coldInit.set(functionLogicalId, outcome.initMs);
  }
  const report = await bundleReport(
    rehearsal.deployment.functions.map((fn) => ({
      name: fn.logicalId,
      dir: rehearsal.host(fn.logicalId).definition.assetDir,
    })),
  );
  say('');
  say(formatBundleReport(report));
  say('');
  say('cold start in the rehearsal (spawn to the first event, Lambda\'s "Init Duration"):');
  for (const [id, ms] of coldInit) say(`  ${id}: ${ms} ms`);
  say(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  say(`rehearsal failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}
process.exit(failed ? 1 : 0);
