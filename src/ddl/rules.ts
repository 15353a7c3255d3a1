import { MYSQL_RULES, mysqlUnparsed } from './mysql/rules';
import { POSTGRES_RULES, pgUnparsed } from './postgres/rules';
import { statementTimeoutRule } from './postgres/rules/missing-statement-timeout';
import type { RuleInfo } from './types';

/** Every rule of both engines, as documented in docs/ddl-guard.md. */
export const DDL_RULES: readonly RuleInfo[] = [
  ...POSTGRES_RULES,
  statementTimeoutRule,
  pgUnparsed,
  ...MYSQL_RULES,
  mysqlUnparsed,
];
