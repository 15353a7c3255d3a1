import type { RuleInfo } from '../../types';

/** Not a check: the finding for a statement the PostgreSQL parser rejects. The guard fails closed. */
export const pgUnparsed: RuleInfo = {
  id: 'pg-unparsed',
  engine: 'postgres',
  title: 'A statement the PostgreSQL parser rejects',
  lock: 'UNKNOWN',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'unparsed: review by hand. The PostgreSQL grammar rejects it, so lowtide cannot tell what it locks; it will most likely fail on the server too.',
  safeAlternative:
    'Fix the syntax (psql meta-commands such as \\set are not SQL), or consent to it after review.',
};
