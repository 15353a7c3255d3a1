import type { ArchiveJobSpec } from '../../../job/types';
import { archiveTable } from '../../preflight/checks/archive-table';
import type { JobKind } from '../kind';
import { DECLARATIVE } from './declarative-base';

/** A purge that moves its rows to another table first; re-runs walk again, like delete. */
export const archiveKind: JobKind<ArchiveJobSpec> = {
  ...DECLARATIVE,
  rerun: 'new-pass',
  movesRowsTo: (spec) => spec.archiveTable,
  preflight: { tables: [archiveTable], authored: [] },
};
