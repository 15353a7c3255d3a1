import type { CustomJobSpec } from '../../../job/types';
import { customJobChecks } from '../../preflight/checks/custom-sql';
import type { JobKind } from '../kind';

/**
 * The author's hooks choose the keys and change them; lowtide only plans what it can read from the
 * spec, keeps no before-images, and leaves postflight to the job's validate.
 */
export const customKind: JobKind<CustomJobSpec> = {
  declarative: false,
  keys: 'author',
  rerun: 'resume',
  beforeImages: false,
  audited: () => false,
  postflight: 'own',
  sampleSelectOnly: "a custom job's applyBatch is its author's code, so only its selectBatch was timed",
  preflight: { tables: [], authored: [customJobChecks] },
};
