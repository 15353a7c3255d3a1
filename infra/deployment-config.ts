import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LowtideConfig } from '../src/config';
import { REPO_ROOT } from './paths';

/** Names another config file for `cdk synth` / `cdk deploy` than the repository's lowtide.config.ts. */
export const CONFIG_ENV = 'LOWTIDE_CONFIG';

/** The config every function bundles unless `LOWTIDE_CONFIG` names another. */
export const DEFAULT_CONFIG_FILE = path.join(REPO_ROOT, 'lowtide.config.ts');

export interface DeploymentConfig {
  readonly config: LowtideConfig;
  /** Absolute path of the file whose default export is `config`: what the functions bundle. */
  readonly configFile: string;
}

/**
 * The config the CDK app synthesizes: the file `LOWTIDE_CONFIG` names (relative to `cwd`), else
 * lowtide.config.ts. The app and the bundles read the same file, so the template and the jobs the
 * functions know cannot disagree.
 */
export async function loadDeploymentConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Promise<DeploymentConfig> {
  const named = env[CONFIG_ENV];
  const configFile = named ? path.resolve(cwd, named) : DEFAULT_CONFIG_FILE;
  if (!existsSync(configFile))
    throw new Error(`${CONFIG_ENV}=${named}: no such file (${configFile}); name a lowtide config file`);
  const loaded = (await import(pathToFileURL(configFile).href)) as { default?: unknown };
  const config = loaded.default as LowtideConfig | undefined;
  if (!config || typeof config !== 'object' || !Array.isArray(config.jobs) || !config.connections)
    throw new Error(
      `${configFile} has no lowtide config as its default export: end it with export default defineConfig({...})`,
    );
  return { config, configFile };
}
