import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface FixtureAsset {
  readonly dir: string;
  remove(): void;
}

/** Bundles a handler into index.mjs in a temporary folder outside the repository, as cdk.out does. */
export async function bundleFixture(entry: string): Promise<FixtureAsset> {
  const dir = mkdtempSync(join(tmpdir(), 'lowtide-fixture-asset-'));
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'index.mjs'),
    logLevel: 'silent',
    // CommonJS dependencies (the AWS SDK) require node: built-ins, which an ESM bundle must provide.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An asset folder holding one unbundled index.mjs with this source. */
export function sourceFixture(source: string): FixtureAsset {
  const dir = mkdtempSync(join(tmpdir(), 'lowtide-fixture-asset-'));
  writeFileSync(join(dir, 'index.mjs'), source);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
