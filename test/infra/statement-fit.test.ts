import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTION_SPECS } from '../../infra/function-catalog';
import {
  APPLY_BATCH_TIMEOUT_SECONDS,
  ConfigError,
  defineConfig,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  statementFitIssues,
} from '../../src/config';
import { settingsFromEnv } from '../../src/runtime/lambda/deps';
import {
  noteIndexRecipe,
  primaryConnections,
  rankColumnRecipe,
  tierBackfill,
} from '../support/deployment-fixtures';
import { synthesize } from './support/synth';

const connections = primaryConnections;
const job = (id: string, statementTimeoutMs?: number) =>
  tierBackfill(id, statementTimeoutMs ? { limits: { statementTimeoutMs } } : {});
const index = noteIndexRecipe;
const control = { database: 'primary', owner: 'data' };

describe('statement timeouts against the timeout of the function that runs them, at synth', () => {
  it("every function fits Lambda's 900 s maximum, and ApplyBatch deploys with the timeout the runtime checks against", () => {
    for (const name of FUNCTION_NAMES)
      expect(FUNCTION_SPECS[name].timeoutSeconds).toBeLessThanOrEqual(LAMBDA_MAX_TIMEOUT_SECONDS);
    expect(FUNCTION_SPECS.applyBatch.timeoutSeconds).toBe(APPLY_BATCH_TIMEOUT_SECONDS);
  });

  it('accepts defaults: a job, an index recipe and a NOT NULL recipe without timeouts of their own', () => {
    const rank = rankColumnRecipe();
    const config = defineConfig({
      connections,
      jobs: [{ job: job('backfill-tier') }, { job: job('longest-allowed', 30_000) }],
      recipes: [{ recipe: index(), control }, { recipe: rank }],
    });
    expect(statementFitIssues(config)).toEqual([]);
  });

  it('refuses the stack naming the phase, the field, the value, the function timeout and what to do', () => {
    const config = defineConfig({
      connections,
      jobs: [{ job: job('backfill-tier') }],
      recipes: [{ recipe: index(6 * 3_600_000), control }],
    });
    let error: unknown;
    try {
      synthesize(config, { bundle: false }).cleanup();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual(['recipes.0.recipe.phases.1.statementTimeoutMs']);
    expect(issues[0]!.message).toMatch(
      /^recipe 'idx-note' phase 'create-index' sets statementTimeoutMs to 21600000 ms, more than the 240000 ms .*300 s Lambda timeout.*: set it to at most 240000, or run the recipe from a machine without Lambda's 15-minute limit through the local runtime/,
    );
  });

  it("against a shorter ApplyBatch, refuses a job's and a recipe backfill's batch timeout too, naming job, field, value and what to do", () => {
    // The job schema caps limits.statementTimeoutMs at 30 s, inside the deployed 300 s; a shorter
    // function (70 s: a 10 s ceiling) shows the same check on the jobs.
    const rank = rankColumnRecipe(20_000);
    const config = defineConfig({
      connections,
      jobs: [{ job: job('backfill-tier') }, { job: job('slow-batches', 30_000) }],
      recipes: [{ recipe: rank }],
    });
    expect(statementFitIssues(config, 70)).toEqual([
      {
        path: 'jobs.1.job.limits.statementTimeoutMs',
        message:
          "job 'slow-batches' sets limits.statementTimeoutMs to 30000 ms, more than the 10000 ms one statement may run (the ApplyBatch function's 70 s Lambda timeout less a 60 s margin for connection setup, lease and job reads, the checkpoint write and cleanup): set it to at most 10000, or run the job from a machine without Lambda's 15-minute limit with `lowtide run <job file> --local`: the local runtime has no such limit",
      },
      {
        path: 'recipes.0.limits.statementTimeoutMs',
        message: expect.stringContaining("recipe 'accounts-rank' sets limits.statementTimeoutMs to 20000 ms"),
      },
    ]);
  });

  it('carries the assumed scan throughput to the functions, and the Lambda runtime bounds statements by ApplyBatch', () => {
    const config = defineConfig({ connections, jobs: [{ job: job('backfill-tier') }] });
    const synth = synthesize(config, { bundle: false, ddlScanMbPerSecond: 25 });
    try {
      const functions = Object.values(synth.template.Resources).filter(
        (r) => r.Type === 'AWS::Lambda::Function',
      );
      const env = functions.map((f) => f.Properties.Environment?.Variables?.LOWTIDE_DDL_SCAN_MB_PER_SECOND);
      expect(env.length).toBeGreaterThan(0);
      expect(new Set(env)).toEqual(new Set(['25']));
    } finally {
      synth.cleanup();
    }
    expect(settingsFromEnv({ LOWTIDE_DDL_SCAN_MB_PER_SECOND: '25' })).toMatchObject({
      ddlScanMbPerSecond: 25,
      applyBatchTimeoutSeconds: APPLY_BATCH_TIMEOUT_SECONDS,
    });
    expect(settingsFromEnv({}).ddlScanMbPerSecond).toBe(10);
    expect(() => synthesize(config, { bundle: false, ddlScanMbPerSecond: 0 })).toThrow(
      /ddlScanMbPerSecond must be a positive number of MB\/s, not 0/,
    );
  });
});
