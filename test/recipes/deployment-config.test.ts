import { describe, expect, it } from 'vitest';
import { ConfigError, defineConfig, parseConfig } from '../../src/config';
import { mysqlAddColumn } from '../../src/recipes';
import { recipeControlSpec } from '../../src/recipes/registration';
import { createLambdaDeps } from '../../src/runtime/lambda/database-deps';
import { memoryMetrics } from '../../src/runtime/local/memory-metrics';
import {
  noteIndexRecipe,
  primaryConnections,
  rankColumnRecipe,
  tierBackfill,
} from '../support/deployment-fixtures';
import { refusedIssues } from '../support/refusals';

const job = tierBackfill();
const connections = primaryConnections;
const rank = rankColumnRecipe();
const noteIndex = noteIndexRecipe();

const issuesOf = (input: unknown) => refusedIssues(() => parseConfig(input), ConfigError);

describe('recipes in the deployment config', () => {
  it('defaults to none, and the Lambda deps resolve the recipes it lists', () => {
    expect(defineConfig({ connections, jobs: [{ job }] }).recipes).toEqual([]);
    const config = defineConfig({
      connections,
      jobs: [{ job }],
      recipes: [{ recipe: rank }, { recipe: noteIndex, control: { database: 'primary', owner: 'data' } }],
    });
    const deps = createLambdaDeps(
      config,
      { logger: console, metrics: memoryMetrics() },
      {
        LOWTIDE_CONTROL_TABLE: 'control',
        AWS_REGION: 'eu-west-1',
      },
    );
    const found = deps.resolveRecipe?.('idx-note');
    expect(found?.recipe).toBe(noteIndex);
    expect(recipeControlSpec(found!)).toMatchObject({
      id: 'idx-note',
      database: 'primary',
      table: { name: 'accounts' },
    });
    expect(deps.resolveRecipe?.('accounts-rank')?.recipe).toBe(rank);
    expect(deps.resolveRecipe?.('backfill-tier')).toBeUndefined();
  });

  it('refuses recipes it could not run: no database to run on, an unknown connection, a wrong engine, a clashing id', () => {
    const issues = issuesOf({
      connections,
      jobs: [{ job }],
      recipes: [
        { recipe: noteIndex },
        { recipe: noteIndex, control: { database: 'elsewhere', owner: 'data' } },
        {
          recipe: mysqlAddColumn({ id: 'add-score', table: 'accounts', column: 'score', type: 'int' }),
          control: { database: 'primary', owner: 'data' },
        },
        { recipe: { ...rank, id: 'backfill-tier' } },
      ],
    });
    expect(issues['recipes.0']).toMatch(/no backfill phase .* control: \{ database, owner, limits \}/);
    expect(issues['recipes.1']).toMatch(/connection 'elsewhere', which is not in connections/);
    expect(issues['recipes.2']).toMatch(/mysql recipe but connection 'primary' is 'postgres'/);
    expect(issues['recipes.3.recipe.id']).toMatch(/'backfill-tier' is also jobs.0/);
    expect(issuesOf({ connections, jobs: [{ job }], recipes: [{ nope: true }] })['recipes.0']).toMatch(
      /must be \{ recipe, control\?, ddlGuard\? \}/,
    );
  });
});
