import type { DeclarativeJobSpec, JobSpec } from '../../job/types';
import type { JobKind, SpecOfKind } from './kind';
import { archiveKind } from './traits/archive';
import { customKind } from './traits/custom';
import { deleteKind } from './traits/delete';
import { rollbackKind } from './traits/rollback';
import { updateKind } from './traits/update';

const KINDS: { readonly [K in JobSpec['kind']]: JobKind<SpecOfKind<K>> } = {
  update: updateKind,
  delete: deleteKind,
  archive: archiveKind,
  custom: customKind,
  rollback: rollbackKind,
};

/** Every kind, in the order their preflight checks run. */
export const JOB_KINDS: readonly JobKind[] = Object.values(KINDS);

/** The kind of this job: what the engine asks instead of testing `spec.kind`. */
export function kindOf<S extends JobSpec>(spec: S): JobKind<S> {
  // Indexed by the spec's own kind, so the module's spec type is this spec's.
  return KINDS[spec.kind] as unknown as JobKind<S>;
}

/** update, delete and archive: the kinds whose SQL lowtide writes, and so can plan and EXPLAIN. */
export function isDeclarative(spec: JobSpec): boolean {
  return kindOf(spec).declarative;
}

/** The job's kind can keep before-images (see JobKind.beforeImages), so it has rollback settings. */
export function keepsBeforeImages(spec: JobSpec): spec is DeclarativeJobSpec {
  return kindOf(spec).beforeImages;
}
