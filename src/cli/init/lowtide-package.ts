import { existsSync, readFileSync } from 'node:fs';

/** The parts of lowtide's own package.json that `lowtide init` copies version ranges from. */
export interface LowtidePackage {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

/**
 * lowtide's package.json, found upwards from this module: src/cli/init/ in the sources, dist/ in
 * the installed package.
 */
export function readLowtidePackage(): LowtidePackage {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Partial<LowtidePackage>;
      if (pkg.name === 'lowtide' && pkg.version) {
        return {
          name: pkg.name,
          version: pkg.version,
          dependencies: pkg.dependencies ?? {},
          peerDependencies: pkg.peerDependencies ?? {},
          devDependencies: pkg.devDependencies ?? {},
        };
      }
    }
    if (new URL('../', dir).href === dir.href)
      throw new Error(`lowtide's package.json is missing above ${import.meta.url}: reinstall lowtide`);
  }
}
