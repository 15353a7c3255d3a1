import type { LockClass, ScriptStatement } from '../types';
import type { MysqlLock } from './online-ddl';
import type { MysqlOp } from './operations';
import type { AlterPlan } from './plan-alter';
import type { MysqlModel } from './statement-model';

/** One read MySQL statement, with its online DDL plan and what the script set before it. */
export interface MyStatement extends ScriptStatement {
  readonly model: MysqlModel;
  readonly table?: string;
  /** For ALTER TABLE, CREATE INDEX and DROP INDEX: what the server will do. */
  readonly plan?: AlterPlan;
  /** lock_wait_timeout in force (session, or the statement's own MariaDB WAIT n), in seconds. */
  readonly lockWaitSeconds: number | undefined;
  readonly assumeLockTimeout: boolean;
  readonly maxLockTimeoutMs: number;
}

export function alterOps(stmt: MyStatement): readonly MysqlOp[] {
  return stmt.model.kind === 'alter' ? stmt.model.ops : [];
}

export function lockClass(lock: MysqlLock): LockClass {
  return lock === 'NONE' ? 'NONE' : lock === 'SHARED' ? 'SHARED' : 'EXCLUSIVE';
}

export const ONLINE_TOOLS =
  'Use an online schema change tool that copies in the background and swaps at the end: gh-ost, pt-online-schema-change or Spirit (MySQL 8).';
