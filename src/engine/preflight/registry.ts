import type { JobKind } from '../kinds/kind';
import { JOB_KINDS, kindOf } from '../kinds/registry';
import { authorSql } from './checks/author-sql';
import { requiredColumns } from './checks/columns';
import { customSql } from './checks/custom-sql';
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

/** A kind's own check, run only for jobs of that kind. */
function ofKind(kind: JobKind, check: PreflightCheck): PreflightCheck {
  return {
    name: check.name,
    description: check.description,
    appliesTo: (spec) => kindOf(spec) === kind && (check.appliesTo?.(spec) ?? true),
    // Called on the check itself: checks name their results after `this.name`.
    run: (ctx) => check.run(ctx),
  };
}

function kindChecks(slot: keyof JobKind['preflight']): PreflightCheck[] {
  return JOB_KINDS.flatMap((kind) => kind.preflight[slot].map((check) => ofKind(kind, check)));
}

/**
 * Every check, in the order they run: the common ones, with each kind's own (listed by the kind,
 * see JobKind.preflight) in their place. Adding a check: one file in checks/ and one line here,
 * or in the kind's module when it is the kind's own.
 */
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
  ...kindChecks('tables'),
  rowEstimate,
  customSql,
  ...kindChecks('authored'),
  replicaLag,
];

/**
 * Checks that the rest need: when one fails, the rest are not run (they would only repeat it, or,
 * for author-sql, send the database SQL that was just refused).
 */
export const GATING_CHECKS = new Set(['author-sql', 'table-exists']);
