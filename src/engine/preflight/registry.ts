import { archiveTable } from './checks/archive-table';
import { auditTable } from './checks/audit-table';
import { authorSql } from './checks/author-sql';
import { requiredColumns } from './checks/columns';
import { customJobChecks, customSql } from './checks/custom-sql';
import { keyIndex } from './checks/key-index';
import { keyNotNull } from './checks/key-not-null';
import { keyType } from './checks/key-type';
import { replicaLag } from './checks/replica-lag';
import { rowEstimate } from './checks/row-estimate';
import { selectionPlan } from './checks/selection-plan';
import { serverRole } from './checks/server-role';
import { statements } from './checks/statements';
import { tableExists } from './checks/table-exists';
import type { PreflightCheck } from './types';

/** Every check, in the order they run. Adding a check: one file in checks/ and one line here. */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  authorSql,
  serverRole,
  tableExists,
  requiredColumns,
  keyType,
  keyNotNull,
  keyIndex,
  selectionPlan,
  statements,
  archiveTable,
  auditTable,
  rowEstimate,
  customSql,
  customJobChecks,
  replicaLag,
];

/**
 * Checks that the rest need: when one fails, the rest are not run (they would only repeat it, or,
 * for author-sql, send the database SQL that was just refused).
 */
export const GATING_CHECKS = new Set(['author-sql', 'table-exists']);
