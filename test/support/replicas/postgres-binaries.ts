import { execFile } from 'node:child_process';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian and Ubuntu install each PostgreSQL major version side by side. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

const NEEDED = ['initdb', 'postgres', 'pg_basebackup'];

export class PostgresBinariesError extends Error {
  override readonly name = 'PostgresBinariesError';
}

async function hasAll(dir: string): Promise<boolean> {
  try {
    await Promise.all(NEEDED.map((tool) => access(join(dir, tool))));
    return true;
  } catch {
    return false;
  }
}

async function fromPgConfig(): Promise<string | undefined> {
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function debianVersions(): Promise<string[]> {
  try {
    const versions = (await readdir(DEBIAN_ROOT)).filter((v) => /^\d+$/.test(v));
    return versions.sort((a, b) => Number(b) - Number(a)).map((v) => join(DEBIAN_ROOT, v, 'bin'));
  } catch {
    return [];
  }
}

/**
 * The directory holding initdb, postgres and pg_basebackup: LOWTIDE_PG_BINDIR if set, else
 * `pg_config --bindir`, else the newest Debian-style /usr/lib/postgresql/<major>/bin.
 */
export async function findPostgresBinaries(): Promise<string> {
  const candidates = [process.env.LOWTIDE_PG_BINDIR, await fromPgConfig(), ...(await debianVersions())];
  for (const dir of candidates) {
    if (dir && (await hasAll(dir))) return dir;
  }
  throw new PostgresBinariesError(
    `the replica rig needs PostgreSQL's server binaries (${NEEDED.join(', ')}) and found none: install the PostgreSQL server package, or set LOWTIDE_PG_BINDIR to the directory holding them`,
  );
}
