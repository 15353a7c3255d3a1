import type { RuleInfo } from '../../types';

/** Not a check: the finding for a statement neither node-sql-parser nor a fallback could read. */
export const mysqlUnparsed: RuleInfo = {
  id: 'mysql-unparsed',
  engine: 'mysql',
  title: 'A statement node-sql-parser cannot read',
  lock: 'UNKNOWN',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'unparsed: review by hand. lowtide cannot tell what this statement locks or whether it copies the table, so it does not pass it silently.',
  safeAlternative:
    'Rewrite it in a form the guard reads (one ALTER per statement, standard syntax), or consent to it after review.',
};
