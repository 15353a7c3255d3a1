import { sql } from '../../db/sql';
import type { Key, Tx } from '../../db/types';
import type { JobSpec } from '../../job/types';
import type { KeyCodec } from '../key-codec';
import { AUDIT_COLUMNS, auditTableRef, rowFingerprint } from './audit-table';

export interface CaptureContext {
  readonly spec: JobSpec;
  readonly columns: readonly string[];
  /** `key IN (...) AND (where)` over the source table, built by the job's kind. */
  readonly selection: (b: Parameters<Parameters<typeof sql>[1]>[0]) => string;
}

/** Copies the rows about to change into the audit table, in the batch's transaction. Returns rows copied. */
export async function captureBeforeImages(
  tx: Tx,
  ctx: CaptureContext,
  batchNo: number,
  op: string,
): Promise<number> {
  const stmt = sql(tx.dialect, (b) => {
    const cols = ctx.columns.map((c) => b.id(c)).join(', ');
    const extra = [AUDIT_COLUMNS.batchNo, AUDIT_COLUMNS.op, AUDIT_COLUMNS.state]
      .map((c) => b.id(c))
      .join(', ');
    return `INSERT INTO ${b.table(auditTableRef(ctx.spec))} (${cols}, ${extra}) SELECT ${cols}, ${b.val(batchNo)}, ${b.val(op)}, ${b.val('applied')} FROM ${b.table(ctx.spec.table)} WHERE ${ctx.selection(b)}`;
  });
  return (await tx.query(stmt.text, stmt.values)).rowCount;
}

/** After an update, remembers each row's fingerprint so a rollback can tell if the application changed it since. */
export async function recordAfterFingerprints(
  tx: Tx,
  ctx: CaptureContext,
  batchNo: number,
  keys: readonly Key[],
  codec: KeyCodec,
): Promise<void> {
  const { spec, columns } = ctx;
  const stmt = sql(tx.dialect, (b) => {
    const audit = b.table(auditTableRef(spec));
    const fp = rowFingerprint(tx.dialect, 's', columns);
    const batch = `a.${b.id(AUDIT_COLUMNS.batchNo)}`;
    const same = codec.sameKey(b, 's', 'a');
    if (tx.dialect.engine === 'postgres') {
      return `UPDATE ${audit} a SET ${b.id(AUDIT_COLUMNS.after)} = ${fp} FROM ${b.table(spec.table)} s WHERE ${same} AND ${batch} = ${b.val(batchNo)} AND ${codec.inList(b, keys, 'a')}`;
    }
    return `UPDATE ${audit} a JOIN ${b.table(spec.table)} s ON ${same} SET a.${b.id(AUDIT_COLUMNS.after)} = ${fp} WHERE ${batch} = ${b.val(batchNo)} AND ${codec.inList(b, keys, 'a')}`;
  });
  await tx.query(stmt.text, stmt.values);
}
