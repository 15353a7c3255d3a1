import type { Database } from '../../db/types';
import type { CustomJobSpec, JobSpec } from '../../job/types';
import { keyCodecOf } from '../keys';
import { compileRollback } from '../rollback/rollback-job';
import { jobTarget } from '../target';
import { compileCustom } from './custom';
import { compileArchive, compileDelete, compileUpdate } from './declarative';
import type { CompiledJob } from './types';

const compiled = new WeakMap<Database, WeakMap<JobSpec, CompiledJob>>();

/** Turns a spec into the runner's interface for one database handle (memoised: it reads the catalog once). */
export async function compileJob(spec: JobSpec, db: Database): Promise<CompiledJob> {
  let forDb = compiled.get(db);
  if (!forDb) {
    forDb = new WeakMap();
    compiled.set(db, forDb);
  }
  const known = forDb.get(spec);
  if (known) return known;
  const job = await build(spec, db);
  forDb.set(spec, job);
  return job;
}

async function build(spec: JobSpec, db: Database): Promise<CompiledJob> {
  if (spec.kind === 'custom') return compileCustom(spec as CustomJobSpec);
  if (spec.kind === 'rollback') return compileRollback(spec, db);
  const codec = await keyCodecOf(db, spec);
  const columns = (await db.columns(spec.table)).map((c) => c.name);
  // The job's SQL names the table as the server resolved it, like its ledger and lock do.
  const table = await jobTarget(db, spec);
  if (spec.kind === 'update') return compileUpdate({ ...spec, table }, codec, columns);
  if (spec.kind === 'delete') return compileDelete({ ...spec, table }, codec, columns);
  return compileArchive({ ...spec, table }, codec, columns);
}
