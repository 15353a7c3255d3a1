// The `lowtide` command. bin/lowtide.js registers the TypeScript loader and imports this file.
import { runCli } from './program';

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
// Everything the command opened is closed by now; a stray keep-alive socket of a client library
// must not keep a finished command hanging. The timer is unref'd, so it never delays a clean exit.
setTimeout(() => process.exit(code), 2000).unref();
