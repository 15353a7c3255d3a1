import { describe, expect, it } from 'vitest';
import { defineJob, JobSpecError } from '../../src/job/define-job';
import { refusedIssues } from '../support/refusals';

const base = {
  id: 'backfill-account-tier',
  owner: 'platform-data',
  engine: 'postgres',
  database: 'primary',
  table: 'accounts',
  key: 'id',
  kind: 'update',
  where: 'tier IS NULL',
  set: { tier: "CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'standard' END" },
} as const;

const issuesOf = (input: unknown) => refusedIssues(() => defineJob(input as never), JobSpecError);

describe('defineJob', () => {
  it('fills in documented defaults', () => {
    const job = defineJob(base);
    expect(job.table).toEqual({ name: 'accounts' });
    expect(job.batch).toEqual({ size: 1000, min: 100, max: 20000, targetMs: 50, invocationBudgetMs: 3000 });
    expect(job.limits).toMatchObject({ lockTimeoutMs: 1000, statementTimeoutMs: 5000, retries: 3 });
    expect(job.ledgerTable).toBe('lowtide_ledger');
    expect(job.requiresApproval).toBe(false);
  });

  it('accepts schema-qualified tables', () => {
    expect(defineJob({ ...base, table: 'billing.accounts' }).table).toEqual({
      schema: 'billing',
      name: 'accounts',
    });
  });

  it.each([
    ['table', { table: 'accounts; DROP TABLE x' }],
    ['key', { key: 'id) OR (1=1' }],
    ['table', { table: 'a.b.c' }],
    ['ledgerTable', { ledgerTable: 'ledger"; --' }],
    ['preflight.requireColumns.0', { preflight: { requireColumns: ['tier; DROP'] } }],
  ])('refuses an injected identifier in %s', (path, patch) => {
    const issues = issuesOf({ ...base, ...patch });
    expect(issues[path]).toMatch(/plain SQL identifier/);
  });

  it('refuses an injected column name in set', () => {
    expect(
      issuesOf({ ...base, set: { 'tier = 1; DROP TABLE x; --': '1' } })['set.tier = 1; DROP TABLE x; --'],
    ).toMatch(/identifier/);
  });

  it.each([
    ['where', { where: 'tier IS NULL; DROP TABLE accounts' }, /single SQL expression/],
    ['where', { where: 'tier IS NULL -- and more' }, /comment/],
    ['where', { where: '(tier IS NULL' }, /unclosed/],
    ['set.tier', { set: { tier: "'gold'); DELETE FROM accounts; --" } }, /without its "\("/],
  ])('refuses a SQL fragment that is not one expression (%s)', (path, patch, message) => {
    expect(issuesOf({ ...base, ...patch })[path]).toMatch(message);
  });

  it('accepts semicolons and dashes inside quoted text', () => {
    expect(defineJob({ ...base, where: "note = 'a;b -- c' AND tier IS NULL" }).kind).toBe('update');
  });

  it('names every bad field with what to change', () => {
    const issues = issuesOf({
      ...base,
      id: 'Bad Id',
      batch: { size: 5, min: 10 },
      limits: { lockTimeoutMs: 9000 },
      extra: 1,
    });
    expect(Object.keys(issues).sort()).toEqual(['', 'batch.size', 'id', 'limits.lockTimeoutMs']);
    expect(issues['batch.size']).toMatch(/between min \(10\)/);
    expect(issues['']).toMatch(/unknown field\(s\) extra/);
  });

  it("refuses rerun 'new-pass' on an update without where, which would apply set to every row again", () => {
    expect(issuesOf({ ...base, where: undefined, rerun: 'new-pass' }).rerun).toMatch(
      /every row again: add a `where`/,
    );
    expect(defineJob({ ...base, rerun: 'new-pass' }).kind).toBe('update');
    expect(defineJob({ ...base, where: undefined, rerun: 'resume' }).kind).toBe('update');
  });

  it('requires a where clause for purges and an archive table for archives', () => {
    expect(issuesOf({ ...base, kind: 'delete', set: undefined, where: undefined }).where).toBeDefined();
    const archive = issuesOf({ ...base, kind: 'archive', set: undefined });
    expect(archive.archiveTable).toBeDefined();
  });

  it.each([
    ['limits.lockTimeoutMs', { limits: { lockTimeoutMs: 2 ** 40, statementTimeoutMs: 5000 } }, 2 ** 40],
    ['limits.lockTimeoutMs', { limits: { lockTimeoutMs: 0 } }, 0],
    ['limits.statementTimeoutMs', { limits: { statementTimeoutMs: 600_000 } }, 600_000],
    ['limits.statementTimeoutMs', { limits: { lockTimeoutMs: 10, statementTimeoutMs: 50 } }, 50],
    ['limits.maxRuntimeSeconds', { limits: { maxRuntimeSeconds: 10 ** 9 } }, 10 ** 9],
    ['limits.retries', { limits: { retries: 21 } }, 21],
    ['limits.maxRows', { limits: { maxRows: 0 } }, 0],
    ['batch.max', { batch: { max: 60_000 } }, 60_000],
    ['batch.targetMs', { batch: { targetMs: 5 } }, 5],
    ['health.pauseBetweenBatchesMs', { health: { pauseBetweenBatchesMs: 10 ** 8 } }, 10 ** 8],
    ['health.maxReplicaLagSeconds', { health: { maxReplicaLagSeconds: 0 } }, 0],
    ['rollback.retentionDays', { rollback: { retentionDays: -1 } }, -1],
  ])('refuses %s out of its bound, naming the bound and the value', (path, patch, value) => {
    const message = issuesOf({ ...base, ...patch })[path];
    expect(message).toMatch(/must be between \d+(\.\d+)? and \d+/);
    expect(message).toContain(`got ${value}`);
  });

  it('accepts every limit at the ends of its bound', () => {
    const job = defineJob({
      ...base,
      limits: { lockTimeoutMs: 30_000, statementTimeoutMs: 30_000, retries: 0, maxRuntimeSeconds: 1 },
      batch: { size: 1, min: 1, max: 50_000, targetMs: 10 },
      health: { pauseBetweenBatchesMs: 0 },
    });
    expect(job.limits.statementTimeoutMs).toBe(30_000);
  });

  it('refuses a lock timeout MySQL would round, on mysql only', () => {
    const limits = { lockTimeoutMs: 1500, statementTimeoutMs: 5000 };
    expect(issuesOf({ ...base, engine: 'mysql', limits })['limits.lockTimeoutMs']).toMatch(
      /whole number of seconds.*use 2000; got 1500/,
    );
    expect(defineJob({ ...base, limits }).limits.lockTimeoutMs).toBe(1500);
    expect(
      defineJob({ ...base, engine: 'mysql', limits: { lockTimeoutMs: 2000 } }).limits.lockTimeoutMs,
    ).toBe(2000);
  });

  it('refuses a target batch duration the statement timeout would cancel', () => {
    const issues = issuesOf({ ...base, batch: { targetMs: 5000 }, limits: { statementTimeoutMs: 5000 } });
    expect(issues['batch.targetMs']).toMatch(/below limits.statementTimeoutMs \(5000\).*got 5000/);
  });

  it.each([
    ['accounts', 'accounts'],
    ['billing.accounts', 'billing.accounts'],
  ])('refuses an archive table equal to the table (%s into %s)', (table, archiveTable) => {
    const archive = { ...base, kind: 'archive', set: undefined, table, archiveTable };
    expect(issuesOf(archive).archiveTable).toMatch(/must be another table than table/);
  });

  it('leaves an archive table that may be another schema to preflight', () => {
    const { set: _set, ...update } = base;
    const archive = { ...update, kind: 'archive', archiveTable: 'archive.accounts' } as const;
    expect(defineJob(archive).kind).toBe('archive');
  });

  it('requires functions for a custom job', () => {
    const issues = issuesOf({
      ...base,
      kind: 'custom',
      set: undefined,
      where: undefined,
      selectBatch: 'nope',
    });
    expect(issues.selectBatch).toMatch(/must be a function/);
    expect(issues.applyBatch).toBeDefined();
  });

  it('rejects an unknown kind with the list of kinds', () => {
    expect(issuesOf({ ...base, kind: 'truncate' }).kind).toMatch(/update.*delete.*archive.*custom/);
  });
});
