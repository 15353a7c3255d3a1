import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The config file `lowtide lint` looks for, from the linted file's folder up to the repository root. */
export const LINT_CONFIG_FILE = '.lowtide-lint.json';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The config for files in `folder`: the nearest `.lowtide-lint.json` in it or a folder above,
 * looking no higher than the repository root (the folder holding `.git`). Undefined when none.
 * Kept apart from the config's schema, so a repository without a config never loads zod.
 */
export async function findLintConfig(folder: string): Promise<string | undefined> {
  let current = resolve(folder);
  for (;;) {
    const candidate = join(current, LINT_CONFIG_FILE);
    if (await exists(candidate)) return candidate;
    if (await exists(join(current, '.git'))) return undefined;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
