import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLintCommand } from '../../src/cli/lint/lint-command';
import { ddlRulesOf, parseConfig } from '../../src/config';
import { openDatabase } from '../../src/db/open-database';
import { analyzeOnDatabase, ddlGuardCheck, guardContextFromDatabase } from '../../src/ddl';
import { runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import type { Recipe } from '../../src/recipes';
import { guardPhase } from '../../src/recipes/phase-guard';
import type { DdlPhase } from '../../src/recipes/types';
import { NO_CONSENTS } from '../../src/run/preflight-checks';
import type { LocalRuntime } from '../../src/runtime/local/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { PRIMARY_SECRET } from '../support/deployment-fixtures';
import { createAccounts } from '../support/fixtures';
import { CONNECTION, useE2e } from './support/harness';

/** Per engine: a statement the guard blocks on a 20,000-row table, and its twin for the second recipe. */
const BLOCKED: Record<TestEngine, readonly [string, string]> = {
  postgres: [
    'CREATE INDEX accounts_tier_idx ON accounts (tier)',
    'CREATE INDEX accounts_note_idx ON accounts (note)',
  ],
  mysql: [
    'ALTER TABLE accounts ADD COLUMN doubled BIGINT AS (id * 2) STORED',
    'ALTER TABLE accounts ADD COLUMN tripled BIGINT AS (id * 3) STORED',
  ],
};

/** The session settings a migration puts before its DDL, so only the statement's own rule blocks it. */
const SESSION: Record<TestEngine, readonly string[]> = {
  postgres: ["SET lock_timeout = '2s'", "SET statement_timeout = '60s'"],
  mysql: ['SET SESSION lock_wait_timeout = 5'],
};

function jobWithDdl(id: string, engine: TestEngine, statement: string): JobSpec {
  return defineJob({
    id,
    owner: 'test',
    engine,
    database: CONNECTION,
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'basic'" },
    health: { pauseBetweenBatchesMs: 0 },
    ddl: { statements: [...SESSION[engine], statement] },
  });
}

/** A one-phase recipe that runs `statement` once its guard lets it; done when `object` exists. */
function oneStatementRecipe(id: string, engine: TestEngine, statement: string, object: string): Recipe {
  const exists =
    engine === 'postgres'
      ? "SELECT 1 FROM pg_indexes WHERE tablename = 'accounts' AND indexname = $1"
      : "SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'accounts' AND column_name = ?";
  return {
    id,
    engine,
    table: 'accounts',
    phases: [
      {
        kind: 'ddl',
        name: 'change',
        statements: [statement],
        mode: 'none',
        selfConsented: false,
        purpose: 'changes accounts',
        done: async (db) => (await db.query(exists, [object])).rows.length > 0,
      },
    ],
  };
}

/** A deployment config with one connection of `engine`, parsed as the functions parse theirs. */
function deployment(engine: TestEngine, rest: Record<string, unknown>) {
  return parseConfig({
    connections: {
      [CONNECTION]: { engine, host: 'db.internal', database: 'app', auth: { secretArn: PRIMARY_SECRET } },
    },
    ...rest,
  });
}

function exitOf(result: Awaited<ReturnType<LocalRuntime['run']>>) {
  const reasons = (result.output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
  return { exit: result.exit, reasons: reasons.join('\n') };
}

describe.each(ENGINES)('the deployment config’s rule settings reach the gates on %s', (engine) => {
  const [statement, twin] = BLOCKED[engine];
  const [object, twinObject] =
    engine === 'postgres' ? ['accounts_tier_idx', 'accounts_note_idx'] : ['doubled', 'tripled'];
  const warned = jobWithDdl('ddl-rules-warned', engine, statement);
  const silenced = jobWithDdl('ddl-rules-off', engine, statement);
  const untouched = jobWithDdl('ddl-rules-error', engine, statement);
  const control = { database: CONNECTION, owner: 'test' };
  const applied = oneStatementRecipe('ddl-rules-recipe', engine, statement, object);
  const refused = oneStatementRecipe('ddl-rules-recipe-error', engine, twin, twinObject);

  // The rules that block the statement here, read from the gate's own analysis before the runtime starts.
  let blocking: string[] = [];
  let ddlRulesFor: (spec: JobSpec) => ReturnType<typeof ddlRulesOf> = () => undefined;

  const e2e = useE2e(engine, [warned, silenced, untouched], {
    prepare: async (db) => {
      await createAccounts(db.raw, engine, 20_000);
      const database = openDatabase(db.testDb.url);
      try {
        const analysis = await analyzeOnDatabase(database, [...SESSION[engine], statement], {});
        blocking = [...new Set(analysis.findings.filter((f) => f.severity === 'block').map((f) => f.rule))];
      } finally {
        await database.close();
      }
      const levels = (level: 'error' | 'warning' | 'off') =>
        Object.fromEntries(blocking.map((id) => [id, level]));
      const config = deployment(engine, {
        // The deployment turns the rules to warnings; one job and the recipe turn them off.
        ddlGuard: { rules: levels('warning') },
        jobs: [
          { job: warned },
          { job: silenced, ddlGuard: { rules: levels('off') } },
          // This job's entry puts the rules back to errors: the deployment's warning does not reach it.
          { job: untouched, ddlGuard: { rules: levels('error') } },
        ],
        recipes: [
          { recipe: applied, control, ddlGuard: { rules: levels('off') } },
          {
            recipe: refused,
            control,
            ddlGuard: { rules: levels('error') },
          },
        ],
      });
      // What the Lambda deps do with the bundled config (src/runtime/lambda/deps.ts).
      ddlRulesFor = (spec) => ddlRulesOf(config, spec.id);
    },
    recipes: [
      { recipe: applied, control },
      { recipe: refused, control },
    ],
    ddlRulesFor: (spec) => ddlRulesFor(spec),
  });

  it('a job whose ddl statement a rule blocks runs when the config makes it a warning or turns it off', async () => {
    expect(blocking.length).toBeGreaterThan(0);
    const stays = exitOf(await e2e.rt.runtime.run({ jobId: untouched.id }));
    expect(stays.exit).toBe('Blocked');
    for (const rule of blocking) expect(stays.reasons).toContain(`[${rule}]`);

    const ran = exitOf(await e2e.rt.runtime.run({ jobId: warned.id }));
    expect(ran.exit, ran.reasons).toBe('Completed');
    const [left] = await e2e.db.raw.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM accounts WHERE tier IS NULL',
    );
    expect(Number(left?.n)).toBe(0);
    expect(exitOf(await e2e.rt.runtime.run({ jobId: silenced.id })).exit).toBe('Completed');
  });

  it('a recipe phase a rule blocks is applied when its entry turns the rule off, and stays blocked otherwise', async () => {
    const stays = exitOf(await e2e.rt.runtime.run({ jobId: refused.id, recipe: true }));
    expect(stays.exit).toBe('Blocked');
    expect(stays.reasons).toContain(blocking[0]!);

    const ran = await e2e.rt.runtime.run({ jobId: applied.id, recipe: true });
    expect(ran.exit, JSON.stringify(ran.output)).toBe('Completed');
    const database = openDatabase(e2e.db.testDb.url);
    try {
      expect(await applied.phases[0]!.done(database)).toBe(true);
      expect(await refused.phases[0]!.done(database)).toBe(false);
    } finally {
      await database.close();
    }
  });

  it('gives the verdict lint gives with the same settings in a .lowtide-lint.json', async () => {
    const database = openDatabase(e2e.db.testDb.url);
    const dir = await mkdtemp(join(tmpdir(), 'lowtide-ddl-rules-'));
    try {
      const context = await guardContextFromDatabase(database);
      for (const level of ['error', 'warning', 'off'] as const) {
        const rules = Object.fromEntries(blocking.map((id) => [id, level]));
        const lintFile = join(dir, '.lowtide-lint.json');
        await writeFile(lintFile, JSON.stringify({ rules }));
        const linted = await runLintCommand({
          files: ['-'],
          stdin: twin,
          engine: engine === 'postgres' ? 'postgres' : (context.server ?? 'mysql'),
          format: 'json',
          config: lintFile,
          assumeLockTimeout: true,
          tableSizes: context.tableSizes,
          catalog: context.catalog,
          versions: context.versions,
        });
        const settings = ddlRulesOf(
          deployment(engine, { ddlGuard: { rules }, jobs: [{ job: warned }] }),
          warned.id,
        );
        const check = ddlGuardCheck({
          consent: NO_CONSENTS,
          runnerSetsLockTimeout: true,
          ...(settings ? { rules: settings } : {}),
        });
        const spec = { ...warned, ddl: { statements: [twin] } } as JobSpec;
        const preflight = await runPreflight({ spec, db: database, checks: [check] });
        const phase = refused.phases[0]!;
        const recipe = await guardPhase(database, phase as DdlPhase, NO_CONSENTS, {
          recipeId: refused.id,
          ...(settings ? { rules: settings } : {}),
        });
        expect({
          level,
          lint: linted.exitCode === 1,
          preflight: !preflight.ok,
          recipe: recipe.length > 0,
        }).toEqual({
          level,
          lint: level === 'error',
          preflight: level === 'error',
          recipe: level === 'error',
        });
        // A warning is still said, by both.
        if (level === 'warning') {
          expect(
            preflight.checks.some((c) => c.severity === 'warning' && c.reason.includes(blocking[0]!)),
          ).toBe(true);
          expect(linted.output).toContain(blocking[0]!);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await database.close();
    }
  });
});
