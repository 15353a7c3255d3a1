import type { Database } from '../db/types';
import type { JobSpec } from '../job/types';
import { jobTarget, qualifiedName } from './target';

/**
 * The advisory lock name of a job without a resolved table: recipes' DDL phases, whose table may
 * not exist yet. Batches use jobLock, which names the table.
 */
export function jobLockName(spec: JobSpec): string {
  return `lowtide:${spec.id}`;
}

/** The lock options of a job's batches: keyed by the job and its table as the server names it. */
export interface JobLock {
  readonly lockName: string;
  readonly lockNamesDatabase: true;
}

/**
 * The advisory lock every batch and the install step of a job hold. It names the job's table as
 * the server resolved it (schema or database included), so two runs through URLs whose default
 * database or search_path differ take the same lock; on MySQL, where user locks are server-wide,
 * the name is used as it is.
 */
export async function jobLock(db: Database, spec: JobSpec): Promise<JobLock> {
  const target = await jobTarget(db, spec);
  return { lockName: `lowtide:${qualifiedName(target)}:${spec.id}`, lockNamesDatabase: true };
}
