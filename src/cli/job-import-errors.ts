import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package.json that decides how Node loads `file` (the nearest one above it), if any. */
function nearestPackageJson(file: string): { path: string; type?: unknown } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        return {
          path: candidate,
          type: (JSON.parse(readFileSync(candidate, 'utf8')) as { type?: unknown }).type,
        };
      } catch {
        return { path: candidate };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const INIT = 'npx lowtide init <dir> scaffolds one';

/**
 * What to do when a job file cannot be imported for a reason of where it lives, not what it says;
 * undefined for every other failure (a syntax error explains itself).
 *
 * - Outside a package whose package.json says `"type": "module"`, Node loads a `.ts` file as
 *   CommonJS; a job's `import`/`export` then make Node 20.19+ fail with ERR_REQUIRE_CYCLE_MODULE
 *   ("Cannot require() ES Module ... in a cycle"), which names neither cause nor cure.
 * - A package the job imports (lowtide itself, most often) is not installed where the job is.
 */
export function explainJobImportFailure(error: unknown, path: string, absolute: string): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const owner = nearestPackageJson(absolute);
  if (code === 'ERR_REQUIRE_CYCLE_MODULE' || /Cannot require\(\) ES Module .* in a cycle/.test(text)) {
    const where = owner
      ? `its package.json (${owner.path}) does not say "type": "module"`
      : 'no package.json above it says "type": "module"';
    return (
      `job file '${path}' is loaded as CommonJS because ${where}, and a job is an ES module: ` +
      `keep jobs in a project whose package.json has "type": "module" (${INIT}), or name the file .mts`
    );
  }
  const missing = /Cannot find (?:package|module) '([^']+)' imported from/.exec(text);
  if (
    code === 'ERR_MODULE_NOT_FOUND' &&
    missing &&
    !missing[1]!.startsWith('.') &&
    !missing[1]!.startsWith('/')
  ) {
    const specifier = missing[1]!;
    const name = specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : specifier.split('/')[0]!;
    if (!owner) {
      return (
        `job file '${path}' imports '${specifier}', but it is not inside a project (no package.json above it): ` +
        `put it in a project that depends on ${name} (${INIT}) and run npm install there`
      );
    }
    return (
      `job file '${path}' imports '${specifier}', which is not installed for it: ` +
      `run npm install ${name} in ${dirname(owner.path)}`
    );
  }
  return undefined;
}
