import { type SqlBuilder, sql } from '../../db/sql';
import type { Database, Key, Queryable, Tx } from '../../db/types';
import type { ArchiveJobSpec, DeleteJobSpec, UpdateJobSpec, VerifyResult } from '../../job/types';
import { captureBeforeImages, recordAfterFingerprints } from '../audit/capture';
import { BatchVerificationError } from '../errors';
import type { KeyCodec } from '../keys';
import type { LedgerRow } from '../ledger';
import { rerunOf } from '../passes';
import { estimateMatchingRows } from './matching-estimate';
import { changeByRange, type RangeDml, type RangeSpan, type RangeSql } from './range-batch';
import { byKeyList, type CompiledJob, fail, OK, type PassSpan } from './types';

type DeclarativeSpec = UpdateJobSpec | DeleteJobSpec | ArchiveJobSpec;

/** Keys named in a failed check; enough to look at, few enough for one line. */
const OFFENDERS_SHOWN = 5;

/** SQL shared by the declarative kinds: keyset selection, key lists and ranges, the predicate. */
export class DeclarativeSql implements RangeSql {
  constructor(
    readonly spec: DeclarativeSpec,
    readonly codec: KeyCodec,
    /** The source table's columns, in table order. */
    readonly columns: readonly string[],
  ) {}

  /**
   * With `rollback.audit`, copies the batch's rows into the audit table before `change` runs, in
   * the same transaction; a copy that does not match the change fails the batch.
   */
  async audited(
    tx: Tx,
    keys: readonly Key[],
    batchNo: number,
    op: string,
    change: () => Promise<number>,
  ): Promise<number> {
    if (!this.spec.rollback.audit) return change();
    const ctx = {
      spec: this.spec,
      columns: this.columns,
      selection: (b: SqlBuilder) => `${this.inKeys(b, keys)} AND ${this.where()}`,
    };
    const copied = await captureBeforeImages(tx, ctx, batchNo, op);
    const affected = await change();
    if (copied !== affected) {
      throw new BatchVerificationError(
        this.spec.id,
        batchNo,
        `audit copied ${copied} before-images but the change affected ${affected} rows`,
      );
    }
    if (op === 'update') await recordAfterFingerprints(tx, ctx, batchNo, keys, this.codec);
    return affected;
  }

  where(): string {
    return this.spec.where ? `(${this.spec.where})` : '1 = 1';
  }

  inKeys(b: SqlBuilder, keys: readonly Key[]): string {
    return this.codec.inList(b, keys);
  }

  inRange(b: SqlBuilder, row: Pick<LedgerRow, 'firstKey' | 'lastKey'>): string {
    return this.codec.range(b, row.firstKey, row.lastKey);
  }

  /**
   * Keyset pagination: the next matching keys after the last one, in key order, the key columns
   * as they are, aliased lowtide_k0.. (see KeyCodec.selectRaw). Never OFFSET.
   */
  nextKeys(b: SqlBuilder, afterKey: Key | null, limit: number): string {
    return this.keysAfter(b, afterKey, limit, this.codec.selectRaw(b));
  }

  private keysAfter(b: SqlBuilder, afterKey: Key | null, limit: number, selectList: string): string {
    const after = afterKey === null ? '' : `${this.codec.after(b, afterKey)} AND `;
    return `SELECT ${selectList} FROM ${b.table(this.spec.table)} WHERE ${after}${this.where()} ORDER BY ${this.codec.orderBy(b)} LIMIT ${b.val(limit)}`;
  }

  /** The next keys, locked. */
  async select(tx: Tx, afterKey: Key | null, limit: number): Promise<Key[]> {
    const stmt = sql(
      tx.dialect,
      (b) => `${this.keysAfter(b, afterKey, limit, this.codec.selectKeys(b))} FOR UPDATE`,
    );
    const { rows } = await tx.query(stmt.text, stmt.values);
    return rows.map((r) => this.codec.fromRow(r));
  }

  /**
   * A few keys of the table's rows matching `condition` (built by the caller). `current` is for a
   * check inside a batch on MySQL/MariaDB: a plain read there sees the REPEATABLE READ snapshot
   * the batch took before its change, in which a row the application took out of `where` (and the
   * change rightly skipped) still looks unchanged. A locking read sees the latest committed rows,
   * and locks nothing new: the change already locked every row of its range. PostgreSQL reads
   * committed rows in each statement anyway (READ COMMITTED), so it needs no lock.
   */
  async offenders(
    q: Queryable,
    condition: (b: SqlBuilder) => string,
    options: { readonly current?: boolean } = {},
  ): Promise<Key[]> {
    const locking = options.current && q.dialect.engine === 'mysql' ? ' LOCK IN SHARE MODE' : '';
    const stmt = sql(
      q.dialect,
      (b) =>
        `SELECT ${this.codec.selectKeys(b)} FROM ${b.table(this.spec.table)} WHERE ${condition(b)} ORDER BY ${this.codec.orderBy(b)} LIMIT ${b.val(OFFENDERS_SHOWN)}${locking}`,
    );
    const { rows } = await q.query(stmt.text, stmt.values);
    return rows.map((r) => this.codec.fromRow(r));
  }

  /** Keys as a list people read: `7, 8` or `(1, 'a'), (1, 'b')`. */
  shown(keys: readonly Key[]): string {
    return keys.map((k) => this.codec.display(k)).join(', ');
  }

  estimate(db: Database): Promise<number> {
    return estimateMatchingRows(db, {
      table: this.spec.table,
      where: this.where(),
      lockTimeoutMs: this.spec.limits.lockTimeoutMs,
      statementTimeoutMs: this.spec.limits.statementTimeoutMs,
    });
  }

  /**
   * Rows of the walked range that match `condition` now, as a note (see CompiledJob.validate):
   * how many, a few keys, and `why` they are not a failure.
   */
  async lateRows(
    db: Database,
    walked: PassSpan | null,
    condition: string,
    what: string,
  ): Promise<VerifyResult> {
    if (!walked) return OK;
    const inWalk = (b: SqlBuilder) => `${this.inRange(b, walked)} AND ${condition}`;
    const keys = await this.offenders(db, inWalk);
    if (keys.length === 0) return OK;
    const stmt = sql(
      db.dialect,
      (b) => `SELECT count(*) AS n FROM ${b.table(this.spec.table)} WHERE ${inWalk(b)}`,
    );
    const n = Number((await db.query<{ n: unknown }>(stmt.text, stmt.values)).rows[0]?.n ?? keys.length);
    const next =
      rerunOf(this.spec) === 'new-pass'
        ? 'the next run takes them in a new pass'
        : "rerun: 'new-pass' would take them in a new pass";
    return {
      ok: true,
      note:
        `${n} rows in the key range the pass walked (${this.codec.display(walked.firstKey)} to ${this.codec.display(walked.lastKey)}) ${what} now, ` +
        `but did not when their batch ran (a predicate that moves with time, or the application's writes since), e.g. keys ${this.shown(keys)}; ${next}`,
    };
  }
}

export function countMismatch(what: string, selected: number, affected: number) {
  return affected === selected ? OK : fail(`${what} ${affected} rows but selected ${selected}`);
}

/** `update`: backfill or repair; SET expressions applied to the batch's rows. */
export function compileUpdate(spec: UpdateJobSpec, codec: KeyCodec, columns: readonly string[]): CompiledJob {
  const s = new DeclarativeSql(spec, codec, columns);
  const invariant = spec.verify.invariant;
  const failsInvariant = `(${invariant}) IS NOT TRUE`;
  const update = (b: SqlBuilder, condition: string) => {
    const assignments = Object.entries(spec.set).map(([col, expr]) => `${b.id(col)} = (${expr})`);
    return `UPDATE ${b.table(spec.table)} SET ${assignments.join(', ')} WHERE ${condition}`;
  };
  const invariantHolds = async (tx: Tx, where: (b: SqlBuilder) => string) => {
    if (!invariant) return OK;
    const bad = await s.offenders(tx, (b) => `${where(b)} AND ${failsInvariant}`, { current: true });
    return bad.length === 0
      ? OK
      : fail(`invariant (${invariant}) does not hold after the update for keys ${s.shown(bad)}`);
  };
  const batches = spec.rollback.audit
    ? byKeyList({
        selectBatch: (tx, after, limit) => s.select(tx, after, limit),
        applyBatch: (tx, keys, { batchNo }) =>
          s.audited(tx, keys, batchNo, 'update', async () => {
            const stmt = sql(tx.dialect, (b) => update(b, `${s.inKeys(b, keys)} AND ${s.where()}`));
            return (await tx.query(stmt.text, stmt.values)).rowCount;
          }),
        async verifyBatch(tx, keys, affected) {
          const counted = countMismatch('updated', keys.length, affected);
          return counted.ok ? invariantHolds(tx, (b) => s.inKeys(b, keys)) : counted;
        },
      })
    : byRange(s, update, (tx, span) => invariantHolds(tx, (b) => s.inRange(b, span)));
  return {
    ...batches,
    async verifyCommitted(q, row) {
      if (!invariant) return OK;
      const bad = await s.offenders(q, (b) => `${s.inRange(b, row)} AND ${failsInvariant}`);
      return bad.length === 0
        ? OK
        : fail(`after commit, invariant (${invariant}) does not hold for keys ${s.shown(bad)}`);
    },
    validate: (db, walked) =>
      invariant
        ? s.lateRows(db, walked, failsInvariant, `break the invariant (${invariant})`)
        : Promise.resolve(OK),
    estimateRows: (db) => s.estimate(db),
  };
}

/**
 * Batches changed by key range (see changeByRange); the counts are recorded, not compared, since
 * the application may legitimately take a selected row out of the batch while it runs.
 */
function byRange(
  s: DeclarativeSql,
  dml: RangeDml,
  verify: (tx: Tx, span: RangeSpan) => Promise<VerifyResult> = async () => OK,
): Pick<CompiledJob, 'changeBatch' | 'selectBatch'> {
  return {
    selectBatch: (tx, after, limit) => s.select(tx, after, limit),
    async changeBatch(tx, afterKey, limit) {
      const span = await changeByRange(s, tx, afterKey, limit, dml);
      return span ? { ...span, verdict: await verify(tx, span) } : null;
    },
  };
}

async function deleteKeys(s: DeclarativeSql, tx: Tx, keys: readonly Key[]): Promise<number> {
  const stmt = sql(
    tx.dialect,
    (b) => `DELETE FROM ${b.table(s.spec.table)} WHERE ${s.inKeys(b, keys)} AND ${s.where()}`,
  );
  return (await tx.query(stmt.text, stmt.values)).rowCount;
}

/** Purges leave no row of the batch's range that still matches the predicate. */
function purgeChecks(s: DeclarativeSql): Pick<CompiledJob, 'verifyCommitted' | 'validate'> {
  return {
    async verifyCommitted(q, row) {
      const left = await s.offenders(q, (b) => `${s.inRange(b, row)} AND ${s.where()}`);
      return left.length === 0
        ? OK
        : fail(
            `after commit, rows matching the predicate remain in the batch's range: keys ${s.shown(left)}`,
          );
    },
    validate: (db, walked) => s.lateRows(db, walked, s.where(), 'match the predicate'),
  };
}

/** `delete`: purge the batch's rows. */
export function compileDelete(spec: DeleteJobSpec, codec: KeyCodec, columns: readonly string[]): CompiledJob {
  const s = new DeclarativeSql(spec, codec, columns);
  const batches = spec.rollback.audit
    ? byKeyList({
        selectBatch: (tx, after, limit) => s.select(tx, after, limit),
        applyBatch: (tx, keys, { batchNo }) =>
          s.audited(tx, keys, batchNo, 'delete', () => deleteKeys(s, tx, keys)),
        verifyBatch: async (_tx, keys, affected) => countMismatch('deleted', keys.length, affected),
      })
    : byRange(s, (b, condition) => `DELETE FROM ${b.table(spec.table)} WHERE ${condition}`);
  return {
    ...batches,
    ...purgeChecks(s),
    estimateRows: (db) => s.estimate(db),
  };
}

/**
 * `archive`: copy the selected rows into the archive table, then delete them, in the batch's one
 * transaction. `columns` is the source table's column list, so the copy never depends on column order.
 */
export function compileArchive(
  spec: ArchiveJobSpec,
  codec: KeyCodec,
  columns: readonly string[],
): CompiledJob {
  const s = new DeclarativeSql(spec, codec, columns);
  const purge = purgeChecks(s);
  return {
    ...byKeyList({
      selectBatch: (tx, after, limit) => s.select(tx, after, limit),
      applyBatch: (tx, keys, { batchNo }) =>
        s.audited(tx, keys, batchNo, 'archive', async () => {
          const copy = sql(tx.dialect, (b) => {
            const cols = columns.map((c) => b.id(c)).join(', ');
            return `INSERT INTO ${b.table(spec.archiveTable)} (${cols}) SELECT ${cols} FROM ${b.table(spec.table)} WHERE ${s.inKeys(b, keys)} AND ${s.where()}`;
          });
          const copied = (await tx.query(copy.text, copy.values)).rowCount;
          const deleted = await deleteKeys(s, tx, keys);
          if (copied !== deleted) return -1; // verifyBatch reports it; the transaction rolls back
          return deleted;
        }),
      verifyBatch: async (_tx, keys, affected) =>
        affected < 0
          ? fail('archived and deleted row counts differ')
          : countMismatch('archived', keys.length, affected),
    }),
    async verifyCommitted(q, row) {
      const left = await purge.verifyCommitted(q, row);
      if (!left.ok) return left;
      const stmt = sql(
        q.dialect,
        (b) => `SELECT count(*) AS n FROM ${b.table(spec.archiveTable)} WHERE ${s.inRange(b, row)}`,
      );
      const n = Number((await q.query<{ n: unknown }>(stmt.text, stmt.values)).rows[0]?.n ?? 0);
      return n >= row.affected
        ? OK
        : fail(`after commit, the archive holds ${n} rows of the batch's range, expected ${row.affected}`);
    },
    validate: purge.validate,
    estimateRows: (db) => s.estimate(db),
  };
}
