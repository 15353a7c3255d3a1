import { type SqlBuilder, sql } from '../../db/sql';
import type { Key, Tx } from '../../db/types';
import type { JobSpec } from '../../job/types';
import { AUDIT_COLUMNS as A, auditTableRef, rowFingerprint } from '../audit/audit-table';
import type { KeyCodec } from '../key-codec';
import { kindOf } from '../kinds/registry';

/** Conflict notes, as `lowtide rollback` prints them. */
export const UPDATED_ROW_DIFFERS =
  'changed by the application after lowtide updated it (updated, or deleted and recreated with the same key)';
export const REMOVED_ROW_RECREATED =
  'recreated by the application after lowtide removed it: a row with this key exists again';

/** The statements of one rollback batch; each works on the batch's keys only. */
export class RestoreSql {
  constructor(
    readonly spec: JobSpec,
    readonly columns: readonly string[],
    readonly codec: KeyCodec,
  ) {}

  private audit(b: SqlBuilder) {
    return b.table(auditTableRef(this.spec));
  }

  private pending(b: SqlBuilder, keys: readonly Key[], ops: readonly string[], alias = 'a'): string {
    return `${this.codec.inList(b, keys, alias)} AND ${alias}.${b.id(A.state)} = ${b.val('applied')} AND ${alias}.${b.id(A.op)} IN (${b.list(ops)})`;
  }

  /**
   * The key columns are among the pending images' keys: `(a, b) IN (SELECT a.a, a.b ...)`. Both
   * engines take a row constructor IN a subquery (MySQL 8.0 manual, "Row Subqueries").
   */
  private keyIn(b: SqlBuilder, keys: readonly Key[], ops: readonly string[]): string {
    const cols = this.codec.columns.map((c) => b.id(c));
    const left = cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`;
    const images = cols.map((c) => `a.${c}`).join(', ');
    return `${left} IN (SELECT ${images} FROM ${this.audit(b)} a WHERE ${this.pending(b, keys, ops)})`;
  }

  private async run(tx: Tx, build: (b: SqlBuilder) => string): Promise<number> {
    const stmt = sql(tx.dialect, build);
    return (await tx.query(stmt.text, stmt.values)).rowCount;
  }

  /** Marks updated rows the application changed (or deleted) since the job: they are left alone. */
  async markUpdateConflicts(tx: Tx, keys: readonly Key[]): Promise<number> {
    const changed = await this.run(tx, (b) => {
      const fp = rowFingerprint(tx.dialect, 's', this.columns);
      // Neither engine can tell an UPDATE from a DELETE and an INSERT of the same key by the row
      // alone, so the note names both rather than claim the row was changed in place.
      const note = b.val(UPDATED_ROW_DIFFERS);
      const set = `${b.id(A.state)} = ${b.val('conflict')}, ${b.id(A.note)} = ${note}`;
      const src = b.table(this.spec.table);
      if (tx.dialect.engine === 'postgres') {
        return `UPDATE ${this.audit(b)} a SET ${set} FROM ${src} s WHERE ${this.codec.sameKey(b, 's', 'a')} AND ${this.pending(b, keys, ['update'])} AND ${fp} <> a.${b.id(A.after)}`;
      }
      return `UPDATE ${this.audit(b)} a JOIN ${src} s ON ${this.codec.sameKey(b, 's', 'a')} SET a.${b.id(A.state)} = ${b.val('conflict')}, a.${b.id(A.note)} = ${note} WHERE ${this.pending(b, keys, ['update'])} AND ${fp} <> a.${b.id(A.after)}`;
    });
    const gone = await this.run(
      tx,
      (b) =>
        `UPDATE ${this.audit(b)} a SET ${b.id(A.state)} = ${b.val('conflict')}, ${b.id(A.note)} = ${b.val('deleted by the application after lowtide updated it')} WHERE ${this.pending(b, keys, ['update'])} AND NOT EXISTS (SELECT 1 FROM ${b.table(this.spec.table)} s WHERE ${this.codec.sameKey(b, 's', 'a')})`,
    );
    return changed + gone;
  }

  /** Marks removed rows whose key is in use again: re-inserting would clash with the application's row. */
  async markReinsertConflicts(tx: Tx, keys: readonly Key[]): Promise<number> {
    return this.run(
      tx,
      (b) =>
        `UPDATE ${this.audit(b)} a SET ${b.id(A.state)} = ${b.val('conflict')}, ${b.id(A.note)} = ${b.val(REMOVED_ROW_RECREATED)} WHERE ${this.pending(b, keys, ['delete', 'archive'])} AND EXISTS (SELECT 1 FROM ${b.table(this.spec.table)} s WHERE ${this.codec.sameKey(b, 's', 'a')})`,
    );
  }

  /** Forced: removes the application's rows that stand where removed rows go back. */
  async clearReinsertTargets(tx: Tx, keys: readonly Key[]): Promise<void> {
    await this.run(
      tx,
      (b) => `DELETE FROM ${b.table(this.spec.table)} WHERE ${this.keyIn(b, keys, ['delete', 'archive'])}`,
    );
  }

  async restoreUpdated(tx: Tx, keys: readonly Key[]): Promise<void> {
    const key = new Set(this.codec.columns);
    await this.run(tx, (b) => {
      const cols = this.columns.filter((c) => !key.has(c));
      const src = b.table(this.spec.table);
      if (tx.dialect.engine === 'postgres') {
        const set = cols.map((c) => `${b.id(c)} = a.${b.id(c)}`).join(', ');
        return `UPDATE ${src} s SET ${set} FROM ${this.audit(b)} a WHERE ${this.codec.sameKey(b, 's', 'a')} AND ${this.pending(b, keys, ['update'])}`;
      }
      const set = cols.map((c) => `s.${b.id(c)} = a.${b.id(c)}`).join(', ');
      return `UPDATE ${src} s JOIN ${this.audit(b)} a ON ${this.codec.sameKey(b, 's', 'a')} SET ${set} WHERE ${this.pending(b, keys, ['update'])}`;
    });
  }

  async reinsertRemoved(tx: Tx, keys: readonly Key[]): Promise<void> {
    await this.run(tx, (b) => {
      const cols = this.columns.map((c) => b.id(c)).join(', ');
      const aliased = this.columns.map((c) => `a.${b.id(c)}`).join(', ');
      return `INSERT INTO ${b.table(this.spec.table)} (${cols}) SELECT ${aliased} FROM ${this.audit(b)} a WHERE ${this.pending(b, keys, ['delete', 'archive'])}`;
    });
    const archive = kindOf(this.spec).movesRowsTo?.(this.spec);
    if (archive) {
      await this.run(tx, (b) => `DELETE FROM ${b.table(archive)} WHERE ${this.keyIn(b, keys, ['archive'])}`);
    }
  }

  async markRestored(tx: Tx, keys: readonly Key[]): Promise<number> {
    return this.run(
      tx,
      (b) =>
        `UPDATE ${this.audit(b)} a SET ${b.id(A.state)} = ${b.val('restored')} WHERE ${this.pending(b, keys, ['update', 'delete', 'archive'])}`,
    );
  }
}
