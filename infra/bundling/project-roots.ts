import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { FUNCTIONS_DIR, PACKAGE_ROOT, STATE_MACHINE_DEFINITION } from '../paths';

/** The lock files NodejsFunction knows a package manager by, in the order they are looked for. */
export const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

/** Where the functions are bundled from: see LowtideProps for what each one is. */
export interface BundlingRoots {
  /** The lowtide package: functions/, statemachines/ and the src/ they import. */
  readonly packageRoot: string;
  /** The project that installed it: lock file, node_modules, and by default the config. */
  readonly projectRoot: string;
  /** The project's lock file (NodejsFunction requires one inside projectRoot). */
  readonly depsLockFilePath: string;
  /** The deployment config every function bundles as `#lowtide-config`. */
  readonly configFile: string;
}

export interface BundlingRootsInput {
  readonly packageRoot?: string;
  readonly projectRoot?: string;
  readonly configFile?: string;
}

function lockFileIn(dir: string): string | undefined {
  return LOCK_FILES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

/** The nearest folder at or above `start` that holds a lock file. */
function projectAbove(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (lockFileIn(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || !(relative.startsWith('..') || path.isAbsolute(relative));
}

/**
 * The package as a path inside the project. Node resolves symlinks, so a linked lowtide
 * (`npm link`, a `file:` dependency) reports its real folder; the project's node_modules entry
 * that leads to it is the same package at a path NodejsFunction accepts.
 */
function packageInside(projectRoot: string, packageRoot: string): string | undefined {
  if (isInside(projectRoot, packageRoot)) return packageRoot;
  const installed = path.join(projectRoot, 'node_modules', 'lowtide');
  if (existsSync(installed) && realpathSync(installed) === realpathSync(packageRoot)) return installed;
  return undefined;
}

/**
 * The roots the functions are bundled from, defaults filled in and checked, with errors that say
 * which prop to set.
 */
export function resolveBundlingRoots(input: BundlingRootsInput = {}): BundlingRoots {
  const packageRoot = path.resolve(input.packageRoot ?? PACKAGE_ROOT);
  for (const needed of [FUNCTIONS_DIR, STATE_MACHINE_DEFINITION]) {
    if (!existsSync(path.join(packageRoot, needed)))
      throw new Error(
        `packageRoot ${packageRoot} has no ${needed}: set packageRoot to the installed lowtide package (node_modules/lowtide)`,
      );
  }
  const projectRoot = input.projectRoot ? path.resolve(input.projectRoot) : projectAbove(packageRoot);
  if (!projectRoot)
    throw new Error(
      `no lock file (${LOCK_FILES.join(', ')}) in or above ${packageRoot}: install lowtide with your package manager, or set projectRoot to the folder that holds your lock file`,
    );
  const depsLockFilePath = lockFileIn(projectRoot);
  if (!depsLockFilePath)
    throw new Error(
      `projectRoot ${projectRoot} holds no lock file (${LOCK_FILES.join(', ')}): run npm install there, or set projectRoot to the folder that holds your lock file`,
    );
  const inside = packageInside(projectRoot, packageRoot);
  if (!inside)
    throw new Error(
      `the lowtide package (${packageRoot}) is outside projectRoot (${projectRoot}), and NodejsFunction bundles only entry points inside projectRoot: install lowtide into ${path.join(projectRoot, 'node_modules')}, or set projectRoot to a folder that holds both`,
    );
  const configFile = path.resolve(input.configFile ?? path.join(projectRoot, 'lowtide.config.ts'));
  if (!existsSync(configFile))
    throw new Error(
      `the deployment config ${configFile} does not exist: set configFile to the file whose default export is your config`,
    );
  return { packageRoot: inside, projectRoot, depsLockFilePath, configFile };
}
