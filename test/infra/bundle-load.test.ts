import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/function-catalog';
import exampleConfig from '../../lowtide.config';
import { bundleReport } from '../../rehearsal/lambda/bundle-report';
import { runNode } from '../../rehearsal/lambda/run-node';
import { copyOut, type FunctionAsset, functionAssets } from './support/assets';
import { type Synthesized, synthesize } from './support/synth';

let synth: Synthesized;
let assets: FunctionAsset[];
const copies: string[] = [];

beforeAll(() => {
  synth = synthesize(exampleConfig);
  assets = functionAssets(synth.template, synth.outdir);
}, 300_000);

afterAll(() => {
  synth?.cleanup();
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/**
 * Imports the bundle as the Lambda Node.js runtime does (an ES module from the task root) and
 * reports its handler's type. The process then drains its event loop: module initialization that
 * fails later (libpg-query compiles its wasm asynchronously) still fails the run.
 */
const IMPORT_HANDLER = `
const m = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
console.log(JSON.stringify({ handler: typeof m.handler }));
`;

describe('the synthesized function bundles', () => {
  it('each load from a copy outside the repository and export a handler function', async () => {
    for (const asset of assets) {
      const copy = copyOut(asset.dir);
      copies.push(copy);
      const run = await runNode(copy, IMPORT_HANDLER, {
        NODE_OPTIONS: '--enable-source-maps',
        LAMBDA_TASK_ROOT: copy,
      });
      expect({ name: asset.name, code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({
        name: asset.name,
        code: 0,
        stderr: '',
      });
      expect(JSON.parse(run.stdout)).toEqual({ handler: 'function' });
    }
  }, 120_000);

  it('carry libpg-query.wasm beside index.mjs wherever the bundle holds the PostgreSQL parser', () => {
    const preflight = assets.find((a) => a.name === 'preflight')!;
    expect(existsSync(path.join(preflight.dir, 'libpg-query.wasm'))).toBe(true);
  });

  it('carry no SQL parser and no database driver, and under 1.5 MB of JS, where the function never touches a database', () => {
    const markers = {
      'node-sql-parser': 'NodeSQLParser',
      'libpg-query': 'libpg-query.wasm',
      mysql2: 'mysql_native_password',
      pg: 'SCRAM-SHA-256',
    };
    // The markers are real: the preflight bundle, which parses DDL on both engines, has them all.
    const preflight = readFileSync(
      path.join(assets.find((a) => a.name === 'preflight')!.dir, 'index.mjs'),
      'utf8',
    );
    for (const marker of Object.values(markers)) expect(preflight).toContain(marker);

    const lean = assets.filter((a) => !FUNCTION_SPECS[a.name].touchesDatabase);
    expect(lean.map((a) => a.name).sort()).toEqual(
      ['acquireLease', 'onAlarm', 'onExecutionEnd', 'recordFailure', 'stopRun'].sort(),
    );
    for (const asset of lean) {
      const file = path.join(asset.dir, 'index.mjs');
      const code = readFileSync(file, 'utf8');
      const found = Object.entries(markers)
        .filter(([, marker]) => code.includes(marker))
        .map(([pkg]) => pkg);
      expect({ name: asset.name, found }).toEqual({ name: asset.name, found: [] });
      expect({ name: asset.name, underLimit: statSync(file).size <= 1.5 * 1024 * 1024 }).toEqual({
        name: asset.name,
        underLimit: true,
      });
      expect(existsSync(path.join(asset.dir, 'libpg-query.wasm'))).toBe(false);
    }
  });

  it("are measured by the rehearsal's bundle report: JS without maps, and init in a fresh process", async () => {
    const dirs = assets.map((a) => {
      const dir = copyOut(a.dir);
      copies.push(dir);
      return { name: a.name, dir };
    });
    const rows = await bundleReport(dirs);
    expect(rows.map((r) => r.name)).toEqual(assets.map((a) => a.name));
    for (const row of rows) {
      const asset = assets.find((a) => a.name === row.name)!;
      expect(row.jsBytes).toBe(statSync(path.join(asset.dir, 'index.mjs')).size);
      expect(row.initMs).toBeGreaterThan(0);
      expect(row.processMs).toBeGreaterThanOrEqual(row.initMs);
    }
  }, 120_000);
});
