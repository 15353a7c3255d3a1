import type { UpdateJobSpec } from '../../../job/types';
import type { JobKind } from '../kind';
import { DECLARATIVE, NO_CHECKS } from './declarative-base';

/** A backfill: done when its pass is, and new rows arrive after the cursor, so a re-run resumes. */
export const updateKind: JobKind<UpdateJobSpec> = {
  ...DECLARATIVE,
  rerun: 'resume',
  assignments: (spec) => spec.set,
  preflight: NO_CHECKS,
};
