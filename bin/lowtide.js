#!/usr/bin/env node
// The package's `lowtide` command. Job files are TypeScript that `import { defineJob } from 'lowtide'`,
// so tsx's loader is registered before anything else is imported, installed or not (installed, `lint`
// skips it: it loads no job file).
// - Installed (npm): the compiled CLI in dist/ runs; tsx only loads the job files, with the
//   tsconfig of the directory the command runs in, and `lowtide` resolves to the installed package.
// - In a checkout of the lowtide repository (the build script is there, or dist/ is not built):
//   the CLI's sources run, and this repository's tsconfig.json maps `lowtide` to src/ for every
//   job file, so a job never meets a stale dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The AWS SDK warns on every command about Node versions it will drop in the future; an operator's
// terminal and a script's stderr are no place for it (package.json's engines says what is supported).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const packageFile = (file) => new URL(`../${file}`, import.meta.url);
const checkout = existsSync(packageFile('packaging/build.ts')) || !existsSync(packageFile('dist/cli.js'));

if (checkout) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(packageFile('tsconfig.json')) });
  await import('../src/cli/main.ts');
} else {
  // `lowtide lint` reads SQL and JSON only, never a job file: without the loader's hooks (a worker
  // thread every import waits on) it starts faster. Anything else, or lint after other arguments,
  // registers it as before.
  if (process.argv[2] !== 'lint') (await import('tsx/esm/api')).register();
  await import('../dist/cli.js');
}
