import { basename, relative, resolve } from 'node:path';
import type { CliContext } from '../context';
import { readLowtidePackage } from '../init/lowtide-package';
import { EXAMPLE_JOB_FILE, projectFiles, projectName } from '../init/templates';
import { writeProject } from '../init/write-project';
import { type CommandResult, result } from '../output';

export interface InitFlags {
  readonly force?: boolean;
}

/**
 * `lowtide init [dir]`: a jobs repository of your own (package.json, tsconfig.json, cdk.json,
 * lowtide.config.ts, an example job, the CDK app, .gitignore, README.md), written all or nothing.
 */
export async function initCommand(
  ctx: CliContext,
  dir: string | undefined,
  flags: InitFlags,
): Promise<CommandResult> {
  const target = resolve(ctx.cwd, dir ?? '.');
  const fromCwd = relative(ctx.cwd, target);
  const shown = fromCwd === '' ? '.' : fromCwd.startsWith('..') ? target : fromCwd;
  const project = projectName(basename(target));
  const files = projectFiles(project, readLowtidePackage());
  await writeProject(target, files, { force: flags.force, shown });
  const cd = shown === '.' ? '' : `cd ${/[\s'"]/.test(shown) ? JSON.stringify(shown) : shown} && `;
  const text = [
    `created ${Object.keys(files).length} files in ${shown}: ${Object.keys(files).join(', ')}`,
    '',
    'next:',
    `  ${cd}npm install`,
    `  npx lowtide plan ${EXAMPLE_JOB_FILE}   # on an embedded PostgreSQL until you give a database`,
    '  npx cdk synth',
  ].join('\n');
  return result({ ok: true, directory: target, project, files: Object.keys(files) }, text);
}
