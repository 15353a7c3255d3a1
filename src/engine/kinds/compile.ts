import type { Database } from '../../db/types';
import type { DeclarativeJobSpec, JobSpec } from '../../job/types';
import { type KeyCodec, keyCodecOf } from '../keys';
import { compileRollback } from '../rollback/rollback-job';
import { jobTarget, type QualifiedTable } from '../target';
import { compileCustom } from './custom';
import { compileArchive, compileDelete, compileUpdate } from './declarative';
import type { SpecOfKind } from './kind';
import type { CompiledJob } from './types';

type Compiler<S extends JobSpec> = (spec: S, db: Database) => Promise<CompiledJob>;

/** How each kind compiles; its other traits are in traits/ (see kindOf). */
const COMPILERS: { readonly [K in JobSpec['kind']]: Compiler<SpecOfKind<K>> } = {
  update: async (spec, db) => {
    const on = await onTable(spec, db);
    return compileUpdate(on.spec, on.codec, on.columns);
  },
  delete: async (spec, db) => {
    const on = await onTable(spec, db);
    return compileDelete(on.spec, on.codec, on.columns);
  },
  archive: async (spec, db) => {
    const on = await onTable(spec, db);
    return compileArchive(on.spec, on.codec, on.columns);
  },
  custom: compileCustom,
  rollback: compileRollback,
};

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
  // Indexed by the spec's own kind, so the compiler takes this spec's type.
  const job = await (COMPILERS[spec.kind] as Compiler<JobSpec>)(spec, db);
  forDb.set(spec, job);
  return job;
}

interface OnTable<S extends DeclarativeJobSpec> {
  readonly spec: S & { readonly table: QualifiedTable };
  readonly codec: KeyCodec;
  readonly columns: string[];
}

/** What a declarative kind's SQL is built from: the key's codec, the table's columns and its resolved name. */
async function onTable<S extends DeclarativeJobSpec>(spec: S, db: Database): Promise<OnTable<S>> {
  const codec = await keyCodecOf(db, spec);
  const columns = (await db.columns(spec.table)).map((c) => c.name);
  // The job's SQL names the table as the server resolved it, like its ledger and lock do.
  const table = await jobTarget(db, spec);
  return { spec: { ...spec, table }, codec, columns };
}
