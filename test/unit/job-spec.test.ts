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
    expect(job.batch).toEqual({ size: 1000, min: 100, max: 20000, targetMs: 500 });
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

  it('requires a where clause for purges and an archive table for archives', () => {
    expect(issuesOf({ ...base, kind: 'delete', set: undefined, where: undefined }).where).toBeDefined();
    const archive = issuesOf({ ...base, kind: 'archive', set: undefined });
    expect(archive.archiveTable).toBeDefined();
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
