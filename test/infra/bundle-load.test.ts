import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleConfig from '../../lowtide.config';
import { copyOut, type FunctionAsset, functionAssets, runNode } from './support/assets';
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
});
