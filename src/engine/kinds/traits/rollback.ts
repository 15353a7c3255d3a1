import type { RollbackJobSpec } from '../../../job/types';
import { auditTable } from '../../preflight/checks/audit-table';
import { analyzeAuditTable } from '../../rollback/analyze-audit';
import type { JobKind } from '../kind';

/**
 * Undoes a declarative job from its audit table. It walks the key its job was checked on (so
 * preflight does not check the key's type again), and keeps no before-images of its own: its
 * spec carries the original's rollback settings, but a rollback is never audited.
 */
export const rollbackKind: JobKind<RollbackJobSpec> = {
  declarative: false,
  keys: 'lowtide',
  rerun: 'resume',
  beforeImages: false,
  audited: () => false,
  postflight: 'own',
  undoes: (spec) => spec.of,
  sampleSelectOnly: 'a rollback job is timed on its selection only',
  afterInstall: analyzeAuditTable,
  preflight: { tables: [auditTable], authored: [] },
};
