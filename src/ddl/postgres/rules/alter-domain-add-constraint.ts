import type { Rule } from '../../types';
import { names, nodeAs } from '../nodes';
import type { PgStatement } from '../statement';

export const alterDomainAddConstraint: Rule<PgStatement> = {
  id: 'pg-alter-domain-add-constraint',
  engine: 'postgres',
  title: 'ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID, or ALTER DOMAIN ... SET NOT NULL',
  lock: 'SHARE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: false,
  why: 'PostgreSQL checks every column of every table that uses the domain, holding SHARE on each of those tables: no writes to any of them until the last one is checked.',
  safeAlternative:
    'ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID (new values are checked from then on), then ALTER DOMAIN ... VALIDATE CONSTRAINT in a separate transaction, which lets writes go on.',
  check(stmt) {
    const domain = nodeAs(stmt.node, 'AlterDomainStmt');
    if (!domain) return [];
    const name = names(domain.typeName).join('.');
    if (domain.subtype === 'O') {
      return [
        {
          why: `SET NOT NULL on domain ${name} checks every column of every table using it for NULLs, holding SHARE on each table: no writes to them until it ends.`,
          safeAlternative:
            'ALTER DOMAIN ... ADD CONSTRAINT name CHECK (VALUE IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.',
        },
      ];
    }
    const constraint = nodeAs(domain.def, 'Constraint');
    if (domain.subtype !== 'C' || !constraint || constraint.skip_validation) return [];
    return [
      {
        why: `constraint ${constraint.conname ?? '(unnamed)'} on domain ${name} is checked at once against every column of every table using the domain, holding SHARE on each: no writes to them until the check ends.`,
      },
    ];
  },
};
