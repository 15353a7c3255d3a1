import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const COPY_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'copy-beside-bundle.mjs');

/**
 * Files a bundle reads from beside its index.mjs at run time, which esbuild cannot inline:
 * libpg-query's loader reads `libpg-query.wasm` from `__dirname` when the module initializes.
 */
export function runtimeFiles(projectRoot: string): string[] {
  const resolve = createRequire(path.join(projectRoot, 'package.json')).resolve;
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
 * The esbuild settings of every function; exported so tests can bundle with exactly these.
 * `configFile` is the deployment config the functions import as `#lowtide-config`.
 */
export function bundlingOptions(
  projectRoot: string,
  configFile: string = path.join(projectRoot, 'lowtide.config.ts'),
): nodejs.BundlingOptions {
  const files = runtimeFiles(projectRoot);
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
    tsconfig: path.join(projectRoot, 'tsconfig.json'),
    // The config the app synthesized is the one the functions bundle (LOWTIDE_CONFIG, or the default).
    esbuildArgs: { '--alias': `${CONFIG_IMPORT}=${path.resolve(configFile)}` },
    // Local bundling only (no Docker): the hook runs on this machine with its Node.
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => [
        ['node', COPY_SCRIPT, outputDir, ...files].map(quoted).join(' '),
      ],
    },
  };
}
