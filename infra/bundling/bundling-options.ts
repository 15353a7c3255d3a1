import { createRequire } from 'node:module';
import path from 'node:path';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The first lines of every bundle. pg and mysql2 are CommonJS and require() Node built-ins, and
 * libpg-query's Emscripten loader locates its wasm through `__dirname`: an ES module defines
 * neither `require` nor `__dirname`/`__filename`, so the banner derives them from import.meta.url
 * (the bundle's own file, inside the Lambda task root).
 */
export const ESM_BANNER = [
  "import { createRequire as lowtideCreateRequire } from 'node:module';",
  "import { fileURLToPath as lowtideFileURLToPath } from 'node:url';",
  "import { dirname as lowtideDirname } from 'node:path';",
  'const require = lowtideCreateRequire(import.meta.url);',
  'const __filename = lowtideFileURLToPath(import.meta.url);',
  'const __dirname = lowtideDirname(__filename);',
].join(' ');

/**
 * Run by each function's afterBundling hook as `node -e <script> <outputDir> <file>...` (plain
 * Node, so it works in bash and in cmd.exe, and travels inside this module rather than as a file
 * the package would have to ship): copies each file a bundle reads at run time next to its
 * index.mjs, only when the bundle names it (a function without the PostgreSQL parser does not
 * need its wasm).
 */
const COPY_BESIDE_BUNDLE = [
  "const fs = require('node:fs'), path = require('node:path')",
  'const [outputDir, ...files] = process.argv.slice(1)',
  "const bundle = fs.readFileSync(path.join(outputDir, 'index.mjs'), 'utf8')",
  'for (const file of files) if (bundle.includes(path.basename(file))) fs.copyFileSync(file, path.join(outputDir, path.basename(file)))',
].join('; ');

/**
 * Files a bundle reads from beside its index.mjs at run time, which esbuild cannot inline:
 * libpg-query's loader reads `libpg-query.wasm` from `__dirname` when the module initializes.
 * Resolved from the lowtide package, as esbuild resolves lowtide's own imports: the copy of
 * libpg-query the bundle holds is the one whose wasm is copied.
 */
export function runtimeFiles(packageRoot: string): string[] {
  const resolve = createRequire(path.join(packageRoot, 'package.json')).resolve;
  return [path.join(path.dirname(resolve('libpg-query')), 'libpg-query.wasm')];
}

/** A double-quoted argument for both bash (`bash -c`) and cmd.exe, which CDK runs the hooks in. */
function quoted(arg: string): string {
  if (/["$`\\!%]/.test(arg.replace(/\\/g, '/')))
    throw new Error(`cannot pass '${arg}' to the bundling hook: move the project to a plainer path`);
  return `"${arg}"`;
}

/** How functions/*.ts import the deployment config (package.json `imports`). */
export const CONFIG_IMPORT = '#lowtide-config';

/**
 * What the bundles resolve by name instead of by package.json: the deployment config, and
 * lowtide itself as its TypeScript source. A job or config that imports `lowtide` or
 * `lowtide/config` then gets the very modules the function's entry point imports, one copy in the
 * bundle, rather than the package's compiled exports (a second copy of every class and schema).
 */
export function bundleAliases(packageRoot: string, configFile: string): Record<string, string> {
  return {
    [CONFIG_IMPORT]: path.resolve(configFile),
    lowtide: path.join(packageRoot, 'src/index.ts'),
    'lowtide/config': path.join(packageRoot, 'src/config/index.ts'),
  };
}

/**
 * The esbuild settings of every function; exported so tests can bundle with exactly these.
 * `packageRoot` is the lowtide package the entry points and their sources come from;
 * `configFile` is the deployment config the functions import as `#lowtide-config`.
 * The package's package.json declares lowtide's modules free of side effects (all but the local
 * runtime's polyfill), so esbuild drops what a function never calls even when an index file
 * reaches it: the functions that never touch a database bundle no driver and no SQL parser.
 * No tsconfig is named: esbuild gives each file the nearest tsconfig.json above it and none
 * from outside node_modules to a file inside it, so a project's own settings (`paths`, say)
 * apply to its config and jobs and never to an installed lowtide's sources.
 */
export function bundlingOptions(
  packageRoot: string,
  configFile: string = path.join(packageRoot, 'lowtide.config.ts'),
): nodejs.BundlingOptions {
  const files = runtimeFiles(packageRoot);
  return {
    format: nodejs.OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: ESM_BANNER,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // Bundle the AWS SDK too: what was tested is what runs, whatever SDK the runtime ships.
    externalModules: ['pg-native'],
    // The config the app synthesized is the one the functions bundle (LOWTIDE_CONFIG, or the default).
    esbuildArgs: {
      '--alias': Object.entries(bundleAliases(packageRoot, configFile)).map(([from, to]) => `${from}=${to}`),
    },
    // Local bundling only (no Docker): the hook runs on this machine with its Node.
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => [
        ['node', '-e', COPY_BESIDE_BUNDLE, outputDir, ...files].map(quoted).join(' '),
      ],
    },
  };
}
