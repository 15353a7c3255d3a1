import type { DeclarativeJobSpec } from '../../../job/types';
import type { JobKind } from '../kind';

/** What update, delete and archive share: lowtide writes their SQL and can keep before-images. */
export const DECLARATIVE = {
  declarative: true,
  keys: 'lowtide',
  beforeImages: true,
  audited: (spec: DeclarativeJobSpec) => spec.rollback.audit,
  postflight: 'walked-range',
} as const satisfies Partial<JobKind<DeclarativeJobSpec>>;

export const NO_CHECKS = { tables: [], authored: [] } as const;
