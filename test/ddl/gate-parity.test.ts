import { beforeAll, describe, expect, it } from 'vitest';
import { runLintCommand } from '../../src/cli/lint/lint-command';
import {
  ddlGuardCheck,
  guardContextFromDatabase,
  InMemoryConsents,
  statementFingerprint,
} from '../../src/ddl';
import { runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import { guardPhase } from '../../src/recipes/phase-guard';
import type { DdlPhase } from '../../src/recipes/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts } from '../support/fixtures';

interface ParityCase {
  readonly sql: string;
  /** Whether every gate refuses it without consent. */
  readonly refused: boolean;
}

const CASES: Record<TestEngine, readonly ParityCase[]> = {
  postgres: [
    { sql: 'CREATE INDEX accounts_tier_idx ON accounts (tier)', refused: true },
    { sql: 'CREATE INDEX tiny_tier_idx ON tiny (tier)', refused: false },
    { sql: 'CREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note)', refused: false },
    { sql: 'ALTER TABLE accounts ALTER COLUMN note SET NOT NULL', refused: true },
    // The hoist's second migration: the NOT VALID check exists in the catalog.
    {
      sql: 'ALTER TABLE accounts VALIDATE CONSTRAINT tier_not_null; ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL',
      refused: false,
    },
    { sql: 'ALTER TABLE accounts ADD COLUMN flag boolean NOT NULL DEFAULT false', refused: false },
  ],
  mysql: [
    { sql: 'ALTER TABLE accounts ADD COLUMN doubled BIGINT AS (id * 2) STORED', refused: true },
    { sql: 'ALTER TABLE accounts ADD COLUMN memo varchar(20) AFTER id', refused: false },
    // MariaDB evaluates RAND() once and adds the column instantly (a warning, not a refusal).
    { sql: 'ALTER TABLE accounts ADD COLUMN weight double DEFAULT (RAND())', refused: false },
    { sql: 'ALTER TABLE accounts MODIFY tier varchar(40) NULL', refused: false },
    { sql: 'ALTER TABLE accounts MODIFY tier int', refused: true },
  ],
};

function ddlPhase(statements: readonly string[]): DdlPhase {
  return {
    kind: 'ddl',
    name: 'parity',
    statements,
    mode: 'none',
    selfConsented: false,
    purpose: 'checks parity',
    done: async () => false,
  };
}

describe.each(ENGINES)('lint, the preflight gate and the recipes agree on %s', (engine) => {
  const t = useEngineDatabase(engine);

  beforeAll(async () => {
    await createAccounts(t.raw, engine, 20_000, 'accounts');
    await createAccounts(t.raw, engine, 100, 'tiny');
    if (engine === 'postgres') {
      await t.raw.query(
        'ALTER TABLE accounts ADD CONSTRAINT tier_not_null CHECK (tier IS NOT NULL) NOT VALID',
      );
    }
  });

  const job = defineJob({
    id: 'parity',
    owner: 'test',
    engine,
    database: 'primary',
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'basic'" },
  });

  it.each(CASES[engine])('$sql', async (c) => {
    const context = await guardContextFromDatabase(t.db);
    const linted = await runLintCommand({
      files: ['-'],
      stdin: c.sql,
      engine: engine === 'postgres' ? 'postgres' : (context.server ?? 'mysql'),
      format: 'json',
      assumeLockTimeout: true,
      tableSizes: context.tableSizes,
      catalog: context.catalog,
      versions: context.versions,
    });
    const lintRefused = linted.exitCode === 1;

    const spec = Object.assign({}, job, { ddl: { statements: [c.sql] } }) as JobSpec;
    const check = ddlGuardCheck({ consent: new InMemoryConsents().lookup, runnerSetsLockTimeout: true });
    const preflight = await runPreflight({ spec, db: t.db, checks: [check] });

    const recipeReasons = await guardPhase(t.db, ddlPhase([c.sql]), async () => undefined);

    expect({ lint: lintRefused, preflight: !preflight.ok, recipe: recipeReasons.length > 0 }).toEqual({
      lint: c.refused,
      preflight: c.refused,
      recipe: c.refused,
    });
    if (c.refused) {
      // All three name the same statement to consent to.
      const fingerprints = JSON.parse(linted.output).files[0].findings.map(
        (f: { fingerprint: string }) => f.fingerprint,
      );
      const fingerprint = statementFingerprint(c.sql, engine);
      expect(fingerprints).toContain(fingerprint);
      expect(preflight.checks.some((r) => r.name === `ddl:${fingerprint}` && !r.ok)).toBe(true);
      // A recipe never waits for consent to a table copy on MySQL: it names the statement and refuses.
      expect(recipeReasons.join(' ')).toContain(
        recipeReasons.join(' ').includes('would not run') ? c.sql : fingerprint,
      );
    }
  });
});
