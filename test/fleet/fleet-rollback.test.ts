import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, REPO_ROOT, runCli } from '../cli/support/cli-process';
import { backfillTargets } from '../support/fixtures';
import { useTestFleet } from './support/fleet-databases';

const ROWS = 600;
const JOB_FILE = join(REPO_ROOT, 'test/fleet/fixtures/fleet-rollback.ts');

describe('lowtide rollback --member of a fleet job', () => {
  const fleet = useTestFleet(['postgres', 'mysql', 'postgres'], ROWS);

  it('undoes that member’s run on its own database and leaves the other members as they are', async () => {
    const options = { cwd: fleet.cwd, env: { LOWTIDE_STATE_DIR: fleet.stateDir }, timeoutMs: 120_000 };
    const run = await runCli(['--json', 'run', JOB_FILE, '--local', '--ms-per-second', '0'], options);
    expect(run.code, run.stderr).toBe(0);

    const undo = await runCli(
      ['--json', 'rollback', JOB_FILE, '--local', '--member', 'm2', '--ms-per-second', '0'],
      options,
    );
    expect(undo.code, undo.stderr).toBe(0);
    expect(parseJson<{ outcome: string; rollbackJobId: string }>(undo)).toMatchObject({
      outcome: 'completed',
      rollbackJobId: 'fleet-undo_m2-rollback',
    });
    const targets = backfillTargets(ROWS);
    const counts = async (i: number) => {
      const [row] = await fleet.members[i]!.raw.query<Record<string, unknown>>(
        `SELECT SUM(CASE WHEN applied_count = 1 THEN 1 ELSE 0 END) AS once,
                SUM(CASE WHEN tier IS NULL THEN 1 ELSE 0 END) AS pending FROM accounts`,
      );
      return { once: Number(row!.once), pending: Number(row!.pending) };
    };
    expect(await counts(0)).toEqual({ once: targets, pending: 0 });
    expect(await counts(1)).toEqual({ once: 0, pending: targets });
    expect(await counts(2)).toEqual({ once: targets, pending: 0 });

    const wrong = await runCli(['rollback', JOB_FILE, '--local', '--member', 'm9'], options);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/"fleet" has no member 'm9': its members are m1, m2, m3/);
  }, 180_000);
});
