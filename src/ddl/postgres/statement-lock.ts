import type { AlterTableCmd, AlterTableType, Node } from 'libpg-query';
import type { LockClass } from '../types';
import { nodeAs, optionOn } from './nodes';

/** Strongest first; a statement takes the strongest lock any of its parts needs. */
const STRENGTH: readonly LockClass[] = [
  'ACCESS EXCLUSIVE',
  'EXCLUSIVE',
  'SHARE ROW EXCLUSIVE',
  'SHARE',
  'SHARE UPDATE EXCLUSIVE',
  'ROW EXCLUSIVE',
  'ROW SHARE',
  'ACCESS SHARE',
  'NONE',
];

export function strongest(locks: readonly LockClass[]): LockClass {
  let best: LockClass = 'NONE';
  for (const lock of locks) {
    const rank = STRENGTH.indexOf(lock);
    if (rank !== -1 && rank < STRENGTH.indexOf(best)) best = lock;
  }
  return best;
}

/**
 * Locks that conflict with ordinary writes (ROW EXCLUSIVE) or reads: while one of these waits in
 * the lock queue, every later query on the table waits behind it.
 */
export function blocksTraffic(lock: LockClass): boolean {
  return (
    lock === 'ACCESS EXCLUSIVE' || lock === 'EXCLUSIVE' || lock === 'SHARE ROW EXCLUSIVE' || lock === 'SHARE'
  );
}

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL docs, ALTER TABLE). */
const ALTER_LOCKS: Partial<Record<AlterTableType, LockClass>> = {
  AT_ValidateConstraint: 'SHARE UPDATE EXCLUSIVE',
  AT_SetStatistics: 'SHARE UPDATE EXCLUSIVE',
  AT_SetOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ResetOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ClusterOn: 'SHARE UPDATE EXCLUSIVE',
  AT_DropCluster: 'SHARE UPDATE EXCLUSIVE',
  AT_AttachPartition: 'SHARE UPDATE EXCLUSIVE',
  AT_EnableTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableAlwaysTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableReplicaTrig: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableTrigAll: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrigAll: 'SHARE ROW EXCLUSIVE',
  AT_EnableTrigUser: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrigUser: 'SHARE ROW EXCLUSIVE',
};

/** Storage parameters that PostgreSQL changes under SHARE UPDATE EXCLUSIVE. */
const LIGHT_RELOPTIONS =
  /^(fillfactor|autovacuum_.*|toast\..*|parallel_workers|vacuum_.*|log_autovacuum_min_duration|user_catalog_table)$/;

export function alterCommandLock(cmd: AlterTableCmd): LockClass {
  const subtype = cmd.subtype;
  if (!subtype) return 'ACCESS EXCLUSIVE';
  if (subtype === 'AT_AddConstraint') {
    const constraint = nodeAs(cmd.def, 'Constraint');
    return constraint?.contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  }
  if (subtype === 'AT_DetachPartition') {
    return nodeAs(cmd.def, 'PartitionCmd')?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  }
  if (subtype === 'AT_SetRelOptions' || subtype === 'AT_ResetRelOptions') {
    const items = nodeAs(cmd.def, 'List')?.items ?? [];
    const light = items.every((i) => LIGHT_RELOPTIONS.test(nodeAs(i, 'DefElem')?.defname ?? ''));
    return light ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  }
  // Anything not known to be lighter is treated as ACCESS EXCLUSIVE: fail closed.
  return ALTER_LOCKS[subtype] ?? 'ACCESS EXCLUSIVE';
}

/** The strongest table lock the statement takes (its base class, before any rule looks at it). */
export function statementLock(node: Node): LockClass {
  const alter = nodeAs(node, 'AlterTableStmt');
  if (alter) {
    const cmds = (alter.cmds ?? []).map((c) => nodeAs(c, 'AlterTableCmd')).filter((c) => c !== undefined);
    return strongest(cmds.map(alterCommandLock));
  }
  const index = nodeAs(node, 'IndexStmt');
  if (index) return index.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE';
  const drop = nodeAs(node, 'DropStmt');
  if (drop) return drop.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  const vacuum = nodeAs(node, 'VacuumStmt');
  if (vacuum) {
    const full = optionOn(vacuum.options, 'full');
    return full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE';
  }
  const reindex = nodeAs(node, 'ReindexStmt');
  if (reindex) {
    const concurrently = optionOn(reindex.params, 'concurrently');
    return concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE';
  }
  const refresh = nodeAs(node, 'RefreshMatViewStmt');
  if (refresh) return refresh.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  if (nodeAs(node, 'ClusterStmt') || nodeAs(node, 'TruncateStmt')) return 'ACCESS EXCLUSIVE';
  const rename = nodeAs(node, 'RenameStmt');
  if (rename) return rename.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  if (nodeAs(node, 'CreateTrigStmt')) return 'SHARE ROW EXCLUSIVE';
  const domain = nodeAs(node, 'AlterDomainStmt');
  if (domain) {
    // Checking a domain's new constraint locks every table using it in SHARE (PostgreSQL docs, ALTER DOMAIN).
    const validates =
      domain.subtype === 'O' ||
      (domain.subtype === 'C' && !nodeAs(domain.def, 'Constraint')?.skip_validation);
    return validates ? 'SHARE' : domain.subtype === 'V' ? 'SHARE UPDATE EXCLUSIVE' : 'NONE';
  }
  if (nodeAs(node, 'DropdbStmt')) return 'ACCESS EXCLUSIVE';
  const lock = nodeAs(node, 'LockStmt');
  if (lock) return LOCK_MODES[lock.mode ?? 8] ?? 'ACCESS EXCLUSIVE';
  if (
    nodeAs(node, 'UpdateStmt') ||
    nodeAs(node, 'DeleteStmt') ||
    nodeAs(node, 'InsertStmt') ||
    nodeAs(node, 'MergeStmt')
  ) {
    return 'ROW EXCLUSIVE';
  }
  return 'NONE';
}

/** LOCK TABLE modes by their number in PostgreSQL's lockdefs.h. */
const LOCK_MODES: Record<number, LockClass> = {
  1: 'ACCESS SHARE',
  2: 'ROW SHARE',
  3: 'ROW EXCLUSIVE',
  4: 'SHARE UPDATE EXCLUSIVE',
  5: 'SHARE',
  6: 'SHARE ROW EXCLUSIVE',
  7: 'EXCLUSIVE',
  8: 'ACCESS EXCLUSIVE',
};
