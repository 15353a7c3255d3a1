import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBundlingRoots } from '../../infra/bundling/project-roots';
import { Lowtide } from '../../infra/lowtide';
import { REPO_ROOT } from '../../infra/paths';
import exampleConfig from '../../lowtide.config';

const scratch = mkdtempSync(path.join(tmpdir(), 'lowtide-project-roots-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A project folder with the given files (empty unless given text). */
function project(name: string, files: Record<string, string> = {}): string {
  const root = path.join(scratch, name);
  mkdirSync(root, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** An installed copy of the package's folders the functions are bundled from. */
function install(root: string): string {
  const packageRoot = path.join(root, 'node_modules', 'lowtide');
  for (const dir of ['functions', 'statemachines'])
    cpSync(path.join(REPO_ROOT, dir), path.join(packageRoot, dir), { recursive: true });
  return packageRoot;
}

describe('resolveBundlingRoots', () => {
  it('in this repository: the package is the project, with its lock file and lowtide.config.ts', () => {
    expect(resolveBundlingRoots()).toEqual({
      packageRoot: REPO_ROOT,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      configFile: path.join(REPO_ROOT, 'lowtide.config.ts'),
    });
  });

  it('for an installed package: the project is the nearest folder above it with a lock file', () => {
    const root = project('installed', { 'pnpm-lock.yaml': '', 'lowtide.config.ts': '' });
    const packageRoot = install(root);
    expect(resolveBundlingRoots({ packageRoot })).toEqual({
      packageRoot,
      projectRoot: root,
      depsLockFilePath: path.join(root, 'pnpm-lock.yaml'),
      configFile: path.join(root, 'lowtide.config.ts'),
    });
  });

  it('for a linked package: the node_modules entry inside the project that leads to it', () => {
    const root = project('linked', { 'package-lock.json': '{}', 'deploy/jobs.config.ts': '' });
    mkdirSync(path.join(root, 'node_modules'));
    symlinkSync(REPO_ROOT, path.join(root, 'node_modules', 'lowtide'), 'junction');
    const roots = resolveBundlingRoots({
      packageRoot: REPO_ROOT,
      projectRoot: root,
      configFile: path.join(root, 'deploy/jobs.config.ts'),
    });
    expect(roots.packageRoot).toBe(path.join(root, 'node_modules', 'lowtide'));
    expect(roots.configFile).toBe(path.join(root, 'deploy/jobs.config.ts'));
  });

  it('refuses a package outside the project, naming both and what to do', () => {
    const root = project('elsewhere', { 'package-lock.json': '{}', 'lowtide.config.ts': '' });
    expect(() => resolveBundlingRoots({ packageRoot: REPO_ROOT, projectRoot: root })).toThrow(
      /the lowtide package \(.+\) is outside projectRoot \(.+\).*install lowtide into .*node_modules, or set projectRoot/,
    );
  });

  it('refuses a project without a lock file', () => {
    const root = project('unlocked', { 'lowtide.config.ts': '' });
    expect(() => resolveBundlingRoots({ projectRoot: root })).toThrow(
      /holds no lock file \(package-lock\.json, .*\): run npm install there, or set projectRoot/,
    );
  });

  it('refuses a config file that does not exist', () => {
    const root = project('no-config', { 'package-lock.json': '{}' });
    const packageRoot = install(root);
    expect(() => resolveBundlingRoots({ packageRoot })).toThrow(
      /the deployment config .*lowtide\.config\.ts does not exist: set configFile/,
    );
  });

  it('refuses a packageRoot that is not the lowtide package', () => {
    const root = project('not-a-package', { 'package-lock.json': '{}' });
    expect(() => resolveBundlingRoots({ packageRoot: root })).toThrow(
      /has no functions: set packageRoot to the installed lowtide package \(node_modules\/lowtide\)/,
    );
  });
});

describe('the Lowtide construct', () => {
  it('bundles from the roots its props resolve to, and says which', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const lowtide = new Lowtide(new Stack(app, 'Probe'), 'Lowtide', { config: exampleConfig });
    expect(lowtide.bundlingRoots).toEqual(resolveBundlingRoots());
  });

  it('checks its roots before it adds anything to the tree', () => {
    const stack = new Stack(new App(), 'Probe');
    expect(
      () =>
        new Lowtide(stack, 'Lowtide', { config: exampleConfig, configFile: path.join(scratch, 'absent.ts') }),
    ).toThrow(/absent\.ts does not exist: set configFile/);
    expect(stack.node.children).toEqual([]);
  });
});
