import { describe, expect, it } from 'vitest';
import { parseLintConfig } from '../../src/cli/lint/lint-config';
import { ConfigError, ddlRulesOf, parseConfig } from '../../src/config';
import { createIndexConcurrently, recipeControlSpec } from '../../src/recipes';
import { createControlDeps } from '../../src/runtime/lambda/deps';
import { primaryConnections, tierBackfill } from '../support/deployment-fixtures';
import { refusedIssues } from '../support/refusals';

const job = tierBackfill('backfill-tier');
const other = tierBackfill('backfill-other');
const recipe = createIndexConcurrently({
  id: 'idx-note',
  table: 'accounts',
  name: 'accounts_note_idx',
  columns: ['note'],
});
const control = { database: 'primary', owner: 'data' };

const issuesOf = (input: unknown) => refusedIssues(() => parseConfig(input), ConfigError);

describe('the deployment config carries the DDL guard rule settings', () => {
  it('merges the deployment settings with a job entry and a recipe entry, the entry winning', () => {
    const config = parseConfig({
      connections: primaryConnections,
      ddlGuard: { rules: { 'pg-create-index-without-concurrently': 'warning', 'pg-drop-table': 'off' } },
      jobs: [
        {
          job,
          ddlGuard: { rules: { 'pg-create-index-without-concurrently': 'error', 'pg-set-not-null': 'off' } },
        },
        { job: other },
      ],
      recipes: [{ recipe, control, ddlGuard: { rules: { 'pg-reindex-without-concurrently': 'warning' } } }],
    });
    expect(ddlRulesOf(config, job.id)).toEqual({
      'pg-create-index-without-concurrently': 'block',
      'pg-drop-table': 'off',
      'pg-set-not-null': 'off',
    });
    expect(ddlRulesOf(config, other.id)).toEqual({
      'pg-create-index-without-concurrently': 'warn',
      'pg-drop-table': 'off',
    });
    expect(ddlRulesOf(config, recipe.id)).toEqual({
      'pg-create-index-without-concurrently': 'warn',
      'pg-drop-table': 'off',
      'pg-reindex-without-concurrently': 'warn',
    });
  });

  it('reach the functions through the bundled config: the Lambda deps answer per job and per recipe', () => {
    const config = parseConfig({
      connections: primaryConnections,
      ddlGuard: { rules: { 'pg-drop-table': 'warning' } },
      jobs: [{ job, ddlGuard: { rules: { 'pg-set-not-null': 'off' } } }],
      recipes: [{ recipe, control, ddlGuard: { rules: { 'pg-drop-table': 'off' } } }],
    });
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const deps = createControlDeps(
      config,
      { logger: silent, metrics: { record() {} } },
      {
        LOWTIDE_CONTROL_TABLE: 'lowtide-control',
        AWS_REGION: 'eu-west-1',
      },
    );
    expect(deps.ddlRulesFor?.(job)).toEqual({ 'pg-drop-table': 'warn', 'pg-set-not-null': 'off' });
    // A recipe's execution runs under the job its registration names after it.
    expect(deps.ddlRulesFor?.(recipeControlSpec({ recipe, control }))).toEqual({ 'pg-drop-table': 'off' });
  });

  it('leaves the rules alone when nothing sets any', () => {
    const config = parseConfig({ connections: primaryConnections, jobs: [{ job }] });
    expect(ddlRulesOf(config, job.id)).toBeUndefined();
  });

  it('refuses an unknown rule id, a bad level and an unparsed rule turned down, naming the field', () => {
    const issues = issuesOf({
      connections: primaryConnections,
      ddlGuard: { rules: { 'pg-no-such-rule': 'off', 'pg-unparsed': 'warning' } },
      jobs: [{ job, ddlGuard: { rules: { 'pg-set-not-null': 'ignore' } } }],
      recipes: [{ recipe, control, ddlGuard: { rules: { 'mysql-nope': 'off' } } }],
    });
    expect(issues['ddlGuard.rules.pg-no-such-rule']).toMatch(/unknown rule id.*docs\/ddl-guard\.md/);
    expect(issues['ddlGuard.rules.pg-unparsed']).toContain('never passed silently');
    expect(issues['jobs.0.ddlGuard.rules.pg-set-not-null']).toBe('use "error", "warning" or "off"');
    expect(issues['recipes.0.ddlGuard.rules.mysql-nope']).toMatch(/unknown rule id/);
    expect(() =>
      parseConfig({
        connections: primaryConnections,
        ddlGuard: { rules: { 'pg-nope': 'off' } },
        jobs: [{ job }],
      }),
    ).toThrow(/ddlGuard\.rules\.pg-nope: unknown rule id/);
  });

  it('refuses an unknown key under ddlGuard', () => {
    const issues = issuesOf({ connections: primaryConnections, ddlGuard: { rule: {} }, jobs: [{ job }] });
    expect(issues.ddlGuard).toContain('unknown field(s) rule');
  });

  it('refuses exactly what a .lowtide-lint.json refuses, with the same reason', () => {
    for (const [id, level] of [
      ['pg-no-such-rule', 'off'],
      ['mysql-unparsed', 'off'],
      ['pg-unparsed', 'warning'],
    ] as const) {
      const fromConfig = issuesOf({
        connections: primaryConnections,
        ddlGuard: { rules: { [id]: level } },
        jobs: [{ job }],
      })[`ddlGuard.rules.${id}`];
      let fromLint = '';
      try {
        parseLintConfig(JSON.stringify({ rules: { [id]: level } }), '.lowtide-lint.json');
      } catch (error) {
        fromLint = (error as Error).message;
      }
      expect(fromLint).toBe(`.lowtide-lint.json: "rules.${id}": ${fromConfig}`);
    }
    // And both accept the same settings.
    expect(parseLintConfig('{"rules":{"pg-unparsed":"error"}}', 'x').analysis.rules).toEqual({
      'pg-unparsed': 'block',
    });
  });
});
