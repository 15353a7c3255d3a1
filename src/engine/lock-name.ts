import type { JobSpec } from '../job/types';

/** The advisory lock name of a job; one per job id (the adapters scope it to the database). */
export function jobLockName(spec: JobSpec): string {
  return `lowtide:${spec.id}`;
}
