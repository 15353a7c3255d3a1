import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process';

/**
 * A job file that cannot be imported because of where it lives gets one line saying what to do.
 * The case of lowtide itself missing from an installed project is in test/package/pack.test.ts
 * (in this checkout `lowtide` always resolves to its sources).
 */
describe('a job file that cannot import what it needs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lowtide-job-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const job = `import { defineJob } from 'lowtide';
export default defineJob({ id: 'import-errors', owner: 'test', engine: 'postgres', database: 'primary',
  kind: 'delete', table: 'nothing_here', key: 'id', where: 'id < 0' });
`;

  it('outside an ES module project: says to use one (Node says only "Cannot require() ES Module ... in a cycle")', async () => {
    const file = join(dir, 'loose-job.ts');
    await writeFile(file, job);
    const result = await runCli(['plan', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`job file '${file}' is loaded as CommonJS`);
    expect(result.stderr).toContain('"type": "module"');
    expect(result.stderr).toContain('npx lowtide init');
    expect(result.stderr).not.toContain('in a cycle');
  });

  it('in a project whose package.json is not "type": "module": names that package.json', async () => {
    const project = join(dir, 'commonjs-project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'jobs' }));
    await writeFile(join(project, 'job.ts'), job);
    const result = await runCli(['plan', join(project, 'job.ts')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `its package.json (${join(project, 'package.json')}) does not say "type": "module"`,
    );
  });

  it('importing a package its project has not installed: says which, and where to install it', async () => {
    const project = join(dir, 'module-project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'jobs', type: 'module' }));
    await writeFile(
      join(project, 'job.ts'),
      `import { helper } from 'lowtide-test-not-installed/helpers';\n${job}export const x = helper;\n`,
    );
    const result = await runCli(['plan', join(project, 'job.ts')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim()).toBe(
      `lowtide: job file '${join(project, 'job.ts')}' imports 'lowtide-test-not-installed', which is not installed for it: run npm install lowtide-test-not-installed in ${project}`,
    );
  });
});
