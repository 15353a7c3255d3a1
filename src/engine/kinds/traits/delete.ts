import type { DeleteJobSpec } from '../../../job/types';
import type { JobKind } from '../kind';
import { DECLARATIVE, NO_CHECKS } from './declarative-base';

/**
 * A purge: its predicate moves (`expires_at < NOW() - INTERVAL 30 DAY`), and rows behind the
 * cursor that began matching after their batch are only reached by walking the table again.
 */
export const deleteKind: JobKind<DeleteJobSpec> = {
  ...DECLARATIVE,
  rerun: 'new-pass',
  preflight: NO_CHECKS,
};
