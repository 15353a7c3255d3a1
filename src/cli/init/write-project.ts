import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BadInputError } from '../errors';

/** Entries a directory may hold and still count as empty: a fresh `git init` is a fine place to start. */
const IGNORED_WHEN_EMPTY = new Set(['.git']);

/**
 * Writes `files` into `target` all or nothing: everything is written into a staging directory
 * inside the target first (same file system, so the moves are renames), then moved into place;
 * if anything fails, the files already moved are moved back (an overwritten file is restored) and
 * a target directory this call created is removed. A non-empty target is refused unless `force`.
 */
export async function writeProject(
  target: string,
  files: Readonly<Record<string, string>>,
  options: { force?: boolean; shown?: string } = {},
): Promise<void> {
  const shown = options.shown ?? target;
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory())
    throw new BadInputError(`${shown} is a file, not a directory: name a new or empty directory`);
  if (existing && !options.force) {
    const entries = (await readdir(target)).filter((entry) => !IGNORED_WHEN_EMPTY.has(entry));
    if (entries.length > 0) {
      throw new BadInputError(
        `${shown} is not empty (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', ...' : ''}): ` +
          'name a new or empty directory, or pass --force to write the files over it',
      );
    }
  }
  for (const path of Object.keys(files)) {
    const there = await stat(join(target, path)).catch(() => undefined);
    if (there?.isDirectory())
      throw new BadInputError(`${join(shown, path)} is a directory: move it away, then run init again`);
  }

  await mkdir(target, { recursive: true });
  const staging = await mkdtemp(join(target, '.lowtide-init-'));
  const moved: Array<{ to: string; from: string; backup?: string }> = [];
  const createdDirs: string[] = [];
  let current = '';
  try {
    for (const [path, text] of Object.entries(files)) {
      current = path;
      await mkdir(dirname(join(staging, 'new', path)), { recursive: true });
      await writeFile(join(staging, 'new', path), text);
    }
    for (const path of Object.keys(files)) {
      current = path;
      const to = join(target, path);
      const from = join(staging, 'new', path);
      const created = await mkdir(dirname(to), { recursive: true });
      if (created) createdDirs.push(created);
      let backup: string | undefined;
      if (await stat(to).catch(() => undefined)) {
        backup = join(staging, 'old', path);
        await mkdir(dirname(backup), { recursive: true });
        await rename(to, backup);
      }
      moved.push({ to, from, backup });
      await rename(from, to);
    }
  } catch (error) {
    for (const { to, from, backup } of moved.reverse()) {
      await rename(to, from).catch(() => {});
      if (backup) await rename(backup, to).catch(() => {});
    }
    for (const dir of createdDirs.reverse()) await rm(dir, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
    if (!existing) await rm(target, { recursive: true, force: true });
    throw new BadInputError(
      `could not write ${join(shown, current)} ` +
        `(${(error as Error).message}); nothing was changed in ${shown}: fix that path and run init again`,
      { cause: error },
    );
  }
  await rm(staging, { recursive: true, force: true });
}
