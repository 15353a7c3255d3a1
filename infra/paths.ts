import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The lowtide package: where functions/, statemachines/ and src/ live. This module sits one folder
 * below it both as infra/paths.ts and bundled into dist/cdk.js, so the parent of its folder is the
 * package root either way: this repository when developing lowtide, `node_modules/lowtide` in a
 * project that installed it.
 */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** This repository's root, for its own app, tests and rehearsal (the package is the repository). */
export const REPO_ROOT = PACKAGE_ROOT;

export const STATE_MACHINE_DEFINITION = 'statemachines/maintenance-job.asl.json';
export const FLEET_DEFINITION = 'statemachines/fleet-job.asl.json';
export const FUNCTIONS_DIR = 'functions';
