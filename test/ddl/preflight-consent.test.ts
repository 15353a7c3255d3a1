import { beforeAll, describe, expect, it } from 'vitest';
import { ddlGuardCheck, InMemoryConsents, statementFingerprint } from '../../src/ddl';
import { runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import { ENGINES } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts } from '../support/fixtures';

/** The job spec with the `ddl` field the lead adds to the schema. */
function withDdl(spec: JobSpec, ddl: unknown): JobSpec {
  return Object.assign({}, spec, { ddl });
}

const DANGEROUS = {
  postgres: 'CREATE INDEX accounts_tier_idx ON accounts (tier)',
  mysql: 'ALTER TABLE accounts ADD COLUMN doubled BIGINT AS (id * 2) STORED',
};
const SAFE = {
  postgres: 'CREATE INDEX CONCURRENTLY accounts_tier_idx ON accounts (tier)',
  mysql: 'ALTER TABLE accounts ADD INDEX accounts_tier_idx (tier), ALGORITHM=INPLACE, LOCK=NONE',
};

describe.each(ENGINES)('the DDL guard as a preflight check on %s', (engine) => {
  const t = useEngineDatabase(engine);

  beforeAll(async () => {
    await createAccounts(t.raw, engine, 20_000, 'accounts');
    await createAccounts(t.raw, engine, 100, 'tiny');
  });

  const job = defineJob({
    id: 'tier-backfill',
    owner: 'test',
    engine,
    database: 'primary',
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'basic'" },
  });

  it('blocks an unconsented dangerous statement and passes once consent is recorded', async () => {
    const consents = new InMemoryConsents();
    const check = ddlGuardCheck({ consent: consents.lookup, runnerSetsLockTimeout: true });
    const spec = withDdl(job, { statements: [SAFE[engine], DANGEROUS[engine]] });
    const fingerprint = statementFingerprint(DANGEROUS[engine], engine);

    const before = await runPreflight({ spec, db: t.db, checks: [check] });
    expect(before.ok).toBe(false);
    const refused = before.checks.filter((c) => !c.ok);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ name: `ddl:${fingerprint}`, severity: 'error' });
    expect(refused[0]!.reason).toContain('statement 2');
    expect(refused[0]!.reason).toContain(
      engine === 'postgres' ? 'pg-create-index-without-concurrently' : 'mysql-alter-copy',
    );
    expect(refused[0]!.reason).toContain(
      `record an operator's consent (who and when) for fingerprint ${fingerprint}`,
    );

    // Consent to another statement unlocks nothing.
    consents.record(statementFingerprint(SAFE[engine], engine), 'mallory');
    expect((await runPreflight({ spec, db: t.db, checks: [check] })).ok).toBe(false);

    consents.record(fingerprint, 'alice@example.com', new Date('2026-03-01T10:00:00Z'));
    const after = await runPreflight({ spec, db: t.db, checks: [check] });
    expect(after.ok).toBe(true);
    const consented = after.checks.find((c) => c.name === `ddl:${fingerprint}`);
    expect(consented).toMatchObject({ ok: true });
    expect(consented!.reason).toContain('consented by alice@example.com at 2026-03-01T10:00:00.000Z');
  });

  it('passes safe statements without any consent', async () => {
    const check = ddlGuardCheck({ consent: async () => undefined, runnerSetsLockTimeout: true });
    const report = await runPreflight({
      spec: withDdl(job, { statements: [SAFE[engine]] }),
      db: t.db,
      checks: [check],
    });
    expect(report.ok).toBe(true);
    expect(report.checks).toEqual([
      expect.objectContaining({
        name: 'ddl-guard',
        ok: true,
        reason: expect.stringContaining('1 DDL statement(s) checked'),
      }),
    ]);
  });

  it('passes the same statement on a small table as a note, reading its size from the server', async () => {
    const check = ddlGuardCheck({ consent: async () => undefined, runnerSetsLockTimeout: true });
    const report = await runPreflight({
      spec: withDdl(job, { statements: [DANGEROUS[engine].replaceAll('accounts', 'tiny')] }),
      db: t.db,
      checks: [check],
    });
    expect(report.ok).toBe(true);
    expect(report.checks[0]!.reason).toMatch(/under the small-table line of 10,000/);
  });

  it('refuses DDL with no lock timeout unless the runner sets one', async () => {
    const statements = [
      engine === 'postgres'
        ? 'ALTER TABLE accounts ADD COLUMN note2 text'
        : 'ALTER TABLE accounts ADD COLUMN note2 TEXT',
    ];
    const strict = ddlGuardCheck({ consent: async () => undefined });
    const report = await runPreflight({ spec: withDdl(job, { statements }), db: t.db, checks: [strict] });
    expect(report.ok).toBe(false);
    expect(report.checks[0]!.reason).toMatch(
      engine === 'postgres' ? /pg-missing-lock-timeout/ : /mysql-missing-lock-wait-timeout/,
    );
    const lenient = ddlGuardCheck({ consent: async () => undefined, runnerSetsLockTimeout: true });
    expect((await runPreflight({ spec: withDdl(job, { statements }), db: t.db, checks: [lenient] })).ok).toBe(
      true,
    );
  });

  it('fails closed on a malformed ddl field or a consent store that cannot answer', async () => {
    const check = ddlGuardCheck({ consent: async () => undefined });
    const malformed = await runPreflight({
      spec: withDdl(job, { statements: 'DROP TABLE accounts' }),
      db: t.db,
      checks: [check],
    });
    expect(malformed.ok).toBe(false);
    expect(malformed.checks[0]!.reason).toMatch(
      /could not be checked: job tier-backfill: ddl\.statements .*expected \{ statements: string\[\] \}/,
    );

    const broken = ddlGuardCheck({
      consent: async () => {
        throw new Error('control table unreachable');
      },
      runnerSetsLockTimeout: true,
    });
    const report = await runPreflight({
      spec: withDdl(job, { statements: [DANGEROUS[engine]] }),
      db: t.db,
      checks: [broken],
    });
    expect(report.ok).toBe(false);
    expect(report.checks[0]!.reason).toMatch(/control table unreachable/);
  });

  it('does not apply to a job without DDL', async () => {
    const check = ddlGuardCheck({ consent: async () => undefined });
    expect(check.appliesTo!(job)).toBe(false);
    const report = await runPreflight({ spec: job, db: t.db, checks: [check] });
    expect(report.checks).toEqual([]);
  });
  it('honours the same ignore comments as lint, and refuses a bad one with no consent to cover it', async () => {
    const rule = engine === 'postgres' ? 'pg-create-index-without-concurrently' : 'mysql-alter-copy';
    const consents = new InMemoryConsents();
    const check = ddlGuardCheck({ consent: consents.lookup, runnerSetsLockTimeout: true });
    const ignored = `-- lowtide-ignore: ${rule} -- built during the maintenance window\n${DANGEROUS[engine]}`;
    const passed = await runPreflight({
      spec: withDdl(job, { statements: [ignored] }),
      db: t.db,
      checks: [check],
    });
    expect(passed.ok).toBe(true);
    expect(passed.checks.map((c) => c.reason).join(' ')).toContain(
      `[${rule}] ignored by the comment on line 1: built during the maintenance window`,
    );

    const noReason = `-- lowtide-ignore: ${rule}\n${DANGEROUS[engine]}`;
    const spec = withDdl(job, { statements: [noReason] });
    consents.record(statementFingerprint(DANGEROUS[engine], engine), 'alice');
    const refused = await runPreflight({ spec, db: t.db, checks: [check] });
    expect(refused.ok).toBe(false);
    const bad = refused.checks.filter((c) => !c.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.reason).toContain('needs a reason');
  });
});
