import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: where package.json, package-lock.json, functions/ and statemachines/ live. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const STATE_MACHINE_DEFINITION = 'statemachines/maintenance-job.asl.json';
export const FUNCTIONS_DIR = 'functions';
