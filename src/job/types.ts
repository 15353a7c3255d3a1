import type { z } from 'zod';
import type { Database, Key, Tx } from '../db/types';
import type {
  archiveJobSchema,
  customJobSchema,
  deleteJobSchema,
  jobSpecSchema,
  updateJobSchema,
} from './spec';

export type VerifyResult =
  /** `note`: something worth telling the operator that is not a failure. */
  { readonly ok: true; readonly note?: string } | { readonly ok: false; readonly reason: string };

export interface CheckResult {
  /** Short, stable name, e.g. `key-index`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was found, and when not ok, what the operator should change. */
  readonly reason: string;
  /** A failed warning is reported but does not block. */
  readonly severity?: 'error' | 'warning';
}

export interface PlanEstimate {
  /** Rows the job expects to touch. */
  readonly estimatedRows: number;
}

/** One column's value in a custom job's composite key. */
export type KeyPart = string | number | bigint | Uint8Array;

/** A custom job's composite key: one value per key column, in key order. */
export type CompositeKey = readonly KeyPart[];

/**
 * A key as a custom job's hooks see it. With a one-column key: a string (integers as decimal
 * text), as always. With a composite key (`key: ['a', 'b']`, or a composite primary key when
 * `key` is left out): a CompositeKey. lowtide carries it losslessly; `afterKey` comes back with
 * strings as they were, numbers and bigints as their decimal text, bytes as Buffers.
 */
export type AuthorKey = Key | CompositeKey;

/**
 * What a `custom` job implements; the declarative kinds are compiled to the same interface. `K`
 * is the shape of its keys: `Key` (one column, the default) or `CompositeKey` (declare the hooks
 * as `CustomJobHooks<CompositeKey>` and spread them into defineJob's input).
 */
export interface CustomJobHooks<K extends AuthorKey = Key> {
  /** The next keys after `afterKey` (null: from the start), in key order, at most `limit`. Lock them (FOR UPDATE). */
  selectBatch(tx: Tx, afterKey: K | null, limit: number): Promise<readonly K[]>;
  /** Applies the change to exactly these keys (as selectBatch returned them); returns affected rows. */
  applyBatch(tx: Tx, keys: readonly K[]): Promise<number>;
  /** Checked inside the batch's transaction before commit; a failure rolls the batch back. */
  verifyBatch?(tx: Tx, keys: readonly K[], affected: number): Promise<VerifyResult>;
  plan?(db: Database): Promise<PlanEstimate>;
  /** Postflight invariant over the whole table, run once at the end. */
  validate?(db: Database): Promise<VerifyResult>;
  /** Extra preflight checks. */
  checks?(db: Database): Promise<CheckResult[]>;
}

export type JobSpecInput = z.input<typeof jobSpecSchema>;
type Parsed = z.output<typeof jobSpecSchema>;
type WithHooks<T> = T extends { kind: 'custom' }
  ? Omit<T, keyof CustomJobHooks> & CustomJobHooks<AuthorKey>
  : T;

export type DeclarativeJobSpec = Exclude<Parsed, { kind: 'custom' }>;

/**
 * The job that undoes a declarative job from its audit table. Never written by hand: made by
 * `rollbackJob(spec)`; it keeps the original's table, key, limits and health settings.
 */
export type RollbackJobSpec = Omit<DeclarativeJobSpec, 'kind' | 'id'> & {
  readonly kind: 'rollback';
  readonly id: string;
  /** The job being undone. */
  readonly of: DeclarativeJobSpec;
  /** Overwrite rows the application changed after the job instead of reporting them. */
  readonly force: boolean;
};

/** A validated job: identifiers checked, defaults filled in. */
export type JobSpec = WithHooks<Parsed> | RollbackJobSpec;
export type UpdateJobSpec = z.output<typeof updateJobSchema>;
export type DeleteJobSpec = z.output<typeof deleteJobSchema>;
export type ArchiveJobSpec = z.output<typeof archiveJobSchema>;
/** Its hooks take one-column keys as strings and composite keys as arrays (see AuthorKey). */
export type CustomJobSpec = Omit<z.output<typeof customJobSchema>, keyof CustomJobHooks> &
  CustomJobHooks<AuthorKey>;

/** The input accepted for a custom job, with its hooks typed. */
export type CustomJobInput<K extends AuthorKey = Key> = Omit<
  Extract<JobSpecInput, { kind: 'custom' }>,
  keyof CustomJobHooks
> &
  CustomJobHooks<K>;
export type DefineJobInput = Exclude<JobSpecInput, { kind: 'custom' }> | CustomJobInput;
