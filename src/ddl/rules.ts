import { MYSQL_RULES, mysqlUnparsed } from './mysql/rules';
import { POSTGRES_RULES, pgUnparsed } from './postgres/rules';
import type { RuleInfo } from './types';

/** Every rule of both engines, as documented in docs/ddl-guard.md. */
export const DDL_RULES: readonly RuleInfo[] = [...POSTGRES_RULES, pgUnparsed, ...MYSQL_RULES, mysqlUnparsed];
