// `npm run build`: the package's compiled form in dist/, what an installed lowtide runs.
// - one ES module per public entry point (dist/index.js, config.js, cdk.js, cli.js), bundled by
//   esbuild with code splitting, so the entries share one copy of each module: a job file's
//   `defineJob` (from dist/index.js) and the CLI that loads it (dist/cli.js) agree on its classes;
// - every npm package stays an import (the installed package's dependencies provide it);
// - declarations by tsc, with their relative imports given the `.js` Node's ESM resolution needs.
// Chunks land beside the entries in dist/: code that finds package files from its own location
// (the state machine definition, the construct's project root) sits one level below the root.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** The public entry points, by the name of their file in dist/ (package.json `exports` and `bin`). */
const ENTRY_POINTS = {
  index: 'src/index.ts',
  config: 'src/config/public.ts',
  cdk: 'infra/index.ts',
  cli: 'src/cli/main.ts',
} as const;

interface PackageJson {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function externalPackages(pkg: PackageJson): string[] {
  const names = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies });
  return names.flatMap((name) => [name, `${name}/*`]);
}

/** Every package a bundle still imports must be one the installed package declares. */
function undeclaredImports(metafile: import('esbuild').Metafile, external: readonly string[]): string[] {
  const declared = new Set(external.filter((name) => !name.endsWith('/*')));
  const packageOf = (specifier: string) =>
    specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  const problems = new Set<string>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external || imported.path.startsWith('node:') || imported.path.startsWith('.')) continue;
      if (!declared.has(packageOf(imported.path))) problems.add(`${file} imports ${imported.path}`);
    }
  }
  for (const input of Object.keys(metafile.inputs)) {
    if (input.includes('node_modules/'))
      problems.add(`a dependency was bundled instead of imported: ${input}`);
  }
  return [...problems];
}

/** `export * from './config'` -> `'./config/index.js'`: Node16/NodeNext resolution needs the file. */
function addDeclarationExtensions(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      addDeclarationExtensions(file);
      continue;
    }
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/(from\s+|import\()(['"])(\.\.?\/[^'"]*)\2/g, (whole, lead, quote, spec) => {
      const target = path.resolve(path.dirname(file), spec);
      if (existsSync(`${target}.d.ts`)) return `${lead}${quote}${spec}.js${quote}`;
      if (existsSync(path.join(target, 'index.d.ts'))) return `${lead}${quote}${spec}/index.js${quote}`;
      return whole;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  rmSync(dist, { recursive: true, force: true });
  const external = externalPackages(pkg);
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    external,
    metafile: true,
    logLevel: 'warning',
  });
  // `lowtide rehearse` runs each function under a small runtime client the chunk finds beside itself.
  copyFileSync(path.join(root, 'rehearsal/lambda/bootstrap.mjs'), path.join(dist, 'bootstrap.mjs'));
  const problems = undeclaredImports(metafile, external);
  if (problems.length > 0) {
    throw new Error(
      `the build imports packages package.json does not declare:\n  ${problems.join('\n  ')}\nadd them to dependencies (or peerDependencies)`,
    );
  }
  execFileSync(process.execPath, [resolvePackageFile('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  addDeclarationExtensions(path.join(dist, 'types'));
}

function resolvePackageFile(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

try {
  await main();
} catch (error) {
  // A half-built dist/ must not be packed or run: none is better.
  rmSync(dist, { recursive: true, force: true });
  throw error;
}
